import { describe, expect, it } from 'vitest';

import type { ScannedHostReport, ScannerFinding } from '../../domain/findings.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { scratchFiles } from '../../test/scratch-files.js';
import { readNessusV2 } from './nessus-v2.js';
import { formatError } from './scanner-test-support.js';

const writeTemp = scratchFiles('patchwarden-nessus-');

function nessusPath(name: string): string {
  return sharedDataPath('scanners', 'nessus', name);
}


async function readReports(path: string): Promise<ScannedHostReport[]> {
  const reports: ScannedHostReport[] = [];
  for await (const report of readNessusV2(path)) reports.push(report);
  return reports;
}

function findingOf(reports: ScannedHostReport[], itemId: string, port: number): ScannerFinding | undefined {
  return reports.flatMap((report) => report.findings).find((finding) => finding.itemId === itemId && finding.port === port);
}

/** Builds a Nessus v2 document with one host around the given ReportItem XML. */
function nessusXml(hostName: string, tags: string, items: string, prolog = '<?xml version="1.0" ?>'): string {
  return `${prolog}
<NessusClientData_v2>
<Report name="test" xmlns:cm="http://www.nessus.org/cm">
<ReportHost name="${hostName}"><HostProperties>${tags}</HostProperties>
${items}
</ReportHost>
</Report>
</NessusClientData_v2>
`;
}

const ITEM = '<ReportItem port="445" svc_name="cifs" protocol="tcp" severity="2" pluginID="57608" pluginName="SMB Signing not required"></ReportItem>';

/*
 * Expected numbers per file, counted with Python's ElementTree rather than this
 * parser (findings: distinct pluginID+port+protocol per host, summed;
 * informational: those whose highest severity is 0; CVEs: distinct in the file):
 *
 * python3 - FILE <<'EOF'
 * import sys, xml.etree.ElementTree as E
 * hosts = E.parse(sys.argv[1]).getroot().findall('Report/ReportHost')
 * findings = info = 0
 * cves = set()
 * for h in hosts:
 *     sev = {}
 *     for i in h.iter('ReportItem'):
 *         key = (i.get('pluginID'), i.get('port'), i.get('protocol'))
 *         sev[key] = max(sev.get(key, 0), int(i.get('severity')))
 *         cves.update(c.text.strip() for c in i.iter('cve'))
 *     findings += len(sev)
 *     info += sum(s == 0 for s in sev.values())
 * print(len(hosts), findings, info, len(cves))
 * EOF
 */
const REAL_FILES: { file: string; hosts: number; findings: number; informational: number; cves: number }[] = [
  { file: 'dd_nessus_many_vuln.nessus', hosts: 1, findings: 7, informational: 7, cves: 0 },
  { file: 'dd_nessus_v_unknown.nessus', hosts: 7, findings: 296, informational: 266, cves: 1 },
  { file: 'dd_nessus_with_cvssv3.nessus', hosts: 1, findings: 48, informational: 23, cves: 136 },
  { file: 'libnessus_report_local_3.nessus', hosts: 3, findings: 106, informational: 71, cves: 44 },
  { file: 'libnessus_report_test_local.nessus', hosts: 2, findings: 143, informational: 115, cves: 37 },
  { file: 'mitre-saf_sample.nessus', hosts: 3, findings: 147, informational: 138, cves: 34 },
  { file: 'ruby-nessus_example_v2.nessus', hosts: 2, findings: 68, informational: 19, cves: 3 },
];

describe('readNessusV2 real files', () => {
  for (const expected of REAL_FILES) {
    it(`counts ${expected.file}`, async () => {
      const reports = await readReports(nessusPath(expected.file));
      const findings = reports.flatMap((report) => report.findings);

      expect(reports).toHaveLength(expected.hosts);
      expect(findings).toHaveLength(expected.findings);
      expect(findings.filter((finding) => finding.informational)).toHaveLength(expected.informational);
      expect(new Set(findings.flatMap((finding) => finding.cves)).size).toBe(expected.cves);
    });
  }

  it('rejects the legacy v1 file', async () => {
    const path = nessusPath('ruby-nessus_example_v1_legacy.nessus');

    const error = await formatError(readReports(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/Nessus v1 .* not supported; export .* \.nessus v2/);
  });

  it('reads host properties', async () => {
    const reports = await readReports(nessusPath('mitre-saf_sample.nessus'));
    const host = reports[0]?.host;

    expect(host?.name).toBe('10.0.0.3');
    expect(host?.ip).toBe('10.0.0.3');
    expect(host?.fqdn).toBe('DESKTOP-LSFL6KC.localdomain');
    expect(host?.os).toBe('Linux Kernel 5.13.0-37-generic on Ubuntu 20.04');
    expect(host?.macAddress).toBe('2C:F0:5D:80:E7:90');
    expect(host?.macAddresses).toEqual(['2C:F0:5D:80:E7:90', '02:42:0E:7A:F2:27', '02:42:DE:BE:34:39']);
  });

  it('reads the NetBIOS name', async () => {
    const reports = await readReports(nessusPath('dd_nessus_v_unknown.nessus'));

    expect(reports[0]?.host.netbiosName).toBe('QA3APP09');
  });

  it('reads finding fields', async () => {
    const finding = findingOf(await readReports(nessusPath('dd_nessus_with_cvssv3.nessus')), '17797', 80);

    expect(finding?.severity).toBe(3);
    expect(finding?.cves).toHaveLength(5);
    expect(finding?.cves[0]).toBe('CVE-2007-1001');
    expect(finding?.cvss3BaseScore).toBe(7.5);
    expect(finding?.cvss3Vector).toBe('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
    expect(finding?.patchPublicationDate).toBe('2007-05-03');
    expect(finding?.exploitAvailable).toBe(false);
  });

  it('reads CVSS 2 and exploit availability', async () => {
    const finding = findingOf(await readReports(nessusPath('dd_nessus_with_cvssv3.nessus')), '58988', 80);

    expect(finding?.cvss2BaseScore).toBe(7.5);
    expect(finding?.cvss2Vector).toBe('CVSS2#AV:N/AC:L/Au:N/C:P/I:P/A:P');
    expect(finding?.exploitAvailable).toBe(true);
    expect(finding?.synopsis).toMatch(/^The remote web server uses a version of PHP .* vulnerability\.$/s);
    expect(finding?.serviceName).toBe('www');
  });

  it('merges a repeated plugin on one port', async () => {
    const reports = await readReports(nessusPath('dd_nessus_with_cvssv3.nessus'));
    const matches = reports[0]?.findings.filter((finding) => finding.itemId === '58987' && finding.port === 80);

    expect(matches).toHaveLength(1);
  });
});

describe('readNessusV2 synthetic files', () => {
  it('unions CVEs of merged items', async () => {
    const items = `
<ReportItem port="80" protocol="tcp" severity="1" pluginID="1" pluginName="x"><cve>CVE-2020-0001</cve><cve>CVE-2020-0002</cve></ReportItem>
<ReportItem port="80" protocol="tcp" severity="3" pluginID="1" pluginName="x"><cve>CVE-2020-0002</cve><cve>CVE-2020-0003</cve></ReportItem>
<ReportItem port="80" protocol="udp" severity="0" pluginID="1" pluginName="x"></ReportItem>`;
    const path = await writeTemp('merge.nessus', nessusXml('web01', '', items));

    const [report] = await readReports(path);

    expect(report?.findings).toHaveLength(2);
    expect(report?.findings[0]?.cves).toEqual(['CVE-2020-0001', 'CVE-2020-0002', 'CVE-2020-0003']);
    expect(report?.findings[0]?.severity).toBe(3);
    expect(report?.findings[1]?.informational).toBe(true);
  });

  it('takes the IP from the host name', async () => {
    const path = await writeTemp('ip-name.nessus', nessusXml('192.0.2.7', '', ITEM));

    const [report] = await readReports(path);

    expect(report?.host.ip).toBe('192.0.2.7');
  });

  it('leaves the IP null for a host name', async () => {
    const path = await writeTemp('dns-name.nessus', nessusXml('web01.example.invalid', '', ITEM));

    const [report] = await readReports(path);

    expect(report?.host.ip).toBeNull();
  });

  it('keeps compliance items as findings', async () => {
    const item = `<ReportItem port="0" svc_name="general" protocol="tcp" severity="3" pluginID="21156" pluginName="Windows Compliance Checks">
<cm:compliance-check-name>1.1.1 Enforce password history</cm:compliance-check-name><cm:compliance-result>FAILED</cm:compliance-result></ReportItem>`;
    const path = await writeTemp('compliance.nessus', nessusXml('192.0.2.8', '', item));

    const [report] = await readReports(path);

    expect(report?.findings[0]?.itemId).toBe('21156');
    expect(report?.findings[0]?.cves).toEqual([]);
  });

  it('parses with an external DTD reference', async () => {
    const prolog = '<?xml version="1.0" ?>\n<!DOCTYPE NessusClientData_v2 SYSTEM "http://example.invalid/x.dtd">';
    const path = await writeTemp('external-dtd.nessus', nessusXml('192.0.2.9', '', ITEM, prolog));

    const reports = await readReports(path);

    expect(reports[0]?.findings[0]?.itemId).toBe('57608');
  });

  it('rejects an XXE payload naming the line', async () => {
    const prolog = '<?xml version="1.0" ?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>';
    const path = await writeTemp('xxe.nessus', nessusXml('192.0.2.10', '<tag name="os">&e;</tag>', ITEM, prolog));

    const error = await formatError(readReports(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/<!ENTITY/);
  });

  it('rejects an invalid severity', async () => {
    const item = '<ReportItem port="80" protocol="tcp" severity="5" pluginID="1" pluginName="x"></ReportItem>';
    const path = await writeTemp('severity.nessus', nessusXml('192.0.2.11', '', item));

    const error = await formatError(readReports(path));

    expect(error.line).toBe(5);
    expect(error.reason).toBe('invalid severity "5"; expected 0 to 4');
  });

  it('rejects a missing plugin id', async () => {
    const item = '<ReportItem port="80" protocol="tcp" severity="1" pluginName="x"></ReportItem>';
    const path = await writeTemp('plugin-id.nessus', nessusXml('192.0.2.12', '', item));

    const error = await formatError(readReports(path));

    expect(error.reason).toBe('<ReportItem> is missing the required attribute "pluginID"');
  });

  it('rejects a malformed CVE id', async () => {
    const item = '<ReportItem port="80" protocol="tcp" severity="1" pluginID="1" pluginName="x"><cve>CVE-2020</cve></ReportItem>';
    const path = await writeTemp('cve.nessus', nessusXml('192.0.2.13', '', item));

    const error = await formatError(readReports(path));

    expect(error.reason).toMatch(/malformed CVE id "CVE-2020"/);
  });

  it('rejects another root element', async () => {
    const path = await writeTemp('other-root.xml', '<?xml version="1.0"?>\n<ASSET_DATA_REPORT/>');

    const error = await formatError(readReports(path));

    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/root element is <ASSET_DATA_REPORT>/);
  });

  it('rejects a truncated file', async () => {
    const full = nessusXml('192.0.2.14', '', ITEM);
    const path = await writeTemp('truncated.nessus', full.slice(0, full.indexOf('</ReportHost>')));

    const error = await formatError(readReports(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(6);
    expect(error.reason).toMatch(/unclosed tag/);
  });
});
