import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseCtidAttackToCveCsv, readCtidAttackToCveCsv } from './ctid-csv.js';

const csvPath = sharedDataPath('attack', 'ctid_attack_to_cve_mappings.csv');

const HEADER = '\uFEFFCVE ID,Primary Impact,Secondary Impact,Exploitation Technique,Uncategorized,Phase';

describe('readCtidAttackToCveCsv real file', () => {
  it('counts rows and CVEs', async () => {
    const result = await readCtidAttackToCveCsv(csvPath);
    const cves = new Set(result.mappings.map((mapping) => mapping.cve));

    // 839 rows: python3 -c "import csv; print(sum(1 for _ in csv.DictReader(open('ctid_attack_to_cve_mappings.csv', encoding='utf-8-sig'))))"
    expect(result.rows).toBe(839);
    // 1693 mappings from 825 CVEs, 13 rejected values: python3, splitting each of the four technique cells on
    // re.split(r';|\.\s+', cell), stripping white space and trailing periods, keeping re.fullmatch(r'T\d{4}(\.\d{3})?', v).
    // The other 11 of the 836 distinct CVE ids have empty cells (9) or only rejected values (2).
    expect(result.mappings).toHaveLength(1693);
    expect(cves.size).toBe(825);
    expect(result.rejected).toHaveLength(13);
  });

  it('maps each column to its type', async () => {
    const result = await readCtidAttackToCveCsv(csvPath);
    const row = result.mappings.filter((mapping) => mapping.cve === 'CVE-2019-15976');

    // Line 3: CVE-2019-15976,T1068,T1059,T1190,,Phase 2
    expect(row).toEqual([
      { cve: 'CVE-2019-15976', techniqueId: 'T1068', mappingType: 'primary-impact', source: 'ctid-attack-to-cve' },
      { cve: 'CVE-2019-15976', techniqueId: 'T1059', mappingType: 'secondary-impact', source: 'ctid-attack-to-cve' },
      { cve: 'CVE-2019-15976', techniqueId: 'T1190', mappingType: 'exploitation-technique', source: 'ctid-attack-to-cve' },
    ]);
  });

  it('merges a CVE listed twice', async () => {
    const result = await readCtidAttackToCveCsv(csvPath);
    const techniques = result.mappings.filter((mapping) => mapping.cve === 'CVE-2018-11049').map((mapping) => mapping.techniqueId);

    // Lines 176 and 811.
    expect(techniques).toEqual(['T1574', 'T1574.008']);
  });

  it('reports ids that are not techniques', async () => {
    const result = await readCtidAttackToCveCsv(csvPath);

    // Line 466: CVE-2015-7912,,,,T11190; T1059,Phase 1
    expect(result.rejected[0]).toEqual({ line: 466, cve: 'CVE-2015-7912', column: 'Uncategorized', value: 'T11190' });
    expect(result.mappings).toContainEqual({
      cve: 'CVE-2015-7912',
      techniqueId: 'T1059',
      mappingType: 'uncategorized',
      source: 'ctid-attack-to-cve',
    });
  });
});

describe('parseCtidAttackToCveCsv cells', () => {
  it('repairs trailing periods and stray separators', () => {
    const text = [HEADER, 'CVE-2013-4335,,,,T1190. T1005; T1078.003.;  T1565,Phase 1'].join('\r\n');
    const techniques = parseCtidAttackToCveCsv(text, 'mappings.csv').mappings.map((mapping) => mapping.techniqueId);
    expect(techniques).toEqual(['T1190', 'T1005', 'T1078.003', 'T1565']);
  });

  it('skips empty lines and cells', () => {
    const text = [HEADER, 'CVE-2019-0001,,,,,Phase 1', '', 'CVE-2019-0002,T1059,,,,Phase 1', ''].join('\n');
    const result = parseCtidAttackToCveCsv(text, 'mappings.csv');
    expect(result.rows).toBe(2);
    expect(result.mappings).toHaveLength(1);
  });

  it('works without a byte order mark', () => {
    const text = [HEADER.slice(1), 'CVE-2019-0002,T1059,,,,Phase 1'].join('\n');
    expect(parseCtidAttackToCveCsv(text, 'mappings.csv').mappings).toHaveLength(1);
  });
});

describe('parseCtidAttackToCveCsv errors', () => {
  it('empty file is rejected', () => {
    expect(catchImportFormatError(() => parseCtidAttackToCveCsv('\uFEFF', 'mappings.csv')).reason).toBe('the file is empty');
  });

  it('header without CVE ID is rejected', () => {
    const error = catchImportFormatError(() => parseCtidAttackToCveCsv('cve,epss,percentile\nCVE-2024-3400,0.9,0.99\n', 'scores.csv'));
    expect(error.line).toBe(1);
    expect(error.reason).toContain('no "CVE ID" column');
  });

  it('header without technique columns is rejected', () => {
    const error = catchImportFormatError(() => parseCtidAttackToCveCsv('CVE ID,Phase\nCVE-2024-3400,Phase 1\n', 'mappings.csv'));
    expect(error.reason).toContain('none of the technique columns');
  });

  it('invalid CVE id names its line', () => {
    const error = catchImportFormatError(() => parseCtidAttackToCveCsv([HEADER, 'CVE-2019-0002,T1059,,,,', 'n/a,T1059,,,,'].join('\n'), 'mappings.csv'));
    expect(error.line).toBe(3);
    expect(error.reason).toContain('"CVE ID" is "n/a"');
  });

  it('invalid UTF-8 is rejected', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ctid-csv-'));
    const path = join(folder, 'latin1.csv');
    try {
      // A row whose Phase cell ends in a Latin-1 "é" (byte 0xE9).
      await writeFile(path, Buffer.concat([Buffer.from(`${HEADER}\nCVE-2019-0002,T1059,,,,Phase `), Buffer.from([0xe9, 0x0a])]));
      await expect(readCtidAttackToCveCsv(path, { fileName: 'latin1.csv' })).rejects.toThrow('latin1.csv: the file is not valid UTF-8');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('row with extra fields is rejected', () => {
    const error = catchImportFormatError(() => parseCtidAttackToCveCsv([HEADER, 'CVE-2019-0002,T1059,,,,Phase 1,extra'].join('\n'), 'mappings.csv'));
    expect(error.line).toBe(2);
    expect(error.reason).toContain('invalid CSV');
  });
});
