import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_OBSERVED_TECHNIQUE_POLICY } from '../domain/attack.js';
import { riskPolicySchema, ssvcPolicySchema } from './scoring-policy.js';

/**
 * The policy file: behaviour, as opposed to connections (which come from the
 * environment). Every field has a default, so an empty file `{}` is a valid policy.
 * Durations are strings in Temporal's format (`'7 days'`, `'30m'`, `'90s'`).
 */

const durationPattern = /^\d+(\.\d+)?\s*(ms|s|m|h|d|w|sec|secs|second|seconds|min|mins|minute|minutes|hour|hours|day|days|week|weeks)$/i;

const duration = z
  .string()
  .regex(durationPattern, 'must be a duration such as "7 days", "30m" or "90s"');

const fraction = z.number().gt(0, 'must be greater than 0').lte(1, 'must be at most 1');

const hostList = z.array(z.string().min(1)).default([]);

/** A feed location. `file://` is read in place; `http(s)://` is downloaded. */
const feedUrl = z.url({ protocol: /^(file|https?)$/, error: 'must be a file://, http:// or https:// URL' });

export const policySchema = z
  .object({
    /** SLA per priority, measured from incident creation (or from when a CVE was added). */
    sla: z
      .object({
        P1: duration.default('7 days'),
        P2: duration.default('30 days'),
        P3: duration.default('90 days'),
        P4: duration.default('180 days'),
      })
      .strict()
      .prefault({}),
    /** Escalation notices, as fractions of the SLA window; 1 means the deadline itself. */
    escalation: z
      .object({
        fractions: z.array(fraction).min(1).default([0.5, 0.75, 1]),
        chain: z.array(z.string().min(1)).default(['patch-operations', 'security-lead', 'ciso']),
      })
      .strict()
      .prefault({}),
    /** Priority thresholds of the first rule. */
    priority: z
      .object({
        epssP1: fraction.default(0.5),
        epssP2: fraction.default(0.1),
      })
      .strict()
      .prefault({}),
    /** Weights and priority cut-offs of the contextual risk score stored per finding. */
    risk: riskPolicySchema.prefault({}),
    /** SSVC derivation settings. */
    ssvc: ssvcPolicySchema.prefault({}),
    /**
     * The observed-technique factor: points for a CVE whose ATT&CK technique was
     * seen in an EDR detection or an incident within the window. The weight is
     * outside the 100-point budget of `risk`, because the raised score is capped at 100.
     */
    attack: z
      .object({
        /** How far back a detection or an incident counts. */
        sightingWindow: duration.default(DEFAULT_OBSERVED_TECHNIQUE_POLICY.sightingWindow),
        /** Points added, 0..100. */
        sightingWeight: z
          .number()
          .min(0, 'must be a number of points >= 0')
          .max(100, 'must be at most 100, the highest score')
          .default(DEFAULT_OBSERVED_TECHNIQUE_POLICY.sightingWeight),
      })
      .strict()
      .prefault({}),
    rollout: z
      .object({
        /** Share of the hosts in the canary ring, 0..1; at least one host. */
        canaryFraction: fraction.default(0.1),
        /** A ring halts when its failed share exceeds this, 0..1. */
        failureThreshold: z.number().min(0).max(1).default(0),
        /** Hosts patched at once within a ring. */
        maxParallel: z.number().int().min(1).default(5),
      })
      .strict()
      .prefault({}),
    exceptions: z
      .object({
        approverRole: z.string().default('approver'),
        reminderAfter: duration.default('1 day'),
        escalateAfter: duration.default('3 days'),
        /** With no decision by then, the exception is denied. */
        decisionTimeout: duration.default('7 days'),
        /** Approved exceptions last this long. */
        validFor: duration.default('30 days'),
      })
      .strict()
      .prefault({}),
    quarantine: z
      .object({
        /** Contain automatically on a matching detection, or wait for approval. */
        automatic: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Lab fleet: deterministic simulation with fault injection. */
    lab: z
      .object({
        seed: z.number().int().default(1),
        /** Simulated time one patch install takes on a lab host. */
        deployDuration: duration.default('0s'),
        deployFails: hostList,
        edrDetection: hostList,
        changeFreeze: hostList,
        noPatch: z
          .array(z.object({ host: z.string().min(1), cves: z.array(z.string()).default([]) }).strict())
          .default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Feed locations for `intelRefresh`. Every location is unset by
     * default, so nothing is fetched and no refresh is scheduled. The NVD API key
     * comes from the environment (`NVD_API_KEY`), never from this file.
     */
    feeds: z
      .object({
        /** CISA KEV catalog, JSON or CSV. */
        kev: feedUrl.optional(),
        /** FIRST EPSS scores, a daily CSV (plain or gzip); a file without a score date needs one in its name. */
        epss: feedUrl.optional(),
        nvd: z
          .object({
            /** NVD CVE API 2.0 base URL, such as `https://services.nvd.nist.gov/rest/json/cves/2.0`. */
            url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL of the NVD CVE API' }),
            /** How far back the first sync reaches; later syncs continue where the last ended. */
            initialLookback: duration.default('120 days'),
            /** Results per request, 1..2000 (the API's maximum). */
            resultsPerPage: z.number().int().min(1).max(2000).default(2000),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    intelRefresh: z
      .object({
        /** Time between scheduled refreshes. */
        interval: duration.default('1 day'),
        /** Start an emergency incident for each CVE newly in KEV that an open finding names. */
        openIncidents: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;

// Activities read the policy through the domain's plain type, so this alias fails
// to compile when a parsed policy is no longer assignable to that type.
type AssignableTo<T extends U, U> = T;
type ParsedPolicyIsDomainPolicy = AssignableTo<Policy, import('../domain/policy.js').Policy>;

/** Raised when the policy file cannot be read or does not validate; lists every bad field. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid policy file ${file}:\n  ${problems.join('\n  ')}`);
  }
}

export function parsePolicy(input: unknown, file = '<inline>'): Policy {
  const result = policySchema.safeParse(input ?? {});
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  throw new PolicyError(file, problems);
}

/** Reads a JSON policy file; no file at all means the default policy. */
export function loadPolicy(file: string | undefined): Policy {
  if (!file) return parsePolicy({});

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(file, [`cannot read the file: ${(error as Error).message}`]);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parsePolicy(json, file);
}
