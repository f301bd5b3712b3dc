/**
 * Vulnerability intelligence in the engine's own terms. Parsers in
 * `integrations/intel/` turn vendor files into these shapes; vendor field names
 * stop there.
 */

/** One entry of the CISA Known Exploited Vulnerabilities catalog. */
export interface KevEntry {
  cve: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  /** Date the entry joined the catalog, `YYYY-MM-DD`. */
  dateAdded: string;
  shortDescription: string;
  requiredAction: string;
  /** Federal remediation due date, `YYYY-MM-DD`; it means the end of that day in UTC. */
  dueDate: string;
  /** `Known` or `Unknown` in the catalog. */
  knownRansomwareCampaignUse: string;
  notes: string;
  cwes: string[];
}

export interface KevCatalog {
  catalogVersion: string;
  dateReleased: string;
  entries: KevEntry[];
}

/** One EPSS row: probability of exploitation in the next 30 days and its percentile, both 0..1. */
export interface EpssScore {
  cve: string;
  epss: number;
  percentile: number;
}

/** Header facts of an EPSS file; the semicolon variant carries neither. */
export interface EpssFileInfo {
  modelVersion: string | null;
  /** `YYYY-MM-DD`. */
  scoreDate: string | null;
}

export type CvssVersion = '4.0' | '3.1' | '3.0' | '2.0';

export interface CvssMetric {
  version: CvssVersion;
  baseScore: number;
  vector: string;
  /** Who scored it, e.g. `nvd@nist.gov`. */
  source: string;
  /** `Primary` (NVD) or `Secondary` (a CNA). */
  type: string;
}

/** One CVE record from the NVD CVE API 2.0. */
export interface NvdRecord {
  cve: string;
  published: string;
  lastModified: string;
  /** `vulnStatus`, e.g. `Analyzed`, `Modified`, `Rejected`. */
  status: string;
  description: string;
  metrics: CvssMetric[];
  cwes: string[];
  /** CISA KEV fields NVD copies into the record, when present. */
  cisaExploitAdd: string | null;
  cisaActionDue: string | null;
  references: { url: string; tags: string[] }[];
}
