/**
 * Parser for Nessus v2 exports (`.nessus`, root `NessusClientData_v2`). It
 * yields one report per `ReportHost` as soon as that host's element closes, so
 * an import keeps one host in memory, not the file. The Policy section is skipped.
 */

import { isIP } from 'node:net';

import { ImportFormatError } from '../../domain/errors.js';
import type { ScannedHost, ScannedHostReport, ScannerFinding, ScannerSeverity } from '../../domain/findings.js';
import { legacyNessusError } from './detect.js';
import { type XmlElement, childText, readXmlElements } from './xml-stream.js';

export interface NessusReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

const ROOT = 'NessusClientData_v2';
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const NESSUS_DATE = /^(\d{4})[/-](\d{2})[/-](\d{2})$/;
const SCORE = /^\d{1,2}(?:\.\d+)?$/;

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

  const hosts = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 3 && elementPath[1] === 'Report' && elementPath[2] === 'ReportHost',
    onRoot: (root) => {
      if (root.name === 'NessusClientData') throw legacyNessusError(file, root.line);
      if (root.name !== ROOT) {
        throw new ImportFormatError(file, root.line, `root element is <${root.name}>, expected <${ROOT}>; this is not a Nessus v2 file`);
      }
    },
  });

  for await (const host of hosts) {
    yield toHostReport(host, file);
  }
}

function toHostReport(element: XmlElement, file: string): ScannedHostReport {
  const findings = new Map<string, ScannerFinding>();

  for (const child of element.children) {
    if (child.name !== 'ReportItem') continue;

    const finding = toFinding(child, file);
    const key = `${finding.itemId}\u0000${finding.port}\u0000${finding.protocol}`;
    const earlier = findings.get(key);
    findings.set(key, earlier === undefined ? finding : mergeFindings(earlier, finding));
  }

  return { scanner: 'nessus', host: toHost(element, file), findings: [...findings.values()] };
}

function toHost(element: XmlElement, file: string): ScannedHost {
  const name = requiredAttribute(element, 'name', file);

  const tags = new Map<string, string>();
  const properties = element.children.find((child) => child.name === 'HostProperties');
  for (const tag of properties?.children ?? []) {
    const tagName = tag.attributes['name'];
    const value = tag.text.trim();
    if (tag.name === 'tag' && tagName !== undefined && value !== '') tags.set(tagName, value);
  }

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
  const severity = parseSeverity(requiredAttribute(item, 'severity', file), item, file);
  const cves = item.children.filter((child) => child.name === 'cve').map((child) => parseCve(child, file));

  return {
    itemId: requiredAttribute(item, 'pluginID', file),
    itemName: item.attributes['pluginName'] ?? childText(item, 'plugin_name') ?? '',
    port: parsePort(requiredAttribute(item, 'port', file), item, file),
    protocol: requiredAttribute(item, 'protocol', file),
    serviceName: item.attributes['svc_name'] ?? null,
    severity,
    informational: severity === 0,
    cves: [...new Set(cves)],
    cvss3BaseScore: parseScore(item, 'cvss3_base_score', file),
    cvss3Vector: childText(item, 'cvss3_vector'),
    cvss2BaseScore: parseScore(item, 'cvss_base_score', file),
    cvss2Vector: childText(item, 'cvss_vector'),
    synopsis: childText(item, 'synopsis'),
    solution: childText(item, 'solution'),
    patchPublicationDate: parseDate(item, 'patch_publication_date', file),
    exploitAvailable: childText(item, 'exploit_available') === 'true',
  };
}

/** Combines two ReportItems with the same key on one host. */
function mergeFindings(first: ScannerFinding, second: ScannerFinding): ScannerFinding {
  const severity = Math.max(first.severity, second.severity) as ScannerSeverity;

  return {
    ...first,
    severity,
    informational: severity === 0,
    cves: [...new Set([...first.cves, ...second.cves])],
    serviceName: first.serviceName ?? second.serviceName,
    cvss3BaseScore: first.cvss3BaseScore ?? second.cvss3BaseScore,
    cvss3Vector: first.cvss3Vector ?? second.cvss3Vector,
    cvss2BaseScore: first.cvss2BaseScore ?? second.cvss2BaseScore,
    cvss2Vector: first.cvss2Vector ?? second.cvss2Vector,
    synopsis: first.synopsis ?? second.synopsis,
    solution: first.solution ?? second.solution,
    patchPublicationDate: first.patchPublicationDate ?? second.patchPublicationDate,
    exploitAvailable: first.exploitAvailable || second.exploitAvailable,
  };
}

function requiredAttribute(element: XmlElement, name: string, file: string): string {
  const value = element.attributes[name];
  if (value === undefined || value.trim() === '') {
    throw new ImportFormatError(file, element.line, `<${element.name}> is missing the required attribute "${name}"`);
  }
  return value.trim();
}

function parseSeverity(text: string, item: XmlElement, file: string): ScannerSeverity {
  if (!/^[0-4]$/.test(text)) {
    throw new ImportFormatError(file, item.line, `invalid severity "${text}"; expected 0 to 4`);
  }
  return Number(text) as ScannerSeverity;
}

function parsePort(text: string, item: XmlElement, file: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new ImportFormatError(file, item.line, `invalid port "${text}"; expected 0 to 65535`);
  }
  return port;
}

function parseCve(element: XmlElement, file: string): string {
  const cve = element.text.trim();
  if (!CVE_ID.test(cve)) {
    throw new ImportFormatError(file, element.line, `malformed CVE id "${cve}"; expected CVE-YYYY-NNNN`);
  }
  return cve;
}

function parseScore(item: XmlElement, name: string, file: string): number | null {
  const text = childText(item, name);
  if (text === null) return null;

  const score = Number(text);
  if (!SCORE.test(text) || score > 10) {
    throw new ImportFormatError(file, lineOfChild(item, name), `invalid ${name} "${text}"; expected a CVSS score from 0 to 10`);
  }
  return score;
}

/** Normalizes Nessus's `2019/03/12` to `2019-03-12`. */
function parseDate(item: XmlElement, name: string, file: string): string | null {
  const text = childText(item, name);
  if (text === null) return null;

  const match = NESSUS_DATE.exec(text);
  if (match === null) {
    throw new ImportFormatError(file, lineOfChild(item, name), `invalid ${name} "${text}"; expected YYYY/MM/DD`);
  }
  return `${match[1]}-${match[2]}-${match[3]}`;
}

function lineOfChild(item: XmlElement, name: string): number {
  return item.children.find((child) => child.name === name)?.line ?? item.line;
}
