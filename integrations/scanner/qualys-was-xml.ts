/**
 * Parser for the Qualys Web Application Scanning scan report in XML (root
 * `WAS_SCAN_REPORT`). The detections are `VULNERABILITY`, `SENSITIVE_CONTENT`
 * and `INFORMATION_GATHERED` entries under `RESULTS`, each naming a QID. The
 * title, severity and solution of each QID are in the `GLOSSARY`, and the
 * scanned application (`WEBAPP`: id, URL, operating system) is in the
 * `APPENDIX`. Both come after the results.
 *
 * Memory: the file is read twice. The first pass keeps the glossary (one entry
 * per QID in the report) and the application. The second pass merges the
 * detections into one finding per QID. A scan report covers one application, so
 * those findings are one host's.
 *
 * Scanner product: 'qualys'. The findings sit on a web application asset keyed
 * by base URL (see `web-application.ts`).
 */

import type { ScannedHostReport, ScannerFinding } from '../../domain/findings.js';
import { type ScanReadOptions, type SourceLocation, failAt } from './finding-values.js';
import { FindingSet, newFinding } from './host-findings.js';
import { qualysHtmlToText, qualysScore, qualysSeverity } from './qualys-fields.js';
import { type WebApplication, webApplication } from './web-application.js';
import { type XmlElement, type XmlRoot, childText, readXmlElements } from './xml-stream.js';

const ROOT = 'WAS_SCAN_REPORT';

/** Result entries and the detection type each stands for. */
const RESULT_TYPES = new Map([
  ['VULNERABILITY', 'Vuln'],
  ['SENSITIVE_CONTENT', 'Vuln'],
  ['INFORMATION_GATHERED', 'Ig'],
]);

interface ReportContext {
  glossary: Map<string, XmlElement>;
  application: WebApplication;
}

/**
 * Reads a Qualys WAS scan report and yields one report for its web
 * application. Detections marked ignored in Qualys are kept, because ignoring
 * is a risk decision, which Patchwarden records as an exception, not a fix.
 *
 * @throws ImportFormatError when the root element is not `WAS_SCAN_REPORT` or
 *   the XML is not well-formed or unsafe (see `readXmlElements`). Also when the
 *   appendix names no web application or several, when a detection's QID has
 *   no glossary entry, or when a value is invalid.
 */
export async function* readQualysWasXml(path: string, options: ScanReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;
  const context = await readContext(path, file);

  const findings = new FindingSet();
  const detections = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => elementPath.length === 4 && elementPath[1] === 'RESULTS' && RESULT_TYPES.has(elementPath[3] ?? ''),
  });
  for await (const detection of detections) {
    findings.add(toFinding(detection, context, file));
  }

  yield { scanner: 'qualys', host: context.application.host, findings: findings.toArray() };
}

async function readContext(path: string, file: string): Promise<ReportContext> {
  const glossary = new Map<string, XmlElement>();
  const applications: XmlElement[] = [];
  let rootLine = 1;

  const entries = readXmlElements(path, {
    fileName: file,
    select: (elementPath) => isGlossaryEntry(elementPath) || (elementPath.length === 3 && elementPath[1] === 'APPENDIX' && elementPath[2] === 'WEBAPP'),
    onRoot: (root) => {
      checkRoot(root, file);
      rootLine = root.line;
    },
  });
  for await (const entry of entries) {
    if (entry.name === 'WEBAPP') {
      applications.push(entry);
      continue;
    }
    const qid = childText(entry, 'QID');
    if (qid === null) throw failAt({ file, line: entry.line }, '<QID> glossary entry has no QID');
    glossary.set(qid, entry);
  }

  return { glossary, application: toApplication(applications, { file, line: rootLine }) };
}

function isGlossaryEntry(elementPath: readonly string[]): boolean {
  return elementPath.length === 4 && elementPath[1] === 'GLOSSARY' && elementPath[2] === 'QID_LIST' && elementPath[3] === 'QID';
}

function checkRoot(root: XmlRoot, file: string): void {
  if (root.name !== ROOT) {
    throw failAt({ file, line: root.line }, `root element is <${root.name}>, expected <${ROOT}>; this is not a Qualys WAS scan report`);
  }
}

function toApplication(applications: XmlElement[], rootLocation: SourceLocation): WebApplication {
  const [application] = applications;
  if (application === undefined) {
    throw failAt(rootLocation, 'the report has no APPENDIX/WEBAPP entry, so the scanned web application is unknown; export the scan report with its appendix');
  }
  if (applications.length > 1) {
    throw failAt(
      { file: rootLocation.file, line: applications[1]?.line ?? null },
      `the report covers ${applications.length} web applications; export one scan report per web application`,
    );
  }

  const location = { file: rootLocation.file, line: application.line };
  const url = childText(application, 'URL');
  if (url === null) throw failAt(location, '<WEBAPP> has no URL');

  return webApplication(url, location, { os: childText(application, 'OPERATING_SYSTEM'), scannerAssetId: childText(application, 'ID') });
}

function toFinding(detection: XmlElement, context: ReportContext, file: string): ScannerFinding {
  const location = { file, line: detection.line };
  const qid = childText(detection, 'QID');
  if (qid === null) throw failAt(location, `<${detection.name}> has no QID`);

  const entry = context.glossary.get(qid);
  if (entry === undefined) {
    throw failAt(location, `QID ${qid} has no entry in the report's GLOSSARY, so its title and severity are unknown`);
  }
  const entryLocation = { file, line: entry.line };
  const cvss3 = entry.children.find((child) => child.name === 'CVSS_V3');

  return newFinding({
    itemId: qid,
    itemName: childText(entry, 'TITLE') ?? '',
    port: context.application.port,
    severity: qualysSeverity(childText(entry, 'SEVERITY'), RESULT_TYPES.get(detection.name) ?? null, entryLocation),
    cvss2BaseScore: qualysScore(childText(entry, 'CVSS_BASE'), 'CVSS_BASE', entryLocation).score,
    cvss3BaseScore: cvss3 === undefined ? null : qualysScore(childText(cvss3, 'BASE'), 'CVSS_V3/BASE', entryLocation).score,
    synopsis: qualysHtmlToText(childText(entry, 'DESCRIPTION')),
    solution: qualysHtmlToText(childText(entry, 'SOLUTION')),
  });
}
