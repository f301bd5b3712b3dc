/**
 * Builds findings and groups them per host, the same way for every scanner
 * format. One finding stands for one scanner item on one port and protocol of
 * one host, so repeated rows (a Nessus CSV repeats a plugin once per CVE, a
 * plugin can fire twice on one port) merge into one.
 */

import { isIP } from 'node:net';

import type { ScannedHost, ScannedHostReport, ScannerFinding, ScannerProduct, ScannerSeverity } from '../../domain/findings.js';

/**
 * Port and protocol of a finding that names no port. Nessus reports host-level
 * items as port 0 over tcp, and the other parsers follow it so that a finding
 * key has one form whatever the format.
 */
export const HOST_LEVEL_PORT = 0;
export const HOST_LEVEL_PROTOCOL = 'tcp';

/** The fields a parser must supply. Everything else defaults to empty. */
export type FindingInput = Pick<ScannerFinding, 'itemId' | 'itemName' | 'severity'> & Partial<ScannerFinding>;

/**
 * Builds a finding with defaults for the fields a format lacks. `informational`
 * follows the severity, CVEs are deduplicated and the protocol is lower-cased,
 * because vendors write `TCP` and `tcp` for the same finding key.
 */
export function newFinding(input: FindingInput): ScannerFinding {
  const finding: ScannerFinding = {
    port: HOST_LEVEL_PORT,
    serviceName: null,
    cves: [],
    cvss3BaseScore: null,
    cvss3Vector: null,
    cvss2BaseScore: null,
    cvss2Vector: null,
    synopsis: null,
    solution: null,
    patchPublicationDate: null,
    exploitAvailable: false,
    ...withoutUndefined(input),
    protocol: (input.protocol ?? HOST_LEVEL_PROTOCOL).toLowerCase(),
    informational: input.severity === 0,
  };
  finding.cves = [...new Set(finding.cves)];
  return finding;
}

/** The fields a parser must supply for a host. Everything else defaults to null. */
export type HostInput = Pick<ScannedHost, 'name'> & Partial<ScannedHost>;

/**
 * Builds a host with null for the fields a format lacks. `ip` defaults to the
 * name when the name is an IP address, as scanners name hosts by address.
 */
export function newHost(input: HostInput): ScannedHost {
  return {
    ip: isIP(input.name) === 0 ? null : input.name,
    fqdn: null,
    netbiosName: null,
    os: null,
    macAddress: null,
    scannerAssetId: null,
    ...withoutUndefined(input),
  };
}

/**
 * Combines two findings with the same key on one host: the highest severity,
 * the union of CVEs, fixed versions and patch ids, and the first non-empty
 * value of every other field.
 */
export function mergeFindings(first: ScannerFinding, second: ScannerFinding): ScannerFinding {
  const severity = Math.max(first.severity, second.severity) as ScannerSeverity;
  const merged: ScannerFinding = {
    ...first,
    itemName: first.itemName === '' ? second.itemName : first.itemName,
    severity,
    informational: severity === 0,
    cves: union(first.cves, second.cves),
    serviceName: first.serviceName ?? second.serviceName,
    cvss3BaseScore: first.cvss3BaseScore ?? second.cvss3BaseScore,
    cvss3Vector: first.cvss3Vector ?? second.cvss3Vector,
    cvss2BaseScore: first.cvss2BaseScore ?? second.cvss2BaseScore,
    cvss2Vector: first.cvss2Vector ?? second.cvss2Vector,
    synopsis: first.synopsis ?? second.synopsis,
    solution: first.solution ?? second.solution,
    patchPublicationDate: first.patchPublicationDate ?? second.patchPublicationDate,
    exploitAvailable: first.exploitAvailable || second.exploitAvailable,
  };

  if (first.fixedVersions !== undefined || second.fixedVersions !== undefined) {
    merged.fixedVersions = union(first.fixedVersions ?? [], second.fixedVersions ?? []);
  }
  if (first.patchIds !== undefined || second.patchIds !== undefined) {
    merged.patchIds = union(first.patchIds ?? [], second.patchIds ?? []);
  }
  return merged;
}

/** Keeps the first non-empty value of each host field, for a host reported on several rows. */
export function mergeHosts(first: ScannedHost, second: ScannedHost): ScannedHost {
  const merged: ScannedHost = {
    name: first.name,
    ip: first.ip ?? second.ip,
    fqdn: first.fqdn ?? second.fqdn,
    netbiosName: first.netbiosName ?? second.netbiosName,
    os: first.os ?? second.os,
    macAddress: first.macAddress ?? second.macAddress,
    scannerAssetId: first.scannerAssetId ?? second.scannerAssetId,
  };

  if (first.macAddresses !== undefined || second.macAddresses !== undefined) {
    merged.macAddresses = union(first.macAddresses ?? [], second.macAddresses ?? []);
  }
  return merged;
}

/** The findings of one host, merged by item, port and protocol. */
export class FindingSet {
  private readonly byKey = new Map<string, ScannerFinding>();

  add(finding: ScannerFinding): void {
    const key = `${finding.itemId}\u0000${finding.port}\u0000${finding.protocol}`;
    const earlier = this.byKey.get(key);
    this.byKey.set(key, earlier === undefined ? finding : mergeFindings(earlier, finding));
  }

  toArray(): ScannerFinding[] {
    return [...this.byKey.values()];
  }
}

/**
 * Collects findings of many hosts when a file does not group its rows by host
 * (CSV exports, OpenVAS results sorted by severity). Reports come out only at
 * the end, so a host's report is complete: the store closes whatever a report
 * omits, and a host reported twice would lose the findings of its first half.
 * Memory grows with the parsed findings (not with the raw rows, whose
 * descriptions and plugin output are dropped).
 */
export class HostFindingsCollector {
  private readonly hosts = new Map<string, { host: ScannedHost; findings: FindingSet }>();

  /** Registers a host, for example one whose every row is a fixed finding, so that the import still covers it. */
  addHost(hostKey: string, host: ScannedHost): FindingSet {
    const entry = this.hosts.get(hostKey);
    if (entry !== undefined) {
      entry.host = mergeHosts(entry.host, host);
      return entry.findings;
    }

    const findings = new FindingSet();
    this.hosts.set(hostKey, { host, findings });
    return findings;
  }

  add(hostKey: string, host: ScannedHost, finding: ScannerFinding): void {
    this.addHost(hostKey, host).add(finding);
  }

  /** Returns one report per host in the order the hosts first appeared. */
  reports(scanner: ScannerProduct): ScannedHostReport[] {
    return [...this.hosts.values()].map((entry) => ({ scanner, host: entry.host, findings: entry.findings.toArray() }));
  }
}

/** Drops the keys whose value is undefined, so that a field a parser passes as undefined does not hide its default. */
function withoutUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as T;
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}
