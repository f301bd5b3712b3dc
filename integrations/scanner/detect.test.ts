import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { detectScannerFormat, detectScannerFormatFromHead } from './detect.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'patchwarden-detect-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function detectText(text: string): string {
  return detectScannerFormatFromHead(Buffer.from(text), 'upload');
}

async function formatError(action: Promise<unknown>): Promise<ImportFormatError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ImportFormatError) return error;
    throw error;
  }
  throw new Error('expected an ImportFormatError');
}

describe('detectScannerFormat', () => {
  const v2Files = [
    'dd_nessus_many_vuln.nessus',
    'dd_nessus_v_unknown.nessus',
    'dd_nessus_with_cvssv3.nessus',
    'libnessus_report_local_3.nessus',
    'libnessus_report_test_local.nessus',
    'mitre-saf_sample.nessus',
    'ruby-nessus_example_v2.nessus',
  ];

  for (const name of v2Files) {
    it(`detects ${name}`, async () => {
      expect(await detectScannerFormat(sharedDataPath('scanners', 'nessus', name))).toBe('nessus-v2');
    });
  }

  it('rejects Nessus v1', async () => {
    const path = sharedDataPath('scanners', 'nessus', 'ruby-nessus_example_v1_legacy.nessus');

    const error = await formatError(detectScannerFormat(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/Nessus v1 .* not supported; export .* \.nessus v2/);
  });

  it('names the file as the caller does', async () => {
    const path = sharedDataPath('scanners', 'nessus', 'ruby-nessus_example_v1_legacy.nessus');

    const error = await formatError(detectScannerFormat(path, { fileName: 'old.nessus' }));

    expect(error.file).toBe('old.nessus');
  });

  it('returns unknown for a Nessus CSV', async () => {
    expect(await detectScannerFormat(sharedDataPath('scanners', 'nessus', 'dd_nessus_many_vuln.csv'))).toBe('unknown');
  });

  it('returns unknown for a Qualys report', async () => {
    expect(await detectScannerFormat(sharedDataPath('scanners', 'qualys', 'dd_qualys_sample_report.xml'))).toBe('unknown');
  });

  it('returns unknown for an empty file', async () => {
    const path = join(dir, 'empty');
    await writeFile(path, '');

    expect(await detectScannerFormat(path)).toBe('unknown');
  });
});

describe('detectScannerFormatFromHead', () => {
  it('skips comments and instructions', () => {
    expect(detectText('<?xml version="1.0"?>\n<!-- exported -->\n<?pi x?>\n<NessusClientData_v2>')).toBe('nessus-v2');
  });

  it('skips a DOCTYPE with internal subset', () => {
    expect(detectText('<!DOCTYPE NessusClientData_v2 [\n<!ELEMENT a (b)>\n]>\n<NessusClientData_v2>')).toBe('nessus-v2');
  });

  it('skips an external DOCTYPE', () => {
    expect(detectText('<!DOCTYPE NessusClientData_v2 SYSTEM "x.dtd">\n<NessusClientData_v2>')).toBe('nessus-v2');
  });

  it('skips a byte order mark', () => {
    expect(detectScannerFormatFromHead(Buffer.from('\uFEFF<NessusClientData_v2>'), 'upload')).toBe('nessus-v2');
  });

  it('names the v1 root line', () => {
    try {
      detectText('<?xml version="1.0"?>\n\n<NessusClientData>');
      expect.unreachable('expected an ImportFormatError');
    } catch (error) {
      expect(error).toBeInstanceOf(ImportFormatError);
      expect((error as ImportFormatError).line).toBe(3);
    }
  });

  it('does not take a prefix for the root', () => {
    expect(detectText('<NessusClientData_v20>')).toBe('unknown');
  });

  it('returns unknown for a cut-off comment', () => {
    expect(detectText('<!-- never closed <NessusClientData_v2>')).toBe('unknown');
  });
});
