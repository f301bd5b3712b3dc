/**
 * The CISA SSVC decision (Track, Track*, Attend, Act) for a vulnerability on an
 * asset, and the derivation of its four decision points from the intel and asset
 * facts the engine holds.
 */
import type { CriticalityTier } from './asset-context.js';
import { type CvssVector, getImpactLevels, isNetworkAutomatable, parseCvssVector } from './cvss-vector.js';
import { InvalidCvssVectorError } from './errors.js';

export type SsvcExploitation = 'none' | 'poc' | 'active';
export type SsvcAutomatable = 'yes' | 'no';
export type SsvcTechnicalImpact = 'partial' | 'total';
export type SsvcMissionWellBeing = 'low' | 'medium' | 'high';

/** The outcomes of the CISA tree, from least to most urgent. */
export type SsvcDecision = 'Track' | 'Track*' | 'Attend' | 'Act';

export interface SsvcInputs {
  exploitation: SsvcExploitation;
  automatable: SsvcAutomatable;
  technicalImpact: SsvcTechnicalImpact;
  missionWellBeing: SsvcMissionWellBeing;
}

export interface SsvcTableRow extends SsvcInputs {
  decision: SsvcDecision;
}

function row(
  exploitation: SsvcExploitation,
  automatable: SsvcAutomatable,
  technicalImpact: SsvcTechnicalImpact,
  missionWellBeing: SsvcMissionWellBeing,
  decision: SsvcDecision,
): SsvcTableRow {
  return { exploitation, automatable, technicalImpact, missionWellBeing, decision };
}

/**
 * The CISA SSVC decision tree as a table of its 36 leaves. Source: CISA,
 * "Stakeholder-Specific Vulnerability Categorization Guide", November 2022, in the
 * machine-readable form CERT/CC publishes as "CISA Coordinator v2.0.3"
 * (CERTCC/SSVC, docs/ssvc-calc/CISA-Coordinator.json, where Track* is named
 * "Monitor"). Vulnrichment ADP containers state their values against the same
 * version 2.0.3.
 *
 * NOTE: the rows were read from that CERT/CC file and checked against CERT/CC's
 * second encoding of the tree (src/ssvc/decision_tables/cisa/cisa_coordinate_dt.py),
 * not against the figure in the CISA PDF itself.
 */
export const SSVC_DECISION_TABLE: readonly SsvcTableRow[] = [
  row('none', 'no', 'partial', 'low', 'Track'),
  row('none', 'no', 'partial', 'medium', 'Track'),
  row('none', 'no', 'partial', 'high', 'Track'),
  row('none', 'no', 'total', 'low', 'Track'),
  row('none', 'no', 'total', 'medium', 'Track'),
  row('none', 'no', 'total', 'high', 'Track*'),
  row('none', 'yes', 'partial', 'low', 'Track'),
  row('none', 'yes', 'partial', 'medium', 'Track'),
  row('none', 'yes', 'partial', 'high', 'Attend'),
  row('none', 'yes', 'total', 'low', 'Track'),
  row('none', 'yes', 'total', 'medium', 'Track'),
  row('none', 'yes', 'total', 'high', 'Attend'),
  row('poc', 'no', 'partial', 'low', 'Track'),
  row('poc', 'no', 'partial', 'medium', 'Track'),
  row('poc', 'no', 'partial', 'high', 'Track*'),
  row('poc', 'no', 'total', 'low', 'Track'),
  row('poc', 'no', 'total', 'medium', 'Track*'),
  row('poc', 'no', 'total', 'high', 'Attend'),
  row('poc', 'yes', 'partial', 'low', 'Track'),
  row('poc', 'yes', 'partial', 'medium', 'Track'),
  row('poc', 'yes', 'partial', 'high', 'Attend'),
  row('poc', 'yes', 'total', 'low', 'Track'),
  row('poc', 'yes', 'total', 'medium', 'Track*'),
  row('poc', 'yes', 'total', 'high', 'Attend'),
  row('active', 'no', 'partial', 'low', 'Track'),
  row('active', 'no', 'partial', 'medium', 'Track'),
  row('active', 'no', 'partial', 'high', 'Attend'),
  row('active', 'no', 'total', 'low', 'Track'),
  row('active', 'no', 'total', 'medium', 'Attend'),
  row('active', 'no', 'total', 'high', 'Act'),
  row('active', 'yes', 'partial', 'low', 'Attend'),
  row('active', 'yes', 'partial', 'medium', 'Attend'),
  row('active', 'yes', 'partial', 'high', 'Act'),
  row('active', 'yes', 'total', 'low', 'Attend'),
  row('active', 'yes', 'total', 'medium', 'Act'),
  row('active', 'yes', 'total', 'high', 'Act'),
];

function tableKey(inputs: SsvcInputs): string {
  return `${inputs.exploitation}/${inputs.automatable}/${inputs.technicalImpact}/${inputs.missionWellBeing}`;
}

const DECISIONS = new Map(SSVC_DECISION_TABLE.map((entry) => [tableKey(entry), entry.decision]));

/** Looks up the decision for the four decision points. Throws a RangeError for a value outside the table. */
export function decideSsvc(inputs: SsvcInputs): SsvcDecision {
  const decision = DECISIONS.get(tableKey(inputs));
  if (decision === undefined) {
    throw new RangeError(`no SSVC decision for ${tableKey(inputs)}: a decision point has a value outside the CISA tree`);
  }
  return decision;
}

/** Source of a derived decision point. */
export type SsvcInputSource = 'adp' | 'kev' | 'epss' | 'reference' | 'cvss' | 'asset' | 'default';

export interface SsvcDerivedInput<T> {
  value: T;
  source: SsvcInputSource;
  /** The fact behind the value in plain words, e.g. `in CISA KEV`. */
  reason: string;
}

export interface SsvcDerivedInputs {
  exploitation: SsvcDerivedInput<SsvcExploitation>;
  automatable: SsvcDerivedInput<SsvcAutomatable>;
  technicalImpact: SsvcDerivedInput<SsvcTechnicalImpact>;
  missionWellBeing: SsvcDerivedInput<SsvcMissionWellBeing>;
}

/**
 * SSVC values from CISA's ADP container of a CVE record (Vulnrichment), as
 * written there: `Exploitation`, `Automatable`, `Technical Impact`. Case and
 * surrounding white space do not matter, because CISA has written both `active`
 * and `Active`.
 */
export interface AdpSsvcValues {
  exploitation?: string | null;
  automatable?: string | null;
  technicalImpact?: string | null;
}

/** Intel and asset facts about one CVE on one asset. */
export interface SsvcEvidence {
  adp?: AdpSsvcValues | null;
  kev: boolean;
  /** EPSS probability 0..1, or null when the CVE has no score. */
  epss: number | null;
  /** NVD references. A reference tagged `Exploit` marks a public exploit. */
  references?: readonly { url: string; tags: readonly string[] }[];
  /** CVSS vector of any version, or null when none is known. */
  cvssVector: string | null;
  /** Criticality tier of the asset, or null when the CMDB has none. */
  criticality: CriticalityTier | null;
}

export interface SsvcPolicy {
  /**
   * EPSS probability (0..1) at or above which a CVE with no other evidence counts as
   * public PoC. Default 0.1, the EPSS level at which the first priority rule
   * already raises a CVE to P2.
   */
  epssPocThreshold: number;
}

export const DEFAULT_SSVC_POLICY: SsvcPolicy = { epssPocThreshold: 0.1 };

export interface SsvcAssessment {
  decision: SsvcDecision;
  inputs: SsvcDerivedInputs;
}

/** Derives the four decision points and looks up the decision. */
export function assessSsvc(evidence: SsvcEvidence, policy: SsvcPolicy = DEFAULT_SSVC_POLICY): SsvcAssessment {
  const inputs = deriveSsvcInputs(evidence, policy);
  const decision = decideSsvc({
    exploitation: inputs.exploitation.value,
    automatable: inputs.automatable.value,
    technicalImpact: inputs.technicalImpact.value,
    missionWellBeing: inputs.missionWellBeing.value,
  });
  return { decision, inputs };
}

/**
 * Derives each decision point, taking CISA's ADP value when it names a value of
 * the tree and the rules below otherwise:
 *
 * - Exploitation: active when in CISA KEV; public PoC when a reference is tagged
 *   `Exploit` or EPSS is at or above `epssPocThreshold`; none otherwise.
 *   EPSS estimates the chance of exploitation activity, not the existence of a
 *   PoC, so treating a high score as PoC is this engine's heuristic.
 * - Automatable: yes when the CVSS vector is network-automatable (v3
 *   `AV:N/AC:L/PR:N/UI:N`, see `isNetworkAutomatable` for v2 and v4).
 * - Technical impact: total when the CVSS confidentiality and integrity impacts
 *   are both high.
 * - Mission and well-being: high for criticality tier 1, medium for tier 2, low
 *   for other tiers and for an unknown tier.
 *
 * An invalid CVSS vector counts as no vector, and the reason quotes the parse error.
 *
 * @throws RangeError when EPSS or the threshold is outside 0..1.
 */
export function deriveSsvcInputs(evidence: SsvcEvidence, policy: SsvcPolicy = DEFAULT_SSVC_POLICY): SsvcDerivedInputs {
  checkProbability(evidence.epss, 'EPSS probability');
  checkProbability(policy.epssPocThreshold, 'SSVC EPSS PoC threshold');

  const cvss = readVector(evidence.cvssVector);

  return {
    exploitation: deriveExploitation(evidence, policy),
    automatable: deriveAutomatable(evidence.adp?.automatable, cvss),
    technicalImpact: deriveTechnicalImpact(evidence.adp?.technicalImpact, cvss),
    missionWellBeing: deriveMissionWellBeing(evidence.criticality),
  };
}

function checkProbability(value: number | null, name: string): void {
  if (value !== null && !(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} ${value} is outside 0..1`);
  }
}

/** A parsed vector, or why there is none. */
type VectorReading = { vector: CvssVector } | { missing: string };

function readVector(vector: string | null): VectorReading {
  if (vector === null) return { missing: 'no CVSS vector' };
  try {
    return { vector: parseCvssVector(vector) };
  } catch (error) {
    if (!(error instanceof InvalidCvssVectorError)) throw error;
    return { missing: error.message };
  }
}

/** Matches an ADP value against `allowed`, ignoring case. Returns null when it is absent or not allowed. */
function adpValue<T extends string>(raw: string | null | undefined, allowed: readonly T[]): T | null {
  if (raw === null || raw === undefined) return null;
  const value = raw.trim().toLowerCase();
  return allowed.find((option) => option === value) ?? null;
}

/** Prefix for a fallback reason when the ADP container held a value the tree does not have. */
function ignoredAdp(raw: string | null | undefined): string {
  return raw === null || raw === undefined ? '' : `ADP value "${raw}" is not a value of the tree; `;
}

function deriveExploitation(evidence: SsvcEvidence, policy: SsvcPolicy): SsvcDerivedInput<SsvcExploitation> {
  const raw = evidence.adp?.exploitation;
  const fromAdp = adpValue(raw, ['none', 'poc', 'active'] as const);
  if (fromAdp !== null) return { value: fromAdp, source: 'adp', reason: `CISA ADP states Exploitation: ${fromAdp}` };

  const prefix = ignoredAdp(raw);
  if (evidence.kev) return { value: 'active', source: 'kev', reason: `${prefix}in CISA KEV` };

  const exploitReference = evidence.references?.find((reference) =>
    reference.tags.some((tag) => tag.toLowerCase() === 'exploit'),
  );
  if (exploitReference !== undefined) {
    return { value: 'poc', source: 'reference', reason: `${prefix}reference tagged Exploit: ${exploitReference.url}` };
  }

  const { epss } = evidence;
  if (epss !== null && epss >= policy.epssPocThreshold) {
    return { value: 'poc', source: 'epss', reason: `${prefix}EPSS ${epss} >= ${policy.epssPocThreshold}` };
  }

  const epssPart = epss === null ? 'no EPSS score' : `EPSS ${epss} < ${policy.epssPocThreshold}`;
  return { value: 'none', source: 'default', reason: `${prefix}not in KEV, no reference tagged Exploit, ${epssPart}` };
}

function deriveAutomatable(raw: string | null | undefined, cvss: VectorReading): SsvcDerivedInput<SsvcAutomatable> {
  const fromAdp = adpValue(raw, ['yes', 'no'] as const);
  if (fromAdp !== null) return { value: fromAdp, source: 'adp', reason: `CISA ADP states Automatable: ${fromAdp}` };

  const prefix = ignoredAdp(raw);
  if ('missing' in cvss) return { value: 'no', source: 'default', reason: `${prefix}${cvss.missing}` };

  const automatable = isNetworkAutomatable(cvss.vector);
  const verdict = automatable ? 'network-exploitable with no privileges, conditions or user interaction' : 'not network-automatable';
  return { value: automatable ? 'yes' : 'no', source: 'cvss', reason: `${prefix}CVSS ${cvss.vector.vector} is ${verdict}` };
}

function deriveTechnicalImpact(raw: string | null | undefined, cvss: VectorReading): SsvcDerivedInput<SsvcTechnicalImpact> {
  const fromAdp = adpValue(raw, ['partial', 'total'] as const);
  if (fromAdp !== null) return { value: fromAdp, source: 'adp', reason: `CISA ADP states Technical Impact: ${fromAdp}` };

  const prefix = ignoredAdp(raw);
  if ('missing' in cvss) return { value: 'partial', source: 'default', reason: `${prefix}${cvss.missing}` };

  const impact = getImpactLevels(cvss.vector);
  const total = impact.confidentiality === 'high' && impact.integrity === 'high';
  const levels = `confidentiality ${impact.confidentiality}, integrity ${impact.integrity}`;
  return { value: total ? 'total' : 'partial', source: 'cvss', reason: `${prefix}CVSS ${levels}` };
}

function deriveMissionWellBeing(criticality: CriticalityTier | null): SsvcDerivedInput<SsvcMissionWellBeing> {
  if (criticality === null) return { value: 'low', source: 'default', reason: 'asset criticality unknown' };

  const reason = `asset criticality tier ${criticality}`;
  if (criticality === 1) return { value: 'high', source: 'asset', reason };
  if (criticality === 2) return { value: 'medium', source: 'asset', reason };
  return { value: 'low', source: 'asset', reason };
}
