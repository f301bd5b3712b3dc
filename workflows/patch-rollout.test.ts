import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeActivities, type FakeActivities } from '../test/fake-activities.js';
import { bundleWorkflows, createTimeSkippingEnv } from '../test/temporal.js';
import {
  abortSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  type PatchRolloutInput,
  type RolloutHost,
  type RolloutPolicy,
} from './definitions.js';
import { patchRollout, planRings } from './patch-rollout.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

const hosts: RolloutHost[] = ['a', 'b', 'c', 'd'].map((name) => ({
  assetId: `asset-${name}`,
  hostname: `web-${name}`,
  patchId: 'PATCH-7',
}));

function rolloutInput(policy: Partial<RolloutPolicy>): PatchRolloutInput {
  const rolloutId = `rollout-test-${randomUUID()}`;
  return {
    rolloutId,
    incidentId: 'INC-1',
    hosts,
    policy: { canaryFraction: 0.25, failureThreshold: 0, maxParallel: 1, ...policy },
    requestedBy: 'operator@example.com',
  };
}

async function withWorker<T>(fakes: FakeActivities, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `rollout-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fakes.activities,
  });
  return worker.runUntil(run(taskQueue));
}

describe('planRings', () => {
  it('canary gets at least one host', () => {
    const rings = planRings(hosts, 0.1);
    expect(rings.map((ring) => ring.hosts.length)).toEqual([1, 3]);
  });

  it('canary rounds up', () => {
    const rings = planRings(hosts, 0.3);
    expect(rings.map((ring) => ring.hosts.length)).toEqual([2, 2]);
  });

  it('full canary leaves no broad ring', () => {
    expect(planRings(hosts, 1).map((ring) => ring.ring)).toEqual(['canary']);
  });
});

describe('patchRollout', () => {
  it('healthy fleet is patched ring by ring', async () => {
    const fakes = fakeActivities();
    const input = rolloutInput({ maxParallel: 2 });

    const result = await withWorker(fakes, (taskQueue) =>
      env.client.workflow.execute(patchRollout, { taskQueue, workflowId: input.rolloutId, args: [input] }),
    );

    expect(result.status).toBe('completed');
    expect(result.hosts.map((host) => host.outcome)).toEqual(['patched', 'patched', 'patched', 'patched']);
    expect(fakes.callsOf('deployPatch').map((call) => call.input.deploymentId)).toEqual(
      expect.arrayContaining(hosts.map((host) => `${input.rolloutId}:${host.assetId}:PATCH-7`)),
    );
    expect(fakes.callsOf('rollbackPatch')).toHaveLength(0);
  });

  it('failing canary halts and rolls back', async () => {
    const fakes = fakeActivities({
      async deployPatch({ assetId }) {
        if (assetId === 'asset-b') return { outcome: 'failed', detail: 'installer exit code 1603' };
        return { outcome: 'installed', detail: 'installed' };
      },
    });
    // Canary of two hosts, patched one at a time: asset-a is patched, then asset-b fails.
    const input = rolloutInput({ canaryFraction: 0.5, maxParallel: 1 });

    const result = await withWorker(fakes, (taskQueue) =>
      env.client.workflow.execute(patchRollout, { taskQueue, workflowId: input.rolloutId, args: [input] }),
    );

    expect(result.status).toBe('halted');
    const outcomes = Object.fromEntries(result.hosts.map((host) => [host.assetId, host.outcome]));
    expect(outcomes).toEqual({
      'asset-a': 'rolled_back',
      'asset-b': 'failed',
      'asset-c': 'skipped',
      'asset-d': 'skipped',
    });
    expect(fakes.callsOf('rollbackPatch').map((call) => call.input.assetId)).toEqual(['asset-a']);
    expect(fakes.callsOf('rollbackPatch')[0]!.input.deploymentId).toBe(`${input.rolloutId}:asset-a:PATCH-7`);
    expect(fakes.callsOf('deployPatch').map((call) => call.input.assetId)).toEqual(['asset-a', 'asset-b']);
  });

  it('unhealthy host is rolled back', async () => {
    const fakes = fakeActivities({
      async validateHost({ assetId }) {
        if (assetId === 'asset-c') return { healthy: false, detail: 'HTTP 503 on /health' };
        return { healthy: true, detail: 'service answers' };
      },
    });
    // One failure in a broad ring of three stays within a 0.5 threshold.
    const input = rolloutInput({ canaryFraction: 0.25, failureThreshold: 0.5 });

    const result = await withWorker(fakes, (taskQueue) =>
      env.client.workflow.execute(patchRollout, { taskQueue, workflowId: input.rolloutId, args: [input] }),
    );

    expect(result.status).toBe('completed');
    const hostC = result.hosts.find((host) => host.assetId === 'asset-c');
    expect(hostC?.outcome).toBe('rolled_back');
    expect(hostC?.detail).toContain('HTTP 503');
    expect(fakes.callsOf('rollbackPatch').map((call) => call.input.deploymentId)).toEqual([
      `${input.rolloutId}:asset-c:PATCH-7`,
    ]);
    expect(result.hosts.filter((host) => host.outcome === 'patched')).toHaveLength(3);
  });

  it('pause holds rings until resume', async () => {
    const fakes = fakeActivities();
    const input = rolloutInput({});
    const operator = { principal: 'operator@example.com', reason: 'change window' };

    await withWorker(fakes, async (taskQueue) => {
      // Signal-with-start delivers the pause before the first ring can start.
      const handle = await env.client.workflow.signalWithStart(patchRollout, {
        taskQueue,
        workflowId: input.rolloutId,
        args: [input],
        signal: pauseSignal,
        signalArgs: [operator],
      });
      try {
        await env.sleep('10 minutes');

        const paused = await handle.query(progressQuery);
        expect(paused.status).toBe('paused');
        expect(paused.rings.map((ring) => ring.status)).toEqual(['pending', 'pending']);
        expect(fakes.callsOf('deployPatch')).toHaveLength(0);

        await handle.signal(resumeSignal, operator);
        const result = await handle.result();
        expect(result.status).toBe('completed');
        expect(fakes.callsOf('deployPatch')).toHaveLength(4);
      } finally {
        // An open workflow without a worker would stop the test server from skipping time.
        await handle.terminate('test finished').catch(() => undefined);
      }
    });
  });

  it('abort skips every ring', async () => {
    const fakes = fakeActivities();
    const input = rolloutInput({});

    const result = await withWorker(fakes, async (taskQueue) => {
      const handle = await env.client.workflow.signalWithStart(patchRollout, {
        taskQueue,
        workflowId: input.rolloutId,
        args: [input],
        signal: abortSignal,
        signalArgs: [{ principal: 'operator@example.com', reason: 'vendor pulled the patch' }],
      });
      return handle.result();
    });

    expect(result.status).toBe('aborted');
    expect(result.hosts.map((host) => host.outcome)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(result.hosts[0]!.detail).toBe('skipped because operator@example.com aborted the rollout');
    expect(fakes.callsOf('deployPatch')).toHaveLength(0);
  });
});
