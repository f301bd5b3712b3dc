import { describe, expect, it } from 'vitest';

import { sharedDataPath } from '../../test/shared-data.js';
import { expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';
import { readTenableVmCsv } from './tenable-vm-csv.js';

const writeTemp = useTempFiles('tenable-vm-csv');

const REAL_FILE = sharedDataPath('scanners', 'nessus', 'dd_nessus_new.csv');
const HEADER = 'asset.id;asset.name;asset.display_ipv4_address;definition.id;definition.name;port;protocol;severity;state';

describe('readTenableVmCsv real file', () => {
  /*
   * Counted with Python's csv module rather than this parser:
   * - hosts: distinct asset.id
   * - findings: distinct definition.id+port+lower(protocol) per asset, state FIXED left out
   * - informational: highest severity Info
   * - CVEs: distinct
   *
   * python3 - dd_nessus_new.csv <<'EOF'
   * import csv, re, sys
   * rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8-sig'), delimiter=';'))
   * sev = {'info': 0, 'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
   * hosts, cves = {}, set()
   * for r in rows:
   *     found = hosts.setdefault(r['asset.id'], {})
   *     if r['state'] == 'FIXED': continue
   *     key = (r['definition.id'], r['port'], r['protocol'].lower())
   *     found[key] = max(found.get(key, 0), sev[r['severity'].lower()])
   *     cves.update(c for c in re.split(r'[\s,;]+', r['definition.cve']) if c)
   * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
   * EOF
   */
  it('counts dd_nessus_new.csv', async () => {
    expectCounts(await readAll(readTenableVmCsv(REAL_FILE)), { hosts: 97, findings: 99, informational: 0, cves: 38 });
  });

  it('groups rows by asset id', async () => {
    const reports = await readAll(readTenableVmCsv(REAL_FILE));
    const asset = reports.find((report) => report.host.scannerAssetId === '5cf805a5-8101-44a0-b4eb-610332ba1067');

    expect(asset?.findings.map((finding) => finding.port)).toEqual([5900, 443]);
  });

  it('reads host fields', async () => {
    const [report] = await readAll(readTenableVmCsv(REAL_FILE));

    expect(report?.host.name).toBe('Blah1');
    expect(report?.host.ip).toBe('10.0.0.1');
    expect(report?.host.fqdn).toBe('Blah1');
    expect(report?.host.macAddress).toBe('00:0d:3a:45:64:7f');
    expect(report?.host.scannerAssetId).toBe('aecb524a-c10d-4d41-89d9-fa887ae8fb00');
  });

  it('reads patch ids and date', async () => {
    const finding = findingOf(await readAll(readTenableVmCsv(REAL_FILE)), '166552');

    expect(finding?.patchIds).toEqual(['RHSA:2022:7002']);
    expect(finding?.patchPublicationDate).toBe('2022-10-26');
    expect(finding?.cvss3Vector).toMatch(/^CVSS:3\.0\//);
  });
});

describe('readTenableVmCsv synthetic files', () => {
  it('reads a comma-separated export', async () => {
    const header = HEADER.replaceAll(';', ',');
    const path = await writeTemp('comma.csv', `${header}\nid-1,web01,10.0.0.1,19506,Scan info,0,TCP,Info,ACTIVE\n`);

    const [report] = await readAll(readTenableVmCsv(path));

    expect(report?.findings[0]?.informational).toBe(true);
  });

  it('leaves out fixed rows', async () => {
    const path = await writeTemp('fixed.csv', `${HEADER}\nid-1;web01;10.0.0.1;19506;Scan info;0;TCP;Low;FIXED\n`);

    const [report] = await readAll(readTenableVmCsv(path));

    expect(report?.findings).toEqual([]);
  });

  it('rejects a wrong header', async () => {
    const path = await writeTemp('wrong-header.csv', 'asset.id;definition.id;port\nid-1;1;80\n');

    const error = await formatError(readAll(readTenableVmCsv(path)));

    expect(error.line).toBe(1);
    expect(error.reason).toBe('the header row lacks the required columns "definition.name", "protocol", "severity"; this is not a Tenable VM CSV export');
  });
});
