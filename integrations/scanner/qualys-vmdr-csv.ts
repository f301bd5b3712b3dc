/**
 * Parser for the Qualys VMDR "Asset Vuln Datalist Report" CSV, in its QID view
 * (one row per detection) and its CVE view (one row per detection and CVE,
 * with `CVE` and NVD score columns in front). Both start with a few report
 * lines (title, company, user) before the header row, and name the asset by
 * `Asset Id`, `Asset Name`, `Asset IPV4` and `Asset IPV6`.
 *
 * Scanner product: 'qualys'. Findings are keyed by QID, port and protocol, so
 * the rows of the CVE view merge into one finding per QID with all its CVEs.
 */

import type { ScannedHost, ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { firstIpAddress, parseCveList, parsePort, parseScore, parseVendorDate, presentValue } from './finding-values.js';
import { newFinding, newHost } from './host-findings.js';
import { isFixedStatus, qualysHtmlToText, qualysSeverity } from './qualys-fields.js';

export const QUALYS_VMDR_CSV_LAYOUT: CsvLayout = {
  formatName: 'Qualys VMDR CSV',
  required: ['QID', 'Title', 'Severity', 'Type Detected', 'Asset Id', 'Asset Name'],
  maxRowsBeforeHeader: 20,
};

/** Qualys real-time threat indicators that mean a public or active exploit exists ("Active Exploit", "Exploit Public", "Easy Exploit"). */
const EXPLOIT_INDICATOR = /exploit/i;

/**
 * Reads a Qualys VMDR CSV and yields one report per asset (`Asset Id`) at the
 * end of the file. Rows whose `Status` is FIXED add no finding, but their asset
 * is still reported, so the store closes the fixed finding.
 *
 * @throws ImportFormatError when no header row names the required columns, the
 *   CSV is malformed, or a row has an invalid severity, port, CVE id, score or date.
 */
export const readQualysVmdrCsv: CsvReportReader = csvReportReader(QUALYS_VMDR_CSV_LAYOUT, 'qualys', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const assetId = row.required('Asset Id');

  const fixed = isFixedStatus(row.get('Status'));
  return { hostKey: assetId, host: toHost(row, assetId), finding: fixed ? null : toFinding(row) };
}

function toHost(row: CsvRow, assetId: string): ScannedHost {
  const ip = firstIpAddress(row.get('Asset IPV4')) ?? firstIpAddress(row.get('Asset IPV6'));
  return newHost({
    name: presentValue(row.get('Asset Name')) ?? ip ?? assetId,
    ip,
    os: presentValue(row.get('Operating System')),
    scannerAssetId: assetId,
  });
}

function toFinding(row: CsvRow): ScannerFinding {
  const at = row.location;
  const port = presentValue(row.get('Port'));
  return newFinding({
    itemId: row.required('QID'),
    itemName: row.get('Title') ?? '',
    port: port === null ? undefined : parsePort(port, at),
    protocol: presentValue(row.get('Protocol')) ?? undefined,
    severity: qualysSeverity(row.get('Severity'), row.get('Type Detected'), at),
    cves: parseCveList(row.get('CVE'), at),
    cvss3BaseScore: parseScore(row.get('CVSSv3.1 Base (nvd)'), 'CVSSv3.1 Base (nvd)', at),
    cvss2BaseScore: parseScore(row.get('CVSSv2 Base (nvd)'), 'CVSSv2 Base (nvd)', at),
    synopsis: qualysHtmlToText(row.get('Threat')),
    solution: qualysHtmlToText(row.get('Solution')),
    patchPublicationDate: parseVendorDate(row.get('Patch Released'), 'Patch Released', at),
    exploitAvailable: EXPLOIT_INDICATOR.test(row.get('RTI') ?? ''),
  });
}
