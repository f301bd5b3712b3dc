/**
 * The `risk` and `ssvc` sections of the policy file: weights and cut-offs of the
 * contextual risk score (`scoreRisk`) and the SSVC threshold. Defaults come from
 * the domain, so a policy file that leaves them out scores exactly as the domain
 * documents.
 */
import { z } from 'zod';
import { DEFAULT_RISK_CONFIG, checkRiskConfig } from '../domain/risk-config.js';
import { DEFAULT_SSVC_POLICY } from '../domain/ssvc.js';

const points = (fallback: number) => z.number().min(0, 'must be a number of points >= 0').default(fallback);

const criticalityDefaults = DEFAULT_RISK_CONFIG.criticality;
const exposureDefaults = DEFAULT_RISK_CONFIG.exposure;
const cutoffDefaults = DEFAULT_RISK_CONFIG.priorityCutoffs;

/** Mirrors `RiskConfig`: points per factor, the compensating-control share and the priority cut-offs. */
export const riskPolicySchema = z
  .object({
    cvss: points(DEFAULT_RISK_CONFIG.cvss),
    epssProbability: points(DEFAULT_RISK_CONFIG.epssProbability),
    epssPercentile: points(DEFAULT_RISK_CONFIG.epssPercentile),
    kev: points(DEFAULT_RISK_CONFIG.kev),
    ransomware: points(DEFAULT_RISK_CONFIG.ransomware),
    exploitAvailable: points(DEFAULT_RISK_CONFIG.exploitAvailable),
    criticality: z
      .object({
        tier1: points(criticalityDefaults.tier1),
        tier2: points(criticalityDefaults.tier2),
        tier3: points(criticalityDefaults.tier3),
        tier4: points(criticalityDefaults.tier4),
        unknown: points(criticalityDefaults.unknown),
      })
      .strict()
      .prefault({}),
    exposure: z
      .object({
        internetFacing: points(exposureDefaults.internetFacing),
        internal: points(exposureDefaults.internal),
        isolated: points(exposureDefaults.isolated),
        unknown: points(exposureDefaults.unknown),
      })
      .strict()
      .prefault({}),
    /** Share of the subtotal (0..1) removed when a compensating control is in place. */
    compensatingControlReduction: z
      .number()
      .min(0, 'must be at least 0')
      .max(1, 'must be at most 1')
      .default(DEFAULT_RISK_CONFIG.compensatingControlReduction),
    /** Lowest score of P1, P2 and P3; a lower score is P4. */
    priorityCutoffs: z
      .object({
        P1: points(cutoffDefaults.P1),
        P2: points(cutoffDefaults.P2),
        P3: points(cutoffDefaults.P3),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine(
    (config, context) => {
      // The field checks above catch single bad values. This catches combinations:
      // cut-offs out of order and weights whose maximum passes 100.
      try {
        checkRiskConfig(config);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        context.addIssue({ code: 'custom', message: error.message });
      }
    },
    // After a field error the same value would be reported twice.
    { when: (payload) => payload.issues.length === 0 },
  );

export const ssvcPolicySchema = z
  .object({
    /** EPSS probability (0..1) at or above which a CVE with no other exploit evidence counts as public PoC. */
    epssPocThreshold: z
      .number()
      .min(0, 'must be at least 0')
      .max(1, 'must be at most 1')
      .default(DEFAULT_SSVC_POLICY.epssPocThreshold),
  })
  .strict();
