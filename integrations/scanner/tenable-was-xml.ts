/**
 * Parser for the Tenable Web App Scanning XML export. It is a Nessus v2 file
 * (root `NessusClientData_v2`, `Report type="was"`) whose `ReportHost` is a web
 * application: its name is the application URL and its `system-type` tag is
 * `web_application`. The ReportItems read as in a `.nessus` file.
 *
 * Scanner product: 'tenable'. The findings come from Tenable's web application
 * scanner, not from Nessus, and sit on a web application asset keyed by base
 * URL (see `web-application.ts`).
 */

import type { ScannedHostReport } from '../../domain/findings.js';
import type { ScanReadOptions } from './finding-values.js';
import { hostTags, readReportHosts, reportItemFindings, requiredAttribute } from './nessus-v2.js';
import { webApplication } from './web-application.js';

/**
 * Reads a Tenable WAS XML export and yields one report per web application as
 * its `ReportHost` element closes. The base URL comes from the `ReportHost`
 * name, or from its `host-fqdn` tag when the name is not a URL.
 *
 * @throws ImportFormatError as `readNessusV2` does, and when a ReportHost names
 *   no http or https URL.
 */
export async function* readTenableWasXml(path: string, options: ScanReadOptions = {}): AsyncGenerator<ScannedHostReport> {
  const file = options.fileName ?? path;

  for await (const element of readReportHosts(path, file)) {
    const name = requiredAttribute(element, 'name', file);
    const url = name.includes('://') ? name : (hostTags(element).get('host-fqdn') ?? name);
    const application = webApplication(url, { file, line: element.line });

    yield { scanner: 'tenable', host: application.host, findings: reportItemFindings(element, file) };
  }
}
