/**
 * Weights and priority cut-offs of the risk score (`scoreRisk` in `risk.ts`), with
 * their defaults. The types are plain TypeScript, so the zod policy schema in
 * `config/` can describe them and pass a parsed value in.
 */

/** Weights and priority cut-offs of the score, in points unless stated otherwise. */
export interface RiskConfig {
  /** Points for a CVSS base score of 10.0. A lower score gets a linear share. */
  cvss: number;
  /** Points for an EPSS probability of 1. A lower probability gets a linear share. */
  epssProbability: number;
  /** Points for the top EPSS percentile (1.0). A lower percentile gets a linear share. */
  epssPercentile: number;
  /** Points for a CVE in CISA KEV. */
  kev: number;
  /** Points for a KEV entry whose ransomware campaign use is `Known`. */
  ransomware: number;
  /** Points when exploit code is public (scanner flag or an `Exploit` reference). */
  exploitAvailable: number;
  /** Points per asset criticality tier. `unknown` applies when the asset has no tier. */
  criticality: { tier1: number; tier2: number; tier3: number; tier4: number; unknown: number };
  /** Points per asset exposure. `unknown` applies when the asset has no exposure tag. */
  exposure: { internetFacing: number; internal: number; isolated: number; unknown: number };
  /** Share of the subtotal (0..1) removed when at least one compensating control is in place. */
  compensatingControlReduction: number;
  /** Lowest score of P1, P2 and P3. A score below `P3` is P4. */
  priorityCutoffs: { P1: number; P2: number; P3: number };
}

/**
 * Default weights, 100 points in all. KEV plus an internet-facing tier 1 asset
 * makes 55 points, which is the P1 cut-off, so such a finding is P1 whatever its
 * CVSS and EPSS scores. An asset without a tier scores as tier 2 and one without
 * an exposure tag as internal, so missing CMDB data neither hides a finding nor
 * raises it to the top.
 */
export const DEFAULT_RISK_CONFIG: RiskConfig = {
  cvss: 20,
  epssProbability: 10,
  epssPercentile: 5,
  kev: 25,
  ransomware: 5,
  exploitAvailable: 5,
  criticality: { tier1: 15, tier2: 10, tier3: 5, tier4: 0, unknown: 10 },
  exposure: { internetFacing: 15, internal: 5, isolated: 0, unknown: 5 },
  compensatingControlReduction: 0.25,
  priorityCutoffs: { P1: 55, P2: 40, P3: 20 },
};

/**
 * Checks that weights are finite and not negative, the reduction is within 0..1,
 * the cut-offs fall from P1 to P3, and the highest possible score is at most 100.
 */
export function checkRiskConfig(config: RiskConfig): void {
  const weights: [string, number][] = [
    ['cvss', config.cvss],
    ['epssProbability', config.epssProbability],
    ['epssPercentile', config.epssPercentile],
    ['kev', config.kev],
    ['ransomware', config.ransomware],
    ['exploitAvailable', config.exploitAvailable],
    ...Object.entries(config.criticality).map(([key, value]): [string, number] => [`criticality.${key}`, value]),
    ...Object.entries(config.exposure).map(([key, value]): [string, number] => [`exposure.${key}`, value]),
  ];
  for (const [name, value] of weights) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`risk weight ${name} is ${value}: it must be a number >= 0`);
  }

  const reduction = config.compensatingControlReduction;
  if (!(reduction >= 0 && reduction <= 1)) {
    throw new RangeError(`risk compensatingControlReduction ${reduction} is outside 0..1`);
  }

  const { P1, P2, P3 } = config.priorityCutoffs;
  if (!(P1 > P2 && P2 > P3 && P3 >= 0)) {
    throw new RangeError(`risk priority cut-offs P1 ${P1}, P2 ${P2}, P3 ${P3} must fall from P1 to P3 and stay >= 0`);
  }

  const maximum =
    config.cvss +
    config.epssProbability +
    config.epssPercentile +
    config.kev +
    config.ransomware +
    config.exploitAvailable +
    Math.max(...Object.values(config.criticality)) +
    Math.max(...Object.values(config.exposure));
  if (maximum > 100) {
    throw new RangeError(`risk weights allow a score of ${maximum}: lower them so the maximum is at most 100`);
  }
}
