import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { type ExpectedCounts, expectCounts, formatError, readAll, useTempFiles } from './scanner-test-support.js';
import { readTenableScCsv } from './tenable-sc-csv.js';

const writeTemp = useTempFiles('tenable-sc-csv');

const HEADER = 'Plugin,Plugin Name,Family,Severity,IP Address,Protocol,Port,Repository,DNS Name,Risk Factor';

/*
 * Expected numbers, counted with Python's csv module rather than this parser:
 * - hosts: distinct Host ID, else Repository+IP Address
 * - findings: distinct Plugin+Port+lower(Protocol) per host
 * - informational: highest Severity Info
 * - CVEs: distinct in the file
 *
 * python3 - FILE <<'EOF'
 * import csv, re, sys
 * rows = [r for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8-sig')) if any(v.strip() for v in r.values())]
 * sev = {'info': 0, 'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
 * hosts, cves = {}, set()
 * for r in rows:
 *     found = hosts.setdefault(r.get('Host ID') or (r['Repository'], r['IP Address']), {})
 *     key = (r['Plugin'], r['Port'], r['Protocol'].lower())
 *     found[key] = max(found.get(key, 0), sev[r['Severity'].lower()])
 *     cves.update(c for c in re.split(r'[\s,;]+', r['CVE']) if c)
 * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
 * EOF
 */
const REAL_FILES: (ExpectedCounts & { file: string })[] = [
  { file: 'dd_nessus_many_vuln.csv', hosts: 2, findings: 4, informational: 0, cves: 3 },
  { file: 'dd_tenable_issue_11102.csv', hosts: 2, findings: 3, informational: 0, cves: 1 },
];

describe('readTenableScCsv real files', () => {
  for (const expected of REAL_FILES) {
    it(`counts ${expected.file}`, async () => {
      expectCounts(await readAll(readTenableScCsv(fixturePath('scanners', expected.file))), expected);
    });
  }

  it('takes Severity over Risk Factor', async () => {
    const [report] = await readAll(readTenableScCsv(fixturePath('scanners', 'dd_tenable_issue_11102.csv')));

    expect(report?.findings[0]?.severity).toBe(3);
  });

  it('reads host fields', async () => {
    const [report] = await readAll(readTenableScCsv(fixturePath('scanners', 'dd_tenable_issue_11102.csv')));

    expect(report?.host.name).toBe('1.2.3.4');
    expect(report?.host.ip).toBe('1.2.3.4');
    expect(report?.host.macAddress).toBe('fa:16:3e:e6:0b:98');
  });

  it('reads finding fields', async () => {
    const [report] = await readAll(readTenableScCsv(fixturePath('scanners', 'dd_tenable_issue_11102.csv')));
    const finding = report?.findings[0];

    expect(finding?.itemId).toBe('42873');
    expect(finding?.port).toBe(443);
    expect(finding?.protocol).toBe('tcp');
    expect(finding?.cves).toEqual(['CVE-2016-2183']);
    expect(finding?.cvss3BaseScore).toBe(7.5);
    expect(finding?.solution).toBe('Reconfigure the affected application if possible to avoid use of medium strength ciphers.');
    expect(finding?.patchPublicationDate).toBeNull();
  });
});

describe('readTenableScCsv synthetic files', () => {
  it('keeps one address per repository apart', async () => {
    const rows = ['1,x,General,Low,10.0.0.1,TCP,80,Lab,,Low', '1,x,General,Low,10.0.0.1,TCP,80,Office,,Low'];
    const path = await writeTemp('repositories.csv', `${HEADER}\n${rows.join('\n')}\n`);

    const reports = await readAll(readTenableScCsv(path));

    expect(reports).toHaveLength(2);
  });

  it('rejects a wrong header', async () => {
    const path = await writeTemp('wrong-header.csv', 'Plugin,Plugin Name,Severity,Host\n1,x,Low,web01\n');

    const error = await formatError(readAll(readTenableScCsv(path)));

    expect(error.line).toBe(1);
    expect(error.reason).toBe('the header row lacks the required columns "IP Address", "Protocol", "Port"; this is not a Tenable.sc CSV export');
  });

  it('rejects a row without a host', async () => {
    const path = await writeTemp('no-host.csv', `${HEADER}\n1,x,General,Low,,TCP,80,Lab,,Low\n`);

    const error = await formatError(readAll(readTenableScCsv(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/^the row names no host/);
  });
});
