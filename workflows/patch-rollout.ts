/**
 * `patchRollout`: patches hosts in rings, a canary ring first and then the rest. A
 * ring that fails beyond the policy's threshold halts the rollout and later rings are
 * skipped. Operators pause, resume and abort with signals, which this workflow
 * forwards to the running ring.
 */
import {
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
  type SignalDefinition,
} from '@temporalio/workflow';
import {
  abortSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  ringWorkflowId,
  type HostResult,
  type OperatorRequest,
  type PatchRolloutInput,
  type PatchRolloutResult,
  type RingName,
  type RingProgress,
  type RolloutHost,
  type RolloutProgress,
} from './definitions.js';
import { patchRing } from './patch-ring.js';

interface PlannedRing {
  ring: RingName;
  hosts: RolloutHost[];
}

/**
 * Splits hosts into a canary of max(1, ceil(n * canaryFraction)) hosts and a broad
 * ring with the rest. An empty ring is left out.
 */
export function planRings(hosts: RolloutHost[], canaryFraction: number): PlannedRing[] {
  if (hosts.length === 0) return [];

  const canarySize = Math.min(hosts.length, Math.max(1, Math.ceil(hosts.length * canaryFraction)));
  const rings: PlannedRing[] = [{ ring: 'canary', hosts: hosts.slice(0, canarySize) }];
  if (canarySize < hosts.length) rings.push({ ring: 'broad', hosts: hosts.slice(canarySize) });
  return rings;
}

export async function patchRollout(input: PatchRolloutInput): Promise<PatchRolloutResult> {
  const { rolloutId, incidentId, policy } = input;
  const rings = planRings(input.hosts, policy.canaryFraction);
  const ringProgress: RingProgress[] = rings.map(({ ring, hosts }) => ({
    ring,
    status: 'pending',
    hostCount: hosts.length,
    hosts: [],
  }));

  let pausedBy: OperatorRequest | null = null;
  let aborted: OperatorRequest | null = null;
  let halted = false;
  let running: ChildWorkflowHandle<typeof patchRing> | null = null;

  const currentStatus = (): RolloutProgress['status'] => {
    if (aborted !== null) return 'aborted';
    if (halted) return 'halted';
    if (ringProgress.every((ring) => ring.status !== 'pending' && ring.status !== 'running')) return 'completed';
    return pausedBy !== null ? 'paused' : 'running';
  };
  setHandler(progressQuery, () => ({ rolloutId, status: currentStatus(), rings: ringProgress }));

  // A ring child applies pause and abort between its hosts, so each signal goes on to
  // the ring that is running. A ring started later gets the state when it starts.
  const forward = async (signal: SignalDefinition<[OperatorRequest]>, request: OperatorRequest): Promise<void> => {
    const ring = running;
    if (ring === null) return;
    try {
      await ring.signal(signal, request);
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn('could not forward a signal to the ring, which has probably finished', {
        rolloutId,
        ringWorkflowId: ring.workflowId,
        signal: signal.name,
        error: (error as Error).message,
      });
    }
  };
  setHandler(pauseSignal, async (request) => {
    pausedBy = request;
    log.info('rollout paused', { rolloutId, principal: request.principal, reason: request.reason });
    await forward(pauseSignal, request);
  });
  setHandler(resumeSignal, async (request) => {
    pausedBy = null;
    log.info('rollout resumed', { rolloutId, principal: request.principal, reason: request.reason });
    await forward(resumeSignal, request);
  });
  setHandler(abortSignal, async (request) => {
    aborted = request;
    log.warn('rollout aborted', { rolloutId, principal: request.principal, reason: request.reason });
    await forward(abortSignal, request);
  });

  const stoppedReason = (): string | null => {
    if (aborted !== null) return `skipped because ${aborted.principal} aborted the rollout`;
    if (halted) return 'skipped because an earlier ring halted the rollout';
    return null;
  };

  for (const [index, planned] of rings.entries()) {
    const progress = ringProgress[index]!;
    await condition(() => pausedBy === null || stoppedReason() !== null);

    const skipReason = stoppedReason();
    if (skipReason !== null) {
      progress.status = 'skipped';
      progress.hosts = planned.hosts.map((host) => ({ ...host, outcome: 'skipped', detail: skipReason }));
      continue;
    }

    progress.status = 'running';
    const result = await runRing(input, planned, async (handle) => {
      running = handle;
      if (pausedBy !== null) await forward(pauseSignal, pausedBy);
      if (aborted !== null) await forward(abortSignal, aborted);
    });
    running = null;

    progress.status = result.status;
    progress.hosts = result.hosts;
    if (result.status === 'halted') halted = true;
  }

  await condition(allHandlersFinished);

  let status: PatchRolloutResult['status'] = 'completed';
  if (aborted !== null) status = 'aborted';
  else if (halted) status = 'halted';
  log.info('rollout finished', { rolloutId, incidentId, status });

  const hosts: HostResult[] = ringProgress.flatMap((ring) => ring.hosts);
  return { rolloutId, status, hosts };
}

/**
 * Runs one ring child and returns its result. A ring whose child workflow fails (a
 * bug, not a host outcome) counts as halted with its hosts failed, so the rollout
 * never moves on past a ring it cannot account for.
 */
async function runRing(
  input: PatchRolloutInput,
  planned: PlannedRing,
  onStarted: (handle: ChildWorkflowHandle<typeof patchRing>) => Promise<void>,
): Promise<{ status: RingProgress['status']; hosts: HostResult[] }> {
  const { rolloutId, incidentId, policy } = input;
  const workflowId = ringWorkflowId(rolloutId, planned.ring);

  try {
    const handle = await startChild(patchRing, {
      workflowId,
      args: [
        {
          rolloutId,
          incidentId,
          ring: planned.ring,
          hosts: planned.hosts,
          maxParallel: policy.maxParallel,
          failureThreshold: policy.failureThreshold,
        },
      ],
    });
    await onStarted(handle);
    return await handle.result();
  } catch (error) {
    if (isCancellation(error)) throw error;
    const message = (error as Error).message;
    log.error('ring workflow failed', { rolloutId, ringWorkflowId: workflowId, error: message });
    return {
      status: 'halted',
      hosts: planned.hosts.map((host) => ({ ...host, outcome: 'failed', detail: `ring workflow failed: ${message}` })),
    };
  }
}
