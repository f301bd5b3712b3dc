/**
 * The contextual risk score of a finding, which is a CVE on one asset. The score
 * adds points from the CVE's intel and the asset's context. It yields a priority
 * P1 to P4 and an explanation that lists every factor with its input and its
 * contribution.
 *
 * The score is a sum. Each factor adds points up to its weight: CVSS base score,
 * EPSS probability, EPSS percentile, KEV listing, known ransomware use, public
 * exploit, asset criticality and exposure. Compensating controls then remove a
 * share of that subtotal, shown as a negative contribution. With the default
 * weights the score runs from 0 to 100, and custom weights must keep the maximum
 * at or below 100.
 */
import type { AssetExposure, CriticalityTier } from './asset-context.js';
import { newestCvssMetric } from './cvss-vector.js';
import type { Priority } from './incident.js';
import type { CvssMetric, EpssScore, KevEntry } from './intel.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig, checkRiskConfig } from './risk-config.js';
import { slaDeadline } from './sla.js';

export interface RiskInput {
  /** Every CVSS score of the CVE. The newest version counts, see `newestCvssMetric`. */
  cvssMetrics: readonly CvssMetric[];
  /** EPSS probability and percentile, both 0..1, or null when the CVE has no score. */
  epss: Pick<EpssScore, 'epss' | 'percentile'> | null;
  /** The CVE's CISA KEV entry, or null when it is not in KEV. */
  kev: Pick<KevEntry, 'dueDate' | 'knownRansomwareCampaignUse'> | null;
  exploitAvailable: boolean;
  criticality: CriticalityTier | null;
  exposure: AssetExposure | null;
  /** Compensating controls in place, such as `waf-virtual-patch`. Empty when there are none. */
  compensatingControls: readonly string[];
}

export type RiskFactorName =
  | 'cvss'
  | 'epss-probability'
  | 'epss-percentile'
  | 'kev'
  | 'ransomware'
  | 'exploit-available'
  | 'asset-criticality'
  | 'exposure'
  | 'compensating-controls'
  | 'observed-technique';

/** One line of the explanation. */
export interface RiskFactor {
  factor: RiskFactorName;
  /** The input value in plain words, e.g. `CVSS 3.1 9.8 (nvd@nist.gov)`. */
  input: string;
  /** Points added, or removed when negative, rounded to two decimals. */
  contribution: number;
}

export interface RiskScore {
  /** Sum of the factor contributions, two decimals. */
  score: number;
  priority: Priority;
  /** Every factor, including those that add nothing. */
  factors: RiskFactor[];
}

/**
 * Computes the score, its priority and the explanation.
 *
 * @throws RangeError for an invalid config, a CVSS base score outside 0..10, or
 *   an EPSS value outside 0..1.
 */
export function scoreRisk(input: RiskInput, config: RiskConfig = DEFAULT_RISK_CONFIG): RiskScore {
  checkRiskConfig(config);

  const unrounded: RiskFactor[] = [
    cvssFactor(input.cvssMetrics, config),
    ...epssFactors(input.epss, config),
    ...kevFactors(input.kev, config),
    exploitFactor(input.exploitAvailable, config),
    criticalityFactor(input.criticality, config),
    exposureFactor(input.exposure, config),
  ];
  const factors = unrounded.map((factor) => ({ ...factor, contribution: roundPoints(factor.contribution) }));

  const subtotal = sumContributions(factors);
  factors.push(compensatingControlFactor(input.compensatingControls, subtotal, config));

  const score = sumContributions(factors);
  return { score, priority: priorityForScore(score, config.priorityCutoffs), factors };
}

/** Returns the priority whose cut-off the score reaches, P1 first. */
export function priorityForScore(score: number, cutoffs: RiskConfig['priorityCutoffs']): Priority {
  if (score >= cutoffs.P1) return 'P1';
  if (score >= cutoffs.P2) return 'P2';
  if (score >= cutoffs.P3) return 'P3';
  return 'P4';
}

/** Adds contributions in hundredths of a point, so the total has no floating-point residue. */
export function sumContributions(factors: readonly RiskFactor[]): number {
  let hundredths = 0;
  for (const factor of factors) hundredths += Math.round(factor.contribution * 100);
  return hundredths / 100;
}

/** Rounds points to two decimals, the precision of every contribution. */
export function roundPoints(points: number): number {
  return Math.round(points * 100) / 100;
}

function cvssFactor(metrics: readonly CvssMetric[], config: RiskConfig): RiskFactor {
  const metric = newestCvssMetric(metrics);
  if (metric === null) return { factor: 'cvss', input: 'no CVSS score', contribution: 0 };

  if (!(metric.baseScore >= 0 && metric.baseScore <= 10)) {
    throw new RangeError(`CVSS ${metric.version} base score ${metric.baseScore} is outside 0..10`);
  }
  return {
    factor: 'cvss',
    input: `CVSS ${metric.version} ${metric.baseScore.toFixed(1)} (${metric.source})`,
    contribution: (metric.baseScore / 10) * config.cvss,
  };
}

function epssFactors(epss: RiskInput['epss'], config: RiskConfig): RiskFactor[] {
  if (epss === null) {
    return [
      { factor: 'epss-probability', input: 'no EPSS score', contribution: 0 },
      { factor: 'epss-percentile', input: 'no EPSS score', contribution: 0 },
    ];
  }

  for (const [name, value] of [['probability', epss.epss], ['percentile', epss.percentile]] as const) {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`EPSS ${name} ${value} is outside 0..1`);
  }
  return [
    { factor: 'epss-probability', input: `EPSS ${epss.epss}`, contribution: epss.epss * config.epssProbability },
    { factor: 'epss-percentile', input: `EPSS percentile ${epss.percentile}`, contribution: epss.percentile * config.epssPercentile },
  ];
}

function kevFactors(kev: RiskInput['kev'], config: RiskConfig): RiskFactor[] {
  if (kev === null) {
    return [
      { factor: 'kev', input: 'not in CISA KEV', contribution: 0 },
      { factor: 'ransomware', input: 'not in CISA KEV', contribution: 0 },
    ];
  }

  // CISA writes `Known` or `Unknown` in this field.
  const ransomware = kev.knownRansomwareCampaignUse === 'Known';
  return [
    { factor: 'kev', input: `in CISA KEV, due ${kev.dueDate}`, contribution: config.kev },
    {
      factor: 'ransomware',
      input: ransomware ? 'known ransomware campaign use' : `ransomware campaign use ${kev.knownRansomwareCampaignUse}`,
      contribution: ransomware ? config.ransomware : 0,
    },
  ];
}

function exploitFactor(exploitAvailable: boolean, config: RiskConfig): RiskFactor {
  if (!exploitAvailable) return { factor: 'exploit-available', input: 'no public exploit known', contribution: 0 };
  return { factor: 'exploit-available', input: 'public exploit available', contribution: config.exploitAvailable };
}

function criticalityFactor(criticality: CriticalityTier | null, config: RiskConfig): RiskFactor {
  if (criticality === null) {
    return { factor: 'asset-criticality', input: 'criticality tier unknown', contribution: config.criticality.unknown };
  }

  const points = [config.criticality.tier1, config.criticality.tier2, config.criticality.tier3, config.criticality.tier4][criticality - 1];
  if (points === undefined) throw new RangeError(`asset criticality tier ${String(criticality)} is not 1 to 4`);
  return { factor: 'asset-criticality', input: `criticality tier ${criticality}`, contribution: points };
}

function exposureFactor(exposure: AssetExposure | null, config: RiskConfig): RiskFactor {
  switch (exposure) {
    case 'internet-facing':
      return { factor: 'exposure', input: 'internet-facing', contribution: config.exposure.internetFacing };
    case 'internal':
      return { factor: 'exposure', input: 'internal', contribution: config.exposure.internal };
    case 'isolated':
      return { factor: 'exposure', input: 'isolated', contribution: config.exposure.isolated };
    case null:
      return { factor: 'exposure', input: 'exposure unknown', contribution: config.exposure.unknown };
  }
}

/**
 * Removes a share of the subtotal once, however many controls are listed,
 * because a control lowers the chance of exploitation but leaves the flaw in
 * place. Stacking controls must not push an unpatched finding towards zero.
 */
function compensatingControlFactor(controls: readonly string[], subtotal: number, config: RiskConfig): RiskFactor {
  if (controls.length === 0) return { factor: 'compensating-controls', input: 'none', contribution: 0 };

  const reduction = roundPoints(subtotal * config.compensatingControlReduction);
  const share = `${roundPoints(config.compensatingControlReduction * 100)}%`;
  return {
    factor: 'compensating-controls',
    input: `${controls.join(', ')} (removes ${share} of ${subtotal})`,
    contribution: reduction === 0 ? 0 : -reduction,
  };
}

export interface FindingClockInput {
  /** Time a scanner first reported the finding. */
  firstSeenAt: Date;
  /** Start of the SLA clock of the incident that covers the finding, or null outside any incident. */
  incidentClockStartAt: Date | null;
  /** SLA length per priority as a duration string (`'7 days'`, `'30m'`). */
  slaDurations: Record<Priority, string>;
}

export interface FindingRiskAssessment extends RiskScore {
  /** Start of the SLA clock, ISO 8601 UTC. */
  clockStartAt: string;
  /** SLA deadline, ISO 8601 UTC. */
  slaDueAt: string;
  /** The KEV due date had already passed when the clock started. */
  pastCisaDueDate: boolean;
}

/**
 * Scores a finding and computes its SLA deadline with the rules of `slaDeadline`.
 * The clock starts with the covering incident's clock, or at first seen for a
 * finding outside any incident.
 *
 * @throws RangeError as `scoreRisk` does, and TypeError for an invalid SLA duration or KEV due date.
 */
export function assessFindingRisk(
  input: RiskInput & FindingClockInput,
  config: RiskConfig = DEFAULT_RISK_CONFIG,
): FindingRiskAssessment {
  const risk = scoreRisk(input, config);
  return { ...risk, ...findingSlaDeadline({ ...input, priority: risk.priority, kevDueDate: input.kev?.dueDate ?? null }) };
}

/**
 * Computes a finding's SLA deadline for a given priority, for callers that
 * adjust the score after `scoreRisk` (see `raiseForObservedTechniques`).
 */
export function findingSlaDeadline(
  input: FindingClockInput & { priority: Priority; kevDueDate: string | null },
): Pick<FindingRiskAssessment, 'clockStartAt' | 'slaDueAt' | 'pastCisaDueDate'> {
  const clockStartAt = input.incidentClockStartAt ?? input.firstSeenAt;

  const deadline = slaDeadline({
    priority: input.priority,
    clockStartAt,
    slaDurations: input.slaDurations,
    kevDueDate: input.kevDueDate,
  });

  return {
    clockStartAt: clockStartAt.toISOString(),
    slaDueAt: deadline.dueAt.toISOString(),
    pastCisaDueDate: deadline.pastCisaDueDate,
  };
}
