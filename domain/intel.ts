/**
 * Vulnerability intelligence in the engine's own terms. Parsers in
 * `integrations/intel/` turn vendor files into these shapes; vendor field names
 * stop there.
 */
import type { CpeName } from './cpe-name.js';

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
  /** Such as `2025.08.25`; null for the CSV form of the catalog, which states no version. */
  catalogVersion: string | null;
  /** ISO 8601 date-time; null for the CSV form, which states no release time. */
  dateReleased: string | null;
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
  /** Scoring source, e.g. `nvd@nist.gov`. */
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
  /** Platforms the CVE applies to, in record order. Empty while NVD has not analyzed the CVE. */
  configurations: CpeConfiguration[];
}

/** Operator that combines the children of a configuration or node: AND requires all of them, OR any one. */
export type CpeOperator = 'AND' | 'OR';

/** Version bounds of a CPE match. A bound the match does not set is null. */
export interface CpeVersionRange {
  startIncluding: string | null;
  startExcluding: string | null;
  endIncluding: string | null;
  endExcluding: string | null;
}

/** One `cpeMatch` entry of an NVD configuration node. */
export interface CpeMatch {
  /** False for a platform that only has to be present, such as the OS under a vulnerable application. */
  vulnerable: boolean;
  /** The CPE 2.3 formatted string as NVD writes it. */
  criteria: string;
  /** NVD's id for the criteria, the key of its CPE Match API. */
  matchCriteriaId: string;
  /** The attributes of `criteria`. */
  cpe: CpeName;
  range: CpeVersionRange;
}

/** A node: CPE matches combined by one operator, the whole result inverted when `negate` is set. */
export interface CpeNode {
  operator: CpeOperator;
  negate: boolean;
  matches: CpeMatch[];
}

/**
 * One configuration: nodes combined by one operator. A CVE applies to a system
 * that satisfies any one of its configurations.
 */
export interface CpeConfiguration {
  operator: CpeOperator;
  negate: boolean;
  nodes: CpeNode[];
}

/** A CVSS metric from a CVE JSON 5 record, with the container that contains it. */
export interface Cve5Metric extends CvssMetric {
  /** `cna` for the CVE Numbering Authority's own container, `adp` for an Authorized Data Publisher's. */
  container: 'cna' | 'adp';
}

/**
 * SSVC decision points CISA's ADP container (Vulnrichment) assigns, as written
 * there. Values are kept raw (`active` and `Active` both occur), so a reader
 * matches them ignoring case.
 */
export interface AdpSsvc {
  exploitation: string | null;
  automatable: string | null;
  technicalImpact: string | null;
  /** SSVC version, such as `2.0.3`. */
  version: string | null;
  /** Such as `CISA Coordinator`. */
  role: string | null;
  /** When CISA assessed the CVE, ISO 8601. */
  assessedAt: string | null;
}

/** CISA KEV listing as the ADP container records it. */
export interface AdpKevReference {
  /** `YYYY-MM-DD`. */
  dateAdded: string | null;
  reference: string | null;
}

/** One CVE record in the CVE JSON 5 format, as cvelistV5 and cisagov/vulnrichment publish it. */
export interface Cve5Record {
  cve: string;
  /** `PUBLISHED` or `REJECTED`. */
  state: string;
  /** English description from the CNA container; for a rejected record, the rejection reason. */
  description: string;
  /** ISO 8601 with an offset; the parser adds `Z` where the record gives none. */
  datePublished: string | null;
  dateUpdated: string | null;
  metrics: Cve5Metric[];
  /** Distinct CWE ids from the CNA and ADP problem types, CNA first. */
  cwes: string[];
  ssvc: AdpSsvc | null;
  kev: AdpKevReference | null;
}

/** One event of an OSV range; exactly one field is set. */
export interface OsvRangeEvent {
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  limit?: string;
}

export interface OsvRange {
  /** `SEMVER`, `ECOSYSTEM` or `GIT`. */
  type: string;
  /** Repository URL, for `GIT` ranges. */
  repo: string | null;
  events: OsvRangeEvent[];
}

/** One `affected` entry of an OSV record. An entry with only a `GIT` range names no package. */
export interface OsvAffected {
  ecosystem: string | null;
  name: string | null;
  purl: string | null;
  ranges: OsvRange[];
  /** Versions listed one by one. */
  versions: string[];
}

/** A severity entry of an OSV record: a CVSS vector (`CVSS_V2`, `CVSS_V3`, `CVSS_V4`) or an `Ubuntu` rating. */
export interface OsvSeverity {
  type: string;
  score: string;
}

/** One advisory in the Open Source Vulnerability (OSV) format. */
export interface OsvAdvisory {
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  summary: string;
  /** Every alias as written (CVE, GHSA and other ids). */
  aliases: string[];
  /** CVE ids the advisory is about: its own id, its aliases and its `upstream` ids that are CVE ids. */
  cves: string[];
  affected: OsvAffected[];
  severity: OsvSeverity[];
}

/**
 * HTTP validators of the feed copy imported last (`ETag` and `Last-Modified`
 * response headers). A refresh sends them back in `If-None-Match` and
 * `If-Modified-Since`, so a server can respond 304 for an unchanged feed.
 */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}
