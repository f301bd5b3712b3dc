import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseKevCsv, readKevCsv } from './kev-csv.js';
import { detectKevFormat, readKevFile } from './kev-file.js';
import { readKevCatalog } from './kev.js';

const csvPath = sharedDataPath('intel', 'kev', 'known_exploited_vulnerabilities.csv');
const jsonPath = sharedDataPath('intel', 'kev', 'known_exploited_vulnerabilities.json');

const HEADER =
  'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes';
const ROW =
  'CVE-2024-3400,Palo Alto Networks,PAN-OS,"PAN-OS Command Injection",2024-04-12,"Command injection in GlobalProtect.","Apply mitigations.",2024-04-19,Unknown,"see https://example.invalid/a, b","CWE-77, CWE-20"';

describe('readKevCsv', () => {
  it('reads the real catalog', async () => {
    const catalog = await readKevCsv(csvPath);

    // 1404: python3 -c "import csv; print(len(list(csv.DictReader(open('known_exploited_vulnerabilities.csv')))))"
    expect(catalog.entries).toHaveLength(1404);
    expect(catalog.catalogVersion).toBeNull();
    expect(catalog.dateReleased).toBeNull();
  });

  it('matches the JSON release entry for entry', async () => {
    const fromCsv = await readKevCsv(csvPath);
    const fromJson = await readKevCatalog(jsonPath);

    const byCve = new Map(fromJson.entries.map((entry) => [entry.cve, entry]));
    for (const entry of fromCsv.entries) {
      expect(entry, entry.cve).toEqual(byCve.get(entry.cve));
    }
  });

  it('maps a real entry', async () => {
    const catalog = await readKevCsv(csvPath);
    const git = catalog.entries.find((entry) => entry.cve === 'CVE-2025-48384');

    expect(git?.cwes).toEqual(['CWE-59', 'CWE-436']);
    expect(git?.dueDate).toBe('2025-09-15');
    expect(git?.knownRansomwareCampaignUse).toBe('Unknown');
    expect(git?.notes).toMatch(/^This vulnerability affects a common open-source component/);
  });

  it('counts entries without CWEs', async () => {
    const catalog = await readKevCsv(csvPath);

    // 152: python3 -c "import csv; print(sum(1 for r in csv.DictReader(open('known_exploited_vulnerabilities.csv')) if r['cwes'] == ''))"
    expect(catalog.entries.filter((entry) => entry.cwes.length === 0)).toHaveLength(152);
  });
});

describe('parseKevCsv', () => {
  it('ignores unknown columns', () => {
    const text = `${HEADER},exploitMaturity\n${ROW},high\n`;

    const catalog = parseKevCsv(text, 'kev.csv');

    expect(catalog.entries).toHaveLength(1);
    expect(catalog.entries[0]?.cwes).toEqual(['CWE-77', 'CWE-20']);
  });

  it('reads reordered columns', () => {
    const text = 'dueDate,cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction\n2024-04-19,CVE-2024-3400,PAN,PAN-OS,name,2024-04-12,desc,act\n';

    const [entry] = parseKevCsv(text, 'kev.csv').entries;

    expect(entry?.cve).toBe('CVE-2024-3400');
    expect(entry?.dueDate).toBe('2024-04-19');
  });

  it('defaults optional columns', () => {
    const text = 'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate\nCVE-2024-3400,PAN,PAN-OS,name,2024-04-12,desc,act,2024-04-19\n';

    const [entry] = parseKevCsv(text, 'kev.csv').entries;

    expect(entry?.knownRansomwareCampaignUse).toBe('Unknown');
    expect(entry?.notes).toBe('');
    expect(entry?.cwes).toEqual([]);
  });

  it('names missing header columns', () => {
    const text = 'cve,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction\nCVE-2024-3400,PAN,PAN-OS,name,2024-04-12,desc,act\n';

    const error = catchImportFormatError(() => parseKevCsv(text, 'kev.csv'));

    expect(error.file).toBe('kev.csv');
    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^the header lacks the KEV columns cveID, dueDate;/);
  });

  it('names the line of an invalid row', () => {
    const bad = ROW.replace('2024-04-19', '19/04/2024');
    const text = `${HEADER}\n${ROW}\n${bad}\n`;

    const error = catchImportFormatError(() => parseKevCsv(text, 'kev.csv'));

    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/^row \(CVE-2024-3400\): field "dueDate" is invalid/);
  });

  it('counts lines inside quoted cells', () => {
    const multiline = ROW.replace('"Apply mitigations."', '"Apply\nmitigations."');
    const bad = ROW.replace('CVE-2024-3400', 'CVE-24');
    const text = `${HEADER}\n${multiline}\n${bad}\n`;

    const error = catchImportFormatError(() => parseKevCsv(text, 'kev.csv'));

    expect(error.line).toBe(4);
  });

  it('names a missing required cell', () => {
    const text = `${HEADER}\n${ROW.replace(',PAN-OS,', ',,')}\n`;

    const error = catchImportFormatError(() => parseKevCsv(text, 'kev.csv'));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('row (CVE-2024-3400): required field "product" is missing');
  });

  it('rejects a row with too few fields', () => {
    const text = `${HEADER}\n${ROW}\nCVE-2024-1,PAN\n`;

    const error = catchImportFormatError(() => parseKevCsv(text, 'kev.csv'));

    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/^invalid CSV: /);
  });

  it('rejects an empty file', () => {
    const error = catchImportFormatError(() => parseKevCsv('', 'kev.csv'));

    expect(error.line).toBe(1);
    expect(error.reason).toBe('the file is empty');
  });
});

describe('readKevFile', () => {
  it('detects the JSON form', async () => {
    const { format, catalog } = await readKevFile(jsonPath);

    expect(format).toBe('json');
    expect(catalog.catalogVersion).toBe('2025.08.25');
  });

  it('detects the CSV form', async () => {
    const { format, catalog } = await readKevFile(csvPath);

    expect(format).toBe('csv');
    expect(catalog.entries).toHaveLength(1404);
  });

  it('skips a byte order mark', () => {
    expect(detectKevFormat('\uFEFF  {"count": 0}')).toBe('json');
  });
});

describe('parseKevCsv on other files', () => {
  it('says an EPSS file is not a KEV catalog', () => {
    const error = catchImportFormatError(() => parseKevCsv('CVE-1999-1593;0.181260000;0.969460000\nCVE-1999-1592;0.00994;0.59687\n', 'epss.csv'));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^not a KEV catalog: the first line is "CVE-1999-1593;0\.181260000;0\.969460000"/);
  });

  it('names a ZIP archive', () => {
    const error = catchImportFormatError(() => parseKevCsv('PK\u0003\u0004\u0014\u0000rest', 'kev.zip'));

    expect(error.reason).toBe('the file is a ZIP archive, not a KEV catalog; extract it and import the files inside');
  });
});
