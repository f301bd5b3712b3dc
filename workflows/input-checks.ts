/**
 * Checks of workflow inputs and update requests. Each raises an `ApplicationFailure`
 * whose message names the bad value, so the caller can fix it.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { PRIORITIES } from '../domain/incident.js';
import { parseDuration } from '../domain/sla.js';
import type { AddCvesRequest, EmergencyPatchInput } from './definitions.js';

/** CVE ids as MITRE assigns them: the year, then a sequence number of four or more digits. */
export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export const InputRejection = {
  invalidPolicy: 'InvalidPolicy',
  invalidCves: 'InvalidCveIds',
  incidentClosed: 'IncidentClosed',
} as const;

/**
 * Rejects a policy the workflow could not run with: a duration it cannot parse, an
 * empty escalation chain, an escalation fraction outside (0, 1]. The API validates
 * the policy file too, and this check catches a caller that skipped it before any
 * timer starts.
 */
export function checkEmergencyPolicy(policy: EmergencyPatchInput['policy']): void {
  const problems: string[] = [];
  const checkDuration = (value: string, field: string): void => {
    try {
      parseDuration(value, field);
    } catch (error) {
      problems.push((error as Error).message);
    }
  };

  for (const priority of PRIORITIES) checkDuration(policy.sla[priority], `sla.${priority}`);
  for (const field of ['reminderAfter', 'escalateAfter', 'decisionTimeout', 'validFor'] as const) {
    checkDuration(policy.exceptions[field], `exceptions.${field}`);
  }
  if (policy.escalation.chain.length === 0) problems.push('escalation.chain is empty: name at least one recipient');
  for (const fraction of policy.escalation.fractions) {
    if (!(fraction > 0 && fraction <= 1)) problems.push(`escalation fraction ${fraction} is outside (0, 1]`);
  }

  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: InputRejection.invalidPolicy,
      message: `invalid incident policy: ${problems.join('; ')}`,
      nonRetryable: true,
    });
  }
}

/** Rejects an `addCves` request with no CVEs or a malformed CVE id. */
export function checkAddCvesRequest(request: AddCvesRequest): void {
  if (!Array.isArray(request?.cves) || request.cves.length === 0) {
    throw ApplicationFailure.create({
      type: InputRejection.invalidCves,
      message: 'addCves needs a non-empty list of CVE ids such as "CVE-2024-3400"',
    });
  }

  const malformed = request.cves.filter((cve) => typeof cve !== 'string' || !CVE_ID.test(cve));
  if (malformed.length > 0) {
    throw ApplicationFailure.create({
      type: InputRejection.invalidCves,
      message: `invalid CVE ids ${JSON.stringify(malformed)}: expected the form CVE-YYYY-NNNN`,
    });
  }
}
