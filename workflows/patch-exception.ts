/**
 * `patchException`: an asset that cannot be patched now gets a temporary WAF/IPS
 * mitigation and waits for an approver's decision. Approvers are reminded, then
 * escalated to, and with no decision by the timeout the exception is denied.
 */
import { allHandlersFinished, ApplicationFailure, condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { PatchwardenActivities } from '../activities/types.js';
import { parseDuration } from '../domain/sla.js';
import {
  decideUpdate,
  exceptionStateQuery,
  revokeSignal,
  type DecideRequest,
  type ExceptionState,
  type PatchExceptionInput,
} from './definitions.js';

const { openException, applyMitigation, notifyApprovers, recordExceptionDecision } =
  proxyActivities<PatchwardenActivities>({ startToCloseTimeout: '2 minutes' });

/** `type` of the failures the `decide` validator raises, so the API can map each to a status. */
export const DecisionRejection = {
  alreadyDecided: 'ExceptionAlreadyDecided',
  invalidRequest: 'InvalidDecisionRequest',
  segregationOfDuties: 'SegregationOfDutiesViolation',
  missingRole: 'MissingApproverRole',
} as const;

interface Decision {
  decision: 'approved' | 'denied';
  principal: string;
  comment: string;
  decidedAt: string;
}

export async function patchException(input: PatchExceptionInput): Promise<ExceptionState> {
  const { exceptionId, incidentId, assetId, policy } = input;
  const requestedAt = Date.now();
  const timeoutMs = parseDuration(policy.decisionTimeout, 'exception decisionTimeout');

  const state: ExceptionState = {
    exceptionId,
    assetId,
    status: 'opening',
    requestedBy: input.requestedBy,
    mitigationId: null,
    decidedBy: null,
    comment: null,
    decidedAt: null,
    expiresAt: null,
    notificationsSent: [],
  };
  let decision: Decision | null = null;
  let recorded = false;

  setHandler(exceptionStateQuery, () => state);

  // An update rather than a signal, so an unauthorized or second decision is rejected
  // by the validator before it reaches the history, and the approver gets the result.
  setHandler(
    decideUpdate,
    async (request) => {
      decision = {
        decision: request.decision === 'approve' ? 'approved' : 'denied',
        principal: request.principal,
        comment: request.comment,
        decidedAt: new Date().toISOString(),
      };
      await condition(() => recorded);
      return state;
    },
    { validator: (request) => validateDecision(input, request, decision !== null) },
  );

  setHandler(revokeSignal, (request) => {
    if (decision !== null) {
      // Revoking an approved exception belongs with expiry and renewal, which do not exist yet.
      log.warn('revoke ignored because the exception is already decided', { exceptionId, principal: request.principal });
      return;
    }
    decision = {
      decision: 'denied',
      principal: request.principal,
      comment: `revoked: ${request.reason}`,
      decidedAt: new Date().toISOString(),
    };
  });

  await openException({
    exceptionId,
    incidentId,
    assetId,
    cves: input.cves,
    requestedBy: input.requestedBy,
    reason: input.reason,
  });
  const { mitigationId } = await applyMitigation({ exceptionId, assetId, cves: input.cves });
  state.mitigationId = mitigationId;
  state.status = 'pending';

  // Handlers assign `decision`, which TypeScript's narrowing cannot see, so read it through a function.
  const currentDecision = (): Decision | null => decision;
  const decided = (): boolean => currentDecision() !== null;
  const waitForDecisionUntil = async (deadlineMs: number): Promise<boolean> => {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) return decided();
    return condition(decided, remaining);
  };

  for (const notification of notificationSchedule(input, timeoutMs)) {
    if (await waitForDecisionUntil(requestedAt + notification.afterMs)) break;

    await notifyApprovers({ exceptionId, kind: notification.kind, message: approverMessage(input, notification.kind) });
    state.notificationsSent.push(notification.kind);
  }

  let final: Decision;
  if (await waitForDecisionUntil(requestedAt + timeoutMs)) {
    final = currentDecision()!;
  } else {
    final = {
      decision: 'denied',
      principal: 'system',
      comment: `no decision within ${policy.decisionTimeout}`,
      decidedAt: new Date().toISOString(),
    };
    // Set in the same workflow task as the timeout, so a late `decide` is rejected.
    decision = final;
    log.warn('exception denied automatically after the decision timeout', { exceptionId, incidentId, assetId });
  }

  const expiresAt =
    final.decision === 'approved'
      ? new Date(Date.parse(final.decidedAt) + parseDuration(policy.validFor, 'exception validFor')).toISOString()
      : null;

  // NOTE: expiry and renewal are not implemented. An approved exception ends this
  // workflow, and nothing acts when `expiresAt` passes.
  await recordExceptionDecision({
    exceptionId,
    decision: final.decision,
    principal: final.principal,
    comment: final.comment,
    decidedAt: final.decidedAt,
    expiresAt,
  });

  state.status = final.decision;
  state.decidedBy = final.principal;
  state.comment = final.comment;
  state.decidedAt = final.decidedAt;
  state.expiresAt = expiresAt;
  recorded = true;
  log.info('exception decided', { exceptionId, incidentId, assetId, decision: final.decision, principal: final.principal });

  await condition(allHandlersFinished);
  return state;
}

function validateDecision(input: PatchExceptionInput, request: DecideRequest, alreadyDecided: boolean): void {
  const { exceptionId, requestedBy, policy } = input;

  if (alreadyDecided) {
    throw ApplicationFailure.create({
      type: DecisionRejection.alreadyDecided,
      message: `exception ${exceptionId} is already decided`,
    });
  }
  if ((request.decision !== 'approve' && request.decision !== 'deny') || !request.principal || !Array.isArray(request.roles)) {
    throw ApplicationFailure.create({
      type: DecisionRejection.invalidRequest,
      message: `invalid decision for exception ${exceptionId}: expected decision "approve" or "deny", a principal and a roles list`,
    });
  }
  if (request.principal === requestedBy) {
    throw ApplicationFailure.create({
      type: DecisionRejection.segregationOfDuties,
      message: `${request.principal} requested exception ${exceptionId} and so cannot decide it (segregation of duties)`,
    });
  }
  if (!request.roles.includes(policy.approverRole)) {
    throw ApplicationFailure.create({
      type: DecisionRejection.missingRole,
      message: `${request.principal} lacks the "${policy.approverRole}" role required to decide exception ${exceptionId}`,
    });
  }
}

/** Reminder and escalation offsets from the request, earliest first. Any at or past the timeout are dropped. */
function notificationSchedule(
  input: PatchExceptionInput,
  timeoutMs: number,
): Array<{ kind: 'reminder' | 'escalation'; afterMs: number }> {
  const schedule = [
    { kind: 'reminder' as const, afterMs: parseDuration(input.policy.reminderAfter, 'exception reminderAfter') },
    { kind: 'escalation' as const, afterMs: parseDuration(input.policy.escalateAfter, 'exception escalateAfter') },
  ];
  return schedule.filter((entry) => entry.afterMs < timeoutMs).sort((a, b) => a.afterMs - b.afterMs);
}

function approverMessage(input: PatchExceptionInput, kind: 'reminder' | 'escalation'): string {
  const lead = kind === 'reminder' ? 'Reminder' : 'Escalation';
  return (
    `${lead}: exception ${input.exceptionId} for ${input.hostname} (${input.cves.join(', ')}) ` +
    `awaits a decision by a principal with the "${input.policy.approverRole}" role. ` +
    `Requested by ${input.requestedBy}: ${input.reason}. ` +
    `Without a decision it is denied after ${input.policy.decisionTimeout}.`
  );
}
