/**
 * Parser for the Greenbone (OpenVAS, GVM) CSV results export: the columns `IP,
 * Hostname, Port, Port Protocol, CVSS, Severity, [QoD,] Solution Type, NVT
 * Name, Summary, Specific Result, NVT OID, CVEs, ..., Solution, ...`.
 *
 * Scanner product: 'openvas'. Findings are keyed by NVT OID, port and protocol.
 */

import type { ScannedHost, ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { parseCveList, presentValue } from './finding-values.js';
import { newFinding, newHost } from './host-findings.js';
import { cveFromOid, greenbonePort, greenboneSeverity, unwrapGreenboneText } from './openvas-fields.js';
import { fixedVersionsFromOutput } from './remediation.js';

export const OPENVAS_CSV_LAYOUT: CsvLayout = {
  formatName: 'Greenbone CSV',
  required: ['IP', 'Port', 'Port Protocol', 'CVSS', 'Severity', 'NVT Name', 'NVT OID'],
};

/**
 * Reads a Greenbone CSV export and yields one report per host (`IP`) at the
 * end of the file. Severity comes from the `CVSS` score, or from the
 * `Severity` name when the score is empty (see `greenboneSeverity`).
 *
 * @throws ImportFormatError when the header lacks a required column, the CSV
 *   is malformed, or a row has an invalid severity, port or CVE id.
 */
export const readOpenvasCsv: CsvReportReader = csvReportReader(OPENVAS_CSV_LAYOUT, 'openvas', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const host = toHost(row);
  return { hostKey: host.name, host, finding: toFinding(row) };
}

function toHost(row: CsvRow): ScannedHost {
  return newHost({ name: row.required('IP'), fqdn: presentValue(row.get('Hostname')) });
}

function toFinding(row: CsvRow): ScannerFinding | null {
  const at = row.location;
  const oid = row.required('NVT OID');

  const severity = greenboneSeverity(row.get('CVSS'), row.get('Severity'), at, 'CVSS');
  if (severity === null) return null;

  const port = presentValue(row.get('Port'));
  const protocol = presentValue(row.get('Port Protocol'));
  return newFinding({
    itemId: oid,
    itemName: row.get('NVT Name') ?? '',
    ...greenbonePort(port === null ? null : `${port}/${protocol ?? ''}`, at),
    severity,
    cves: [...cveFromOid(oid), ...parseCveList(row.get('CVEs'), at)],
    synopsis: unwrapGreenboneText(row.get('Summary')),
    solution: unwrapGreenboneText(row.get('Solution')),
    fixedVersions: fixedVersionsFromOutput(row.get('Specific Result')),
  });
}
