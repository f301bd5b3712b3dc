import { describe, expect, it } from 'vitest';

import { sharedDataPath } from '../../test/shared-data.js';
import { readQualysWasXml } from './qualys-was-xml.js';
import { expectCounts, findingOf, formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('qualys-was-xml');

const REAL_FILE = sharedDataPath('scanners', 'qualys', 'dd_qualys_webapp_many_vuln.xml');

const RESULTS = `<RESULTS><VULNERABILITY_LIST>
<VULNERABILITY><QID>150004</QID><URL>https://shop.example.com:8443/a</URL></VULNERABILITY>
<VULNERABILITY><QID>150004</QID><URL>https://shop.example.com:8443/b</URL></VULNERABILITY>
</VULNERABILITY_LIST></RESULTS>`;
const GLOSSARY = `<GLOSSARY><QID_LIST><QID><QID>150004</QID><SEVERITY>2</SEVERITY><TITLE>Path-Based Vulnerability</TITLE>
<SOLUTION>Remove the file.</SOLUTION><CVSS_V3><BASE>5.3</BASE></CVSS_V3></QID></QID_LIST></GLOSSARY>`;
const WEBAPP = '<WEBAPP><ID>1</ID><NAME>Shop</NAME><URL>https://shop.example.com:8443/</URL></WEBAPP>';

function wasXml(body: string): string {
  return `<?xml version='1.0' encoding='UTF-8'?>
<WAS_SCAN_REPORT>
${body}
</WAS_SCAN_REPORT>
`;
}

describe('readQualysWasXml real file', () => {
  /*
   * Counted with Python's ElementTree rather than this parser:
   * - hosts: APPENDIX WEBAPP entries
   * - findings: distinct QID among the RESULTS entries
   * - informational: INFORMATION_GATHERED only
   * - the report names no CVEs
   *
   * python3 - dd_qualys_webapp_many_vuln.xml <<'EOF'
   * import sys, xml.etree.ElementTree as E
   * root = E.parse(sys.argv[1]).getroot()
   * level = {q.findtext('QID'): int(q.findtext('SEVERITY')) for q in root.findall('GLOSSARY/QID_LIST/QID')}
   * findings = {}
   * for kind in ('VULNERABILITY', 'SENSITIVE_CONTENT', 'INFORMATION_GATHERED'):
   *     for d in root.findall(f'RESULTS/{kind}_LIST/{kind}'):
   *         sev = 0 if kind == 'INFORMATION_GATHERED' else [1, 1, 2, 3, 4][level[d.findtext('QID')] - 1]
   *         findings[d.findtext('QID')] = max(findings.get(d.findtext('QID'), 0), sev)
   * print(len(root.findall('APPENDIX/WEBAPP')), len(findings), sum(s == 0 for s in findings.values()), 0)
   * EOF
   */
  it('counts dd_qualys_webapp_many_vuln.xml', async () => {
    expectCounts(await readAll(readQualysWasXml(REAL_FILE)), { hosts: 1, findings: 21, informational: 18, cves: 0 });
  });

  it('keys the application by base URL', async () => {
    const [report] = await readAll(readQualysWasXml(REAL_FILE));

    expect(report?.scanner).toBe('qualys');
    expect(report?.host.name).toBe('https://store.example.com');
    expect(report?.host.fqdn).toBe('store.example.com');
    expect(report?.host.os).toBe('NetScaler');
    expect(report?.host.scannerAssetId).toBe('57405567');
  });

  it('reads finding fields', async () => {
    const finding = findingOf(await readAll(readQualysWasXml(REAL_FILE)), '150085');

    expect(finding?.itemName).toBe('Slow HTTP POST vulnerability');
    expect(finding?.severity).toBe(2);
    expect(finding?.port).toBe(443);
    expect(finding?.cvss2BaseScore).toBe(6.1);
    expect(finding?.solution).toMatch(/^Solution would be server-specific/);
  });
});

describe('readQualysWasXml synthetic files', () => {
  it('merges detections of one QID', async () => {
    const path = await writeTemp('merge.xml', wasXml(`${RESULTS}\n${GLOSSARY}\n<APPENDIX>${WEBAPP}</APPENDIX>`));

    const [report] = await readAll(readQualysWasXml(path));

    expect(report?.findings).toHaveLength(1);
    expect(report?.findings[0]?.port).toBe(8443);
    expect(report?.findings[0]?.cvss3BaseScore).toBe(5.3);
  });

  it('rejects a report without its application', async () => {
    const path = await writeTemp('no-webapp.xml', wasXml(`${RESULTS}\n${GLOSSARY}`));

    const error = await formatError(readAll(readQualysWasXml(path)));

    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/^the report has no APPENDIX\/WEBAPP entry/);
  });

  it('rejects two applications', async () => {
    const path = await writeTemp('two-webapps.xml', wasXml(`${RESULTS}\n${GLOSSARY}\n<APPENDIX>${WEBAPP}\n${WEBAPP}</APPENDIX>`));

    const error = await formatError(readAll(readQualysWasXml(path)));

    expect(error.line).toBe(10);
    expect(error.reason).toBe('the report covers 2 web applications; export one scan report per web application');
  });

  it('rejects a truncated file', async () => {
    const full = wasXml(`${RESULTS}\n${GLOSSARY}\n<APPENDIX>${WEBAPP}</APPENDIX>`);
    const path = await writeTemp('truncated.xml', full.slice(0, full.indexOf('</QID_LIST>')));

    const error = await formatError(readAll(readQualysWasXml(path)));

    expect(error.file).toBe(path);
    expect(error.line).toBe(8);
    expect(error.reason).toMatch(/unclosed tag/);
  });
});
