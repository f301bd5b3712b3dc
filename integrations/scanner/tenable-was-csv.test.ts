import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { expectCounts, formatError, readAll, useTempFiles } from './scanner-test-support.js';
import { readTenableWasCsv } from './tenable-was-csv.js';

const writeTemp = useTempFiles('tenable-was-csv');

const REAL_FILE = fixturePath('scanners', 'dd_tenable_was_many_vuln.csv');
const HEADER = 'Plugin ID,CVE,CVSS,CVSSv3,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output';

describe('readTenableWasCsv real file', () => {
  /*
   * Counted with Python's csv module rather than this parser:
   * - hosts: distinct Protocol+Host+Port
   * - findings: distinct Plugin ID per application
   * - informational: highest Risk info
   * - CVEs: distinct
   *
   * python3 - dd_tenable_was_many_vuln.csv <<'EOF'
   * import csv, re, sys
   * rows = [r for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8-sig')) if any(v.strip() for v in r.values())]
   * risk = {'info': 0, 'low': 1, 'medium': 2, 'high': 3, 'critical': 4}
   * apps, cves = {}, set()
   * for r in rows:
   *     found = apps.setdefault((r['Protocol'], r['Host'], r['Port']), {})
   *     found[r['Plugin ID']] = max(found.get(r['Plugin ID'], 0), risk[r['Risk'].lower()])
   *     cves.update(c for c in re.split(r'[\s,;]+', r['CVE']) if c)
   * print(len(apps), sum(map(len, apps.values())), sum(s == 0 for f in apps.values() for s in f.values()), len(cves))
   * EOF
   */
  it('counts dd_tenable_was_many_vuln.csv', async () => {
    expectCounts(await readAll(readTenableWasCsv(REAL_FILE)), { hosts: 1, findings: 5, informational: 1, cves: 0 });
  });

  it('keys the application by base URL', async () => {
    const [report] = await readAll(readTenableWasCsv(REAL_FILE));

    expect(report?.scanner).toBe('tenable');
    expect(report?.host.name).toBe('http://google.com');
    expect(report?.host.fqdn).toBe('google.com');
    expect(report?.host.ip).toBeNull();
  });

  it('puts findings on the scheme port', async () => {
    const [report] = await readAll(readTenableWasCsv(REAL_FILE));

    expect(report?.findings[0]?.port).toBe(80);
    expect(report?.findings[0]?.protocol).toBe('tcp');
  });

  it('reads finding fields', async () => {
    const [report] = await readAll(readTenableWasCsv(REAL_FILE));
    const finding = report?.findings[0];

    expect(finding?.itemId).toBe('98104');
    expect(finding?.severity).toBe(3);
    expect(finding?.cvss3BaseScore).toBe(7.1);
    expect(finding?.cvss2BaseScore).toBe(7.5);
    expect(finding?.solution).toMatch(/^To remedy XSS vulnerabilities/);
  });
});

describe('readTenableWasCsv synthetic files', () => {
  it('keeps a port other than the default', async () => {
    const path = await writeTemp('port.csv', `${HEADER}\n98060,,,,low,intranet.example.com,https,8443,x,,,,,\n`);

    const [report] = await readAll(readTenableWasCsv(path));

    expect(report?.host.name).toBe('https://intranet.example.com:8443');
    expect(report?.findings[0]?.port).toBe(8443);
  });

  it('rejects a wrong header', async () => {
    const path = await writeTemp('wrong-header.csv', 'Plugin ID,Risk,Host\n98060,low,example.com\n');

    const error = await formatError(readAll(readTenableWasCsv(path)));

    expect(error.line).toBe(1);
    expect(error.reason).toBe(
      'the header row lacks the required columns "CVSSv3", "Protocol", "Port", "Name"; this is not a Tenable WAS CSV export',
    );
  });

  it('rejects a scheme other than http', async () => {
    const path = await writeTemp('scheme.csv', `${HEADER}\n98060,,,,low,example.com,ftp,,x,,,,,\n`);

    const error = await formatError(readAll(readTenableWasCsv(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('invalid web application URL "ftp://example.com"; expected an absolute http or https URL');
  });
});
