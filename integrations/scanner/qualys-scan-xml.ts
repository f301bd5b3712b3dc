/**
 * Parser for the Qualys scan results XML (root `SCAN`, as the Qualys web UI and
 * the scan report download write it). Each `IP` element carries its host's
 * detections grouped in sections: `INFOS/CAT/INFO` and `SERVICES/CAT/SERVICE`
 * (information gathered), `VULNS/CAT/VULN` (confirmed) and
 * `PRACTICES/CAT/PRACTICE` (potential). Each detection contains its own title,
 * CVEs and solution, so one pass with one `IP` in memory is enough.
 *
 * Scanner product: 'qualys'. Findings are keyed by QID, port and protocol.
 */

import type { ScannedHost, ScannedHostReport, ScannerFinding } from '../../domain/findings.js';
import { type ScanReadOptions, type SourceLocation, failAt, firstIpAddress, parseCveList, parsePort, presentValue } from './finding-values.js';
import { FindingSet, newFinding, newHost } from './host-findings.js';
import { qualysHasExploit, qualysHtmlToText, qualysListedCves, qualysScore, qualysSeverity, qualysVendorReferences } from './qualys-fields.js';
import { type XmlElement, childText, readXmlElements } from './xml-stream.js';

const ROOT = 'SCAN';

/** Detection sections of an `IP` element, with the detection type each one stands for. */
const SECTIONS = new Map([
  ['INFOS', 'Ig'],
  ['SERVICES', 'Ig'],
  ['VULNS', 'Vuln'],
  ['PRACTICES', 'Practice'],
]);

/**
 * Reads a Qualys scan results XML file and yields one report per `IP` element,
 * in file order.
 *
 * @throws ImportFormatError when the root element is not `SCAN`, when the XML
 *   is not well-formed or unsafe (see `readXmlElements`), or when a detection
 *   lacks its QID or has an invalid severity, port, CVE id or score.
 */
export async function* readQualysScanXml(path: string, options: ScanReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;

  const hosts = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 2 && elementPath[1] === 'IP',
    onRoot: (root) => {
      if (root.name !== ROOT) {
        throw failAt({ file, line: root.line }, `root element is <${root.name}>, expected <${ROOT}>; this is not a Qualys scan results file`);
      }
    },
  });

  for await (const element of hosts) {
    yield { scanner: 'qualys', host: toHost(element, file), findings: toFindings(element, file) };
  }
}

function toHost(element: XmlElement, file: string): ScannedHost {
  const address = presentValue(element.attributes['value']);
  const dnsName = presentValue(element.attributes['name']);
  const netbiosName = presentValue(element.attributes['netbios_hostname']);

  const name = address ?? dnsName;
  if (name === null) throw failAt({ file, line: element.line }, '<IP> is missing the required attribute "value"');

  return newHost({ name, ip: firstIpAddress(address), fqdn: dnsName, netbiosName, os: presentValue(childText(element, 'OS')) });
}

function toFindings(element: XmlElement, file: string): ScannerFinding[] {
  const findings = new FindingSet();

  for (const section of element.children) {
    const type = SECTIONS.get(section.name);
    if (type === undefined) continue;

    for (const category of section.children) {
      for (const detection of category.children) findings.add(toFinding(detection, type, file));
    }
  }
  return findings.toArray();
}

function toFinding(detection: XmlElement, type: string, file: string): ScannerFinding {
  const location: SourceLocation = { file, line: detection.line };
  const qid = presentValue(detection.attributes['number']);
  if (qid === null) throw failAt(location, `<${detection.name}> is missing the required attribute "number"`);

  const port = presentValue(detection.attributes['port']);

  return newFinding({
    itemId: qid,
    itemName: childText(detection, 'TITLE') ?? '',
    port: port === null ? undefined : parsePort(port, location),
    protocol: presentValue(detection.attributes['protocol']) ?? undefined,
    serviceName: presentValue(detection.attributes['service']),
    severity: qualysSeverity(detection.attributes['severity'] ?? null, type, location),
    cves: [...parseCveList(detection.attributes['cveid'] ?? null, location), ...qualysListedCves(detection, file)],
    cvss3BaseScore: qualysScore(childText(detection, 'CVSS3_BASE'), 'CVSS3_BASE', location).score,
    cvss2BaseScore: qualysScore(childText(detection, 'CVSS_BASE'), 'CVSS_BASE', location).score,
    synopsis: qualysHtmlToText(childText(detection, 'DIAGNOSIS')),
    solution: qualysHtmlToText(childText(detection, 'SOLUTION')),
    exploitAvailable: qualysHasExploit(detection),
    patchIds: qualysVendorReferences(detection),
  });
}
