/**
 * Parser for Nessus v2 exports (`.nessus`, root `NessusClientData_v2`). It
 * yields one report per `ReportHost` as soon as that host's element closes, so
 * an import keeps one host in memory, not the file. The Policy section is
 * skipped. Tenable WAS exports share this layout, and `tenable-was-xml.ts`
 * reuses the host and item reading here.
 */

import { isIP } from 'node:net';

import { ImportFormatError } from '../../domain/errors.js';
import type { ScannedHost, ScannedHostReport, ScannerFinding, ScannerSeverity } from '../../domain/findings.js';
import { legacyNessusError } from './detect.js';
import { type ScanReadOptions, type SourceLocation, parseCve, parsePort, parseScore, parseVendorDate } from './finding-values.js';
import { FindingSet, newFinding } from './host-findings.js';
import { fixedVersionsFromOutput, patchIdsFromCrossReferences } from './remediation.js';
import { type XmlElement, childText, readXmlElements } from './xml-stream.js';

export type NessusReadOptions = ScanReadOptions;

const ROOT = 'NessusClientData_v2';

/**
 * Reads a Nessus v2 file and yields one report per host, in file order.
 * ReportItems with the same plugin id, port and protocol on one host become one
 * finding: the highest severity, the union of their CVEs, and the first value
 * of every other field. Severity 0 items are kept with `informational: true`.
 *
 * @throws ImportFormatError when the root element is not `NessusClientData_v2`,
 *   with a specific message for Nessus v1. Also when the XML is not well-formed
 *   or is unsafe (see `readXmlElements`). Also when a host or item lacks a
 *   required attribute or has an invalid severity, port, CVE id, score or date.
 */
export async function* readNessusV2(path: string, options: NessusReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;

  for await (const host of readReportHosts(path, file)) {
    yield { scanner: 'nessus', host: toHost(host, file), findings: reportItemFindings(host, file) };
  }
}

/**
 * Yields each `ReportHost` element of a `NessusClientData_v2` file.
 *
 * @throws ImportFormatError as `readNessusV2` does for the root element and the XML.
 */
export function readReportHosts(path: string, file: string): AsyncGenerator<XmlElement> {
  return readXmlElements(path, {
    fileName: file,
    // The scan policy (plugin preferences and selections) is often most of the
    // file, and nothing in it becomes an asset or a finding.
    skipContentOf: 'Policy',
    select: (elementPath) => elementPath.length === 3 && elementPath[1] === 'Report' && elementPath[2] === 'ReportHost',
    onRoot: (root) => {
      if (root.name === 'NessusClientData') throw legacyNessusError(file, root.line);
      if (root.name !== ROOT) {
        throw new ImportFormatError(file, root.line, `root element is <${root.name}>, expected <${ROOT}>; this is not a Nessus v2 file`);
      }
    },
  });
}

/** Returns the `tag` values of a ReportHost's HostProperties by tag name. */
export function hostTags(element: XmlElement): Map<string, string> {
  const tags = new Map<string, string>();
  const properties = element.children.find((child) => child.name === 'HostProperties');
  for (const tag of properties?.children ?? []) {
    const tagName = tag.attributes['name'];
    const value = tag.text.trim();
    if (tag.name === 'tag' && tagName !== undefined && value !== '') tags.set(tagName, value);
  }
  return tags;
}

/**
 * Parses the ReportItems of one ReportHost into findings, merged by plugin id,
 * port and protocol.
 *
 * @throws ImportFormatError for an item with a missing attribute or an invalid value.
 */
export function reportItemFindings(host: XmlElement, file: string): ScannerFinding[] {
  const findings = new FindingSet();
  for (const child of host.children) {
    if (child.name === 'ReportItem') findings.add(toFinding(child, file));
  }
  return findings.toArray();
}

export function requiredAttribute(element: XmlElement, name: string, file: string): string {
  const value = element.attributes[name];
  if (value === undefined || value.trim() === '') {
    throw new ImportFormatError(file, element.line, `<${element.name}> is missing the required attribute "${name}"`);
  }
  return value.trim();
}

function toHost(element: XmlElement, file: string): ScannedHost {
  const name = requiredAttribute(element, 'name', file);
  const tags = hostTags(element);

  // Nessus lists every interface's MAC address in one tag, one per line.
  const macAddresses = (tags.get('mac-address') ?? '').split(/\s+/).filter((mac) => mac !== '');

  return {
    name,
    ip: tags.get('host-ip') ?? (isIP(name) === 0 ? null : name),
    fqdn: tags.get('host-fqdn') ?? null,
    netbiosName: tags.get('netbios-name') ?? null,
    os: tags.get('operating-system') ?? null,
    macAddress: macAddresses[0] ?? null,
    macAddresses,
    // Nessus v2 files carry no scanner-side asset id.
    scannerAssetId: null,
  };
}

function toFinding(item: XmlElement, file: string): ScannerFinding {
  const at = (name: string): SourceLocation => ({ file, line: lineOfChild(item, name) });
  const severity = parseSeverity(requiredAttribute(item, 'severity', file), item, file);
  const cves = item.children.filter((child) => child.name === 'cve').map((child) => parseCve(child.text, { file, line: child.line }));
  const crossReferences = item.children
    .filter((child) => child.name === 'xref')
    .map((child) => child.text.trim())
    .join(';');

  return newFinding({
    itemId: requiredAttribute(item, 'pluginID', file),
    itemName: item.attributes['pluginName'] ?? childText(item, 'plugin_name') ?? '',
    port: parsePort(requiredAttribute(item, 'port', file), { file, line: item.line }),
    protocol: requiredAttribute(item, 'protocol', file),
    serviceName: item.attributes['svc_name'] ?? null,
    severity,
    cves,
    cvss3BaseScore: parseScore(childText(item, 'cvss3_base_score'), 'cvss3_base_score', at('cvss3_base_score')),
    cvss3Vector: childText(item, 'cvss3_vector'),
    cvss2BaseScore: parseScore(childText(item, 'cvss_base_score'), 'cvss_base_score', at('cvss_base_score')),
    cvss2Vector: childText(item, 'cvss_vector'),
    synopsis: childText(item, 'synopsis'),
    solution: childText(item, 'solution'),
    patchPublicationDate: parseVendorDate(childText(item, 'patch_publication_date'), 'patch_publication_date', at('patch_publication_date')),
    exploitAvailable: childText(item, 'exploit_available') === 'true',
    fixedVersions: fixedVersionsFromOutput(childText(item, 'plugin_output')),
    patchIds: patchIdsFromCrossReferences(crossReferences),
  });
}

function parseSeverity(text: string, item: XmlElement, file: string): ScannerSeverity {
  if (!/^[0-4]$/.test(text)) {
    throw new ImportFormatError(file, item.line, `invalid severity "${text}"; expected 0 to 4`);
  }
  return Number(text) as ScannerSeverity;
}

function lineOfChild(item: XmlElement, name: string): number {
  return item.children.find((child) => child.name === name)?.line ?? item.line;
}
