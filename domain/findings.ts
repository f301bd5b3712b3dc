/**
 * Scanner results in the engine's own terms. Each scanner parser in
 * `integrations/scanner/` yields one `ScannedHost` at a time with its findings, so
 * an import never holds a whole file in memory.
 */

export type ScannerProduct = 'nessus' | 'tenable' | 'qualys' | 'openvas' | 'nexpose';

/** Severity as scanners grade it: 0 informational, 1 low, 2 medium, 3 high, 4 critical. */
export type ScannerSeverity = 0 | 1 | 2 | 3 | 4;

export interface ScannedHost {
  /** The name the scanner reports the host under (Nessus `ReportHost@name`). */
  name: string;
  ip: string | null;
  fqdn: string | null;
  netbiosName: string | null;
  os: string | null;
  macAddress: string | null;
  /** All MAC addresses the scanner reported, in its order. `macAddress` is the first. Absent when a parser does not read them. */
  macAddresses?: string[];
  /** Scanner's own asset id, when the format has one. */
  scannerAssetId: string | null;
}

export interface ScannerFinding {
  /** Scanner item: Nessus plugin id, Qualys QID, ... */
  itemId: string;
  itemName: string;
  port: number;
  protocol: string;
  serviceName: string | null;
  severity: ScannerSeverity;
  informational: boolean;
  cves: string[];
  cvss3BaseScore: number | null;
  cvss3Vector: string | null;
  cvss2BaseScore: number | null;
  cvss2Vector: string | null;
  synopsis: string | null;
  solution: string | null;
  /** Vendor patch publication date, ISO 8601 date `YYYY-MM-DD`. */
  patchPublicationDate: string | null;
  exploitAvailable: boolean;
}

export interface ScannedHostReport {
  scanner: ScannerProduct;
  host: ScannedHost;
  findings: ScannerFinding[];
}
