/** Incident vocabulary shared by workflows, activities, the API and the database. */

export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

/** Incident phases in order; the last three are terminal. Also the `PatchwardenPhase` values. */
export const PHASES = [
  'enriching',
  'scoping',
  'planning',
  'remediating',
  'closing',
  'completed',
  'cancelled',
  'failed',
] as const;

export type Phase = (typeof PHASES)[number];

export const TERMINAL_PHASES: readonly Phase[] = ['completed', 'cancelled', 'failed'];

export type TicketSource = 'servicenow' | 'jira' | 'api';

/** Source of the CVSS score behind a priority. */
export type CvssSource = 'nvd' | 'scanner' | 'none';

/** One CVE of an incident after enrichment, with its priority and deadline. */
export interface CveAssessment {
  cve: string;
  kev: boolean;
  /** KEV due date `YYYY-MM-DD`, when in KEV. */
  kevDueDate: string | null;
  epss: number | null;
  cvss: number | null;
  cvssSource: CvssSource;
  priority: Priority;
  /** Plain-words reasons for the priority, one per rule that fired. */
  reasons: string[];
  /** When this CVE's SLA clock started (incident creation, or when it was added), ISO 8601. */
  clockStartAt: string;
  /** SLA deadline, ISO 8601 UTC. */
  slaDueAt: string;
  /** The KEV due date had already passed when the clock started. */
  pastCisaDueDate: boolean;
}

/** Remediation the plan chooses for an affected asset. */
export type AssetAction = 'patch' | 'exception' | 'quarantine';

/** Current state of an affected asset. */
export type AssetState =
  | 'planned'
  | 'patching'
  | 'patched'
  | 'failed'
  | 'rolled_back'
  | 'exception_pending'
  | 'exception_approved'
  | 'exception_denied'
  | 'quarantined';

/** An escalation notice sent (or due) because an SLA window reached a threshold. */
export interface EscalationNotice {
  cve: string;
  /** Fraction of the SLA window reached; 1 means breached. */
  fraction: number;
  /** Recipient notified at this level. */
  recipient: string;
  /** When it is due, ISO 8601 UTC. */
  dueAt: string;
  /** Why it goes out: threshold reached, or already past the CISA due date. */
  reason: 'threshold' | 'past-cisa-due-date';
}
