/**
 * The activity contract between workflows and their implementations. Workflows
 * import these types only (through `proxyActivities<PatchwardenActivities>`); the
 * worker registers the implementations from `activities/`.
 *
 * Outcomes a workflow must branch on (a failed deploy, an unhealthy host) are
 * returned as values. Thrown errors are for retrying or for bugs.
 */
import type {
  AssetAction,
  AssetState,
  CveAssessment,
  EscalationNotice,
  Phase,
  Priority,
} from '../domain/incident.js';

export interface AffectedAsset {
  assetId: string;
  hostname: string;
  ip: string | null;
  /** CVEs of the incident that this asset's open findings name. */
  cves: string[];
}

export interface Detection {
  assetId: string;
  detectionId: string;
  severity: string;
  description: string;
  /** ATT&CK technique ids the EDR named. Absent in results recorded before the field existed. */
  techniqueIds?: string[];
  /** ISO 8601. Absent in results recorded before the field existed. */
  detectedAt?: string;
}

export interface AssetPlan {
  assetId: string;
  hostname: string;
  action: AssetAction;
  /** Plain words: why this action (freeze, no patch, EDR detection, ...). */
  reason: string;
  cves: string[];
  /** Patch to deploy; set for `patch` and `quarantine`, null when no patch exists. */
  patchId: string | null;
  /** EDR detection behind a `quarantine`. */
  detectionId: string | null;
}

export type DeployOutcome = 'installed' | 'already-installed' | 'failed';

/** Importer name that an intel refresh records in the `imports` and audit rows. */
export interface IntelImportInput {
  importedBy: string;
}

/** A feed refresh that imported nothing because the server responded 304 Not Modified to a conditional request. */
export interface UnchangedFeedResult {
  unchanged: true;
  /** File name taken from the feed URL. */
  file: string;
}

export interface KevImportedResult {
  unchanged: false;
  /** File name taken from the feed URL. */
  file: string;
  format: 'json' | 'csv';
  entries: number;
  added: number;
  removed: number;
  /** CVEs that were not in KEV before this refresh, sorted. */
  addedCves: string[];
}

/**
 * An unchanged KEV catalog adds no CVE, except that a retried activity reports
 * the CVEs an earlier attempt added before it failed.
 */
export type KevRefreshResult = KevImportedResult | (UnchangedFeedResult & { addedCves: string[] });

export interface EpssImportedResult {
  unchanged: false;
  file: string;
  /** `YYYY-MM-DD`. */
  scoreDate: string;
  rows: number;
}

export type EpssRefreshResult = EpssImportedResult | UnchangedFeedResult;

export interface NvdSyncResult {
  /** Modification windows of at most 120 days that were synced. */
  windows: number;
  pages: number;
  records: number;
  /** End of the last synced window, ISO 8601; the next sync starts there. */
  syncedUntil: string;
}

export interface OpenedIncidents {
  started: { cve: string; incidentId: string; workflowId: string }[];
  /** CVEs for which no incident was started, with the reason in plain words. */
  skipped: { cve: string; reason: string }[];
}

export interface PatchwardenActivities {
  /** Looks up KEV, EPSS and CVSS for each CVE and stores its priority and SLA deadline. */
  enrichCves(input: {
    incidentId: string;
    cves: string[];
    clockStartAt: string;
    /**
     * SLA durations per priority from the policy the incident started with. When set,
     * deadlines follow it instead of the worker's current policy, so a policy change
     * never moves a running incident's deadlines.
     */
    sla?: Record<Priority, string>;
  }): Promise<CveAssessment[]>;

  /** Lists assets whose open findings name any of the CVEs (or, when given, only the hinted hosts). */
  scopeAssets(input: { incidentId: string; cves: string[]; assetHints: string[] }): Promise<AffectedAsset[]>;

  /** Returns current high-severity EDR detections on the given assets. */
  correlateDetections(input: { incidentId: string; assetIds: string[] }): Promise<Detection[]>;

  /** Decides patch, exception or quarantine per asset and writes the `patches` rows it needs. */
  planRemediation(input: {
    incidentId: string;
    assets: AffectedAsset[];
    detections: Detection[];
  }): Promise<AssetPlan[]>;

  /** Stores the incident's phase, priority and deadline, and audits the change. */
  recordPhase(input: {
    incidentId: string;
    phase: Phase;
    priority: Priority | null;
    slaDueAt: string | null;
  }): Promise<void>;

  /** Stores an affected asset's state and audits it. */
  recordAssetState(input: {
    incidentId: string;
    assetId: string;
    action: AssetAction;
    state: AssetState;
    detail: string;
  }): Promise<void>;

  /** Notifies the recipient, stores the notice and audits it. Idempotent on incident, cve and fraction. */
  sendEscalation(input: { incidentId: string; notice: EscalationNotice }): Promise<void>;

  /** Updates the source ticket with the outcome and writes the closing audit row. */
  closeIncident(input: {
    incidentId: string;
    outcome: Phase;
    summary: string;
  }): Promise<void>;

  /** Eligibility and health checks before a deploy. */
  precheckHost(input: { rolloutId: string; assetId: string; patchId: string }): Promise<{ ok: boolean; detail: string }>;

  /**
   * Installs the patch. The adapter records `deploymentId` where the effect happens,
   * so a retried call with the same id returns `already-installed` and installs nothing.
   */
  deployPatch(input: {
    deploymentId: string;
    rolloutId: string;
    assetId: string;
    patchId: string;
  }): Promise<{ outcome: DeployOutcome; detail: string }>;

  /** Validates a host after patching: the service responds and the patch shows as installed. */
  validateHost(input: { deploymentId: string; assetId: string; patchId: string }): Promise<{ healthy: boolean; detail: string }>;

  /** Removes the patch a deployment installed. Idempotent on `deploymentId`. */
  rollbackPatch(input: { deploymentId: string; assetId: string; patchId: string }): Promise<void>;

  /** Stores a new pending exception and audits the request. */
  openException(input: {
    exceptionId: string;
    incidentId: string;
    assetId: string;
    cves: string[];
    requestedBy: string;
    reason: string;
  }): Promise<void>;

  /** Puts a temporary WAF/IPS virtual patch in front of the asset for the CVEs. */
  applyMitigation(input: { exceptionId: string; assetId: string; cves: string[] }): Promise<{ mitigationId: string }>;

  /** Sends an exception reminder or escalation to the approvers. */
  notifyApprovers(input: { exceptionId: string; kind: 'reminder' | 'escalation'; message: string }): Promise<void>;

  /** Stores the decision (by a principal, or automatic on timeout) and audits it. */
  recordExceptionDecision(input: {
    exceptionId: string;
    decision: 'approved' | 'denied';
    principal: string;
    comment: string;
    decidedAt: string;
    expiresAt: string | null;
  }): Promise<void>;

  /** Contains the host through the EDR and records the quarantine. Idempotent on `quarantineId`. */
  containHost(input: {
    quarantineId: string;
    incidentId: string;
    assetId: string;
    detectionId: string;
  }): Promise<{ containmentId: string }>;

  /** Asks the EDR whether the host is contained. */
  verifyContainment(input: { quarantineId: string; assetId: string }): Promise<{ contained: boolean; detail: string }>;

  /** Downloads the KEV feed the policy names and imports it. */
  refreshKev(input: IntelImportInput): Promise<KevRefreshResult>;

  /** Downloads the EPSS feed the policy names and imports it as that day's scores. */
  refreshEpss(input: IntelImportInput): Promise<EpssRefreshResult>;

  /** Imports the NVD records modified since the last sync, page by page, from the NVD CVE API. */
  syncNvd(input: IntelImportInput): Promise<NvdSyncResult>;

  /** Recomputes the stored risk scores of open findings after new intel. */
  rescoreOpenFindings(input: IntelImportInput): Promise<{ findings: number }>;

  /**
   * Starts an `emergencyPatch` (id `emergency-api-kev-<cve>`) for each CVE that an
   * open finding names, unless an incident for that ticket already exists.
   */
  openIncidentsForNewKev(input: { cves: string[] }): Promise<OpenedIncidents>;
}
