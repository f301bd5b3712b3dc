import { readdir, readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseCve5Record, readCve5Record } from './cve5.js';

const cve5Path = (name: string) => sharedDataPath('intel', 'cve5', name);

async function realRecordText(name: string): Promise<any> {
  return JSON.parse(await readFile(cve5Path(name), 'utf8'));
}

describe('readCve5Record', () => {
  it('reads every real record', async () => {
    const names = (await readdir(sharedDataPath('intel', 'cve5'))).filter((name) => name.endsWith('.json'));

    const records = await Promise.all(names.map((name) => readCve5Record(cve5Path(name))));

    // 8 files: `ls ../shared/data/intel/cve5/*.json | wc -l`; each has SSVC in its CISA ADP container.
    expect(records).toHaveLength(8);
    expect(records.filter((record) => record.ssvc !== null)).toHaveLength(8);
  });

  it('maps CNA and ADP containers', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2023-22515.json'));

    expect(record.cve).toBe('CVE-2023-22515');
    expect(record.state).toBe('PUBLISHED');
    expect(record.datePublished).toBe('2023-10-04T14:00:00.820Z');
    expect(record.description).toMatch(/^Atlassian has been made aware of an issue/);
    expect(record.metrics).toEqual([
      { version: '3.0', baseScore: 10, vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', source: 'atlassian', type: 'Secondary', container: 'cna' },
      { version: '3.1', baseScore: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', source: 'CISA-ADP', type: 'Secondary', container: 'adp' },
    ]);
    // The CNA's problem type is free text; the CWE comes from CISA's ADP container.
    expect(record.cwes).toEqual(['CWE-20']);
  });

  it('reads the ADP SSVC options', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2021-34527.json'));

    expect(record.ssvc).toEqual({
      exploitation: 'active',
      automatable: 'no',
      technicalImpact: 'total',
      version: '2.0.3',
      role: 'CISA Coordinator',
      assessedAt: '2024-01-24T16:04:14.042095Z',
    });
  });

  it('keeps SSVC values raw', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2024-3400.json'));

    expect(record.ssvc?.exploitation).toBe('Active');
    expect(record.ssvc?.automatable).toBe('Yes');
    expect(record.ssvc?.technicalImpact).toBe('Total');
  });

  it('reads the KEV reference', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2023-20198.json'));

    expect(record.kev).toEqual({
      dateAdded: '2023-10-16',
      reference: 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog?search_api_fulltext=CVE-2023-20198',
    });
  });

  it('leaves KEV null when absent', async () => {
    const record = await readCve5Record(cve5Path('cve5_CVE-2024-3094.json'));

    expect(record.kev).toBeNull();
    expect(record.ssvc?.exploitation).toBe('none');
    expect(record.cwes).toEqual(['CWE-506']);
  });

  it('reads an en-US description', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2021-34527.json'));

    expect(record.description).toMatch(/^<p>A remote code execution vulnerability exists when the Windows Print Spooler/);
  });

  it('adds the UTC offset', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2021-34527.json'));

    // The file states "datePublished": "2021-07-02T21:25:11", without an offset.
    expect(record.datePublished).toBe('2021-07-02T21:25:11Z');
  });

  it('skips metrics without CVSS', async () => {
    const record = await readCve5Record(cve5Path('vulnrichment_CVE-2023-34362.json'));

    expect(record.metrics.map((metric) => `${metric.container}:${metric.source}:${metric.baseScore}`)).toEqual(['adp:CISA-ADP:9.8']);
  });
});

describe('parseCve5Record', () => {
  it('rejects an NVD response', () => {
    const error = catchImportFormatError(() => parseCve5Record('{"resultsPerPage": 1, "vulnerabilities": []}', 'nvd.json'));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^the file is not a CVE JSON 5 record/);
  });

  it('names an invalid CVSS field', async () => {
    const record = await realRecordText('vulnrichment_CVE-2024-4577.json');
    record.containers.cna.metrics[0].cvssV3_1.baseScore = 'high';

    const text = JSON.stringify(record, null, 2);
    const cveIdLine = text.split('\n').findIndex((line) => line.includes('"cveId"')) + 1;

    const error = catchImportFormatError(() => parseCve5Record(text, 'cve.json'));

    expect(error.reason).toMatch(/^CVE-2024-4577: field "containers\.cna\.metrics\[0\]\.cvssV3_1\.baseScore" is invalid/);
    expect(error.line).toBe(cveIdLine);
  });

  it('names invalid SSVC content', async () => {
    const record = await realRecordText('vulnrichment_CVE-2024-1709.json');
    const cisa = record.containers.adp.findIndex((container: any) => container.providerMetadata.shortName === 'CISA-ADP');
    record.containers.adp[cisa].metrics[0].other.content.options = 'active';

    const error = catchImportFormatError(() => parseCve5Record(JSON.stringify(record), 'cve.json'));

    expect(error.reason).toBe(`CVE-2024-1709 at containers.adp[${cisa}].metrics[0].other.content: field "options" is invalid: Invalid input: expected array, received string`);
  });

  it('reads a rejected record', () => {
    const text = JSON.stringify({
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata: { cveId: 'CVE-2023-0001', state: 'REJECTED' },
      containers: {
        cna: {
          providerMetadata: { orgId: '00000000-0000-0000-0000-000000000000' },
          rejectedReasons: [{ lang: 'en', value: 'Duplicate of CVE-2023-0002.' }],
        },
      },
    });

    const record = parseCve5Record(text, 'cve.json');

    expect(record.state).toBe('REJECTED');
    expect(record.description).toBe('Duplicate of CVE-2023-0002.');
    expect(record.metrics).toEqual([]);
    expect(record.ssvc).toBeNull();
  });
});
