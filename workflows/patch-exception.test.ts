import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeActivities, type FakeActivities } from '../test/fake-activities.js';
import { bundleWorkflows, createTimeSkippingEnv } from '../test/temporal.js';
import {
  decideUpdate,
  exceptionStateQuery,
  revokeSignal,
  type DecideRequest,
  type PatchExceptionInput,
} from './definitions.js';
import { patchException } from './patch-exception.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

const REQUESTER = 'analyst@example.com';
const APPROVER = 'risk-owner@example.com';

function exceptionInput(): PatchExceptionInput {
  return {
    exceptionId: `exception-test-${randomUUID()}`,
    incidentId: 'INC-7',
    assetId: 'asset-db1',
    hostname: 'db1',
    cves: ['CVE-2024-3400'],
    requestedBy: REQUESTER,
    reason: 'change freeze until quarter end',
    policy: {
      approverRole: 'approver',
      reminderAfter: '1 minute',
      escalateAfter: '2 minutes',
      decisionTimeout: '5 minutes',
      validFor: '30 days',
    },
  };
}

function decision(overrides: Partial<DecideRequest>): DecideRequest {
  return { decision: 'approve', comment: 'WAF rule covers the exploit path', principal: APPROVER, roles: ['approver'], ...overrides };
}

type ExceptionHandle = WorkflowHandleWithFirstExecutionRunId<typeof patchException>;

/**
 * Starts the exception on a fresh worker, runs `test` against it, and terminates the
 * workflow if it is still open. A workflow left open after its worker stops would
 * hold a workflow task that no one polls, and the test server does not skip time
 * while one is outstanding, which would stall every later test in the file.
 */
async function withException<T>(
  fakes: FakeActivities,
  input: PatchExceptionInput,
  test: (handle: ExceptionHandle) => Promise<T>,
): Promise<T> {
  const taskQueue = `exception-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fakes.activities,
  });

  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(patchException, { taskQueue, workflowId: input.exceptionId, args: [input] });
    try {
      return await test(handle);
    } finally {
      await handle.terminate('test finished').catch(() => undefined);
    }
  });
}

/** Waits until the mitigation is applied and the exception waits for a decision. */
async function untilPending(handle: ExceptionHandle): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await handle.query(exceptionStateQuery)).status === 'pending') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the exception never reached the pending state');
}

/** Returns the message of the validator's failure behind a rejected update. */
async function rejectionOf(update: Promise<unknown>): Promise<string> {
  const error = await update.then(
    () => {
      throw new Error('expected the update to be rejected');
    },
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error).message;
}

describe('patchException', () => {
  it('decision by the requester is rejected', async () => {
    const fakes = fakeActivities();

    await withException(fakes, exceptionInput(), async (handle) => {
      await untilPending(handle);

      const message = await rejectionOf(handle.executeUpdate(decideUpdate, { args: [decision({ principal: REQUESTER })] }));
      expect(message).toContain('segregation of duties');

      expect((await handle.query(exceptionStateQuery)).status).toBe('pending');
      expect(fakes.callsOf('recordExceptionDecision')).toHaveLength(0);
    });
  });

  it('decision by a non-approver is rejected', async () => {
    const fakes = fakeActivities();
    const outsider = decision({ principal: 'someone@example.com', roles: ['soc_analyst'] });

    await withException(fakes, exceptionInput(), async (handle) => {
      await untilPending(handle);

      const message = await rejectionOf(handle.executeUpdate(decideUpdate, { args: [outsider] }));
      expect(message).toContain('lacks the "approver" role');

      expect((await handle.query(exceptionStateQuery)).status).toBe('pending');
      expect(fakes.callsOf('recordExceptionDecision')).toHaveLength(0);
    });
  });

  it('approval by an approver is accepted', async () => {
    const fakes = fakeActivities();
    const input = exceptionInput();

    await withException(fakes, input, async (handle) => {
      await untilPending(handle);

      const state = await handle.executeUpdate(decideUpdate, { args: [decision({})] });
      expect(state.status).toBe('approved');
      expect(state.decidedBy).toBe(APPROVER);
      expect(state.mitigationId).toBe(`mitigation-${input.exceptionId}`);

      const recorded = fakes.callsOf('recordExceptionDecision');
      expect(recorded).toHaveLength(1);
      expect(recorded[0]!.input.decision).toBe('approved');
      expect(recorded[0]!.input.principal).toBe(APPROVER);
      const validForMs = 30 * 24 * 3600 * 1000;
      expect(Date.parse(recorded[0]!.input.expiresAt!) - Date.parse(recorded[0]!.input.decidedAt)).toBe(validForMs);

      const result = await handle.result();
      expect(result.status).toBe('approved');
      expect(fakes.callsOf('applyMitigation')).toHaveLength(1);
    });
  });

  it('decision timeout denies', async () => {
    const fakes = fakeActivities();

    await withException(fakes, exceptionInput(), async (handle) => {
      const startedAtMs = (await handle.describe()).startTime.getTime();
      const result = await handle.result();

      expect(result.status).toBe('denied');
      expect(result.decidedBy).toBe('system');
      expect(result.expiresAt).toBeNull();
      expect(result.notificationsSent).toEqual(['reminder', 'escalation']);

      const notifications = fakes.callsOf('notifyApprovers');
      expect(notifications.map((call) => call.input.kind)).toEqual(['reminder', 'escalation']);
      expect(notifications[0]!.scheduledAtMs - startedAtMs).toBeGreaterThanOrEqual(60_000);
      expect(notifications[0]!.scheduledAtMs - startedAtMs).toBeLessThan(62_000);
      expect(notifications[1]!.scheduledAtMs - startedAtMs).toBeGreaterThanOrEqual(120_000);
      expect(notifications[1]!.scheduledAtMs - startedAtMs).toBeLessThan(122_000);

      const recorded = fakes.callsOf('recordExceptionDecision');
      expect(recorded).toHaveLength(1);
      expect(recorded[0]!.input.decision).toBe('denied');
      expect(recorded[0]!.scheduledAtMs - startedAtMs).toBeGreaterThanOrEqual(300_000);
    });
  });

  it('revoke before a decision denies', async () => {
    const fakes = fakeActivities();

    await withException(fakes, exceptionInput(), async (handle) => {
      await handle.signal(revokeSignal, { principal: REQUESTER, reason: 'host decommissioned' });
      const result = await handle.result();

      expect(result.status).toBe('denied');
      expect(result.decidedBy).toBe(REQUESTER);
      expect(result.comment).toBe('revoked: host decommissioned');
      expect(fakes.callsOf('notifyApprovers')).toHaveLength(0);
    });
  });
});
