/**
 * The first priority rule: a CVE's priority from its KEV listing, EPSS score and
 * CVSS base score. Every result carries its reasons in plain words, so an analyst
 * or auditor can see why a CVE got its priority.
 */
import { PRIORITIES, type Priority } from './incident.js';

/** EPSS thresholds of the rule, as probabilities 0..1. */
export interface PriorityThresholds {
  /** EPSS at or above this makes a CVE P1. The policy default is 0.5. */
  epssP1: number;
  /** EPSS at or above this makes a CVE at least P2. The policy default is 0.1. */
  epssP2: number;
}

export const DEFAULT_PRIORITY_THRESHOLDS: PriorityThresholds = { epssP1: 0.5, epssP2: 0.1 };

/**
 * CVSS base scores at which the rule raises the priority: the lower bounds of the
 * critical, high and medium bands of CVSS v3. Scores print with one decimal, as CVSS
 * defines them.
 */
const CVSS_P1 = 9.0;
const CVSS_P2 = 7.0;
const CVSS_P3 = 4.0;

export interface PriorityInput {
  kev: boolean;
  /** EPSS probability 0..1, or null when the CVE has no score. */
  epss: number | null;
  /** CVSS base score 0..10, or null when none is known. */
  cvss: number | null;
  thresholds?: PriorityThresholds;
}

export interface PriorityResult {
  priority: Priority;
  /** One plain-words reason per rule that fired at the assigned priority. */
  reasons: string[];
}

/**
 * Assigns P1 to P4. P1: in CISA KEV, or EPSS >= epssP1, or CVSS >= 9.0. P2: CVSS >= 7.0
 * or EPSS >= epssP2. P3: CVSS >= 4.0. P4 otherwise. The reasons list only the rules of
 * the assigned level, and a P4 gets one reason that lists the scores no rule matched.
 */
export function assignPriority(input: PriorityInput): PriorityResult {
  const { kev, epss, cvss } = input;
  const thresholds = input.thresholds ?? DEFAULT_PRIORITY_THRESHOLDS;

  const p1: string[] = [];
  if (kev) p1.push('in CISA KEV');
  if (epss !== null && epss >= thresholds.epssP1) p1.push(`EPSS ${epss} >= ${thresholds.epssP1}`);
  if (cvss !== null && cvss >= CVSS_P1) p1.push(`CVSS ${cvss.toFixed(1)} >= ${CVSS_P1.toFixed(1)}`);
  if (p1.length > 0) return { priority: 'P1', reasons: p1 };

  const p2: string[] = [];
  if (cvss !== null && cvss >= CVSS_P2) p2.push(`CVSS ${cvss.toFixed(1)} >= ${CVSS_P2.toFixed(1)}`);
  if (epss !== null && epss >= thresholds.epssP2) p2.push(`EPSS ${epss} >= ${thresholds.epssP2}`);
  if (p2.length > 0) return { priority: 'P2', reasons: p2 };

  if (cvss !== null && cvss >= CVSS_P3) {
    return { priority: 'P3', reasons: [`CVSS ${cvss.toFixed(1)} >= ${CVSS_P3.toFixed(1)}`] };
  }

  return { priority: 'P4', reasons: [describeNoRuleFired(input)] };
}

function describeNoRuleFired({ epss, cvss }: PriorityInput): string {
  const cvssPart = cvss === null ? 'no CVSS score' : `CVSS ${cvss.toFixed(1)} < ${CVSS_P3.toFixed(1)}`;
  const epssPart = epss === null ? 'no EPSS score' : `EPSS ${epss}`;
  return `not in CISA KEV, ${cvssPart}, ${epssPart}`;
}

/** Returns the most urgent priority of the list (P1 before P4), or null for an empty list. */
export function highestPriority(priorities: readonly Priority[]): Priority | null {
  let best: Priority | null = null;
  for (const priority of priorities) {
    if (best === null || PRIORITIES.indexOf(priority) < PRIORITIES.indexOf(best)) {
      best = priority;
    }
  }
  return best;
}
