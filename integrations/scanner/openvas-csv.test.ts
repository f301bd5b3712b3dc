import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { readOpenvasCsv } from './openvas-csv.js';
import { type ExpectedCounts, expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('openvas-csv');

const HEADER = 'IP,Hostname,Port,Port Protocol,CVSS,Severity,NVT Name,NVT OID,CVEs,Solution';

/*
 * Expected numbers, counted with Python's csv module rather than this parser:
 * - hosts: distinct IP
 * - findings: distinct NVT OID+Port+Port Protocol per host
 * - severity: the CVSS v3.1 band of the score
 * - informational: CVSS 0.0
 * - CVEs: distinct CVEs column values plus OIDs that are CVE ids
 *
 * python3 - FILE <<'EOF'
 * import csv, re, sys
 * rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8-sig')))
 * bands = lambda s: 0 if s == 0 else 1 if s < 4 else 2 if s < 7 else 3 if s < 9 else 4
 * hosts, cves = {}, set()
 * for r in rows:
 *     found = hosts.setdefault(r['IP'], {})
 *     key = (r['NVT OID'], r['Port'] or '0', r['Port Protocol'] or 'tcp')
 *     found[key] = max(found.get(key, 0), bands(float(r['CVSS'])))
 *     cves.update(c for c in re.split(r'[\s,;]+', r['CVEs']) if c)
 *     cves.update([r['NVT OID']] if r['NVT OID'].startswith('CVE-') else [])
 * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
 * EOF
 */
const REAL_FILES: (ExpectedCounts & { file: string })[] = [
  { file: 'dd_openvas_many_vuln.csv', hosts: 1, findings: 4, informational: 0, cves: 2 },
  { file: 'dd_openvas_report_using_CVE.csv', hosts: 1, findings: 43, informational: 0, cves: 43 },
];

describe('readOpenvasCsv real files', () => {
  for (const expected of REAL_FILES) {
    it(`counts ${expected.file}`, async () => {
      expectCounts(await readAll(readOpenvasCsv(fixturePath('scanners', expected.file))), expected);
    });
  }

  it('reads host fields', async () => {
    const [report] = await readAll(readOpenvasCsv(fixturePath('scanners', 'dd_openvas_many_vuln.csv')));

    expect(report?.scanner).toBe('openvas');
    expect(report?.host.ip).toBe('192.168.118.212');
    expect(report?.host.fqdn).toBe('LOGSRV');
  });

  it('reads finding fields', async () => {
    const finding = findingOf(await readAll(readOpenvasCsv(fixturePath('scanners', 'dd_openvas_many_vuln.csv'))), '1.3.6.1.4.1.25623.1.0.117274');

    expect(finding?.port).toBe(9200);
    expect(finding?.severity).toBe(2);
    expect(finding?.cves).toEqual(['CVE-2011-3389', 'CVE-2015-0204']);
    expect(finding?.solution).toMatch(/^It is recommended to disable the deprecated TLSv1\.0/);
  });

  it('takes a CVE scanner OID as the CVE', async () => {
    const finding = findingOf(await readAll(readOpenvasCsv(fixturePath('scanners', 'dd_openvas_report_using_CVE.csv'))), 'CVE-2021-26691');

    expect(finding?.cves).toEqual(['CVE-2021-26691']);
    expect(finding?.severity).toBe(4);
  });
});

describe('readOpenvasCsv synthetic files', () => {
  it('falls back to the severity name', async () => {
    const path = await writeTemp('no-score.csv', `${HEADER}\n192.0.2.4,,,,,Log,OS Detection,1.3.6.1.4.1.25623.1.0.1,,\n`);

    const [report] = await readAll(readOpenvasCsv(path));

    expect(report?.findings[0]?.informational).toBe(true);
  });

  it('rejects a wrong header', async () => {
    const path = await writeTemp('wrong-header.csv', 'IP,Port,NVT Name\n192.0.2.4,80,x\n');

    const error = await formatError(readAll(readOpenvasCsv(path)));

    expect(error.line).toBe(1);
    expect(error.reason).toBe(
      'the header row lacks the required columns "Port Protocol", "CVSS", "Severity", "NVT OID"; this is not a Greenbone CSV export',
    );
  });

  it('rejects an invalid score', async () => {
    const path = await writeTemp('score.csv', `${HEADER}\n192.0.2.4,,80,tcp,11.5,High,x,1.3.6.1.4.1.25623.1.0.1,,\n`);

    const error = await formatError(readAll(readOpenvasCsv(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('invalid CVSS "11.5"; expected a CVSS score from 0 to 10');
  });
});
