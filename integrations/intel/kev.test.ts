import { describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseKevCatalog, readKevCatalog } from './kev.js';
import { catchImportFormatError } from '../../test/import-errors.js';

const catalogPath = sharedDataPath('intel', 'kev', 'known_exploited_vulnerabilities.json');

function entry(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cveID: 'CVE-2024-3400',
    vendorProject: 'Palo Alto Networks',
    product: 'PAN-OS',
    vulnerabilityName: 'PAN-OS Command Injection Vulnerability',
    dateAdded: '2024-04-12',
    shortDescription: 'Command injection in GlobalProtect.',
    requiredAction: 'Apply mitigations per vendor instructions.',
    dueDate: '2024-04-19',
    ...fields,
  };
}

function catalogText(entries: Record<string, unknown>[], fields: Record<string, unknown> = {}): string {
  const catalog = {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: '2024.04.12',
    dateReleased: '2024-04-12T17:00:00.000Z',
    count: entries.length,
    vulnerabilities: entries,
    ...fields,
  };
  return JSON.stringify(catalog, null, 2);
}

const formatError = catchImportFormatError;

describe('readKevCatalog', () => {
  it('reads the real catalog', async () => {
    const catalog = await readKevCatalog(catalogPath);

    // 1404: `jq '.vulnerabilities | length' known_exploited_vulnerabilities.json`
    expect(catalog.entries).toHaveLength(1404);
    expect(catalog.catalogVersion).toBe('2025.08.25');
    expect(catalog.dateReleased).toBe('2025-08-25T17:04:19.9796Z');
  });

  it('maps a real entry', async () => {
    const catalog = await readKevCatalog(catalogPath);
    const log4shell = catalog.entries.find((item) => item.cve === 'CVE-2021-44228');

    expect(log4shell?.dueDate).toBe('2021-12-24');
    expect(log4shell?.knownRansomwareCampaignUse).toBe('Known');
    expect(log4shell?.cwes).toEqual(['CWE-20', 'CWE-400', 'CWE-502']);
  });
});

describe('parseKevCatalog', () => {
  it('defaults the optional fields', () => {
    const catalog = parseKevCatalog(catalogText([entry()]), 'kev.json');

    expect(catalog.entries[0]?.knownRansomwareCampaignUse).toBe('Unknown');
    expect(catalog.entries[0]?.notes).toBe('');
    expect(catalog.entries[0]?.cwes).toEqual([]);
  });

  it('ignores unknown fields', () => {
    const text = catalogText([entry({ exploitMaturity: 'high' })], { publisher: 'CISA' });

    const catalog = parseKevCatalog(text, 'kev.json');

    expect(catalog.entries[0]?.cve).toBe('CVE-2024-3400');
  });

  it('rejects a missing field naming entry and line', () => {
    const text = catalogText([entry(), entry({ cveID: 'CVE-2023-20198', dueDate: undefined })]);

    const error = formatError(() => parseKevCatalog(text, 'kev.json'));

    expect(error.file).toBe('kev.json');
    // Line of `"cveID": "CVE-2023-20198"` in the pretty-printed text.
    expect(error.line).toBe(text.split('\n').findIndex((line) => line.includes('CVE-2023-20198')) + 1);
    expect(error.reason).toBe('vulnerabilities[1] (CVE-2023-20198): required field "dueDate" is missing');
  });

  it('rejects an invalid date', () => {
    const text = catalogText([entry({ dateAdded: '12/04/2024' })]);

    const error = formatError(() => parseKevCatalog(text, 'kev.json'));

    expect(error.reason).toMatch(/^vulnerabilities\[0\] \(CVE-2024-3400\): field "dateAdded" is invalid/);
  });

  it('rejects a malformed CVE id', () => {
    const text = catalogText([entry({ cveID: 'CVE-24-1' })]);

    const error = formatError(() => parseKevCatalog(text, 'kev.json'));

    expect(error.reason).toMatch(/field "cveID" is invalid: expected a CVE id/);
  });

  it('rejects a missing catalog field', () => {
    const text = catalogText([entry()], { catalogVersion: undefined });

    const error = formatError(() => parseKevCatalog(text, 'kev.json'));

    expect(error.reason).toBe('required field "catalogVersion" is missing');
  });

  it('rejects a count mismatch', () => {
    const text = catalogText([entry()], { count: 2 });

    const error = formatError(() => parseKevCatalog(text, 'kev.json'));

    expect(error.reason).toMatch(/count 2 but lists 1/);
  });

  it('rejects invalid JSON with its line', () => {
    const error = formatError(() => parseKevCatalog('{\n  "catalogVersion": "x",\n}', 'kev.json'));

    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/^invalid JSON/);
  });

  it('rejects an empty file', () => {
    const error = formatError(() => parseKevCatalog('', 'kev.json'));

    expect(error.line).toBe(1);
    expect(error.reason).toBe('the file is empty');
  });
});
