/**
 * Parser for the Rapid7 Nexpose / InsightVM XML export (root `NexposeReport`,
 * the "XML Export 2.0" layout, which some exports label version 1.0). Each
 * `node` lists the tests run on it, at node level and per endpoint service,
 * with a status. The title, severity, CVEs and solution of each vulnerability
 * id are written once, in `VulnerabilityDefinitions` after the nodes.
 *
 * Memory: the file is read twice. The first pass keeps only the definitions,
 * one per vulnerability in the report. The second yields each node as its
 * element closes, so the nodes are never all in memory.
 *
 * Severity: Nexpose grades 1-10 (Rapid7 calls 1-3 moderate, 4-7 severe, 8-10
 * critical). The grade is mapped with the CVSS v3.1 bands (see
 * `severityFromScore`): 1-3 low, 4-6 medium, 7-8 high, 9-10 critical.
 *
 * Scanner product: 'nexpose'. Findings are keyed by vulnerability id, port and protocol.
 */

import type { ScannedHost, ScannedHostReport, ScannerFinding, ScannerSeverity } from '../../domain/findings.js';
import { type ScanReadOptions, type SourceLocation, failAt, parseCve, parsePort, parseScore, presentValue } from './finding-values.js';
import { FindingSet, newFinding, newHost } from './host-findings.js';
import { severityFromScore } from './severity.js';
import { type XmlElement, type XmlRoot, mixedContent, readXmlElements } from './xml-stream.js';

const ROOT = 'NexposeReport';

/** Test statuses that mean the node has the vulnerability; `not-vulnerable`, `error` and `skipped-*` do not. */
const VULNERABLE = new Set(['vulnerable-exploited', 'vulnerable-version', 'vulnerable-potential']);

/** Reference sources that name a vendor advisory or patch (`RHSA-2008:0004`, `MS99-030`, `DSA-1521`). */
const ADVISORY_SOURCES = new Set([
  'APPLE',
  'CALDERA',
  'CISCO',
  'CONECTIVA',
  'DEBIAN',
  'FREEBSD',
  'GENTOO',
  'HP',
  'MANDRAKE',
  'MS',
  'MSKB',
  'NETBSD',
  'OPENBSD',
  'REDHAT',
  'SGI',
  'SUN',
  'SUSE',
  'UBUNTU',
]);

/** Elements of Nexpose's rich text that start a new line. */
const TEXT_BLOCKS = new Set(['Paragraph', 'ContainerBlockElement', 'UnorderedList', 'OrderedList', 'PreFormattedText']);

interface Definition {
  title: string;
  severity: ScannerSeverity;
  cvssScore: number | null;
  cvssVector: string | null;
  cves: string[];
  patchIds: string[];
  solution: string | null;
  exploitAvailable: boolean;
}

/** Place of a test: the node itself, or a service on one of its endpoints. */
interface TestPlace {
  port?: number;
  protocol?: string;
  serviceName: string | null;
}

/**
 * Reads a Nexpose XML export and yields one report per node, in file order.
 * Only tests with a vulnerable status become findings; the node is reported
 * even when none is, so the store closes what an earlier scan found.
 *
 * @throws ImportFormatError when the root element is not `NexposeReport`, when
 *   the XML is not well-formed or unsafe (see `readXmlElements`), when a test
 *   names a vulnerability without a definition, or when a value is invalid.
 */
export async function* readNexposeXml(path: string, options: ScanReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;
  const definitions = await readDefinitions(path, file);

  const nodes = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 3 && elementPath[1] === 'nodes' && elementPath[2] === 'node',
  });
  for await (const node of nodes) {
    yield { scanner: 'nexpose', host: toHost(node, file), findings: toFindings(node, definitions, file) };
  }
}

async function readDefinitions(path: string, file: string): Promise<Map<string, Definition>> {
  const definitions = new Map<string, Definition>();
  const entries = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 3 && elementPath[1] === 'VulnerabilityDefinitions' && elementPath[2] === 'vulnerability',
    onRoot: (root) => checkRoot(root, file),
  });

  for await (const entry of entries) {
    const id = presentValue(entry.attributes['id']);
    if (id === null) throw failAt({ file, line: entry.line }, '<vulnerability> is missing the required attribute "id"');
    // Nexpose treats vulnerability ids case-insensitively.
    definitions.set(id.toLowerCase(), toDefinition(entry, file));
  }
  return definitions;
}

function checkRoot(root: XmlRoot, file: string): void {
  if (root.name !== ROOT) {
    throw failAt({ file, line: root.line }, `root element is <${root.name}>, expected <${ROOT}>; this is not a Nexpose XML export`);
  }
}

function toDefinition(entry: XmlElement, file: string): Definition {
  const location = { file, line: entry.line };
  const references = entry.children.find((child) => child.name === 'references')?.children ?? [];
  const grade = parseScore(entry.attributes['severity'] ?? null, 'severity', location);
  if (grade === null) throw failAt(location, '<vulnerability> is missing the required attribute "severity"');

  const vector = presentValue(entry.attributes['cvssVector']?.replace(/^\((.*)\)$/, '$1'));
  const solution = entry.children.find((child) => child.name === 'solution');
  const exploits = entry.children.find((child) => child.name === 'exploits');

  return {
    title: entry.attributes['title']?.trim() ?? '',
    severity: severityFromScore(grade),
    cvssScore: parseScore(entry.attributes['cvssScore'] ?? null, 'cvssScore', location),
    cvssVector: vector,
    cves: references.filter((reference) => sourceOf(reference) === 'CVE').map((reference) => parseCve(reference.text, { file, line: reference.line })),
    patchIds: references.filter((reference) => ADVISORY_SOURCES.has(sourceOf(reference))).map((reference) => reference.text.trim()),
    solution: solution === undefined ? null : richText(solution),
    exploitAvailable: (exploits?.children.length ?? 0) > 0,
  };
}

function sourceOf(reference: XmlElement): string {
  return reference.attributes['source']?.trim().toUpperCase() ?? '';
}

function toHost(node: XmlElement, file: string): ScannedHost {
  const address = presentValue(node.attributes['address']);
  if (address === null) throw failAt({ file, line: node.line }, '<node> is missing the required attribute "address"');

  const names = (node.children.find((child) => child.name === 'names')?.children ?? []).map((name) => name.text.trim()).filter((name) => name !== '');
  const hardware = presentValue(node.attributes['hardware-address']);

  return newHost({
    name: address,
    // Nexpose lists DNS and NetBIOS names together; only DNS names contain a dot.
    fqdn: names.find((name) => name.includes('.')) ?? null,
    netbiosName: names.find((name) => !name.includes('.')) ?? null,
    os: bestOs(node),
    macAddress: hardware === null ? null : (hardware.match(/../g)?.join(':') ?? hardware),
    scannerAssetId: presentValue(node.attributes['device-id']),
  });
}

/** Names the fingerprint with the highest certainty, the first one on a tie. */
function bestOs(node: XmlElement): string | null {
  const fingerprints = node.children.find((child) => child.name === 'fingerprints')?.children ?? [];
  let best: XmlElement | undefined;
  for (const os of fingerprints) {
    if (os.name !== 'os') continue;
    if (best === undefined || Number(os.attributes['certainty'] ?? 0) > Number(best.attributes['certainty'] ?? 0)) best = os;
  }
  if (best === undefined) return null;

  const { product, version, family } = best.attributes;
  return presentValue([product ?? family, version].filter((part) => part !== undefined).join(' '));
}

function toFindings(node: XmlElement, definitions: Map<string, Definition>, file: string): ScannerFinding[] {
  const findings = new FindingSet();
  const add = (tests: XmlElement | undefined, place: TestPlace): void => {
    for (const test of tests?.children ?? []) {
      if (test.name === 'test' && VULNERABLE.has(test.attributes['status'] ?? '')) findings.add(toFinding(test, place, definitions, file));
    }
  };

  add(childNamed(node, 'tests'), { serviceName: null });
  for (const endpoint of childNamed(node, 'endpoints')?.children ?? []) {
    const location = { file, line: endpoint.line };
    const port = parsePort(endpoint.attributes['port']?.trim() ?? '', location);
    for (const service of childNamed(endpoint, 'services')?.children ?? []) {
      const place = { port, protocol: endpoint.attributes['protocol'], serviceName: presentValue(service.attributes['name']) };
      add(childNamed(service, 'tests'), place);
    }
  }
  return findings.toArray();
}

function toFinding(test: XmlElement, place: TestPlace, definitions: Map<string, Definition>, file: string): ScannerFinding {
  const location: SourceLocation = { file, line: test.line };
  const id = presentValue(test.attributes['id']);
  if (id === null) throw failAt(location, '<test> is missing the required attribute "id"');

  const definition = definitions.get(id.toLowerCase());
  if (definition === undefined) throw failAt(location, `vulnerability "${id}" has no entry in VulnerabilityDefinitions`);

  // Nexpose's CVSS score and vector are version 2 unless the vector starts with CVSS:3.
  const isVersion3 = definition.cvssVector?.startsWith('CVSS:3') ?? false;
  return newFinding({
    itemId: id,
    itemName: definition.title,
    ...place,
    severity: definition.severity,
    cves: definition.cves,
    cvss3BaseScore: isVersion3 ? definition.cvssScore : null,
    cvss3Vector: isVersion3 ? definition.cvssVector : null,
    cvss2BaseScore: isVersion3 ? null : definition.cvssScore,
    cvss2Vector: isVersion3 ? null : definition.cvssVector,
    solution: definition.solution,
    exploitAvailable: definition.exploitAvailable,
    patchIds: definition.patchIds,
  });
}

function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

/**
 * Renders Nexpose's rich text (Paragraph, lists, URLLink) as plain text: one
 * line per paragraph, "- " before list items, a link's URL after its text when
 * the two differ.
 */
function richText(element: XmlElement): string | null {
  const lines = flatten(element)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.length === 0 ? null : lines.join('\n');
}

function flatten(element: XmlElement): string {
  let text = '';
  for (const part of mixedContent(element)) {
    if (typeof part === 'string') {
      text += part.replace(/\s+/g, ' ');
      continue;
    }

    const inner = flatten(part);
    if (part.name === 'ListItem') text += `\n- ${inner.trimStart()}\n`;
    else if (TEXT_BLOCKS.has(part.name)) text += `\n${inner}\n`;
    else if (part.name === 'URLLink') text += linkText(part, inner);
    else text += inner;
  }
  return text;
}

function linkText(link: XmlElement, inner: string): string {
  const url = link.attributes['LinkURL'] ?? link.attributes['href'];
  if (url === undefined || inner.trim() === url) return inner;
  return inner.trim() === '' ? url : `${inner} (${url})`;
}
