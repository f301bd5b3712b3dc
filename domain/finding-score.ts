/**
 * The stored score of a finding. A finding is one scanner item on one asset and
 * may name several CVEs, so each CVE is scored on that asset with `scoreRisk`,
 * `assessSsvc` and the SLA rules. The finding then takes the most urgent result
 * of each kind: the highest score (with its priority and factors), the most
 * urgent SSVC decision and the earliest due date. The explanation keeps one line
 * per CVE, so a reader can see which CVE drove which part.
 */
import type { AssetExposure } from './asset-context.js';
import {
  type ObservedTechniquePolicy,
  type SightingIndex,
  fallbackTechniques,
  raiseForObservedTechniques,
  sightingsOf,
} from './attack.js';
import { newestCvssMetric } from './cvss-vector.js';
import { InvalidCvssVectorError } from './errors.js';
import type { AssetScoringContext } from './finding-context.js';
import type { Priority } from './incident.js';
import type { CvssMetric } from './intel.js';
import type { RiskConfig } from './risk-config.js';
import { type RiskFactor, type RiskScore, findingSlaDeadline, scoreRisk } from './risk.js';
import { type SsvcDecision, type SsvcDerivedInputs, type SsvcPolicy, assessSsvc } from './ssvc.js';

/** Stored intel of one CVE. */
export interface CveIntel {
  cve: string;
  /** KEV due date and ransomware use, or null when the CVE is not (or no longer) in KEV. */
  kev: { dueDate: string; knownRansomwareCampaignUse: string } | null;
  /** Current EPSS probability and percentile, or null when the newest EPSS day has no score. */
  epss: { epss: number; percentile: number } | null;
  /** CVSS metrics from NVD. Empty when NVD has none, and then the scanner's CVSS is used. */
  cvssMetrics: CvssMetric[];
  /** URL of an NVD reference tagged `Exploit`, or null when there is none. */
  exploitReference: string | null;
  /** Technique ids the CTID mappings link to the CVE, without repeats. Empty when no mapping names it. */
  mappedTechniqueIds: string[];
}

/** The policy values scoring reads: risk weights, the SSVC threshold, SLA lengths per priority and the observed-technique factor. */
export interface FindingScoringPolicy {
  risk: RiskConfig;
  ssvc: SsvcPolicy;
  /** SLA length per priority as a duration string (`'7 days'`). */
  sla: Record<Priority, string>;
  attack: ObservedTechniquePolicy;
}

export interface FindingScoreInput {
  /** CVEs the finding names, each with its intel. Empty for a scanner item without CVEs. */
  cves: readonly CveIntel[];
  /** CVSS metrics the scanner reported, used for a CVE without NVD metrics. */
  scannerMetrics: readonly CvssMetric[];
  /** The scanner flags a public exploit. */
  exploitAvailable: boolean;
  asset: AssetScoringContext;
  firstSeenAt: Date;
  /** Start of the SLA clock per CVE for CVEs of an incident covering the asset. */
  incidentClockStartAt: ReadonlyMap<string, Date>;
  /** Active mitigations on the asset, each with the CVEs it covers. */
  mitigations: readonly { kind: string; cves: readonly string[] }[];
  /** Techniques seen in EDR detections and incidents, from `indexSightings`. */
  sightings: SightingIndex;
  /** End of the sighting window: the time of the rescore. */
  now: Date;
}

/** One CVE's result on the finding's asset. */
export interface CveScoreLine {
  /** The CVE, or null for a finding that names none. */
  cve: string | null;
  score: number;
  priority: Priority;
  ssvcDecision: SsvcDecision;
  /** SLA deadline, ISO 8601 UTC. */
  dueAt: string;
  pastCisaDueDate: boolean;
}

/** Explanation of a finding's score, stored as JSON beside it. */
export interface FindingScoreExplanation {
  /** The CVE whose factors are listed, the one with the highest score. */
  topCve: string | null;
  factors: RiskFactor[];
  /** The most urgent decision, with the inputs of the CVE that produced it. */
  ssvc: { cve: string | null; decision: SsvcDecision; inputs: SsvcDerivedInputs };
  /** The earliest deadline and the CVE it belongs to. */
  sla: { cve: string | null; clockStartAt: string; dueAt: string; pastCisaDueDate: boolean };
  asset: AssetScoringContext;
  cves: CveScoreLine[];
}

export interface FindingScore {
  score: number;
  priority: Priority;
  ssvcDecision: SsvcDecision;
  /** Any CVE of the finding is in CISA KEV. */
  kev: boolean;
  dueAt: string;
  explanation: FindingScoreExplanation;
}

const DECISION_RANK: Record<SsvcDecision, number> = { Track: 0, 'Track*': 1, Attend: 2, Act: 3 };

interface CveResult {
  line: CveScoreLine;
  factors: RiskFactor[];
  ssvcInputs: SsvcDerivedInputs;
  clockStartAt: string;
  kev: boolean;
}

/** `scoreRisk` and `assessSsvc` results of one CVE in one asset context, before the SLA clock. */
interface CveAssessment {
  risk: RiskScore;
  ssvc: { decision: SsvcDecision; inputs: SsvcDerivedInputs };
}

/**
 * Assessments kept between findings that share a CVE and a context, such as one
 * scanner item on many hosts of one tier. Its keys name neither the intel, the
 * policy, the sightings nor the time, so a cache lives for one rescore.
 */
export type CveAssessmentCache = Map<string, CveAssessment>;

/**
 * Scores a finding. A finding without CVEs is scored once from the scanner's
 * CVSS and exploit flag alone.
 *
 * @throws RangeError or TypeError as `scoreRisk`, `findingSlaDeadline` and
 *   `assessSsvc` do, for an invalid policy or intel value out of range.
 */
export function scoreFinding(input: FindingScoreInput, policy: FindingScoringPolicy, cache: CveAssessmentCache = new Map()): FindingScore {
  const intel: (CveIntel | null)[] = input.cves.length > 0 ? [...input.cves] : [null];
  const results = intel.map((cve) => scoreCveOnFinding(cve, input, policy, cache));

  const top = pickFirst(results, (a, b) => b.line.score - a.line.score);
  const urgent = pickFirst(results, (a, b) => DECISION_RANK[b.line.ssvcDecision] - DECISION_RANK[a.line.ssvcDecision]);
  const earliest = pickFirst(results, (a, b) => Date.parse(a.line.dueAt) - Date.parse(b.line.dueAt));

  return {
    score: top.line.score,
    priority: top.line.priority,
    ssvcDecision: urgent.line.ssvcDecision,
    kev: results.some((result) => result.kev),
    dueAt: earliest.line.dueAt,
    explanation: {
      topCve: top.line.cve,
      factors: top.factors,
      ssvc: { cve: urgent.line.cve, decision: urgent.line.ssvcDecision, inputs: urgent.ssvcInputs },
      sla: {
        cve: earliest.line.cve,
        clockStartAt: earliest.clockStartAt,
        dueAt: earliest.line.dueAt,
        pastCisaDueDate: earliest.line.pastCisaDueDate,
      },
      asset: input.asset,
      cves: results.map((result) => result.line),
    },
  };
}

/** Returns the first element that no later one beats, so ties go to the CVE listed first. */
function pickFirst<T>(items: readonly T[], compare: (a: T, b: T) => number): T {
  let best: T | undefined;
  for (const item of items) if (best === undefined || compare(item, best) < 0) best = item;
  if (best === undefined) throw new RangeError('no CVE results to choose from');
  return best;
}

function scoreCveOnFinding(intel: CveIntel | null, input: FindingScoreInput, policy: FindingScoringPolicy, cache: CveAssessmentCache): CveResult {
  const cve = intel?.cve ?? null;
  const assessment = assessCve(intel, input, policy, cache);
  const sla = findingSlaDeadline({
    firstSeenAt: input.firstSeenAt,
    incidentClockStartAt: cve === null ? null : (input.incidentClockStartAt.get(cve) ?? null),
    slaDurations: policy.sla,
    priority: assessment.risk.priority,
    kevDueDate: intel?.kev?.dueDate ?? null,
  });

  return {
    line: {
      cve,
      score: assessment.risk.score,
      priority: assessment.risk.priority,
      ssvcDecision: assessment.ssvc.decision,
      dueAt: sla.slaDueAt,
      pastCisaDueDate: sla.pastCisaDueDate,
    },
    factors: assessment.risk.factors,
    ssvcInputs: assessment.ssvc.inputs,
    clockStartAt: sla.clockStartAt,
    kev: intel?.kev != null,
  };
}

function assessCve(intel: CveIntel | null, input: FindingScoreInput, policy: FindingScoringPolicy, cache: CveAssessmentCache): CveAssessment {
  const cve = intel?.cve ?? null;
  const fromNvd = intel !== null && intel.cvssMetrics.length > 0;
  const metrics = fromNvd ? intel.cvssMetrics : input.scannerMetrics;
  const controls = cve === null ? [] : input.mitigations.filter((mitigation) => mitigation.cves.includes(cve)).map((mitigation) => mitigation.kind);
  const exploitAvailable = input.exploitAvailable || (intel?.exploitReference ?? null) !== null;

  const { asset } = input;
  const key = assessmentKey(cve, fromNvd ? 'nvd' : metrics, exploitAvailable, asset, controls);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  const vector = newestCvssMetric(metrics)?.vector || null;
  const baseRisk = scoreRisk(
    {
      cvssMetrics: metrics,
      epss: intel?.epss ?? null,
      kev: intel?.kev ?? null,
      exploitAvailable,
      criticality: asset.criticality,
      exposure: asset.exposure,
      compensatingControls: controls,
    },
    policy.risk,
  );
  const risk = observedRisk(baseRisk, linkedTechniques(intel, vector, asset.exposure), input, policy);

  // NOTE: the scanner's exploit flag raises the risk score but is not SSVC
  // evidence, because `assessSsvc` takes PoC only from references and EPSS.
  const ssvc = assessSsvc(
    {
      kev: intel?.kev != null,
      epss: intel?.epss?.epss ?? null,
      references: intel?.exploitReference ? [{ url: intel.exploitReference, tags: ['Exploit'] }] : [],
      cvssVector: vector,
      criticality: asset.criticality,
    },
    policy.ssvc,
  );

  const assessment: CveAssessment = {
    risk: { ...risk, factors: risk.factors.map((factor) => markDefaultAssetContext(factor, asset)) },
    ssvc: { decision: ssvc.decision, inputs: markDefaultMission(ssvc.inputs, asset) },
  };
  cache.set(key, assessment);
  return assessment;
}

/** Names what an assessment depends on besides the intel, the policy, the sightings and the time. */
function assessmentKey(
  cve: string | null,
  metrics: 'nvd' | readonly CvssMetric[],
  exploitAvailable: boolean,
  asset: AssetScoringContext,
  controls: readonly string[],
): string {
  return [
    cve ?? '',
    metrics === 'nvd' ? 'nvd' : metrics.map((metric) => `${metric.version}:${metric.baseScore}:${metric.vector}:${metric.source}`).join(';'),
    exploitAvailable,
    `${asset.criticality}:${asset.criticalitySource}:${asset.exposure}:${asset.exposureSource}`,
    controls.join(','),
  ].join('|');
}

/** Adds the observed-technique factor: points when a technique linked to the CVE was seen within the policy window. */
function observedRisk(risk: RiskScore, techniqueIds: string[], input: FindingScoreInput, policy: FindingScoringPolicy): RiskScore {
  return raiseForObservedTechniques(risk, {
    techniqueIds,
    sightings: sightingsOf(input.sightings, techniqueIds),
    now: input.now,
    window: policy.attack.sightingWindow,
    weight: policy.attack.sightingWeight,
    priorityCutoffs: policy.risk.priorityCutoffs,
  });
}

/**
 * Returns the technique ids linked to a CVE: its CTID mappings, else those the
 * fallback rules pick from its CVSS vector and the asset's exposure.
 */
function linkedTechniques(intel: CveIntel | null, vector: string | null, exposure: AssetExposure): string[] {
  if (intel === null) return [];
  if (intel.mappedTechniqueIds.length > 0) return intel.mappedTechniqueIds;

  try {
    return fallbackTechniques({ cve: intel.cve, cvssVector: vector, exposure }).map((technique) => technique.techniqueId);
  } catch (error) {
    // A scanner may report a malformed vector, and then no fallback rule applies.
    if (error instanceof InvalidCvssVectorError) return [];
    throw error;
  }
}

const NO_CRITICALITY_TAG = 'no criticality tag, so tier 2 is assumed';

/** Says in the factor's input when the tier or exposure is the default rather than a tag. */
function markDefaultAssetContext(factor: RiskFactor, asset: AssetScoringContext): RiskFactor {
  if (factor.factor === 'asset-criticality' && asset.criticalitySource === 'default') {
    return { ...factor, input: `${factor.input} (${NO_CRITICALITY_TAG})` };
  }
  if (factor.factor === 'exposure' && asset.exposureSource === 'default') {
    return { ...factor, input: `${factor.input} (no exposure tag, so internal is assumed)` };
  }
  return factor;
}

/** Gives mission and well-being the source `default` when the tier it comes from is assumed. */
function markDefaultMission(inputs: SsvcDerivedInputs, asset: AssetScoringContext): SsvcDerivedInputs {
  if (asset.criticalitySource === 'tag') return inputs;
  const mission = inputs.missionWellBeing;
  return { ...inputs, missionWellBeing: { ...mission, source: 'default', reason: `${mission.reason} (${NO_CRITICALITY_TAG})` } };
}
