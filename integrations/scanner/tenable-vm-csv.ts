/**
 * Parser for the Tenable VM (Tenable.io) vulnerability export in its
 * field-path layout: `asset.id`, `asset.display_ipv4_address`, `definition.id`,
 * `definition.name`, `definition.cve`, `port`, `protocol`, `severity`, `state`,
 * ..., comma or semicolon separated.
 *
 * Scanner product: 'nessus'. The `definition.id` values are Nessus plugin ids,
 * with the same finding keys as a `.nessus` file of the same scan.
 */

import type { ScannedHost, ScannerFinding } from '../../domain/findings.js';
import { type CsvEntry, type CsvLayout, type CsvReportReader, type CsvRow, csvReportReader } from './csv-rows.js';
import { firstIpAddress, isYes, parseCveList, parsePort, parseScore, parseVendorDate, presentValue, splitList } from './finding-values.js';
import { newFinding } from './host-findings.js';
import { fixedVersionsFromOutput, patchIdsFromCrossReferences } from './remediation.js';
import { severityFromNumberOrName } from './severity.js';

export const TENABLE_VM_CSV_LAYOUT: CsvLayout = {
  formatName: 'Tenable VM CSV',
  required: ['asset.id', 'definition.id', 'definition.name', 'port', 'protocol', 'severity'],
};

/** Tenable's `definition.exploitability_ease` value for a finding with a public exploit. */
const EXPLOIT_AVAILABLE = 'AVAILABLE';

/**
 * Reads a Tenable VM export and yields one report per asset at the end of the
 * file. Rows are grouped by `asset.id`, Tenable's asset UUID, because names and
 * addresses can change between scans while the UUID does not. Severity comes
 * from the finding's `severity` (after any recast), falling back to
 * `definition.severity`. Rows in state FIXED add no finding, but their asset is
 * still reported, so the store closes the fixed finding.
 *
 * @throws ImportFormatError when the header lacks a required column, the CSV
 *   is malformed, or a row has an invalid severity, port, CVE id, score or date.
 */
export const readTenableVmCsv: CsvReportReader = csvReportReader(TENABLE_VM_CSV_LAYOUT, 'nessus', toEntry);

function toEntry(row: CsvRow): CsvEntry {
  const assetId = row.required('asset.id');

  const fixed = row.get('state')?.toUpperCase() === 'FIXED';
  return { hostKey: assetId, host: toHost(row, assetId), finding: fixed ? null : toFinding(row) };
}

function toHost(row: CsvRow, assetId: string): ScannedHost {
  const ipv4 = firstIpAddress(row.get('asset.display_ipv4_address'));
  const ip = ipv4 ?? firstIpAddress(row.get('asset.display_ipv6_address'));
  const fqdn = presentValue(row.get('asset.display_fqdn'));
  const macAddresses = splitList(row.get('asset.display_mac_address'));

  return {
    name: presentValue(row.get('asset.name')) ?? presentValue(row.get('asset.host_name')) ?? fqdn ?? ip ?? assetId,
    ip,
    fqdn,
    netbiosName: presentValue(row.get('asset.netbios_name')),
    os: presentValue(row.get('asset.operating_system')),
    macAddress: macAddresses[0] ?? null,
    macAddresses,
    scannerAssetId: assetId,
  };
}

function toFinding(row: CsvRow): ScannerFinding {
  const at = row.location;
  const severityText = row.get('severity') ?? row.get('definition.severity') ?? '';

  return newFinding({
    itemId: row.required('definition.id'),
    itemName: row.get('definition.name') ?? '',
    port: parsePort(row.get('port') ?? '0', at),
    protocol: row.get('protocol') ?? undefined,
    severity: severityFromNumberOrName(severityText, 'severity', at),
    cves: parseCveList(row.get('definition.cve'), at),
    cvss3BaseScore: parseScore(row.get('definition.cvss3.base_score'), 'definition.cvss3.base_score', at),
    cvss3Vector: presentValue(row.get('definition.cvss3.base_vector')),
    cvss2BaseScore: parseScore(row.get('definition.cvss2.base_score'), 'definition.cvss2.base_score', at),
    cvss2Vector: presentValue(row.get('definition.cvss2.base_vector')),
    synopsis: presentValue(row.get('definition.synopsis')),
    solution: presentValue(row.get('definition.solution')),
    patchPublicationDate: parseVendorDate(row.get('definition.patch_published'), 'definition.patch_published', at),
    exploitAvailable: row.get('definition.exploitability_ease') === EXPLOIT_AVAILABLE || isYes(row.get('definition.exploited_by_malware')),
    fixedVersions: fixedVersionsFromOutput(row.get('output')),
    patchIds: patchIdsFromCrossReferences(row.get('definition.references')),
  });
}
