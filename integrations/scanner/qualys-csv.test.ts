import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { readQualysCsv } from './qualys-csv.js';
import { expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('qualys-csv');

const REAL_FILE = fixturePath('scanners', 'dd_qualys_sample_report.csv');
const HEADER = '"IP","Network","DNS","QID","Title","Vuln Status","Type","Severity","Port","Protocol","CVE ID"';

describe('readQualysCsv real file', () => {
  /*
   * Counted with Python's csv module rather than this parser:
   * - hosts: distinct Network+IP
   * - findings: distinct QID+Port+Protocol per host, Vuln Status Fixed left out
   * - informational: Type Ig
   * - CVEs: distinct
   *
   * python3 - dd_qualys_sample_report.csv <<'EOF'
   * import csv, re, sys
   * lines = open(sys.argv[1], newline='', encoding='utf-8-sig').read().splitlines(True)
   * start = next(i for i, line in enumerate(lines) if line.startswith('"IP"'))
   * rows = list(csv.DictReader(lines[start:]))
   * hosts, cves = {}, set()
   * for r in rows:
   *     found = hosts.setdefault((r['Network'], r['IP']), {})
   *     if r['Vuln Status'].lower() == 'fixed': continue
   *     sev = 0 if r['Type'].lower() == 'ig' else [1, 1, 2, 3, 4][int(r['Severity']) - 1]
   *     key = (r['QID'], r['Port'] or '0', (r['Protocol'] or 'tcp').lower())
   *     found[key] = max(found.get(key, 0), sev)
   *     cves.update(c for c in re.split(r'[\s,;]+', r['CVE ID']) if c)
   * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
   * EOF
   */
  it('counts dd_qualys_sample_report.csv', async () => {
    expectCounts(await readAll(readQualysCsv(REAL_FILE)), { hosts: 4, findings: 6, informational: 0, cves: 23 });
  });

  it('reads host fields', async () => {
    const [report] = await readAll(readQualysCsv(REAL_FILE));

    expect(report?.host.ip).toBe('10.98.57.180');
    expect(report?.host.fqdn).toBe('ip-10-98-57-180.eu-west-1.compute.internal');
    expect(report?.host.netbiosName).toBe('EC2AMAZ-IU0C43L');
  });

  it('reads finding fields', async () => {
    const finding = findingOf(await readAll(readQualysCsv(REAL_FILE)), '91762');

    expect(finding?.severity).toBe(4);
    expect(finding?.cves).toHaveLength(23);
    expect(finding?.cvss3BaseScore).toBe(9.9);
    expect(finding?.cvss3Vector).toBe('AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H');
    expect(finding?.patchIds).toHaveLength(13);
    expect(finding?.patchIds?.[0]).toBe('KB5003169');
  });
});

describe('readQualysCsv synthetic files', () => {
  it('finds the header after report lines', async () => {
    const csv = `"Scan Results","2026"\n"Company"\n${HEADER}\n"192.0.2.1","","","6","DNS Host Name","Active","Ig","1","","",""\n`;
    const path = await writeTemp('preamble.csv', csv);

    const [report] = await readAll(readQualysCsv(path));

    expect(report?.findings[0]?.informational).toBe(true);
  });

  it('leaves out fixed detections', async () => {
    const path = await writeTemp('fixed.csv', `${HEADER}\n"192.0.2.1","","","38047","SSH","Fixed","Vuln","3","22","tcp",""\n`);

    const [report] = await readAll(readQualysCsv(path));

    expect(report?.findings).toEqual([]);
  });

  it('rejects a wrong header', async () => {
    const path = await writeTemp('wrong-header.csv', '"IP","QID","Name"\n"192.0.2.1","6","x"\n');

    const error = await formatError(readAll(readQualysCsv(path)));

    expect(error.line).toBe(1);
    expect(error.reason).toBe(
      'the header row lacks the required columns "Title", "Type", "Severity"; this is not a Qualys scan report CSV export',
    );
  });
});
