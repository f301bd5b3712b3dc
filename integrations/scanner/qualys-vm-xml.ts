/**
 * Parser for the Qualys VM asset data report in XML (root `ASSET_DATA_REPORT`).
 * Each `HOST` lists its detections (`VULN_INFO`: QID, type, port, status). The
 * title, severity, CVEs and solution of each QID are written once, in the
 * report's `GLOSSARY`, which Qualys puts after the hosts.
 *
 * Memory: the file is read twice. The first pass keeps only the glossary, whose
 * size grows with the number of distinct QIDs in the report (bounded by the
 * Qualys knowledge base), not with the number of hosts. The second pass yields
 * each host as its element closes. Buffering the per-host detection lists until
 * the glossary arrives would read the file once but hold every host's
 * detections at the same time, which grows with the fleet.
 *
 * Scanner product: 'qualys'. Findings are keyed by QID, port and protocol.
 */

import type { ScannedHost, ScannedHostReport, ScannerFinding } from '../../domain/findings.js';
import { type ScanReadOptions, type SourceLocation, failAt, firstIpAddress, parsePort, presentValue } from './finding-values.js';
import { FindingSet, newFinding, newHost } from './host-findings.js';
import {
  isFixedStatus,
  listItems,
  qualysHasExploit,
  qualysHtmlToText,
  qualysListedCves,
  qualysScore,
  qualysSeverity,
  qualysVendorReferences,
} from './qualys-fields.js';
import { type XmlElement, type XmlRoot, childText, readXmlElements } from './xml-stream.js';

const ROOT = 'ASSET_DATA_REPORT';

/** Glossary entry of one QID. */
interface QidDefinition {
  title: string;
  level: string | null;
  location: SourceLocation;
  solution: string | null;
  synopsis: string | null;
  cves: string[];
  cvss2: { score: number | null; vector: string | null };
  cvss3: { score: number | null; vector: string | null };
  exploitAvailable: boolean;
  patchIds: string[];
}

/**
 * Reads a Qualys asset data report and yields one report per `HOST`, in file
 * order. Detections of one QID on one port and protocol merge into one
 * finding. Detections whose `VULN_STATUS` is Fixed are left out, so the store
 * closes them.
 *
 * @throws ImportFormatError when the root element is not `ASSET_DATA_REPORT`,
 *   when the XML is not well-formed or unsafe (see `readXmlElements`), when a
 *   detection's QID has no glossary entry, or when a value is invalid.
 */
export async function* readQualysVmXml(path: string, options: ScanReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;
  const glossary = await readGlossary(path, file);

  const hosts = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 3 && elementPath[1] === 'HOST_LIST' && elementPath[2] === 'HOST',
  });
  for await (const element of hosts) {
    yield { scanner: 'qualys', host: toHost(element, file), findings: toFindings(element, glossary, file) };
  }
}

async function readGlossary(path: string, file: string): Promise<Map<string, QidDefinition>> {
  const glossary = new Map<string, QidDefinition>();
  const entries = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 4 && elementPath[1] === 'GLOSSARY' && elementPath[3] === 'VULN_DETAILS',
    onRoot: (root) => checkRoot(root, file),
  });

  for await (const entry of entries) {
    const qid = childText(entry, 'QID');
    if (qid === null) throw failAt({ file, line: entry.line }, '<VULN_DETAILS> has no QID');
    glossary.set(qid, toDefinition(entry, file));
  }
  return glossary;
}

function checkRoot(root: XmlRoot, file: string): void {
  if (root.name !== ROOT) {
    throw failAt({ file, line: root.line }, `root element is <${root.name}>, expected <${ROOT}>; this is not a Qualys asset data report`);
  }
}

function toDefinition(entry: XmlElement, file: string): QidDefinition {
  const location = { file, line: entry.line };

  return {
    title: childText(entry, 'TITLE') ?? '',
    level: childText(entry, 'SEVERITY'),
    location,
    solution: qualysHtmlToText(childText(entry, 'SOLUTION')),
    synopsis: qualysHtmlToText(childText(entry, 'THREAT')),
    cves: qualysListedCves(entry, file),
    cvss2: qualysScore(nestedText(entry, 'CVSS_SCORE', 'CVSS_BASE'), 'CVSS_BASE', location),
    cvss3: qualysScore(nestedText(entry, 'CVSS3_SCORE', 'CVSS3_BASE'), 'CVSS3_BASE', location),
    exploitAvailable: qualysHasExploit(entry),
    patchIds: qualysVendorReferences(entry),
  };
}

function toHost(element: XmlElement, file: string): ScannedHost {
  const address = childText(element, 'IP');
  const dnsName = presentValue(childText(element, 'DNS'));
  const netbiosName = presentValue(childText(element, 'NETBIOS'));

  const name = address ?? dnsName ?? netbiosName;
  if (name === null) throw failAt({ file, line: element.line }, '<HOST> has no IP, DNS or NETBIOS name');

  return newHost({
    name,
    ip: firstIpAddress(address),
    fqdn: dnsName,
    netbiosName,
    os: presentValue(childText(element, 'OPERATING_SYSTEM')),
    scannerAssetId: childText(element, 'ASSET_ID') ?? childText(element, 'HOST_ID'),
  });
}

function toFindings(element: XmlElement, glossary: Map<string, QidDefinition>, file: string): ScannerFinding[] {
  const findings = new FindingSet();
  for (const detection of listItems(element, 'VULN_INFO_LIST', 'VULN_INFO')) {
    if (isFixedStatus(childText(detection, 'VULN_STATUS'))) continue;
    findings.add(toFinding(detection, glossary, file));
  }
  return findings.toArray();
}

function toFinding(detection: XmlElement, glossary: Map<string, QidDefinition>, file: string): ScannerFinding {
  const location = { file, line: detection.line };
  const qid = childText(detection, 'QID');
  if (qid === null) throw failAt(location, '<VULN_INFO> has no QID');

  const definition = glossary.get(qid);
  if (definition === undefined) {
    throw failAt(location, `QID ${qid} has no VULN_DETAILS entry in the report's GLOSSARY, so its title and severity are unknown`);
  }

  const port = childText(detection, 'PORT');
  return newFinding({
    itemId: qid,
    itemName: definition.title,
    port: port === null ? undefined : parsePort(port, location),
    protocol: childText(detection, 'PROTOCOL') ?? undefined,
    serviceName: childText(detection, 'SERVICE'),
    severity: qualysSeverity(definition.level, childText(detection, 'TYPE'), definition.location),
    cves: definition.cves,
    cvss3BaseScore: definition.cvss3.score,
    cvss3Vector: definition.cvss3.vector,
    cvss2BaseScore: definition.cvss2.score,
    cvss2Vector: definition.cvss2.vector,
    synopsis: definition.synopsis,
    solution: definition.solution,
    exploitAvailable: definition.exploitAvailable,
    patchIds: definition.patchIds,
  });
}

function nestedText(element: XmlElement, outer: string, inner: string): string | null {
  const container = element.children.find((child) => child.name === outer);
  return container === undefined ? null : childText(container, inner);
}
