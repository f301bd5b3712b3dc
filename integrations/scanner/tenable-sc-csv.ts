/**
 * Parser for the Tenable.sc (SecurityCenter) vulnerability CSV export: the
 * columns `Plugin, Plugin Name, Family, Severity, IP Address, Protocol, Port,
 * Exploit?, Repository, MAC Address, DNS Name, NetBIOS Name, ...`. Older exports
 * call the output column `Plugin Text` and the solution `Solution`; newer ones
 * `Plugin Output` and `Steps to Remediate`, and add `Agent ID` and `Host ID`.
 *
 * Scanner product: 'nessus'. Tenable.sc reports Nessus plugin results, with the
 * same plugin ids and finding keys as a `.nessus` file of the same scan.
 *
 * Severity comes from `Severity` (Info, Low, Medium, High, Critical), which is
 * the severity Tenable.sc shows and may be CVSS v3 based, not from `Risk Factor`,
 * which stays CVSS v2 based (a SWEET32 row reads Severity High, Risk Factor Medium).
 */

import type { ScannedHost, ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { failAt, firstIpAddress, isYes, parseCveList, parsePort, parseScore, parseVendorDate, presentValue } from './finding-values.js';
import { newFinding, newHost } from './host-findings.js';
import { fixedVersionsFromOutput, patchIdsFromCrossReferences } from './remediation.js';
import { severityFromRiskName } from './severity.js';

export const TENABLE_SC_CSV_LAYOUT: CsvLayout = {
  formatName: 'Tenable.sc CSV',
  required: ['Plugin', 'Plugin Name', 'Severity', 'IP Address', 'Protocol', 'Port'],
};

/**
 * Reads a Tenable.sc vulnerability CSV and yields one report per host at the
 * end of the file. A host is its `Host ID` when the export has one, else its
 * repository and IP address, because Tenable.sc keeps the same address in two
 * repositories as two hosts.
 *
 * @throws ImportFormatError when the header lacks a required column, the CSV
 *   is malformed, or a row has an invalid severity, port, CVE id, score or date.
 */
export const readTenableScCsv: CsvReportReader = csvReportReader(TENABLE_SC_CSV_LAYOUT, 'nessus', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const host = toHost(row);
  const hostId = presentValue(row.get('Host ID'));
  const hostKey = hostId ?? `${row.get('Repository') ?? ''}\u0000${host.name}`;
  return { hostKey, host, finding: toFinding(row) };
}

function toHost(row: CsvRow): ScannedHost {
  const address = presentValue(row.get('IP Address'));
  const dnsName = presentValue(row.get('DNS Name'));
  const netbiosName = presentValue(row.get('NetBIOS Name'));

  const name = address ?? dnsName ?? netbiosName;
  if (name === null) {
    throw failAt(row.location, 'the row names no host: IP Address, DNS Name and NetBIOS Name are all empty');
  }

  const macAddress = presentValue(row.get('MAC Address'));
  return newHost({
    name,
    ip: firstIpAddress(address),
    fqdn: dnsName,
    netbiosName,
    macAddress,
    macAddresses: macAddress === null ? [] : [macAddress],
    scannerAssetId: presentValue(row.get('Host ID')),
  });
}

function toFinding(row: CsvRow): ScannerFinding {
  const at = row.location;
  return newFinding({
    itemId: row.required('Plugin'),
    itemName: row.get('Plugin Name') ?? '',
    port: parsePort(row.get('Port') ?? '0', at),
    protocol: row.get('Protocol') ?? undefined,
    severity: severityFromRiskName(row.required('Severity'), 'Severity', at),
    cves: parseCveList(row.get('CVE'), at),
    cvss3BaseScore: parseScore(row.get('CVSS V3 Base Score'), 'CVSS V3 Base Score', at),
    cvss3Vector: presentValue(row.get('CVSS V3 Vector')),
    cvss2BaseScore: parseScore(row.get('CVSS V2 Base Score'), 'CVSS V2 Base Score', at),
    cvss2Vector: presentValue(row.get('CVSS V2 Vector')),
    synopsis: presentValue(row.get('Synopsis')),
    solution: presentValue(row.get('Steps to Remediate') ?? row.get('Solution')),
    patchPublicationDate: parseVendorDate(row.get('Patch Publication Date'), 'Patch Publication Date', at),
    exploitAvailable: isYes(row.get('Exploit?')),
    fixedVersions: fixedVersionsFromOutput(row.get('Plugin Output') ?? row.get('Plugin Text')),
    patchIds: patchIdsFromCrossReferences(row.get('Cross References')),
  });
}
