import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { DETECT_HEAD_BYTES, type ScannerFormat, detectScannerFormat, detectScannerFormatFromHead } from './detect.js';
import { formatError } from './scanner-test-support.js';

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

/** Every real scanner file and the format it must be detected as. The legacy Nessus v1 file is rejected (tested below). */
const REAL_FILES: [folder: string, file: string, format: ScannerFormat][] = [
  ['nessus', 'dd_nessus_many_vuln.csv', 'tenable-sc-csv'],
  ['nessus', 'dd_nessus_many_vuln2-all.csv', 'nessus-csv'],
  ['nessus', 'dd_nessus_new.csv', 'tenable-vm-csv'],
  ['nexpose', 'dd_nexpose_many_vulns.xml', 'nexpose-xml'],
  ['openvas', 'dd_openvas_many_vuln.csv', 'openvas-csv'],
  ['openvas', 'dd_openvas_many_vuln.xml', 'openvas-xml'],
  ['openvas', 'dd_openvas_report_detail_v2.xml', 'openvas-xml'],
  ['openvas', 'dd_openvas_report_using_CVE.csv', 'openvas-csv'],
  ['qualys', 'dd_qualys_infrascan_webgui_multiple.xml', 'qualys-scan-xml'],
  ['qualys', 'dd_qualys_sample_report.csv', 'qualys-csv'],
  ['qualys', 'dd_qualys_sample_report.xml', 'qualys-vm-xml'],
  ['qualys', 'dd_qualys_vmdr_many_vulns_cve.csv', 'qualys-vmdr-csv'],
  ['qualys', 'dd_qualys_vmdr_many_vulns_qid.csv', 'qualys-vmdr-csv'],
  ['qualys', 'dd_qualys_webapp_many_vuln.xml', 'qualys-was-xml'],
  ['tenable', 'dd_tenable_issue_11102.csv', 'tenable-sc-csv'],
  ['tenable', 'dd_tenable_many_vuln.csv', 'nessus-csv'],
  ['tenable', 'dd_tenable_was_many_vuln.csv', 'tenable-was-csv'],
  ['tenable', 'dd_tenable_was_many_vuln.xml', 'tenable-was-xml'],
];

describe('detectScannerFormat', () => {
  for (const [folder, file, format] of REAL_FILES) {
    it(`detects ${file}`, async () => {
      expect(await detectScannerFormat(sharedDataPath('scanners', folder, file))).toBe(format);
    });
  }

  it('finds Tenable WAS after a long Policy', async () => {
    const policy = `<Policy><policyName>${'x'.repeat(DETECT_HEAD_BYTES)}</policyName></Policy>`;
    const path = join(dir, 'long-policy.xml');
    await writeFile(path, `<?xml version="1.0" ?><NessusClientData_v2>${policy}\n<Report name="app" type="was"></Report></NessusClientData_v2>`);

    expect(await detectScannerFormat(path)).toBe('tenable-was-xml');
  });

  it('keeps Nessus v2 after a long Policy', async () => {
    const policy = `<Policy><policyName>${'x'.repeat(DETECT_HEAD_BYTES)}</policyName></Policy>`;
    const path = join(dir, 'long-policy.nessus');
    await writeFile(path, `<?xml version="1.0" ?><NessusClientData_v2>${policy}\n<Report name="net"></Report></NessusClientData_v2>`);

    expect(await detectScannerFormat(path)).toBe('nessus-v2');
  });

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

  it('returns unknown for an unrelated CSV', async () => {
    const path = join(dir, 'inventory.csv');
    await writeFile(path, 'Hostname,Owner,Site\nweb01,ops,Berlin\n');

    expect(await detectScannerFormat(path)).toBe('unknown');
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

  it('detects a Greenbone GMP response', () => {
    expect(detectText('<get_reports_response status="200"><report id="r-1" format_id="x">')).toBe('openvas-xml');
  });

  it('does not take any report root for Greenbone', () => {
    expect(detectText('<?xml version="1.0"?>\n<report><title>Quarterly</title></report>')).toBe('unknown');
  });

  it('finds a Qualys VMDR header after its preamble', () => {
    const preamble = '"Asset Vuln Datalist Report","04 Feb 2026"\n"Company"\n"User"\n';

    expect(detectText(`${preamble}"QID","Title","Severity","Type Detected","Asset Id","Asset Name"\n`)).toBe('qualys-vmdr-csv');
  });

  it('does not look for a Nessus CSV header after line 1', () => {
    expect(detectText('Report\nPlugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name\n')).toBe('unknown');
  });

  it('returns unknown for a cut-off comment', () => {
    expect(detectText('<!-- never closed <NessusClientData_v2>')).toBe('unknown');
  });
});
