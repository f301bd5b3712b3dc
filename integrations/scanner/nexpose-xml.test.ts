import { describe, expect, it } from 'vitest';

import { sharedDataPath } from '../../test/shared-data.js';
import { readNexposeXml } from './nexpose-xml.js';
import { expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('nexpose-xml');

const REAL_FILE = sharedDataPath('scanners', 'nexpose', 'dd_nexpose_many_vulns.xml');

const NODE = `<nodes><node address="192.0.2.6" status="alive" device-id="3">
<fingerprints><os certainty="0.60" product="Linux"/><os certainty="0.85" product="Windows Server 2019" version="1809"/></fingerprints>
<tests><test id="generic-icmp-timestamp" status="vulnerable-exploited"/></tests>
<endpoints><endpoint protocol="tcp" port="443" status="open"><services><service name="HTTPS"><tests>
<test id="ssl-weak-ciphers" status="vulnerable-version"/><test id="ssl-self-signed-certificate" status="not-vulnerable"/>
</tests></service></services></endpoint></endpoints>
</node></nodes>`;
const DEFINITIONS = `<VulnerabilityDefinitions>
<vulnerability id="generic-icmp-timestamp" title="ICMP timestamp response" severity="1" cvssScore="0.0" cvssVector="(AV:L/AC:L/Au:N/C:N/I:N/A:N)">
<references><reference source="CVE">CVE-1999-0524</reference></references></vulnerability>
<vulnerability id="SSL-WEAK-CIPHERS" title="Weak ciphers" severity="6" cvssScore="5.8" cvssVector="(AV:N/AC:M/Au:N/C:P/I:P/A:N)">
<solution><ContainerBlockElement><Paragraph>Disable them, see <URLLink LinkURL="https://example.com/tls">the guide</URLLink>.</Paragraph></ContainerBlockElement></solution>
</vulnerability>
</VulnerabilityDefinitions>`;

function nexposeXml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<NexposeReport version="2.0">
${body}
</NexposeReport>
`;
}

describe('readNexposeXml real file', () => {
  /*
   * Counted with Python's ElementTree rather than this parser. Findings are
   * the distinct test id+port+protocol per node among vulnerable-* tests, with
   * port 0 for node tests. Severity follows the CVSS v3.1 bands, informational
   * means severity 0, and CVEs are the distinct CVE references of the
   * definitions found:
   *
   * python3 - dd_nexpose_many_vulns.xml <<'EOF'
   * import sys, xml.etree.ElementTree as E
   * root = E.parse(sys.argv[1]).getroot()
   * defs = {v.get('id').lower(): v for v in root.iter('vulnerability')}
   * bands = lambda s: 0 if s == 0 else 1 if s < 4 else 2 if s < 7 else 3 if s < 9 else 4
   * nodes = root.findall('nodes/node')
   * findings, cves = {}, set()
   * for n, node in enumerate(nodes):
   *     places = [(t, '0', 'tcp') for t in node.findall('tests/test')]
   *     places += [(t, e.get('port'), e.get('protocol')) for e in node.findall('endpoints/endpoint') for t in e.findall('services/service/tests/test')]
   *     for t, port, protocol in places:
   *         if not t.get('status').startswith('vulnerable'): continue
   *         d = defs[t.get('id').lower()]
   *         key = (n, t.get('id'), port, protocol)
   *         findings[key] = max(findings.get(key, 0), bands(int(d.get('severity'))))
   *         cves.update(r.text for r in d.iter('reference') if r.get('source') == 'CVE')
   * print(len(nodes), len(findings), sum(s == 0 for s in findings.values()), len(cves))
   * EOF
   */
  it('counts dd_nexpose_many_vulns.xml', async () => {
    expectCounts(await readAll(readNexposeXml(REAL_FILE)), { hosts: 8, findings: 28, informational: 0, cves: 4 });
  });

  it('reads host fields', async () => {
    const reports = await readAll(readNexposeXml(REAL_FILE));
    const host = reports.find((report) => report.host.name === '192.168.1.37')?.host;

    expect(host?.ip).toBe('192.168.1.37');
    expect(host?.netbiosName).toBe('MACBOOKPRO-C9A7');
    expect(host?.macAddress).toBe('E4:CE:8F:49:0D:7C');
    expect(host?.scannerAssetId).toBe('2');
  });

  it('names the OS by product and version', async () => {
    const reports = await readAll(readNexposeXml(REAL_FILE));

    expect(reports.find((report) => report.host.name === '192.168.1.33')?.host.os).toBe('Linux 2.6.18_pro500-davinci_IPNC_1.00');
  });

  it('reads an endpoint finding', async () => {
    const finding = findingOf(await readAll(readNexposeXml(REAL_FILE)), 'ntpd-crypto-recv-buffer-overflow');

    expect(finding?.port).toBe(123);
    expect(finding?.protocol).toBe('udp');
    expect(finding?.serviceName).toBe('NTP');
    expect(finding?.severity).toBe(3);
    expect(finding?.cves).toEqual(['CVE-2009-1252']);
    expect(finding?.cvss2BaseScore).toBe(6.8);
    expect(finding?.cvss2Vector).toBe('AV:N/AC:M/Au:N/C:P/I:P/A:P');
    expect(finding?.patchIds).toEqual(['DSA-1801', 'NetBSD-SA2009-006', 'RHSA-2009:1039', 'RHSA-2009:1040']);
  });

  it('renders the solution as text', async () => {
    const finding = findingOf(await readAll(readNexposeXml(REAL_FILE)), 'ntpd-crypto-recv-buffer-overflow');

    expect(finding?.solution).toBe(
      [
        '- Download and apply the upgrade from: http://www.eecis.udel.edu/~ntp/ntp_spool/ntp4/ntp-4.2/ntp-4.2.4p7.tar.gz',
        '- Download and apply the upgrade from: http://www.eecis.udel.edu/~ntp/ntp_spool/ntp4/ntp-dev/ntp-dev-4.2.5p74.tar.gz',
        '- This vulnerability can be mitigated by removing the `crypto pw password` line from the ntp.conf file.',
      ].join('\n'),
    );
  });

  it('merges repeated tests on one port', async () => {
    const reports = await readAll(readNexposeXml(REAL_FILE));
    const host = reports.find((report) => report.host.name === '192.168.1.18');

    expect(host?.findings.filter((finding) => finding.itemId === 'http-basic-auth-cleartext')).toHaveLength(1);
  });
});

describe('readNexposeXml synthetic files', () => {
  it('reads node and endpoint tests', async () => {
    const path = await writeTemp('tests.xml', nexposeXml(`${NODE}\n${DEFINITIONS}`));

    const [report] = await readAll(readNexposeXml(path));

    expect(report?.findings.map((finding) => [finding.itemId, finding.port])).toEqual([
      ['generic-icmp-timestamp', 0],
      ['ssl-weak-ciphers', 443],
    ]);
  });

  it('takes the most certain OS', async () => {
    const path = await writeTemp('os.xml', nexposeXml(`${NODE}\n${DEFINITIONS}`));

    const [report] = await readAll(readNexposeXml(path));

    expect(report?.host.os).toBe('Windows Server 2019 1809');
  });

  it('keeps link text in document order', async () => {
    const path = await writeTemp('link.xml', nexposeXml(`${NODE}\n${DEFINITIONS}`));

    const finding = findingOf(await readAll(readNexposeXml(path)), 'ssl-weak-ciphers');

    expect(finding?.solution).toBe('Disable them, see the guide (https://example.com/tls).');
  });

  it('rejects a test without a definition', async () => {
    const path = await writeTemp('no-definition.xml', nexposeXml(NODE));

    const error = await formatError(readAll(readNexposeXml(path)));

    expect(error.line).toBe(5);
    expect(error.reason).toBe('vulnerability "generic-icmp-timestamp" has no entry in VulnerabilityDefinitions');
  });

  it('rejects a truncated file', async () => {
    const full = nexposeXml(`${NODE}\n${DEFINITIONS}`);
    const path = await writeTemp('truncated.xml', full.slice(0, full.indexOf('</VulnerabilityDefinitions>')));

    const error = await formatError(readAll(readNexposeXml(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(16);
    expect(error.reason).toMatch(/unclosed tag/);
  });

  it('rejects another root element', async () => {
    const path = await writeTemp('other-root.xml', '<?xml version="1.0"?>\n<NeXposeSimpleXML/>');

    const error = await formatError(readAll(readNexposeXml(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('root element is <NeXposeSimpleXML>, expected <NexposeReport>; this is not a Nexpose XML export');
  });
});
