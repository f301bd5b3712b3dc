import { describe, expect, it } from 'vitest';

import { fixturePath, sharedDataPath } from '../../test/shared-data.js';
import { readOpenvasXml } from './openvas-xml.js';
import { type ExpectedCounts, expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('openvas-xml');

const MANY_VULN = sharedDataPath('scanners', 'openvas', 'dd_openvas_many_vuln.xml');

function result(oid: string, severity: string, port = '80/tcp'): string {
  return `<result id="r-${oid}-${severity}"><host>192.0.2.4<asset asset_id="a-1"/><hostname>web.example.com</hostname></host>
<port>${port}</port><nvt oid="${oid}"><name>Test NVT</name><cvss_base>${severity}</cvss_base>
<tags>summary=A test|solution=Update|solution_type=VendorFix</tags><refs><ref type="cve" id="CVE-2024-0001"/></refs></nvt>
<threat>High</threat><severity>${severity}</severity></result>`;
}

function reportXml(results: string, hosts = ''): string {
  return `<?xml version="1.0"?>
<report id="r-1" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml">
<report id="r-1"><gmp><version>22.6</version></gmp>
<results>
${results}
</results>
${hosts}
</report>
</report>
`;
}

/*
 * Expected numbers, counted with Python's ElementTree rather than this parser:
 * - hosts: distinct result host
 * - findings: distinct NVT oid+port+protocol per host, negative severities left out
 * - severity: the CVSS v3.1 band of the score
 * - informational: severity 0.0
 * - CVEs: distinct cve refs plus OIDs that are CVE ids
 *
 * python3 - FILE <<'EOF'
 * import re, sys, xml.etree.ElementTree as E
 * root = E.parse(sys.argv[1]).getroot()
 * bands = lambda s: 0 if s == 0 else 1 if s < 4 else 2 if s < 7 else 3 if s < 9 else 4
 * hosts, cves = {}, set()
 * for r in root.iter('result'):
 *     found = hosts.setdefault(r.find('host').text.strip(), {})
 *     score = float(r.findtext('severity'))
 *     if score < 0: continue
 *     port, _, protocol = r.findtext('port').partition('/')
 *     oid = r.find('nvt').get('oid')
 *     key = (oid, port if port.isdigit() else '0', protocol or 'tcp')
 *     found[key] = max(found.get(key, 0), bands(score))
 *     cves.update(x.get('id') for x in r.iter('ref') if x.get('type') == 'cve')
 *     cves.update([oid] if oid.startswith('CVE-') else [])
 * print(len(hosts), sum(map(len, hosts.values())), sum(s == 0 for f in hosts.values() for s in f.values()), len(cves))
 * EOF
 */
const REAL_FILES: (ExpectedCounts & { file: string; path: string })[] = [
  { file: 'dd_openvas_many_vuln.xml', path: MANY_VULN, hosts: 1, findings: 44, informational: 0, cves: 46 },
  {
    file: 'dd_openvas_report_detail_v2.xml',
    path: fixturePath('scanners', 'dd_openvas_report_detail_v2.xml'),
    hosts: 1,
    findings: 1,
    informational: 0,
    cves: 93,
  },
];

describe('readOpenvasXml real files', () => {
  for (const expected of REAL_FILES) {
    it(`counts ${expected.file}`, async () => {
      expectCounts(await readAll(readOpenvasXml(expected.path)), expected);
    });
  }

  it('reads host fields', async () => {
    const [report] = await readAll(readOpenvasXml(fixturePath('scanners', 'dd_openvas_report_detail_v2.xml')));

    expect(report?.scanner).toBe('openvas');
    expect(report?.host.ip).toBe('10.99.99.99');
    expect(report?.host.fqdn).toBe('server99');
    expect(report?.host.scannerAssetId).toBe('96329f0e-5bb4-4164-958f-a78f76f634da');
  });

  it('keeps an invalid address as the name only', async () => {
    const [report] = await readAll(readOpenvasXml(MANY_VULN));

    expect(report?.host.name).toBe('192.168.1.1001');
    expect(report?.host.ip).toBeNull();
  });

  it('reads typed CVSS scores', async () => {
    const [report] = await readAll(readOpenvasXml(fixturePath('scanners', 'dd_openvas_report_detail_v2.xml')));
    const finding = report?.findings[0];

    expect(finding?.severity).toBe(4);
    expect(finding?.cvss3BaseScore).toBe(9.8);
    expect(finding?.cvss3Vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    expect(finding?.solution).toBe('The vendor has released updates. Please see the references for more information.');
  });

  it('reads a host-level result', async () => {
    const finding = findingOf(await readAll(readOpenvasXml(MANY_VULN)), '1.3.6.1.4.1.25623.1.0.103674');

    expect(finding?.port).toBe(0);
    expect(finding?.protocol).toBe('tcp');
    expect(finding?.severity).toBe(4);
  });

  it('reads the fixed version', async () => {
    const finding = findingOf(await readAll(readOpenvasXml(MANY_VULN)), '1.3.6.1.4.1.25623.1.0.141636');

    expect(finding?.fixedVersions).toEqual(['1.9.0']);
  });
});

describe('readOpenvasXml synthetic files', () => {
  it('drops false positives', async () => {
    const path = await writeTemp('false-positive.xml', reportXml(`${result('1.3.6.1.4.1.25623.1.0.1', '-1.0')}\n${result('1.3.6.1.4.1.25623.1.0.2', '5.0')}`));

    const [report] = await readAll(readOpenvasXml(path));

    expect(report?.findings.map((finding) => finding.itemId)).toEqual(['1.3.6.1.4.1.25623.1.0.2']);
  });

  it('keeps a log result as informational', async () => {
    const path = await writeTemp('log.xml', reportXml(result('1.3.6.1.4.1.25623.1.0.3', '0.0', 'general/icmp')));

    const [report] = await readAll(readOpenvasXml(path));

    expect(report?.findings[0]?.informational).toBe(true);
    expect(report?.findings[0]?.protocol).toBe('icmp');
  });

  it('adds the operating system from the host entry', async () => {
    const hosts = '<host><ip>192.0.2.4</ip><detail><name>best_os_txt</name><value>Debian 12</value></detail></host>';
    const path = await writeTemp('host-detail.xml', reportXml(result('1.3.6.1.4.1.25623.1.0.4', '7.5'), hosts));

    const [report] = await readAll(readOpenvasXml(path));

    expect(report?.host.os).toBe('Debian 12');
  });

  it('rejects a truncated file', async () => {
    const full = reportXml(result('1.3.6.1.4.1.25623.1.0.5', '7.5'));
    const path = await writeTemp('truncated.xml', full.slice(0, full.indexOf('</results>')));

    const error = await formatError(readAll(readOpenvasXml(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(9);
    expect(error.reason).toMatch(/unclosed tag/);
  });

  it('rejects another root element', async () => {
    const path = await writeTemp('other-root.xml', '<?xml version="1.0"?>\n<NexposeReport/>');

    const error = await formatError(readAll(readOpenvasXml(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('root element is <NexposeReport>, expected <report>; this is not a Greenbone XML report');
  });
});
