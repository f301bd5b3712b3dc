/**
 * Parser for the Nessus CSV export: the columns `Plugin ID, CVE, CVSS, Risk,
 * Host, Protocol, Port, Name, ...` that Nessus Professional writes, with or
 * without its optional columns (`CVSS v3.0 Base Score`, `XREF`, `MSKB`,
 * `Metasploit`, ...). Tenable VM's vulnerability workbench writes the same
 * columns followed by asset and state columns (`IP Address`, `FQDN`, `OS`,
 * `Vulnerability State`, `CVSS3 Vector`, ...), and those are read too.
 *
 * Scanner product: 'nessus'. The rows are Nessus plugin results, with the same
 * plugin ids and finding keys as a `.nessus` file of the same scan, so an
 * import of either updates the same findings.
 *
 * Nessus writes one row per plugin, port and CVE, so a plugin naming ten CVEs
 * takes ten rows. They merge into one finding with the ten CVEs.
 */

import type { ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { firstIpAddress, parseCveList, parsePort, parseScore, parseVendorDate, presentValue } from './finding-values.js';
import { newFinding, newHost } from './host-findings.js';
import { fixedVersionsFromOutput, patchIdsFromCrossReferences } from './remediation.js';
import { severityFromRiskName } from './severity.js';

export const NESSUS_CSV_LAYOUT: CsvLayout = {
  formatName: 'Nessus CSV',
  required: ['Plugin ID', 'Risk', 'Host', 'Protocol', 'Port', 'Name'],
};

/**
 * Columns that mark a public exploit: Tenable's flags and the exploit framework
 * columns. Any value other than empty, false, no or 0 means one exists.
 */
const EXPLOIT_COLUMNS = ['Exploit Available', 'Metasploit', 'Core Impact', 'CANVAS', 'Exploited by Malware'];

/**
 * Reads a Nessus CSV export and yields one report per host (the `Host` column)
 * at the end of the file. Severity comes from `Risk` (None is informational).
 * Rows whose `Vulnerability State` is Fixed add no finding, but their host is
 * still reported, so the store closes the fixed finding.
 *
 * @throws ImportFormatError when the header lacks a required column, the CSV
 *   is malformed, or a row has an invalid risk, port, CVE id, score or date.
 */
export const readNessusCsv: CsvReportReader = csvReportReader(NESSUS_CSV_LAYOUT, 'nessus', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const name = row.required('Host');
  const host = newHost({
    name,
    ip: firstIpAddress(row.get('IP Address')) ?? firstIpAddress(name),
    fqdn: presentValue(row.get('FQDN')),
    netbiosName: presentValue(row.get('NetBios')),
    os: presentValue(row.get('OS')),
  });

  const fixed = row.get('Vulnerability State')?.toLowerCase() === 'fixed';
  return { hostKey: name, host, finding: fixed ? null : toFinding(row) };
}

function toFinding(row: CsvRow): ScannerFinding {
  const at = row.location;
  const crossReferences = [row.get('XREF'), prefixed('MSKB', row.get('MSKB'))].filter((value) => value !== null).join(';');

  return newFinding({
    itemId: row.required('Plugin ID'),
    itemName: row.get('Name') ?? '',
    port: parsePort(row.get('Port') ?? '0', at),
    protocol: row.get('Protocol') ?? undefined,
    serviceName: presentValue(row.get('Service')),
    severity: severityFromRiskName(row.required('Risk'), 'Risk', at),
    cves: parseCveList(row.get('CVE'), at),
    cvss3BaseScore: parseScore(row.get('CVSS v3.0 Base Score') ?? row.get('CVSS3 Base Score'), 'CVSS v3 base score', at),
    cvss3Vector: presentValue(row.get('CVSS3 Vector')),
    cvss2BaseScore: parseScore(row.get('CVSS v2.0 Base Score') ?? row.get('CVSS Base Score') ?? row.get('CVSS'), 'CVSS v2 base score', at),
    cvss2Vector: presentValue(row.get('CVSS Vector')),
    synopsis: presentValue(row.get('Synopsis')),
    solution: presentValue(row.get('Solution')),
    patchPublicationDate: parseVendorDate(row.get('Patch Publication Date'), 'Patch Publication Date', at),
    exploitAvailable: EXPLOIT_COLUMNS.some((column) => hasExploit(row.get(column))),
    fixedVersions: fixedVersionsFromOutput(row.get('Plugin Output')),
    patchIds: patchIdsFromCrossReferences(crossReferences),
  });
}

/** Turns the MSKB column's `5003169, 5003171` into `MSKB:5003169;MSKB:5003171`. */
function prefixed(type: string, ids: string | null): string | null {
  if (ids === null) return null;
  return ids
    .split(/[\s,;]+/)
    .filter((id) => id !== '')
    .map((id) => `${type}:${id}`)
    .join(';');
}

function hasExploit(value: string | null): boolean {
  return value !== null && !['false', 'no', '0'].includes(value.toLowerCase());
}
