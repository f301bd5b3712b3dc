/**
 * Scanner results in the engine's own terms. Each scanner parser in
 * `integrations/scanner/` yields one `ScannedHost` at a time with its findings and
 * never keeps the raw file in memory. Parsers of formats that group results by
 * host keep one host at a time. CSV and Greenbone parsers keep the parsed
 * findings until the end of the file, because those files do not group rows by host.
 */

export type ScannerProduct = 'nessus' | 'tenable' | 'qualys' | 'openvas' | 'nexpose';

/** Severity as scanners grade it: 0 informational, 1 low, 2 medium, 3 high, 4 critical. */
export type ScannerSeverity = 0 | 1 | 2 | 3 | 4;

export interface ScannedHost {
  /**
   * The name the scanner reports the host under (Nessus `ReportHost@name`). A web
   * application is keyed by its base URL, such as `https://shop.example.com`.
   */
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
  /**
   * Versions or packages that fix the finding, as the scanner wrote them in its
   * output ("Fixed version : 2.4.58", "Should be : kernel-4.14.314"). Absent when
   * a parser does not read them.
   */
  fixedVersions?: string[];
  /**
   * Vendor patch and advisory ids the scanner names as the fix (Microsoft KB,
   * RHSA, USN, Qualys vendor references). Absent when a parser does not read them.
   */
  patchIds?: string[];
}

export interface ScannedHostReport {
  scanner: ScannerProduct;
  host: ScannedHost;
  findings: ScannerFinding[];
}
