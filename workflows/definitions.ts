/**
 * Names shared by workflows, the API and the CLI: the task queue, signals, queries,
 * updates, search attributes, workflow ids and the workflows' input and output types.
 *
 * The API imports this file in plain Node, outside any workflow. So it imports only
 * definition helpers, which build plain descriptor objects and need no workflow context.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type {
  AssetAction,
  AssetState,
  CveAssessment,
  EscalationNotice,
  Phase,
  Priority,
  TicketSource,
} from '../domain/incident.js';

export const TASK_QUEUE = 'patchwarden';

// ---------------------------------------------------------------------------
// Policy slices passed in workflow inputs. They match the policy file's sections,
// so a caller passes `policy.rollout` and so on. A workflow keeps the copy it was
// started with, so editing the policy file changes no running workflow's timers or
// thresholds.

export interface EscalationPolicy {
  /** Points of the SLA window at which escalation notices go out, each in (0, 1]. */
  fractions: number[];
  /** Recipients by escalation level, lowest first. */
  chain: string[];
}

export interface RolloutPolicy {
  /** Share of the hosts in the canary ring, 0..1. The canary always has at least one host. */
  canaryFraction: number;
  /** A ring halts the rollout when its failed share exceeds this, 0..1. */
  failureThreshold: number;
  /** Hosts patched at once within a ring. */
  maxParallel: number;
}

export interface ExceptionPolicy {
  /** Role a principal needs to decide an exception. */
  approverRole: string;
  /** Time after the request at which approvers get a reminder, such as `'1 day'`. */
  reminderAfter: string;
  /** Time after the request at which the request is escalated. */
  escalateAfter: string;
  /** With no decision by then, the exception is denied. */
  decisionTimeout: string;
  /** How long an approved exception lasts. */
  validFor: string;
}

export interface QuarantinePolicy {
  /**
   * Contain automatically on a matching detection, or wait for approval. The
   * `quarantine` workflow does not implement the wait yet and always contains.
   */
  automatic: boolean;
}

// ---------------------------------------------------------------------------
// emergencyPatch

export interface EmergencyPatchInput {
  incidentId: string;
  source: TicketSource;
  ticketId: string;
  title: string;
  cves: string[];
  /** Principal who opened the incident, who is also the requester of every exception it raises. */
  requestedBy: string;
  /** Hostnames or asset ids that limit scoping. An empty list means every affected asset. */
  assetHints: string[];
  /** When the incident was opened, ISO 8601. The SLA clock of the first CVEs starts here. */
  createdAt: string;
  policy: {
    sla: Record<Priority, string>;
    escalation: EscalationPolicy;
    rollout: RolloutPolicy;
    exceptions: ExceptionPolicy;
    quarantine: QuarantinePolicy;
  };
}

export interface AssetStatus {
  assetId: string;
  hostname: string;
  action: AssetAction;
  state: AssetState;
}

export interface IncidentStatus {
  incidentId: string;
  phase: Phase;
  /** Highest priority among the CVEs, null before enrichment. */
  priority: Priority | null;
  /** Earliest SLA deadline among the CVEs, ISO 8601, null before enrichment. */
  slaDueAt: string | null;
  cves: CveAssessment[];
  assets: AssetStatus[];
  /** Escalation notices sent so far. */
  escalations: EscalationNotice[];
}

export interface EmergencyPatchResult extends IncidentStatus {
  /** Plain-words outcome, also written to the ticket. */
  summary: string;
}

export interface AddCvesRequest {
  cves: string[];
  /** Principal who added them, for the log. */
  principal: string;
}

export interface CancelRequest {
  principal: string;
  reason: string;
}

export const statusQuery = defineQuery<IncidentStatus>('status');
/** Returns every CVE of the incident after the new ones are enriched. */
export const addCvesUpdate = defineUpdate<CveAssessment[], [AddCvesRequest]>('addCves');
export const cancelSignal = defineSignal<[CancelRequest]>('cancel');

// ---------------------------------------------------------------------------
// patchRollout and its patchRing children

export interface RolloutHost {
  assetId: string;
  hostname: string;
  patchId: string;
}

export interface PatchRolloutInput {
  /** Also the workflow id. */
  rolloutId: string;
  incidentId: string;
  hosts: RolloutHost[];
  policy: RolloutPolicy;
  requestedBy: string;
}

export type HostOutcome = 'patched' | 'failed' | 'rolled_back' | 'skipped';

export interface HostResult extends RolloutHost {
  outcome: HostOutcome;
  detail: string;
}

export type RingName = 'canary' | 'broad';

export type RingStatus = 'pending' | 'running' | 'completed' | 'halted' | 'aborted' | 'skipped';

export interface RingProgress {
  ring: RingName;
  status: RingStatus;
  hostCount: number;
  /** Results of the hosts finished so far. The rollout's `progress` fills them only when the ring ends. */
  hosts: HostResult[];
}

export type RolloutStatus = 'running' | 'paused' | 'completed' | 'halted' | 'aborted';

export interface RolloutProgress {
  rolloutId: string;
  status: RolloutStatus;
  rings: RingProgress[];
}

export interface PatchRolloutResult {
  rolloutId: string;
  status: Exclude<RolloutStatus, 'running' | 'paused'>;
  hosts: HostResult[];
}

export interface PatchRingInput {
  rolloutId: string;
  incidentId: string;
  ring: RingName;
  hosts: RolloutHost[];
  maxParallel: number;
  failureThreshold: number;
}

export interface PatchRingResult {
  ring: RingName;
  status: Extract<RingStatus, 'completed' | 'halted' | 'aborted'>;
  hosts: HostResult[];
}

export interface OperatorRequest {
  principal: string;
  reason: string;
}

/** Pauses between hosts: hosts already deploying finish, no new host starts. */
export const pauseSignal = defineSignal<[OperatorRequest]>('pause');
export const resumeSignal = defineSignal<[OperatorRequest]>('resume');
/** Stops the rollout: hosts not yet started are skipped, patched hosts stay patched. */
export const abortSignal = defineSignal<[OperatorRequest]>('abort');
export const progressQuery = defineQuery<RolloutProgress>('progress');
/** The `progress` query of a `patchRing` child, host by host. */
export const ringProgressQuery = defineQuery<RingProgress>('progress');

// ---------------------------------------------------------------------------
// patchException

export interface PatchExceptionInput {
  /** Also the workflow id. */
  exceptionId: string;
  incidentId: string;
  assetId: string;
  hostname: string;
  cves: string[];
  /** Principal who requested the exception; segregation of duties bars them from deciding it. */
  requestedBy: string;
  reason: string;
  policy: ExceptionPolicy;
}

export interface DecideRequest {
  decision: 'approve' | 'deny';
  comment: string;
  principal: string;
  roles: string[];
}

export interface RevokeRequest {
  principal: string;
  reason: string;
}

export type ExceptionStatus = 'opening' | 'pending' | 'approved' | 'denied';

export interface ExceptionState {
  exceptionId: string;
  assetId: string;
  status: ExceptionStatus;
  requestedBy: string;
  mitigationId: string | null;
  /** Principal who decided, or `system` for the automatic denial on timeout. */
  decidedBy: string | null;
  comment: string | null;
  decidedAt: string | null;
  /** End of an approved exception, ISO 8601. */
  expiresAt: string | null;
  /** Approver notifications sent while the decision was pending. */
  notificationsSent: Array<'reminder' | 'escalation'>;
}

/** Approves or denies. The validator enforces the approver role, segregation of duties and a single decision. */
export const decideUpdate = defineUpdate<ExceptionState, [DecideRequest]>('decide');
/** Withdraws a pending exception, which counts as a denial by the revoking principal. */
export const revokeSignal = defineSignal<[RevokeRequest]>('revoke');
export const exceptionStateQuery = defineQuery<ExceptionState>('state');

// ---------------------------------------------------------------------------
// quarantine

export interface QuarantineInput {
  /** Also the workflow id. */
  quarantineId: string;
  incidentId: string;
  assetId: string;
  detectionId: string;
  policy: QuarantinePolicy;
}

export type QuarantineStatus = 'containing' | 'verifying' | 'contained' | 'failed';

export interface QuarantineState {
  quarantineId: string;
  assetId: string;
  status: QuarantineStatus;
  containmentId: string | null;
  detail: string;
}

export const quarantineStateQuery = defineQuery<QuarantineState>('state');

// ---------------------------------------------------------------------------
// Search attributes, upserted at each phase change so the Web UI can filter on them.

export const incidentIdSearchAttribute = defineSearchAttributeKey('PatchwardenIncidentId', 'KEYWORD');
export const cvesSearchAttribute = defineSearchAttributeKey('PatchwardenCves', 'KEYWORD_LIST');
export const phaseSearchAttribute = defineSearchAttributeKey('PatchwardenPhase', 'KEYWORD');
export const prioritySearchAttribute = defineSearchAttributeKey('PatchwardenPriority', 'KEYWORD');
export const assetCountSearchAttribute = defineSearchAttributeKey('PatchwardenAssetCount', 'INT');

/** Every Patchwarden search attribute, for registering them with a Temporal namespace. */
export const SEARCH_ATTRIBUTES = [
  incidentIdSearchAttribute,
  cvesSearchAttribute,
  phaseSearchAttribute,
  prioritySearchAttribute,
  assetCountSearchAttribute,
] as const;

// ---------------------------------------------------------------------------
// Workflow ids from business keys, so a repeated trigger finds the running workflow.

export function emergencyWorkflowId(source: TicketSource, ticketId: string): string {
  return `emergency-${source}-${ticketId}`;
}

/**
 * Returns `rollout-<incidentId>` for an incident's first rollout and
 * `rollout-<incidentId>-<n>` for the rollout of its n-th remediation wave, which
 * CVEs added later start.
 */
export function rolloutWorkflowId(incidentId: string, wave = 1): string {
  return wave === 1 ? `rollout-${incidentId}` : `rollout-${incidentId}-${wave}`;
}

/** Like `rolloutWorkflowId`, a later wave gets a `-<n>` suffix. */
export function exceptionWorkflowId(incidentId: string, assetId: string, wave = 1): string {
  return wave === 1 ? `exception-${incidentId}-${assetId}` : `exception-${incidentId}-${assetId}-${wave}`;
}

/** Like `rolloutWorkflowId`, a later wave gets a `-<n>` suffix. */
export function quarantineWorkflowId(incidentId: string, assetId: string, wave = 1): string {
  return wave === 1 ? `quarantine-${incidentId}-${assetId}` : `quarantine-${incidentId}-${assetId}-${wave}`;
}

export function ringWorkflowId(rolloutId: string, ring: RingName): string {
  return `${rolloutId}-${ring}`;
}
