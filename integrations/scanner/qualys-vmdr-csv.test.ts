import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { readQualysVmdrCsv } from './qualys-vmdr-csv.js';
import { type ExpectedCounts, expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('qualys-vmdr-csv');

const CVE_VIEW = fixturePath('scanners', 'dd_qualys_vmdr_many_vulns_cve.csv');
const PREAMBLE = '"Asset Vuln Datalist Report","04 Feb 2026 10:00AM GMT-0500","1"\n"Company"\n"User"\n';
const HEADER = '"CVE","QID","Title","Severity","Type Detected","Protocol","Port","Status","Asset Id","Asset Name","Asset IPV4"';

/*
 * Expected numbers, counted with Python's csv module rather than this parser:
 * - hosts: distinct Asset Id
 * - findings: distinct QID+Port+Protocol per asset, Status FIXED left out
 * - informational: Type Detected Information
 * - CVEs: distinct values of the CVE column
 *
 * python3 - FILE <<'EOF'
 * import csv, sys
 * lines = open(sys.argv[1], newline='', encoding='utf-8-sig').read().splitlines(True)
 * rows = list(csv.DictReader(lines[3:]))
 * hosts, cves = {}, set()
 * for r in rows:
 *     found = hosts.setdefault(r['Asset Id'], {})
 *     if r['Status'] == 'FIXED': continue
 *     sev = 0 if r['Type Detected'] == 'Information' else [1, 1, 2, 3, 4][int(r['Severity']) - 1]
 *     protocol = 'tcp' if r['Protocol'] in ('', "'-") else r['Protocol'].lower()
 *     key = (r['QID'], r['Port'] or '0', protocol)
 *     found[key] = max(found.get(key, 0), sev)
 *     cves.update([r['CVE']] if r.get('CVE') else [])
 * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
 * EOF
 */
const REAL_FILES: (ExpectedCounts & { file: string })[] = [
  { file: 'dd_qualys_vmdr_many_vulns_cve.csv', hosts: 5, findings: 4, informational: 0, cves: 4 },
  { file: 'dd_qualys_vmdr_many_vulns_qid.csv', hosts: 5, findings: 4, informational: 0, cves: 0 },
];

describe('readQualysVmdrCsv real files', () => {
  for (const expected of REAL_FILES) {
    it(`counts ${expected.file}`, async () => {
      expectCounts(await readAll(readQualysVmdrCsv(fixturePath('scanners', expected.file))), expected);
    });
  }

  it('reports an asset whose only finding is fixed', async () => {
    const reports = await readAll(readQualysVmdrCsv(CVE_VIEW));
    const asset = reports.find((report) => report.host.scannerAssetId === '300000003');

    expect(asset?.host.name).toBe('DBSERVER01');
    expect(asset?.findings).toEqual([]);
  });

  it('reads host fields', async () => {
    const reports = await readAll(readQualysVmdrCsv(CVE_VIEW));
    const host = reports.find((report) => report.host.scannerAssetId === '300000004')?.host;

    expect(host?.name).toBe('WORKSTATION01');
    expect(host?.ip).toBe('192.168.1.100');
    expect(host?.os).toBe('Windows 10');
  });

  it('reads finding fields', async () => {
    const finding = findingOf(await readAll(readQualysVmdrCsv(CVE_VIEW)), '800005');

    expect(finding?.severity).toBe(4);
    expect(finding?.port).toBe(8443);
    expect(finding?.cves).toEqual(['CVE-2023-0005']);
    expect(finding?.cvss3BaseScore).toBe(9.8);
    expect(finding?.patchPublicationDate).toBe('2022-09-30');
    expect(finding?.exploitAvailable).toBe(true);
  });

  it('reads a host-level detection', async () => {
    const finding = findingOf(await readAll(readQualysVmdrCsv(CVE_VIEW)), '800004');

    expect(finding?.port).toBe(0);
    expect(finding?.protocol).toBe('tcp');
  });
});

describe('readQualysVmdrCsv synthetic files', () => {
  it('merges the CVE rows of one QID', async () => {
    const first = '"CVE-2024-0001","900001","x","4","Confirmed","TCP","443","ACTIVE","7","web01","192.0.2.1"';
    const second = '"CVE-2024-0002","900001","x","4","Confirmed","TCP","443","ACTIVE","7","web01","192.0.2.1"';
    const path = await writeTemp('cve-rows.csv', `${PREAMBLE}${HEADER}\n${first}\n${second}\n`);

    const [report] = await readAll(readQualysVmdrCsv(path));

    expect(report?.findings).toHaveLength(1);
    expect(report?.findings[0]?.cves).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
  });

  it('keeps information detections as informational', async () => {
    const row = '"","45038","Host Scan Time","1","Information","","","ACTIVE","7","web01","192.0.2.1"';
    const path = await writeTemp('information.csv', `${PREAMBLE}${HEADER}\n${row}\n`);

    const [report] = await readAll(readQualysVmdrCsv(path));

    expect(report?.findings[0]?.informational).toBe(true);
  });

  it('rejects a wrong header naming its line', async () => {
    const path = await writeTemp('wrong-header.csv', `${PREAMBLE}"QID","Title","Severity","Asset"\n`);

    const error = await formatError(readAll(readQualysVmdrCsv(path)));

    expect(error.line).toBe(4);
    expect(error.reason).toBe(
      'the header row lacks the required columns "Type Detected", "Asset Id", "Asset Name"; this is not a Qualys VMDR CSV export',
    );
  });
});
