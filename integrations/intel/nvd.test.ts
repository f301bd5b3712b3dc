import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import type { CpeMatch, CvssMetric, NvdRecord } from '../../domain/intel.js';
import { NVD_CONFIGURATION_COUNTS } from '../../test/nvd-configuration-counts.js';
import { fixturePath, sharedDataPath } from '../../test/shared-data.js';
import { parseNvdRecords, preferredCvss, readNvdRecords } from './nvd.js';
import { catchImportFormatError } from '../../test/import-errors.js';

const nvdFolder = sharedDataPath('intel', 'nvd');

const formatError = catchImportFormatError;

function bareCve(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'CVE-2024-0001',
    sourceIdentifier: 'cna@example.invalid',
    published: '2024-01-02T03:04:05.678',
    lastModified: '2024-01-03T03:04:05.678',
    vulnStatus: 'Analyzed',
    descriptions: [{ lang: 'en', value: 'An example flaw.' }],
    references: [],
    ...fields,
  };
}

function metric(version: CvssMetric['version'], type: string, baseScore: number): CvssMetric {
  return { version, type, baseScore, vector: `v${version}`, source: type === 'Primary' ? 'nvd@nist.gov' : 'cna@example.invalid' };
}

function recordWith(metrics: CvssMetric[]): NvdRecord {
  return {
    cve: 'CVE-2024-0001',
    published: '',
    lastModified: '',
    status: 'Analyzed',
    description: '',
    metrics,
    cwes: [],
    cisaExploitAdd: null,
    cisaActionDue: null,
    references: [],
    configurations: [],
  };
}

/** Builds a bare record with one configuration of one OR node that contains `cpeMatch`. */
function cveWithMatches(cpeMatch: Record<string, unknown>[]): Record<string, unknown> {
  return bareCve({ configurations: [{ nodes: [{ operator: 'OR', negate: false, cpeMatch }] }] });
}

const allMatches = (record: NvdRecord | undefined): CpeMatch[] =>
  (record?.configurations ?? []).flatMap((configuration) => configuration.nodes.flatMap((node) => node.matches));

describe('readNvdRecords counts', () => {
  // Each count: `jq '.vulnerabilities | length' FILE`; a bare cve object is one record.
  const files: [string, number][] = [
    ['nvd_api2_CVE-2023-4863.json', 1],
    ['nvd_api2_CVE-2024-3094.json', 1],
    ['nvd_api2_page_38_results.json', 38],
    ['nvd_api2_single_entry.json', 1],
    ['fkie-cad/CVE-2023-0669.json', 1],
    ['fkie-cad/CVE-2024-3400.json', 1],
  ];

  for (const [name, count] of files) {
    it(`reads ${name}`, async () => {
      const records = await readNvdRecords(sharedDataPath('intel', 'nvd', name));

      expect(records).toHaveLength(count);
    });
  }

  it('reads a folder of API responses', async () => {
    const records = await readNvdRecords(nvdFolder);

    // 41: `jq -s 'map(.vulnerabilities | length) | add' nvd/*.json`
    expect(records).toHaveLength(41);
    expect(records[0]?.cve).toBe('CVE-2023-4863');
  });

  it('reads a folder of bare records in name order', async () => {
    const records = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad'));

    // 8: `jq -s length fkie-cad/*.json`
    expect(records.map((record) => record.cve)).toEqual([
      'CVE-2023-0669',
      'CVE-2023-34362',
      'CVE-2023-35078',
      'CVE-2023-42793',
      'CVE-2023-4966',
      'CVE-2024-23897',
      'CVE-2024-27198',
      'CVE-2024-3400',
    ]);
  });
});

describe('readNvdRecords fields', () => {
  it('maps a KEV record', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_CVE-2023-4863.json'));

    expect(record?.status).toBe('Modified');
    expect(record?.published).toBe('2023-09-12T15:15:24.327');
    expect(record?.description).toMatch(/^Heap buffer overflow in libwebp/);
    expect(record?.cwes).toEqual(['CWE-787']);
    expect(record?.cisaExploitAdd).toBe('2023-09-13');
    expect(record?.cisaActionDue).toBe('2023-10-04');
    expect(record?.references).toHaveLength(44);
  });

  it('keeps reference tags', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_single_entry.json'));

    expect(record?.references[0]).toEqual({
      url: 'https://wpscan.com/vulnerability/68deab46-1c16-46ae-a912-a104958ca4cf',
      tags: ['Exploit', 'Third Party Advisory'],
    });
  });

  it('gives untagged references no tags', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_CVE-2023-4863.json'));

    expect(record?.references[0]?.tags).toEqual([]);
  });

  it('reads CVSS 3.1 and 2.0 metrics', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_single_entry.json'));

    expect(record?.metrics).toEqual([
      { version: '3.1', baseScore: 6.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N', source: 'nvd@nist.gov', type: 'Primary' },
      { version: '2.0', baseScore: 4.3, vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', source: 'nvd@nist.gov', type: 'Primary' },
    ]);
  });

  it('reads CVSS 4.0 metrics', () => {
    const cvssData = { version: '4.0', vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', baseScore: 9.3 };
    const text = JSON.stringify(bareCve({ metrics: { cvssMetricV40: [{ source: 'cna@example.invalid', type: 'Secondary', cvssData }] } }));

    const [record] = parseNvdRecords(text, 'cve.json');

    expect(record?.metrics).toEqual([
      { version: '4.0', baseScore: 9.3, vector: cvssData.vectorString, source: 'cna@example.invalid', type: 'Secondary' },
    ]);
  });

  it('keeps CVSS 3.0 beside 3.1', async () => {
    const [record] = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad', 'CVE-2023-35078.json'));

    expect(record?.metrics.map((item) => item.version).sort()).toEqual(['3.0', '3.1']);
  });

  it('drops NVD-CWE-noinfo', async () => {
    const [record] = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad', 'CVE-2023-4966.json'));

    expect(record?.cwes).toEqual(['CWE-119']);
  });

  it('drops NVD-CWE-Other', async () => {
    const [record] = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad', 'CVE-2024-27198.json'));

    expect(record?.cwes).toEqual(['CWE-288']);
  });

  it('lists a CWE named twice once', async () => {
    const [record] = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad', 'CVE-2023-0669.json'));

    expect(record?.cwes).toEqual(['CWE-502']);
  });

  it('takes the English description', async () => {
    const [record] = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad', 'CVE-2023-0669.json'));

    expect(record?.description).toMatch(/^Fortra \(formerly, HelpSystems\) GoAnywhere MFT/);
  });

  it('reads a record without metrics', async () => {
    const records = await readNvdRecords(sharedDataPath('intel', 'nvd', 'nvd_api2_page_38_results.json'));
    const record = records.find((item) => item.cve === 'CVE-2023-46009');

    expect(record?.metrics).toEqual([]);
  });
});

describe('readNvdRecords configurations', () => {
  it('has counts for every real file', async () => {
    const names = [
      ...(await readdir(nvdFolder)).filter((name) => name.endsWith('.json')),
      ...(await readdir(join(nvdFolder, 'fkie-cad'))).map((name) => `fkie-cad/${name}`),
    ];

    expect(NVD_CONFIGURATION_COUNTS.map((counts) => counts.file).sort()).toEqual(names.sort());
  });

  for (const expected of NVD_CONFIGURATION_COUNTS) {
    describe(expected.file, () => {
      const load = () => readNvdRecords(sharedDataPath('intel', 'nvd', expected.file));

      it('counts configurations', async () => {
        const records = await load();

        expect(records.reduce((sum, record) => sum + record.configurations.length, 0)).toBe(expected.configurations);
      });

      it('counts CPE matches', async () => {
        const records = await load();

        expect(records.flatMap(allMatches)).toHaveLength(expected.cpeMatches);
      });

      it('counts vendor:product pairs', async () => {
        const records = await load();
        const pairs = new Set(records.flatMap(allMatches).map((match) => `${match.cpe.vendor}:${match.cpe.product}`));

        expect(pairs.size).toBe(expected.products);
      });
    });
  }

  it('keeps an AND configuration', async () => {
    const records = await readNvdRecords(sharedDataPath('intel', 'nvd', 'nvd_api2_page_38_results.json'));
    const [configuration] = records.find((record) => record.cve === 'CVE-2022-22377')?.configurations ?? [];

    expect(configuration?.operator).toBe('AND');
    expect(configuration?.nodes.map((node) => node.operator)).toEqual(['OR', 'OR']);
    expect(configuration?.nodes[0]?.matches.map((match) => match.vulnerable)).toEqual([true]);
    expect(configuration?.nodes[1]?.matches.map((match) => match.vulnerable)).toEqual([false, false]);
    expect(configuration?.nodes[1]?.matches[0]?.cpe).toMatchObject({ part: 'o', vendor: 'apple', product: 'macos', version: '-' });
  });

  it('stores OR when the operator is absent', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_CVE-2023-4863.json'));

    expect(record?.configurations.map((configuration) => configuration.operator)).toEqual(['OR', 'OR', 'OR', 'OR', 'OR', 'OR']);
    expect(record?.configurations[0]?.negate).toBe(false);
  });

  it('maps a version range', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_CVE-2023-4863.json'));
    const esr = allMatches(record).find((match) => match.matchCriteriaId === 'D288632E-E2D5-4319-BE74-882D71D699C2');

    expect(esr).toEqual({
      vulnerable: true,
      criteria: 'cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*',
      matchCriteriaId: 'D288632E-E2D5-4319-BE74-882D71D699C2',
      cpe: expect.objectContaining({ part: 'a', vendor: 'mozilla', product: 'firefox_esr', version: '*' }),
      range: { startIncluding: '115.0', startExcluding: null, endIncluding: null, endExcluding: '115.2.1' },
    });
  });

  it('keeps escapes in a product', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_single_entry.json'));
    const [match] = allMatches(record);

    expect(match?.cpe.product).toBe('wp_maintenance_mode_\\&_coming_soon');
    expect(match?.cpe.targetSw).toBe('wordpress');
  });

  it('gives a record without configurations none', async () => {
    const [record] = await readNvdRecords(sharedDataPath('intel', 'nvd', 'fkie-cad', 'CVE-2024-3400.json'));

    expect(record?.configurations).toEqual([]);
  });
});

describe('parseNvdRecords errors', () => {
  it('rejects a malformed CPE naming CVE and path', () => {
    const good = { vulnerable: true, criteria: 'cpe:2.3:a:example:tool:*:*:*:*:*:*:*:*', matchCriteriaId: 'A' };
    const bad = { vulnerable: true, criteria: 'cpe:2.3:a:example:tool:1.0', matchCriteriaId: 'B' };
    const text = JSON.stringify({ vulnerabilities: [{ cve: cveWithMatches([good, bad]) }] }, null, 2);

    const error = formatError(() => parseNvdRecords(text, 'page.json'));

    expect(error.file).toBe('page.json');
    expect(error.line).toBe(text.split('\n').findIndex((line) => line.includes('"CVE-2024-0001"')) + 1);
    expect(error.reason).toBe(
      'vulnerabilities[0].cve (CVE-2024-0001): field "configurations[0].nodes[0].cpeMatch[1].criteria" is invalid: ' +
        '"cpe:2.3:a:example:tool:1.0" is not a CPE 2.3 formatted string: it has 4 attributes after "cpe:2.3:", expected 11 ' +
        '(part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other)',
    );
  });

  it('rejects an unescaped character in a CPE', () => {
    const text = JSON.stringify(cveWithMatches([{ vulnerable: true, criteria: 'cpe:2.3:a:example:c++:*:*:*:*:*:*:*:*', matchCriteriaId: 'A' }]));

    const error = formatError(() => parseNvdRecords(text, 'cve.json'));

    expect(error.reason).toMatch(/^cve \(CVE-2024-0001\): field "configurations\[0\]\.nodes\[0\]\.cpeMatch\[0\]\.criteria" is invalid: /);
    expect(error.reason).toMatch(/contains "\+", which must be escaped with a backslash$/);
  });

  it('rejects a CPE match without matchCriteriaId', () => {
    const text = JSON.stringify(cveWithMatches([{ vulnerable: true, criteria: 'cpe:2.3:a:example:tool:*:*:*:*:*:*:*:*' }]));

    const error = formatError(() => parseNvdRecords(text, 'cve.json'));

    expect(error.reason).toBe('cve (CVE-2024-0001): required field "configurations[0].nodes[0].cpeMatch[0].matchCriteriaId" is missing');
  });

  it('rejects an unknown node operator', () => {
    const text = JSON.stringify(bareCve({ configurations: [{ nodes: [{ operator: 'XOR', cpeMatch: [] }] }] }));

    const error = formatError(() => parseNvdRecords(text, 'cve.json'));

    expect(error.reason).toMatch(/^cve \(CVE-2024-0001\): field "configurations\[0\]\.nodes\[0\]\.operator" is invalid/);
  });

  it('rejects a missing field naming record and line', () => {
    const text = JSON.stringify({ vulnerabilities: [{ cve: bareCve() }, { cve: bareCve({ id: 'CVE-2024-0002', published: undefined }) }] }, null, 2);

    const error = formatError(() => parseNvdRecords(text, 'page.json'));

    expect(error.file).toBe('page.json');
    expect(error.line).toBe(text.split('\n').findIndex((line) => line.includes('"CVE-2024-0002"')) + 1);
    expect(error.reason).toBe('vulnerabilities[1].cve (CVE-2024-0002): required field "published" is missing');
  });

  it('rejects a score above 10', () => {
    const cvssData = { version: '3.1', vectorString: 'CVSS:3.1/AV:N', baseScore: 11 };
    const text = JSON.stringify(bareCve({ metrics: { cvssMetricV31: [{ source: 'x', type: 'Primary', cvssData }] } }));

    const error = formatError(() => parseNvdRecords(text, 'cve.json'));

    expect(error.reason).toMatch(/^cve \(CVE-2024-0001\): field "metrics\.cvssMetricV31\[0\]\.cvssData\.baseScore" is invalid/);
  });

  it('rejects an unknown shape', () => {
    const error = formatError(() => parseNvdRecords('{"CVE_Items": []}', 'legacy.json'));

    expect(error.reason).toMatch(/neither an NVD CVE API 2\.0 response/);
  });

  it('rejects a null cve', () => {
    const error = formatError(() => parseNvdRecords('{"vulnerabilities": [{"cve": null}]}', 'page.json'));

    expect(error.reason).toMatch(/^vulnerabilities\[0\]\.cve: the value is invalid/);
  });

  it('rejects an item missing cve', () => {
    const error = formatError(() => parseNvdRecords('{"vulnerabilities": [{}]}', 'page.json'));

    expect(error.reason).toBe('vulnerabilities[0]: required field "cve" is missing');
  });

  it('rejects invalid JSON', () => {
    const error = formatError(() => parseNvdRecords('{"vulnerabilities": [', 'cut.json'));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^invalid JSON/);
  });
});

describe('preferredCvss', () => {
  it('prefers the newest version', () => {
    const chosen = preferredCvss(recordWith([metric('3.1', 'Primary', 7.5), metric('4.0', 'Secondary', 9.3)]));

    expect(chosen?.version).toBe('4.0');
  });

  it('prefers Primary within a version', () => {
    const chosen = preferredCvss(recordWith([metric('3.1', 'Secondary', 9.8), metric('3.1', 'Primary', 7.5)]));

    expect(chosen?.type).toBe('Primary');
  });

  it('falls back to Secondary', () => {
    const chosen = preferredCvss(recordWith([metric('2.0', 'Primary', 5), metric('3.0', 'Secondary', 6.1)]));

    expect(chosen?.version).toBe('3.0');
  });

  it('returns null without metrics', () => {
    expect(preferredCvss(recordWith([]))).toBeNull();
  });

  it('picks 3.1 over 2.0 in a real record', async () => {
    const [record] = await readNvdRecords(fixturePath('intel', 'nvd_api2_single_entry.json'));

    expect(preferredCvss(record as NvdRecord)?.baseScore).toBe(6.5);
  });
});
