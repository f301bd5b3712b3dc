import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeActivities, type FakeActivities } from '../test/fake-activities.js';
import { bundleWorkflows, createTimeSkippingEnv } from '../test/temporal.js';
import type { QuarantineInput, QuarantineState } from './definitions.js';
import { quarantine } from './quarantine.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

async function runQuarantine(fakes: FakeActivities): Promise<{ input: QuarantineInput; result: QuarantineState }> {
  const input: QuarantineInput = {
    quarantineId: `quarantine-test-${randomUUID()}`,
    incidentId: 'INC-3',
    assetId: 'asset-ws7',
    detectionId: 'det-42',
    policy: { automatic: true },
  };
  const taskQueue = `quarantine-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fakes.activities,
  });
  const result = await worker.runUntil(
    env.client.workflow.execute(quarantine, { taskQueue, workflowId: input.quarantineId, args: [input] }),
  );
  return { input, result };
}

describe('quarantine', () => {
  it('verified containment is contained', async () => {
    const fakes = fakeActivities();

    const { input, result } = await runQuarantine(fakes);

    expect(result.status).toBe('contained');
    expect(result.containmentId).toBe(`containment-${input.quarantineId}`);
    expect(fakes.callsOf('containHost')[0]!.input.detectionId).toBe('det-42');
    expect(fakes.callsOf('verifyContainment')).toHaveLength(1);
  });

  it('late containment is checked again', async () => {
    let checks = 0;
    const fakes = fakeActivities({
      async verifyContainment() {
        checks++;
        return checks < 2 ? { contained: false, detail: 'isolation pending' } : { contained: true, detail: 'isolated' };
      },
    });

    const { result } = await runQuarantine(fakes);

    expect(result.status).toBe('contained');
    expect(fakes.callsOf('verifyContainment')).toHaveLength(2);
  });

  it('unverified containment fails', async () => {
    const fakes = fakeActivities({
      async verifyContainment() {
        return { contained: false, detail: 'sensor offline' };
      },
    });

    const { result } = await runQuarantine(fakes);

    expect(result.status).toBe('failed');
    expect(result.detail).toBe('sensor offline');
    expect(fakes.callsOf('verifyContainment')).toHaveLength(3);
  });
});
