/**
 * MITRE ATT&CK techniques linked to CVEs. This module defines the mapping records
 * that the CTID data sets provide and the fallback rules for CVEs those sets do
 * not cover. It also raises the risk score of a CVE whose techniques were seen
 * recently in EDR detections or incidents.
 */
import type { AssetExposure } from './asset-context.js';
import {
  type CvssVector,
  getAttackVector,
  getImpactLevels,
  getPrivilegesRequired,
  parseCvssVector,
  requiresUserInteraction,
} from './cvss-vector.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from './risk-config.js';
import { type RiskFactor, type RiskScore, priorityForScore, roundPoints, sumContributions } from './risk.js';
import { parseDuration } from './sla.js';

/** Role of a technique for a CVE, as the CTID mapping methodology names them. */
export type AttackMappingType = 'exploitation-technique' | 'primary-impact' | 'secondary-impact' | 'uncategorized';

/**
 * Origin of a mapping: the CTID attack_to_cve CSV, the CTID Mappings Explorer
 * KEV files, or a fallback rule of this module.
 */
export type AttackMappingSource = 'ctid-attack-to-cve' | 'ctid-mappings-explorer' | 'fallback-rule';

export interface AttackMapping {
  cve: string;
  /** Technique or sub-technique id, such as `T1190` or `T1059.004`. */
  techniqueId: string;
  /** Technique name, when the source gives one. */
  techniqueName?: string;
  mappingType: AttackMappingType;
  source: AttackMappingSource;
}

/** ATT&CK technique ids: `T` and four digits, optionally a dot and a three-digit sub-technique. */
export const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;

/** A technique chosen by a fallback rule, with the rule's reason. */
export interface FallbackTechnique extends AttackMapping {
  source: 'fallback-rule';
  reason: string;
}

/** Exploit conditions a fallback rule reads from the CVSS vector. */
interface ExploitConditions {
  vector: CvssVector;
  exposure: AssetExposure | null;
}

interface FallbackRule {
  techniqueId: string;
  techniqueName: string;
  reason: string;
  matches(conditions: ExploitConditions): boolean;
}

/** Tells whether the exploit needs no user besides the attacker. v2 has no such metric, so a v2 vector counts as yes. */
function needsNoUser(vector: CvssVector): boolean {
  return requiresUserInteraction(vector) !== true;
}

/**
 * The fallback rules. At most one matches a vector: T1190 and T1210 split network
 * flaws by exposure, T1068 needs local access, and T1203 alone needs a user.
 */
const FALLBACK_RULES: readonly FallbackRule[] = [
  {
    techniqueId: 'T1190',
    techniqueName: 'Exploit Public-Facing Application',
    reason:
      'the flaw is exploitable over the network without a user taking part, and the asset is internet-facing, so an attacker on the internet can use it as the way in',
    matches: ({ vector, exposure }) =>
      getAttackVector(vector) === 'network' && needsNoUser(vector) && exposure === 'internet-facing',
  },
  {
    techniqueId: 'T1210',
    techniqueName: 'Exploitation of Remote Services',
    reason:
      'the flaw is exploitable from the network without a user taking part, but only from inside, so it serves an attacker already in the network to move to this host',
    matches: ({ vector, exposure }) => {
      const attackVector = getAttackVector(vector);
      const remote = attackVector === 'network' || attackVector === 'adjacent';
      const reachableFromInternet = attackVector === 'network' && exposure === 'internet-facing';
      // An isolated asset has no network path to exploit it from. An asset with no exposure tag is treated as internal.
      return remote && needsNoUser(vector) && exposure !== 'isolated' && !reachableFromInternet;
    },
  },
  {
    techniqueId: 'T1068',
    techniqueName: 'Exploitation for Privilege Escalation',
    reason:
      'the flaw needs local access with an account and yields high integrity impact, so an attacker who already runs code on the host uses it to gain higher privileges',
    matches: ({ vector }) =>
      getAttackVector(vector) === 'local' &&
      needsNoUser(vector) &&
      // v2 has no privileges metric (null). Local access there implies an account.
      getPrivilegesRequired(vector) !== 'none' &&
      getImpactLevels(vector).integrity === 'high',
  },
  {
    techniqueId: 'T1203',
    techniqueName: 'Exploitation for Client Execution',
    reason:
      'the flaw fires only when a user opens a file or a page, which marks a flaw in client software such as a browser or document reader',
    matches: ({ vector }) => requiresUserInteraction(vector) === true && getAttackVector(vector) !== 'physical',
  },
];

/** Techniques the fallback rules can choose, so a caller can tell which sightings may raise a CVE without a mapping. */
export const FALLBACK_TECHNIQUE_IDS: readonly string[] = FALLBACK_RULES.map((rule) => rule.techniqueId);

export interface FallbackInput {
  cve: string;
  /** CVSS vector of any version, parsed or as a string, or null when none is known. */
  cvssVector: CvssVector | string | null;
  exposure: AssetExposure | null;
}

/**
 * Picks techniques for a CVE that no CTID mapping covers, from its CVSS vector
 * and the asset's exposure. Returns an empty list when no rule matches or there
 * is no vector. A v2 vector has no user-interaction metric, so T1203 never
 * matches it and the other rules assume no user takes part.
 *
 * @throws InvalidCvssVectorError for a malformed vector string.
 */
export function fallbackTechniques(input: FallbackInput): FallbackTechnique[] {
  if (input.cvssVector === null) return [];

  const vector = typeof input.cvssVector === 'string' ? parseCvssVector(input.cvssVector) : input.cvssVector;
  const conditions: ExploitConditions = { vector, exposure: input.exposure };

  return FALLBACK_RULES.filter((rule) => rule.matches(conditions)).map((rule) => ({
    cve: input.cve,
    techniqueId: rule.techniqueId,
    techniqueName: rule.techniqueName,
    mappingType: 'exploitation-technique',
    source: 'fallback-rule',
    reason: rule.reason,
  }));
}

/**
 * Returns the CVE's mappings from `mappings`, or the fallback techniques when
 * none of them names the CVE.
 *
 * @throws InvalidCvssVectorError as `fallbackTechniques` does.
 */
export function resolveTechniques(input: FallbackInput & { mappings: readonly AttackMapping[] }): AttackMapping[] {
  const mapped = input.mappings.filter((mapping) => mapping.cve === input.cve);
  if (mapped.length > 0) return mapped;
  return fallbackTechniques(input);
}

/** A technique observed in the fleet. */
export interface TechniqueSighting {
  techniqueId: string;
  seenAt: Date;
  kind: 'edr-detection' | 'incident';
  /** Detection or incident id. */
  id: string;
}

/** Policy values of the observed-technique factor. */
export interface ObservedTechniquePolicy {
  /** Look-back period as a duration string, such as `'30 days'`. */
  sightingWindow: string;
  /** Points added when a technique of the CVE was seen within the window. */
  sightingWeight: number;
}

/**
 * Thirty days covers a monthly patch cycle. Ten points lift a finding that is
 * within 10 points of the next cut-off (P3 20, P2 40, P1 55 by default) to that priority.
 */
export const DEFAULT_OBSERVED_TECHNIQUE_POLICY: ObservedTechniquePolicy = { sightingWindow: '30 days', sightingWeight: 10 };

/** Sightings grouped by parent technique, so the sightings of a CVE's techniques are found without a scan of all. */
export type SightingIndex = ReadonlyMap<string, readonly TechniqueSighting[]>;

/** Groups sightings by parent technique, keeping their order within each group. */
export function indexSightings(sightings: readonly TechniqueSighting[]): SightingIndex {
  const index = new Map<string, TechniqueSighting[]>();
  for (const sighting of sightings) {
    const parent = parentTechnique(sighting.techniqueId);
    index.set(parent, [...(index.get(parent) ?? []), sighting]);
  }
  return index;
}

/** Returns the sightings that share a parent technique with one of `techniqueIds`, each once. */
export function sightingsOf(index: SightingIndex, techniqueIds: readonly string[]): TechniqueSighting[] {
  const parents = new Set(techniqueIds.map(parentTechnique));
  return [...parents].flatMap((parent) => index.get(parent) ?? []);
}

export interface ObservedTechniqueInput {
  /** Technique ids linked to the CVE, from mappings or fallback rules. */
  techniqueIds: readonly string[];
  sightings: readonly TechniqueSighting[];
  now: Date;
  /** Look-back period as a duration string, such as `'14 days'`. */
  window: string;
  /** Points added when at least one sighting matches. */
  weight: number;
  /** Cut-offs for the new priority. Defaults to those of `DEFAULT_RISK_CONFIG`. */
  priorityCutoffs?: RiskConfig['priorityCutoffs'];
}

/** Sighting ids listed in the explanation before the rest are counted. */
const LISTED_SIGHTINGS = 5;

/**
 * Raises a risk score when one of the CVE's techniques was seen in an EDR
 * detection or an incident within `window` before `now`, because an attacker
 * active in the fleet with that technique makes exploitation likelier. Adds an
 * `observed-technique` factor of `weight` points, capped so the score stays at
 * or below 100, and recomputes the priority, which may rise. Without a matching
 * sighting the factor adds 0.
 *
 * A sub-technique matches its parent (`T1059.004` matches `T1059`), because EDR
 * products and the CTID mappings name techniques at different levels. A sighting
 * dated after `now` still counts, so clock skew between EDR and engine does not
 * drop it.
 *
 * @throws TypeError for an invalid window, RangeError for a negative or non-finite weight.
 */
export function raiseForObservedTechniques(risk: RiskScore, input: ObservedTechniqueInput): RiskScore {
  const windowMs = parseDuration(input.window, 'technique sighting window');
  if (!Number.isFinite(input.weight) || input.weight < 0) {
    throw new RangeError(`technique sighting weight ${input.weight} must be a number >= 0`);
  }

  const since = input.now.getTime() - windowMs;
  const linkedTechniques = new Set(input.techniqueIds.map(parentTechnique));
  const matches = input.sightings.filter(
    (sighting) => sighting.seenAt.getTime() >= since && linkedTechniques.has(parentTechnique(sighting.techniqueId)),
  );

  const contribution = matches.length === 0 ? 0 : Math.max(0, roundPoints(Math.min(input.weight, 100 - risk.score)));
  const factor: RiskFactor = {
    factor: 'observed-technique',
    input: describeSightings(matches, input.techniqueIds, input.window),
    contribution,
  };

  const factors = [...risk.factors, factor];
  const score = sumContributions(factors);
  const priority = priorityForScore(score, input.priorityCutoffs ?? DEFAULT_RISK_CONFIG.priorityCutoffs);
  return { score, priority, factors };
}

/** Returns the technique of a sub-technique (`T1059` for `T1059.004`), or the id itself. */
export function parentTechnique(techniqueId: string): string {
  const dot = techniqueId.indexOf('.');
  return dot === -1 ? techniqueId : techniqueId.slice(0, dot);
}

function describeSightings(matches: readonly TechniqueSighting[], techniqueIds: readonly string[], window: string): string {
  if (techniqueIds.length === 0) return 'no ATT&CK technique is linked to the CVE, so no sighting can raise it';
  if (matches.length === 0) return `${techniqueIds.join(', ')}: not seen within ${window}`;

  const seen = [...new Set(matches.map((sighting) => sighting.techniqueId))].join(', ');
  // One detection often names a technique and its sub-techniques, so it is listed once.
  const sources = [...new Set(matches.map((sighting) => `${sighting.kind} ${sighting.id}`))];
  const listed = sources.slice(0, LISTED_SIGHTINGS);
  const more = sources.length > LISTED_SIGHTINGS ? ` and ${sources.length - LISTED_SIGHTINGS} more` : '';
  return `${seen} seen within ${window}: ${listed.join(', ')}${more}`;
}
