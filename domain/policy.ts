/**
 * The policy file's content as plain types, for the layers that may not import
 * config/ (activities, db, integrations). config/policy.ts validates the file with
 * zod and checks at compile time that its parsed policy is assignable to
 * `Policy`. A section the schema adds is visible here only once it is declared
 * here too. Durations are strings in Temporal's format (`'7 days'`, `'30m'`).
 */
import type { ObservedTechniquePolicy } from './attack.js';
import type { Priority } from './incident.js';
import type { PriorityThresholds } from './priority.js';
import type { RiskConfig } from './risk-config.js';
import type { SsvcPolicy } from './ssvc.js';

export interface Policy {
  /** SLA duration per priority, from incident creation or from when a CVE was added. */
  sla: Record<Priority, string>;
  escalation: {
    /** Points of the SLA window at which notices go out, each in (0, 1]. */
    fractions: number[];
    /** Recipients by escalation level, lowest first. */
    chain: string[];
  };
  priority: PriorityThresholds;
  risk: RiskConfig;
  ssvc: SsvcPolicy;
  /** Technique sightings that raise the score of CVEs mapped to them. */
  attack: ObservedTechniquePolicy;
  rollout: {
    /** Share of the hosts in the canary ring, 0..1. */
    canaryFraction: number;
    /** A ring halts when its failed share exceeds this, 0..1. */
    failureThreshold: number;
    /** Hosts patched at once within a ring. */
    maxParallel: number;
  };
  exceptions: {
    approverRole: string;
    reminderAfter: string;
    escalateAfter: string;
    /** With no decision by then, the exception is denied. */
    decisionTimeout: string;
    /** How long an approved exception lasts. */
    validFor: string;
  };
  quarantine: {
    /** Contain on a matching detection without waiting for approval. */
    automatic: boolean;
  };
  lab: LabFaults;
  /** Feed locations of the intel refresh. An unset one is not fetched. */
  feeds: {
    /** CISA KEV catalog URL, JSON or CSV. */
    kev?: string | undefined;
    /** FIRST EPSS daily CSV URL. */
    epss?: string | undefined;
    nvd?:
      | {
          /** NVD CVE API 2.0 base URL. */
          url: string;
          /** How far back the first sync reaches. */
          initialLookback: string;
          /** Results per request, 1..2000. */
          resultsPerPage: number;
        }
      | undefined;
  };
  intelRefresh: {
    /** Time between scheduled refreshes. */
    interval: string;
    /** Open an emergency incident for each CVE newly in KEV that an open finding names. */
    openIncidents: boolean;
  };
}

/** Faults the simulated lab fleet injects, matched by hostname, FQDN, IP or asset id. */
export interface LabFaults {
  seed: number;
  /** How long an install takes, as a duration string such as `'2s'`. */
  deployDuration: string;
  /** Hosts whose patch install fails. */
  deployFails: string[];
  /** Hosts with an open high-severity EDR detection. */
  edrDetection: string[];
  /** Hosts under change freeze. */
  changeFreeze: string[];
  /** Hosts with no vendor patch, for the listed CVEs (all CVEs when the list is empty). */
  noPatch: { host: string; cves: string[] }[];
}
