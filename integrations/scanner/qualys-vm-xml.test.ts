import { describe, expect, it } from 'vitest';

import { sharedDataPath } from '../../test/shared-data.js';
import { readQualysVmXml } from './qualys-vm-xml.js';
import { expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('qualys-vm-xml');

const REAL_FILE = sharedDataPath('scanners', 'qualys', 'dd_qualys_sample_report.xml');

const HOSTS = `<HOST_LIST><HOST><IP>192.0.2.5</IP><DNS><![CDATA[db.example.com]]></DNS>
<VULN_INFO_LIST>
<VULN_INFO><QID id="qid_38047">38047</QID><TYPE>Vuln</TYPE><PORT>22</PORT><PROTOCOL>tcp</PROTOCOL><VULN_STATUS>Active</VULN_STATUS></VULN_INFO>
<VULN_INFO><QID id="qid_6">6</QID><TYPE>Ig</TYPE><VULN_STATUS>Fixed</VULN_STATUS></VULN_INFO>
</VULN_INFO_LIST></HOST></HOST_LIST>`;
const GLOSSARY = `<GLOSSARY><VULN_DETAILS_LIST>
<VULN_DETAILS id="qid_38047"><QID id="qid_38047">38047</QID><TITLE>SSH weak ciphers</TITLE><SEVERITY>5</SEVERITY>
<SOLUTION>Disable them.&lt;BR&gt;See &lt;A HREF="https://example.com"&gt;the note&lt;/A&gt;.</SOLUTION>
<CVE_ID_LIST><CVE_ID><ID>CVE-2008-5161</ID></CVE_ID></CVE_ID_LIST></VULN_DETAILS>
<VULN_DETAILS id="qid_6"><QID id="qid_6">6</QID><TITLE>DNS Host Name</TITLE><SEVERITY>1</SEVERITY></VULN_DETAILS>
</VULN_DETAILS_LIST></GLOSSARY>`;

function reportXml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE ASSET_DATA_REPORT SYSTEM "https://qualysguard.example.invalid/asset_data_report.dtd">
<ASSET_DATA_REPORT>
${body}
</ASSET_DATA_REPORT>
`;
}

describe('readQualysVmXml real file', () => {
  /*
   * Counted with Python's ElementTree rather than this parser:
   * - findings: distinct QID+PORT+PROTOCOL per HOST, VULN_STATUS Fixed left out
   * - informational: TYPE Ig
   * - CVEs: distinct glossary CVEs of the detections
   *
   * python3 - dd_qualys_sample_report.xml <<'EOF'
   * import sys, xml.etree.ElementTree as E
   * root = E.parse(sys.argv[1]).getroot()
   * level = {d.findtext('QID'): d for d in root.iter('VULN_DETAILS')}
   * hosts = root.findall('HOST_LIST/HOST')
   * findings, cves = {}, set()
   * for n, h in enumerate(hosts):
   *     for v in h.iter('VULN_INFO'):
   *         if v.findtext('VULN_STATUS', '').lower() == 'fixed': continue
   *         d = level[v.findtext('QID')]
   *         sev = 0 if v.findtext('TYPE').lower() == 'ig' else [1, 1, 2, 3, 4][int(d.findtext('SEVERITY')) - 1]
   *         key = (n, v.findtext('QID'), v.findtext('PORT') or '0', (v.findtext('PROTOCOL') or 'tcp').lower())
   *         findings[key] = max(findings.get(key, 0), sev)
   *         cves.update(c.findtext('ID') for c in d.iter('CVE_ID'))
   * print(len(hosts), len(findings), sum(s == 0 for s in findings.values()), len(cves))
   * EOF
   */
  it('counts dd_qualys_sample_report.xml', async () => {
    expectCounts(await readAll(readQualysVmXml(REAL_FILE)), { hosts: 7, findings: 301, informational: 209, cves: 51 });
  });

  it('reads host fields', async () => {
    const reports = await readAll(readQualysVmXml(REAL_FILE));
    const host = reports.find((report) => report.host.name === '64.41.200.247')?.host;

    expect(host?.ip).toBe('64.41.200.247');
    expect(host?.fqdn).toBe('trn-win7.trn.qualys.com');
    expect(host?.netbiosName).toBe('TRN-WIN7');
    expect(host?.os).toBe('Windows 2008 R2/7');
  });

  it('joins detections to the glossary', async () => {
    const finding = findingOf(await readAll(readQualysVmXml(REAL_FILE)), '11803');

    expect(finding?.itemName).toBe('libxml2 Multiple Vulnerabilities');
    expect(finding?.severity).toBe(2);
    expect(finding?.cves).toHaveLength(16);
    expect(finding?.exploitAvailable).toBe(true);
    expect(finding?.patchIds).toEqual(['libxml2']);
  });

  it('turns solution HTML into text', async () => {
    const finding = findingOf(await readAll(readQualysVmXml(REAL_FILE)), '11803');

    expect(finding?.solution).toMatch(/^Refer to libxml2 repository libxml2 to obtain further details\.\n\nPatch:\n/);
  });
});

describe('readQualysVmXml synthetic files', () => {
  it('reads a glossary before the hosts', async () => {
    const path = await writeTemp('glossary-first.xml', reportXml(`${GLOSSARY}\n${HOSTS}`));

    const [report] = await readAll(readQualysVmXml(path));

    expect(report?.findings[0]?.itemName).toBe('SSH weak ciphers');
  });

  it('maps level 5 to critical', async () => {
    const path = await writeTemp('level.xml', reportXml(`${HOSTS}\n${GLOSSARY}`));

    const [report] = await readAll(readQualysVmXml(path));

    expect(report?.findings[0]?.severity).toBe(4);
    expect(report?.findings[0]?.port).toBe(22);
  });

  it('leaves out fixed detections', async () => {
    const path = await writeTemp('fixed.xml', reportXml(`${HOSTS}\n${GLOSSARY}`));

    const [report] = await readAll(readQualysVmXml(path));

    expect(report?.findings.map((finding) => finding.itemId)).toEqual(['38047']);
  });

  it('rejects a QID missing from the glossary', async () => {
    const path = await writeTemp('no-glossary.xml', reportXml(HOSTS));

    const error = await formatError(readAll(readQualysVmXml(path)));

    expect(error.line).toBe(6);
    expect(error.reason).toBe("QID 38047 has no VULN_DETAILS entry in the report's GLOSSARY, so its title and severity are unknown");
  });

  it('rejects a truncated file', async () => {
    const full = reportXml(`${HOSTS}\n${GLOSSARY}`);
    const path = await writeTemp('truncated.xml', full.slice(0, full.indexOf('</VULN_DETAILS_LIST>')));

    const error = await formatError(readAll(readQualysVmXml(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(14);
    expect(error.reason).toMatch(/unclosed tag/);
  });

  it('rejects another root element', async () => {
    const path = await writeTemp('other-root.xml', '<?xml version="1.0"?>\n<SCAN/>');

    const error = await formatError(readAll(readQualysVmXml(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('root element is <SCAN>, expected <ASSET_DATA_REPORT>; this is not a Qualys asset data report');
  });
});
