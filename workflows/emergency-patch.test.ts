import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AffectedAsset, AssetPlan } from '../activities/types.js';
import { assessCve } from '../domain/cve-assessment.js';
import { fakeActivities, type FakeActivities } from '../test/fake-activities.js';
import { bundleWorkflows, createTimeSkippingEnv } from '../test/temporal.js';
import {
  addCvesUpdate,
  cancelSignal,
  exceptionStateQuery,
  exceptionWorkflowId,
  pauseSignal,
  phaseSearchAttribute,
  progressQuery,
  quarantineWorkflowId,
  ringWorkflowId,
  resumeSignal,
  rolloutWorkflowId,
  statusQuery,
  type EmergencyPatchInput,
  type IncidentStatus,
} from './definitions.js';
import { emergencyPatch } from './emergency-patch.js';
import type { patchException } from './patch-exception.js';
import type { patchRollout } from './patch-rollout.js';
import type { quarantine } from './quarantine.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

type IncidentHandle = WorkflowHandleWithFirstExecutionRunId<typeof emergencyPatch>;

/** A P1 (CVSS 9.8) gets 100 seconds: escalations at 50 s, 75 s and 100 s, to a chain of two. */
const policy: EmergencyPatchInput['policy'] = {
  sla: { P1: '100s', P2: '200s', P3: '300s', P4: '400s' },
  escalation: { fractions: [0.5, 0.75, 1], chain: ['patch-operations', 'security-lead'] },
  rollout: { canaryFraction: 0.5, failureThreshold: 0, maxParallel: 2 },
  exceptions: {
    approverRole: 'approver',
    reminderAfter: '10m',
    escalateAfter: '20m',
    decisionTimeout: '30m',
    validFor: '30 days',
  },
  quarantine: { automatic: true },
};

function asset(hostname: string, cves: string[]): AffectedAsset {
  return { assetId: `asset-${hostname}`, hostname, ip: null, cves };
}

function plan(target: AffectedAsset, action: AssetPlan['action'], extra: Partial<AssetPlan> = {}): AssetPlan {
  return {
    assetId: target.assetId,
    hostname: target.hostname,
    action,
    reason: `${action} planned by the test`,
    cves: target.cves,
    patchId: action === 'exception' ? null : 'PATCH-9',
    detectionId: null,
    ...extra,
  };
}

/** Fakes whose one asset gets an exception, which keeps the incident open until its 30-minute timeout. */
function exceptionFakes(overrides: Parameters<typeof fakeActivities>[0] = {}): FakeActivities {
  const db1 = asset('db1', ['CVE-2025-0001']);
  return fakeActivities({
    async scopeAssets() {
      return [db1];
    },
    async planRemediation() {
      return [plan(db1, 'exception')];
    },
    ...overrides,
  });
}

/**
 * Starts an incident on a fresh worker whose clock starts at the server's current
 * time, runs `test`, and then terminates the incident and the children the tests
 * start if they are still open. An open workflow without a worker would stop the
 * test server from skipping time for every later test.
 */
async function withIncident<T>(
  fakes: FakeActivities,
  test: (handle: IncidentHandle, input: EmergencyPatchInput) => Promise<T>,
): Promise<T> {
  const incidentId = `INC-${randomUUID().slice(0, 8)}`;
  const taskQueue = `emergency-${randomUUID()}`;
  const input: EmergencyPatchInput = {
    incidentId,
    source: 'api',
    ticketId: incidentId,
    title: 'Exploited firewall vulnerability',
    cves: ['CVE-2025-0001'],
    requestedBy: 'analyst@example.com',
    assetHints: [],
    createdAt: new Date(await env.currentTimeMs()).toISOString(),
    policy,
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fakes.activities,
  });

  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(emergencyPatch, { taskQueue, workflowId: `emergency-${incidentId}`, args: [input] });
    try {
      return await test(handle, input);
    } finally {
      // The incident first, so that it starts no more children.
      const rolloutIds = [rolloutWorkflowId(incidentId), rolloutWorkflowId(incidentId, 2)];
      const openWorkflowIds = [
        handle.workflowId,
        exceptionWorkflowId(incidentId, 'asset-db1'),
        ...rolloutIds,
        ...rolloutIds.flatMap((rolloutId) => [ringWorkflowId(rolloutId, 'canary'), ringWorkflowId(rolloutId, 'broad')]),
      ];
      for (const workflowId of openWorkflowIds) {
        await env.client.workflow.getHandle(workflowId).terminate('test finished').catch(() => undefined);
      }
    }
  });
}

/** Polls `check` every 50 ms, for about five seconds, until it returns true. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function untilStatus(handle: IncidentHandle, accept: (status: IncidentStatus) => boolean, what: string): Promise<void> {
  await until(async () => accept(await handle.query(statusQuery)), what);
}

async function untilPhase(handle: IncidentHandle, phase: string): Promise<void> {
  await untilStatus(handle, (status) => status.phase === phase, `the ${phase} phase`);
}

describe('emergencyPatch', () => {
  it('escalations follow the SLA window', async () => {
    const fakes = exceptionFakes();

    await withIncident(fakes, async (handle, input) => {
      const result = await handle.result();
      const clockStartMs = Date.parse(input.createdAt);

      const sent = fakes.callsOf('sendEscalation');
      expect(sent.map((call) => call.input.notice.fraction)).toEqual([0.5, 0.75, 1]);
      expect(sent.map((call) => call.input.notice.recipient)).toEqual(['patch-operations', 'security-lead', 'security-lead']);
      const expectedOffsetsMs = [50_000, 75_000, 100_000];
      sent.forEach((call, index) => {
        const offsetMs = call.scheduledAtMs - clockStartMs;
        expect(offsetMs).toBeGreaterThanOrEqual(expectedOffsetsMs[index]!);
        expect(offsetMs).toBeLessThan(expectedOffsetsMs[index]! + 2_000);
      });
      expect(result.escalations.map((notice) => notice.fraction)).toEqual([0.5, 0.75, 1]);
    });
  });

  it('past KEV due date breaches at once', async () => {
    const fakes = exceptionFakes({
      async enrichCves({ cves, clockStartAt, sla }) {
        return cves.map((cve) =>
          assessCve({
            cve,
            kevDueDate: '2021-12-24',
            epss: 0.97,
            cvss: 10,
            cvssSource: 'nvd',
            clockStartAt: new Date(clockStartAt),
            slaDurations: sla!,
          }),
        );
      },
    });

    await withIncident(fakes, async (handle, input) => {
      const result = await handle.result();

      const sent = fakes.callsOf('sendEscalation');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.input.notice.reason).toBe('past-cisa-due-date');
      expect(sent[0]!.input.notice.fraction).toBe(1);
      expect(sent[0]!.input.notice.recipient).toBe('security-lead');
      expect(sent[0]!.scheduledAtMs - Date.parse(input.createdAt)).toBeLessThan(2_000);
      expect(result.cves[0]!.pastCisaDueDate).toBe(true);
    });
  });

  it('denied exception fails the incident', async () => {
    const fakes = exceptionFakes();

    await withIncident(fakes, async (handle, input) => {
      const result = await handle.result();

      expect(result.phase).toBe('failed');
      expect(result.assets).toEqual([{ assetId: 'asset-db1', hostname: 'db1', action: 'exception', state: 'exception_denied' }]);
      expect(result.summary).toBe('1 of 1 asset not remediated: db1 (exception_denied). CVEs: CVE-2025-0001.');
      const exception = await env.client.workflow.getHandle<typeof patchException>(exceptionWorkflowId(input.incidentId, 'asset-db1')).result();
      expect(exception.requestedBy).toBe('analyst@example.com');
      expect(fakes.callsOf('closeIncident')[0]!.input.outcome).toBe('failed');
    });
  });

  it('patched and contained assets complete', async () => {
    const web1 = asset('web1', ['CVE-2025-0001']);
    const ws2 = asset('ws2', ['CVE-2025-0001']);
    const fakes = fakeActivities({
      async scopeAssets() {
        return [web1, ws2];
      },
      async correlateDetections() {
        return [{ assetId: ws2.assetId, detectionId: 'det-1', severity: 'high', description: 'exploit attempt' }];
      },
      async planRemediation() {
        return [plan(web1, 'patch'), plan(ws2, 'quarantine', { detectionId: 'det-1' })];
      },
    });

    await withIncident(fakes, async (handle, input) => {
      const result = await handle.result();

      expect(result.phase).toBe('completed');
      expect(result.assets.map((entry) => [entry.hostname, entry.state])).toEqual([
        ['web1', 'patched'],
        ['ws2', 'patched'],
      ]);
      expect(fakes.callsOf('recordPhase').map((call) => call.input.phase)).toEqual([
        'enriching',
        'scoping',
        'planning',
        'remediating',
        'closing',
        'completed',
      ]);
      expect(fakes.callsOf('closeIncident')[0]!.input.outcome).toBe('completed');
      expect(fakes.callsOf('deployPatch').map((call) => call.input.rolloutId)).toEqual([
        rolloutWorkflowId(input.incidentId),
        rolloutWorkflowId(input.incidentId),
      ]);
      const containment = await env.client.workflow.getHandle<typeof quarantine>(quarantineWorkflowId(input.incidentId, ws2.assetId)).result();
      expect(containment.status).toBe('contained');
      expect(fakes.callsOf('sendEscalation')).toHaveLength(0);

      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(phaseSearchAttribute)).toBe('completed');
    });
  });

  it('clock stops once every asset is resolved', async () => {
    const ws2 = asset('ws2', ['CVE-2025-0001']);
    const ws3 = asset('ws3', ['CVE-2025-0001']);
    const operator = { principal: 'operator@example.com', reason: 'hold the broad ring' };
    const fakes = fakeActivities({
      async scopeAssets() {
        return [ws2, ws3];
      },
      async planRemediation() {
        return [plan(ws2, 'quarantine', { detectionId: 'det-2' }), plan(ws3, 'quarantine', { detectionId: 'det-3' })];
      },
      // An operator pauses the rollout while the canary (ws2) is patched, so the
      // rollout waits before the broad ring (ws3) with no activity in flight, and the
      // test server can skip time while the incident stays open.
      async precheckHost({ rolloutId, assetId }) {
        if (assetId === ws2.assetId) await env.client.workflow.getHandle(rolloutId).signal(pauseSignal, operator);
        return { ok: true, detail: 'eligible' };
      },
    });

    await withIncident(fakes, async (handle, input) => {
      const resolved = (status: IncidentStatus) => {
        const states = Object.fromEntries(status.assets.map((entry) => [entry.hostname, entry.state]));
        return states.ws2 === 'quarantined' && states.ws3 === 'quarantined';
      };
      await untilStatus(handle, resolved, 'both hosts quarantined');
      const rollout = env.client.workflow.getHandle<typeof patchRollout>(rolloutWorkflowId(input.incidentId));
      await until(async () => (await rollout.query(progressQuery)).status === 'paused', 'the rollout paused');

      // Past every escalation time of the 100-second SLA.
      await env.sleep('3 minutes');
      expect(fakes.callsOf('sendEscalation')).toHaveLength(0);
      expect((await handle.query(statusQuery)).phase).toBe('remediating');

      await rollout.signal(resumeSignal, operator);
      const result = await handle.result();
      expect(result.phase).toBe('completed');
      expect(result.assets.map((entry) => entry.state)).toEqual(['patched', 'patched']);
      expect(fakes.callsOf('sendEscalation')).toHaveLength(0);
    });
  });

  it('no asset in scope completes', async () => {
    const fakes = fakeActivities();

    await withIncident(fakes, async (handle) => {
      const result = await handle.result();

      expect(result.phase).toBe('completed');
      expect(result.assets).toEqual([]);
      expect(result.summary).toBe('No asset in scope for CVE-2025-0001; nothing to remediate.');
      expect(fakes.callsOf('correlateDetections')).toHaveLength(0);
    });
  });

  it('addCves rejects malformed ids', async () => {
    const fakes = exceptionFakes();

    await withIncident(fakes, async (handle) => {
      await untilPhase(handle, 'remediating');

      const error = await handle
        .executeUpdate(addCvesUpdate, { args: [{ cves: ['CVE-2025-0002', 'log4shell'], principal: 'analyst@example.com' }] })
        .catch((rejection: unknown) => rejection);

      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((error as WorkflowUpdateFailedError).cause as Error).message).toContain('invalid CVE ids ["log4shell"]');
      expect(fakes.callsOf('enrichCves')).toHaveLength(1);
    });
  });

  it('addCves after scoping remediates new assets', async () => {
    const newCve = 'CVE-2025-0002';
    const web9 = asset('web9', [newCve]);
    const fakes = exceptionFakes({
      async scopeAssets({ cves }) {
        return cves.includes(newCve) ? [web9] : [asset('db1', ['CVE-2025-0001'])];
      },
      async planRemediation({ assets }) {
        return assets.map((target) => plan(target, target.hostname === 'web9' ? 'patch' : 'exception'));
      },
    });

    await withIncident(fakes, async (handle, input) => {
      await untilPhase(handle, 'remediating');

      const cves = await handle.executeUpdate(addCvesUpdate, { args: [{ cves: [newCve], principal: 'analyst@example.com' }] });
      expect(cves.map((assessment) => assessment.cve)).toEqual(['CVE-2025-0001', newCve]);

      expect(fakes.callsOf('enrichCves')[1]!.input.cves).toEqual([newCve]);

      // The update returns once the CVE is enriched; its wave runs on in the workflow.
      const web9Patched = (status: IncidentStatus) =>
        status.assets.some((entry) => entry.hostname === 'web9' && entry.state === 'patched');
      await untilStatus(handle, web9Patched, 'web9 patched');
      const rollout = await env.client.workflow.getHandle<typeof patchRollout>(rolloutWorkflowId(input.incidentId, 2)).result();
      expect(rollout.hosts.map((host) => [host.hostname, host.outcome])).toEqual([['web9', 'patched']]);
      expect((await handle.query(statusQuery)).priority).toBe('P1');
    });
  });

  it('cancel finishes cancelled', async () => {
    const fakes = exceptionFakes();

    await withIncident(fakes, async (handle, input) => {
      // Cancel once the incident only waits for the approver. The time-skipping test
      // server (the Java one behind `temporal-test-server`) can fail the workflow task
      // with ACTIVITY_UNKNOWN when a cancellation races an activity that just completed.
      const exception = env.client.workflow.getHandle<typeof patchException>(exceptionWorkflowId(input.incidentId, 'asset-db1'));
      await until(async () => (await exception.query(exceptionStateQuery).catch(() => null))?.status === 'pending', 'a pending exception');

      await handle.signal(cancelSignal, { principal: 'soc-lead@example.com', reason: 'false positive' });
      const result = await handle.result();

      expect(result.phase).toBe('cancelled');
      expect(result.summary).toContain('Cancelled by soc-lead@example.com: false positive');
      expect(fakes.callsOf('closeIncident')[0]!.input.outcome).toBe('cancelled');
      expect(fakes.callsOf('sendEscalation')).toHaveLength(0);
      expect((await exception.describe()).status.name).toBe('CANCELLED');
    });
  });
});
