import { describe, expect, it } from 'vitest';

import { fixturePath } from '../../test/shared-data.js';
import { readQualysScanXml } from './qualys-scan-xml.js';
import { expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('qualys-scan-xml');

const REAL_FILE = fixturePath('scanners', 'dd_qualys_infrascan_webgui_multiple.xml');

function scanXml(detections: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE SCAN SYSTEM "https://qualysguard.example.invalid/scan-1.dtd">
<SCAN value="scan/1">
<IP value="192.0.2.9" name="web.example.com">
<VULNS><CAT value="Web server">
${detections}
</CAT></VULNS>
</IP>
</SCAN>
`;
}

describe('readQualysScanXml real file', () => {
  /*
   * Counted with Python's ElementTree rather than this parser:
   * - findings: distinct number+port+protocol per IP
   * - informational: INFOS and SERVICES entries
   * - CVEs: distinct, from cveid attributes and CVE_ID lists
   *
   * python3 - dd_qualys_infrascan_webgui_multiple.xml <<'EOF'
   * import sys, xml.etree.ElementTree as E
   * hosts = E.parse(sys.argv[1]).getroot().findall('IP')
   * findings, cves = {}, set()
   * for n, h in enumerate(hosts):
   *     for section in ('INFOS', 'SERVICES', 'VULNS', 'PRACTICES'):
   *         for d in h.findall(section + '/CAT/*'):
   *             sev = 0 if section in ('INFOS', 'SERVICES') else [1, 1, 2, 3, 4][int(d.get('severity')) - 1]
   *             key = (n, d.get('number'), d.get('port') or '0', (d.get('protocol') or 'tcp').lower())
   *             findings[key] = max(findings.get(key, 0), sev)
   *             cves.update(c for c in (d.get('cveid') or '').split(',') if c)
   *             cves.update(c.findtext('ID') for c in d.iter('CVE_ID'))
   * print(len(hosts), len(findings), sum(s == 0 for s in findings.values()), len(cves))
   * EOF
   */
  it('counts dd_qualys_infrascan_webgui_multiple.xml', async () => {
    expectCounts(await readAll(readQualysScanXml(REAL_FILE)), { hosts: 2, findings: 24, informational: 16, cves: 21 });
  });

  it('reads host fields', async () => {
    const [report] = await readAll(readQualysScanXml(REAL_FILE));

    expect(report?.scanner).toBe('qualys');
    expect(report?.host.name).toBe('10.1.10.1');
    expect(report?.host.fqdn).toBe('host1.example.com');
    expect(report?.host.os).toBe('Ubuntu 11');
  });

  it('reads a potential vulnerability', async () => {
    const finding = findingOf(await readAll(readQualysScanXml(REAL_FILE)), '124848');

    expect(finding?.severity).toBe(4);
    expect(finding?.cves).toEqual(['CVE-2016-0636']);
    expect(finding?.cvss3BaseScore).toBe(8.1);
    expect(finding?.cvss2BaseScore).toBe(9.3);
    expect(finding?.patchIds).toEqual(['Oracle Security Alert for CVE-2016-0636']);
  });

  it('keeps information gathered as informational', async () => {
    const finding = findingOf(await readAll(readQualysScanXml(REAL_FILE)), '45376');

    expect(finding?.severity).toBe(0);
    expect(finding?.informational).toBe(true);
  });
});

describe('readQualysScanXml synthetic files', () => {
  it('reads port and protocol attributes', async () => {
    const path = await writeTemp('port.xml', scanXml('<VULN number="86473" severity="3" port="443" protocol="tcp" service="https"><TITLE>TLS</TITLE></VULN>'));

    const [report] = await readAll(readQualysScanXml(path));

    expect(report?.findings[0]?.port).toBe(443);
    expect(report?.findings[0]?.serviceName).toBe('https');
    expect(report?.findings[0]?.severity).toBe(2);
  });

  it('rejects an invalid severity', async () => {
    const path = await writeTemp('severity.xml', scanXml('<VULN number="1" severity="9"><TITLE>x</TITLE></VULN>'));

    const error = await formatError(readAll(readQualysScanXml(path)));

    expect(error.line).toBe(6);
    expect(error.reason).toBe('invalid Qualys severity "9"; expected a level from 1 to 5');
  });

  it('rejects a truncated file', async () => {
    const full = scanXml('<VULN number="1" severity="2"><TITLE>x</TITLE></VULN>');
    const path = await writeTemp('truncated.xml', full.slice(0, full.indexOf('</IP>')));

    const error = await formatError(readAll(readQualysScanXml(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(8);
    expect(error.reason).toMatch(/unclosed tag/);
  });
});
