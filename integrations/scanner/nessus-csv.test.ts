import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { readNessusCsv } from './nessus-csv.js';
import { type ExpectedCounts, expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('nessus-csv');

const HEADER = 'Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output';

/*
 * Expected numbers, counted with Python's csv module rather than this parser:
 * - hosts: distinct Host
 * - findings: distinct Plugin ID+Port+lower(Protocol) per host, rows in state Fixed left out
 * - informational: those whose highest Risk is None or Info
 * - CVEs: distinct in the file
 *
 * python3 - FILE <<'EOF'
 * import csv, re, sys
 * rows = [r for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8-sig')) if any(v.strip() for v in r.values())]
 * risk = {'none': 0, 'info': 0, 'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
 * hosts, cves = {}, set()
 * for r in rows:
 *     found = hosts.setdefault(r['Host'], {})
 *     if r.get('Vulnerability State', '').lower() == 'fixed': continue
 *     key = (r['Plugin ID'], r['Port'] or '0', r['Protocol'].lower())
 *     found[key] = max(found.get(key, 0), risk[r['Risk'].lower()])
 *     cves.update(c for c in re.split(r'[\s,;]+', r['CVE']) if c)
 * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
 * EOF
 */
const REAL_FILES: (ExpectedCounts & { file: string })[] = [
  { file: 'dd_nessus_many_vuln2-all.csv', hosts: 1, findings: 29, informational: 28, cves: 1 },
  { file: 'dd_tenable_many_vuln.csv', hosts: 2, findings: 9, informational: 0, cves: 18 },
];

describe('readNessusCsv real files', () => {
  for (const expected of REAL_FILES) {
    it(`counts ${expected.file}`, async () => {
      expectCounts(await readAll(readNessusCsv(fixturePath('scanners', expected.file))), expected);
    });
  }

  it('merges the rows of one plugin', async () => {
    const finding = findingOf(await readAll(readNessusCsv(fixturePath('scanners', 'dd_tenable_many_vuln.csv'))), '176703');

    expect(finding?.cves).toHaveLength(10);
    expect(finding?.cves[0]).toBe('CVE-2021-46666');
  });

  it('reads the Tenable VM host columns', async () => {
    const [report] = await readAll(readNessusCsv(fixturePath('scanners', 'dd_tenable_many_vuln.csv')));

    expect(report?.host.name).toBe('ip-127-0-0-1.us-west-2.compute.internal');
    expect(report?.host.ip).toBe('127.0.0.1');
    expect(report?.host.fqdn).toBe('ip-127-0-0-1.us-west-2.compute.internal');
    expect(report?.host.os).toBe('Linux Kernel 4.14.313-235.533.amzn2.x86_64 on Amazon Linux 2');
  });

  it('reads finding fields', async () => {
    const finding = findingOf(await readAll(readNessusCsv(fixturePath('scanners', 'dd_tenable_many_vuln.csv'))), '176700');

    expect(finding?.severity).toBe(3);
    expect(finding?.port).toBe(0);
    expect(finding?.protocol).toBe('tcp');
    expect(finding?.cvss3BaseScore).toBe(7.8);
    expect(finding?.cvss3Vector).toBe('AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H');
    expect(finding?.cvss2BaseScore).toBe(6.8);
    expect(finding?.solution).toBe("Run 'yum update kernel' to update your system.");
    expect(finding?.exploitAvailable).toBe(true);
  });

  it('reads fixed packages from plugin output', async () => {
    const finding = findingOf(await readAll(readNessusCsv(fixturePath('scanners', 'dd_tenable_many_vuln.csv'))), '176700');

    expect(finding?.fixedVersions).toEqual(['kernel-4.14.314-238.539.amzn2', 'kernel-tools-4.14.314-238.539.amzn2']);
  });

  it('keeps Risk None as informational', async () => {
    const finding = findingOf(await readAll(readNessusCsv(fixturePath('scanners', 'dd_nessus_many_vuln2-all.csv'))), '10107');

    expect(finding?.severity).toBe(0);
    expect(finding?.informational).toBe(true);
  });
});

describe('readNessusCsv synthetic files', () => {
  it('reads MSKB ids as patch ids', async () => {
    const csv = `${HEADER},XREF,MSKB\n1,,,High,web01,tcp,445,x,,,,,,MSFT:MS17-010;CWE:20,4012212\n`;
    const path = await writeTemp('mskb.csv', csv);

    const [report] = await readAll(readNessusCsv(path));

    expect(report?.findings[0]?.patchIds).toEqual(['MSFT:MS17-010', 'MSKB:4012212']);
  });

  it('reports a host whose findings are fixed', async () => {
    const csv = `${HEADER},Vulnerability State\n1,,,High,web01,tcp,445,x,,,,,,Fixed\n`;
    const path = await writeTemp('fixed.csv', csv);

    const [report] = await readAll(readNessusCsv(path));

    expect(report?.host.name).toBe('web01');
    expect(report?.findings).toEqual([]);
  });

  it('rejects a wrong header', async () => {
    const path = await writeTemp('wrong-header.csv', 'Plugin ID,Host,Port\n1,web01,80\n');

    const error = await formatError(readAll(readNessusCsv(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(1);
    expect(error.reason).toBe('the header row lacks the required columns "Risk", "Protocol", "Name"; this is not a Nessus CSV export');
  });

  it('rejects an empty file', async () => {
    const path = await writeTemp('empty.csv', '');

    const error = await formatError(readAll(readNessusCsv(path)));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^the file is empty/);
  });

  it('rejects an unknown risk', async () => {
    const path = await writeTemp('risk.csv', `${HEADER}\n1,,,Severe,web01,tcp,80,x,,,,,\n`);

    const error = await formatError(readAll(readNessusCsv(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('invalid Risk "Severe"; expected None, Info, Low, Medium, High or Critical');
  });

  it('rejects a malformed CVE id', async () => {
    const path = await writeTemp('cve.csv', `${HEADER}\n1,CVE-21-1,,High,web01,tcp,80,x,,,,,\n`);

    const error = await formatError(readAll(readNessusCsv(path)));

    expect(error.reason).toBe('malformed CVE id "CVE-21-1"; expected CVE-YYYY-NNNN');
  });
});
