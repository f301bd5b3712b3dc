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

  /** Post-patch validation: the service answers and the patch shows as installed. */
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
}
