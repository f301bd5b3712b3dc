/**
 * Parser for the Tenable Web App Scanning CSV export: the columns `Plugin ID,
 * CVE, CVSS, CVSSv3, Risk, Host, Protocol, Port, Name, ...`, where `Host` is the
 * application's host name and `Protocol` its scheme (`http`, `https`).
 *
 * Scanner product: 'tenable'. The findings come from Tenable's web application
 * scanner (plugin ids 98000 and up), not from Nessus, and sit on a web
 * application asset keyed by base URL (see `web-application.ts`).
 */

import type { ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { parseCveList, parseScore, presentValue } from './finding-values.js';
import { newFinding } from './host-findings.js';
import { severityFromRiskName } from './severity.js';
import { webApplication } from './web-application.js';

export const TENABLE_WAS_CSV_LAYOUT: CsvLayout = {
  formatName: 'Tenable WAS CSV',
  required: ['Plugin ID', 'CVSSv3', 'Risk', 'Host', 'Protocol', 'Port', 'Name'],
};

/**
 * Reads a Tenable WAS CSV and yields one report per web application at the end
 * of the file. The base URL is `Protocol://Host`, with `:Port` when the export
 * names a port; a `Host` that is already a URL is taken as it is. Severity
 * comes from `Risk` (info, low, medium, high, critical).
 *
 * @throws ImportFormatError when the header lacks a required column, the CSV
 *   is malformed, or a row has an invalid host, risk, CVE id or score.
 */
export const readTenableWasCsv: CsvReportReader = csvReportReader(TENABLE_WAS_CSV_LAYOUT, 'tenable', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const hostName = row.required('Host');

  const port = presentValue(row.get('Port'));
  const url = hostName.includes('://') ? hostName : `${row.get('Protocol') ?? 'http'}://${hostName}${port === null ? '' : `:${port}`}`;
  const application = webApplication(url, row.location);

  return { hostKey: application.host.name, host: application.host, finding: toFinding(row, application.port) };
}

function toFinding(row: CsvRow, port: number): ScannerFinding {
  const at = row.location;
  return newFinding({
    itemId: row.required('Plugin ID'),
    itemName: row.get('Name') ?? '',
    port,
    severity: severityFromRiskName(row.required('Risk'), 'Risk', at),
    cves: parseCveList(row.get('CVE'), at),
    cvss3BaseScore: parseScore(row.get('CVSSv3'), 'CVSSv3', at),
    cvss2BaseScore: parseScore(row.get('CVSS'), 'CVSS', at),
    synopsis: presentValue(row.get('Synopsis')),
    solution: presentValue(row.get('Solution')),
  });
}
