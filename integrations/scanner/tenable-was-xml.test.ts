import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { expectCounts, formatError, readAll, useTempFiles } from './scanner-test-support.js';
import { readTenableWasXml } from './tenable-was-xml.js';

const writeTemp = useTempFiles('tenable-was-xml');

const REAL_FILE = fixturePath('scanners', 'dd_tenable_was_many_vuln.xml');

function wasXml(hostName: string, items: string): string {
  return `<?xml version="1.0" ?>
<NessusClientData_v2>
<Report name="app" type="was">
<ReportHost name="${hostName}"><HostProperties><tag name="system-type">web_application</tag></HostProperties>
${items}
</ReportHost>
</Report>
</NessusClientData_v2>
`;
}

const ITEM = '<ReportItem pluginName="Missing Header" pluginID="98060" severity="1" protocol="TCP" svc_name="http" port="443"></ReportItem>';

describe('readTenableWasXml real file', () => {
  /*
   * Counted with Python's ElementTree rather than this parser:
   * - findings: distinct host+pluginID+port+lower(protocol)
   * - informational: highest severity 0
   * - CVEs: distinct
   *
   * python3 - dd_tenable_was_many_vuln.xml <<'EOF'
   * import sys, xml.etree.ElementTree as E
   * hosts = E.parse(sys.argv[1]).getroot().findall('Report/ReportHost')
   * found, cves = {}, set()
   * for h in hosts:
   *     for i in h.iter('ReportItem'):
   *         key = (h.get('name').rstrip('/'), i.get('pluginID'), i.get('port'), i.get('protocol').lower())
   *         found[key] = max(found.get(key, 0), int(i.get('severity')))
   *         cves.update(c.text.strip() for c in i.iter('cve'))
   * print(len(hosts), len(found), sum(s == 0 for s in found.values()), len(cves))
   * EOF
   */
  it('counts dd_tenable_was_many_vuln.xml', async () => {
    expectCounts(await readAll(readTenableWasXml(REAL_FILE)), { hosts: 1, findings: 5, informational: 1, cves: 0 });
  });

  it('keys the application by base URL', async () => {
    const [report] = await readAll(readTenableWasXml(REAL_FILE));

    expect(report?.scanner).toBe('tenable');
    expect(report?.host.name).toBe('http://google.com');
    expect(report?.host.fqdn).toBe('google.com');
  });

  it('matches the CSV finding keys', async () => {
    const [report] = await readAll(readTenableWasXml(REAL_FILE));
    const finding = report?.findings[0];

    expect(finding?.itemId).toBe('98104');
    expect(finding?.port).toBe(80);
    expect(finding?.protocol).toBe('tcp');
  });
});

describe('readTenableWasXml synthetic files', () => {
  it('reads an IP address host', async () => {
    const path = await writeTemp('address.xml', wasXml('https://192.0.2.7/', ITEM));

    const [report] = await readAll(readTenableWasXml(path));

    expect(report?.host.ip).toBe('192.0.2.7');
    expect(report?.host.fqdn).toBeNull();
  });

  it('rejects a truncated file', async () => {
    const full = wasXml('https://shop.example.com/', ITEM);
    const path = await writeTemp('truncated.xml', full.slice(0, full.indexOf('</ReportHost>')));

    const error = await formatError(readAll(readTenableWasXml(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(6);
    expect(error.reason).toMatch(/unclosed tag/);
  });

  it('rejects a host that is no URL', async () => {
    const path = await writeTemp('no-url.xml', wasXml('shop', ITEM));

    const error = await formatError(readAll(readTenableWasXml(path)));

    expect(error.line).toBe(4);
    expect(error.reason).toBe('invalid web application URL "shop"; expected an absolute http or https URL');
  });
});
