/**
 * Parser for the Qualys VM scan report in CSV: one row per detection with the
 * host columns (`IP`, `Network`, `DNS`, `NetBIOS`, `OS`) followed by the
 * detection (`QID`, `Title`, `Vuln Status`, `Type`, `Severity`, `Port`,
 * `Protocol`, `CVE ID`, `Vendor Reference`, `CVSS3 Base`, `Solution`, ...).
 * Qualys may write a few report title lines before the header row.
 *
 * Scanner product: 'qualys'. Findings are keyed by QID, port and protocol.
 */

import type { ScannedHost, ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { parseCveList, parsePort, presentValue } from './finding-values.js';
import { newFinding, newHost } from './host-findings.js';
import { isFixedStatus, qualysHtmlToText, qualysScore, qualysSeverity } from './qualys-fields.js';

export const QUALYS_CSV_LAYOUT: CsvLayout = {
  formatName: 'Qualys scan report CSV',
  required: ['IP', 'QID', 'Title', 'Type', 'Severity'],
  maxRowsBeforeHeader: 20,
};

/**
 * Reads a Qualys scan report CSV and yields one report per host at the end of
 * the file. A host is its network and IP address, because Qualys networks let
 * two hosts share an address. Rows whose `Vuln Status` is Fixed add no finding,
 * but their host is still reported, so the store closes the fixed finding.
 *
 * @throws ImportFormatError when no header row names the required columns, the
 *   CSV is malformed, or a row has an invalid severity, port, CVE id or score.
 */
export const readQualysCsv: CsvReportReader = csvReportReader(QUALYS_CSV_LAYOUT, 'qualys', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const host = toHost(row);
  const hostKey = `${row.get('Network') ?? ''}\u0000${host.name}`;
  const fixed = isFixedStatus(row.get('Vuln Status'));
  return { hostKey, host, finding: fixed ? null : toFinding(row) };
}

function toHost(row: CsvRow): ScannedHost {
  return newHost({
    name: row.required('IP'),
    fqdn: presentValue(row.get('DNS')) ?? presentValue(row.get('FQDN')),
    netbiosName: presentValue(row.get('NetBIOS')),
    os: presentValue(row.get('OS')),
    scannerAssetId: presentValue(row.get('Host ID')) ?? presentValue(row.get('QG Host ID')),
  });
}

function toFinding(row: CsvRow): ScannerFinding {
  const at = row.location;
  const port = presentValue(row.get('Port'));
  const cvss3 = qualysScore(row.get('CVSS3 Base'), 'CVSS3 Base', at);
  const cvss2 = qualysScore(row.get('CVSS Base'), 'CVSS Base', at);

  return newFinding({
    itemId: row.required('QID'),
    itemName: row.get('Title') ?? '',
    port: port === null ? undefined : parsePort(port, at),
    protocol: presentValue(row.get('Protocol')) ?? undefined,
    severity: qualysSeverity(row.get('Severity'), row.get('Type'), at),
    cves: parseCveList(row.get('CVE ID'), at),
    cvss3BaseScore: cvss3.score,
    cvss3Vector: cvss3.vector,
    cvss2BaseScore: cvss2.score,
    cvss2Vector: cvss2.vector,
    synopsis: qualysHtmlToText(row.get('Threat')),
    solution: qualysHtmlToText(row.get('Solution')),
    exploitAvailable: presentValue(row.get('Exploitability')) !== null,
    patchIds: splitVendorReferences(row.get('Vendor Reference')),
  });
}

/** Splits `KB5003169, KB5003171` at commas only, because a reference such as "Microsoft ASP.NET End of Life" contains spaces. */
function splitVendorReferences(text: string | null): string[] {
  const references = (text ?? '').split(',').map((part) => part.trim());
  return [...new Set(references.filter((reference) => presentValue(reference) !== null))];
}
