/**
 * Parser for the Greenbone (OpenVAS, GVM) XML report: the report format with
 * id a994b278-1f62-11e1-96ac-406186ea4fc5, root `report` (or the GMP response
 * `get_reports_response` around it). The inner `report` contains `results/result`
 * entries, each naming its host, port and NVT. After the results it contains
 * one `host` entry per host with details such as the operating system.
 *
 * Results are sorted by severity, not by host, so the parser collects them and
 * yields the hosts at the end (see `HostFindingsCollector` for the memory).
 *
 * Scanner product: 'openvas'. Findings are keyed by NVT OID, port and protocol.
 */

import type { ScannedHost, ScannedHostReport, ScannerFinding } from '../../domain/findings.js';
import { type ScanReadOptions, type SourceLocation, failAt, parseCve, parseCveList, parseScore, presentValue } from './finding-values.js';
import { HostFindingsCollector, newFinding, newHost } from './host-findings.js';
import { cveFromOid, greenbonePort, greenboneSeverity, unwrapGreenboneText } from './openvas-fields.js';
import { fixedVersionsFromOutput } from './remediation.js';
import { type XmlElement, childText, readXmlElements } from './xml-stream.js';

const ROOTS = new Set(['report', 'get_reports_response']);

/**
 * Reads a Greenbone XML report and yields one report per host at the end of
 * the file. Results whose severity marks them as false positive, debug or
 * error output are dropped (see `greenboneSeverity`).
 *
 * @throws ImportFormatError when the root element is neither `report` nor
 *   `get_reports_response`, when the XML is not well-formed or unsafe (see
 *   `readXmlElements`), or when a result lacks its host or NVT or has an
 *   invalid severity, port, CVE id or score.
 */
export async function* readOpenvasXml(path: string, options: ScanReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;
  const collector = new HostFindingsCollector();
  const details = new Map<string, XmlElement>();

  const elements = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => isResult(elementPath) || isHostDetail(elementPath),
    onRoot: (root) => {
      if (!ROOTS.has(root.name)) {
        throw failAt({ file, line: root.line }, `root element is <${root.name}>, expected <report>; this is not a Greenbone XML report`);
      }
    },
  });

  for await (const element of elements) {
    if (element.name === 'host') {
      const address = childText(element, 'ip');
      if (address !== null) details.set(address, element);
      continue;
    }

    const host = resultHost(element, file);
    const findings = collector.addHost(host.name, host);
    const finding = toFinding(element, file);
    if (finding !== null) findings.add(finding);
  }

  // The host entries come after the results, so their details are merged in last.
  for (const [address, element] of details) collector.addHost(address, detailHost(address, element));
  yield* collector.reports('openvas');
}

function isResult(elementPath: readonly string[]): boolean {
  return elementPath.at(-1) === 'result' && elementPath.at(-2) === 'results' && elementPath.at(-3) === 'report';
}

/** Selects the per-host summary entries: children of the inner report, which is itself inside a `report`. */
function isHostDetail(elementPath: readonly string[]): boolean {
  return elementPath.length >= 3 && elementPath.at(-1) === 'host' && elementPath.at(-2) === 'report' && elementPath.at(-3) === 'report';
}

function resultHost(result: XmlElement, file: string): ScannedHost {
  const element = result.children.find((child) => child.name === 'host');
  const address = presentValue(element?.text);
  if (element === undefined || address === null) throw failAt({ file, line: result.line }, '<result> names no host');

  const asset = element.children.find((child) => child.name === 'asset');
  return newHost({ name: address, fqdn: childText(element, 'hostname'), scannerAssetId: presentValue(asset?.attributes['asset_id']) });
}

/** Builds the host as its summary entry describes it: `detail` name/value pairs such as `best_os_txt` and `hostname`. */
function detailHost(address: string, element: XmlElement): ScannedHost {
  const values = new Map<string, string>();
  for (const detail of element.children) {
    const name = detail.name === 'detail' ? childText(detail, 'name') : null;
    const value = detail.name === 'detail' ? childText(detail, 'value') : null;
    if (name !== null && value !== null && !values.has(name)) values.set(name, value);
  }

  const asset = element.children.find((child) => child.name === 'asset');
  return newHost({
    name: address,
    fqdn: values.get('hostname'),
    os: values.get('best_os_txt'),
    macAddress: values.get('MAC'),
    scannerAssetId: presentValue(asset?.attributes['asset_id']),
  });
}

function toFinding(result: XmlElement, file: string): ScannerFinding | null {
  const location: SourceLocation = { file, line: result.line };
  const nvt = result.children.find((child) => child.name === 'nvt');
  const oid = presentValue(nvt?.attributes['oid']);
  if (nvt === undefined || oid === null) throw failAt(location, '<result> has no <nvt oid="...">');

  const severity = greenboneSeverity(childText(result, 'severity'), childText(result, 'threat'), location);
  if (severity === null) return null;

  const tags = nvtTags(childText(nvt, 'tags'));
  const scores = nvtScores(nvt, tags, location);
  return newFinding({
    itemId: oid,
    itemName: presentValue(childText(nvt, 'name')?.replace(/\s+/g, ' ')) ?? childText(result, 'name') ?? '',
    ...greenbonePort(childText(result, 'port'), location),
    severity,
    cves: [...cveFromOid(oid), ...nvtCves(nvt, file)],
    ...scores,
    synopsis: tags.get('summary') ?? null,
    solution: unwrapGreenboneText(childText(nvt, 'solution')) ?? tags.get('solution') ?? null,
    fixedVersions: fixedVersionsFromOutput(childText(result, 'description')),
  });
}

/** Splits the NVT's `key=value|key=value` tags; values may span lines. */
function nvtTags(text: string | null): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of (text ?? '').split('|')) {
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    const value = unwrapGreenboneText(part.slice(equals + 1));
    if (value !== null) tags.set(part.slice(0, equals).trim(), value);
  }
  return tags;
}

/** CVEs from `refs/ref type="cve"` (GMP 8 and later) and from the older comma-separated `cve` element. */
function nvtCves(nvt: XmlElement, file: string): string[] {
  const refs = nvt.children.find((child) => child.name === 'refs')?.children ?? [];
  const fromRefs = refs
    .filter((ref) => ref.attributes['type']?.toLowerCase() === 'cve')
    .map((ref) => parseCve(ref.attributes['id'] ?? '', { file, line: ref.line }));

  const listed = childText(nvt, 'cve');
  const fromList = listed === null || listed.toUpperCase() === 'NOCVE' ? [] : parseCveList(listed, { file, line: nvt.line });
  return [...fromRefs, ...fromList];
}

/**
 * Reads the CVSS scores by version: from `severities/severity` (typed
 * `cvss_base_v3` or `cvss_base_v2`) when present, else from the
 * `cvss_base_vector` tag, whose prefix names the version, with `cvss_base` as its score.
 */
function nvtScores(nvt: XmlElement, tags: Map<string, string>, location: SourceLocation): Partial<ScannerFinding> {
  const scores: Partial<ScannerFinding> = {};
  const typed = nvt.children.find((child) => child.name === 'severities')?.children ?? [];

  for (const severity of typed) {
    const score = parseScore(childText(severity, 'score'), 'severity score', location);
    const vector = childText(severity, 'value');
    if (severity.attributes['type'] === 'cvss_base_v3') Object.assign(scores, { cvss3BaseScore: score, cvss3Vector: vector });
    if (severity.attributes['type'] === 'cvss_base_v2') Object.assign(scores, { cvss2BaseScore: score, cvss2Vector: vector });
  }
  if (typed.length > 0) return scores;

  // NOTE: a report without a vector names no CVSS version, so its cvss_base score only drives the severity.
  const vector = tags.get('cvss_base_vector');
  const score = parseScore(childText(nvt, 'cvss_base'), 'cvss_base', location);
  if (vector?.startsWith('CVSS:3')) return { cvss3BaseScore: score, cvss3Vector: vector };
  if (vector?.startsWith('AV:')) return { cvss2BaseScore: score, cvss2Vector: vector };
  return scores;
}
