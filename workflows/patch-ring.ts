/**
 * `patchRing`: patches one ring of a rollout, at most `maxParallel` hosts at once.
 * Each ring is its own child workflow, so no single history grows with the fleet.
 *
 * Per host: precheck, deploy, validate, and roll back when validation fails. Once the
 * ring's failed share exceeds the threshold, no new host starts, the hosts this ring
 * patched are rolled back, and the ring reports `halted` so the rollout stops.
 */
import { condition, isCancellation, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { PatchwardenActivities } from '../activities/types.js';
import {
  abortSignal,
  pauseSignal,
  resumeSignal,
  ringProgressQuery,
  type HostResult,
  type PatchRingInput,
  type PatchRingResult,
  type RingProgress,
  type RolloutHost,
} from './definitions.js';

const { precheckHost, validateHost } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '2 minutes',
});
// Installs heartbeat every few seconds, so a worker that dies mid-install is noticed
// within the heartbeat timeout and the deploy retries elsewhere with the same
// deployment id, which the host recognises.
const { deployPatch, rollbackPatch } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
});

export async function patchRing(input: PatchRingInput): Promise<PatchRingResult> {
  const { rolloutId, ring, hosts } = input;
  const results: Array<HostResult | undefined> = hosts.map(() => undefined);
  const progress: RingProgress = { ring, status: 'running', hostCount: hosts.length, hosts: [] };
  let paused = false;
  let abortedBy: string | null = null;
  let halted = false;
  let failedCount = 0;

  setHandler(ringProgressQuery, () => ({ ...progress, hosts: results.filter((result) => result !== undefined) }));
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(abortSignal, (request) => {
    abortedBy = request.principal;
  });

  const stopped = (): boolean => halted || abortedBy !== null;
  let next = 0;

  // Each lane takes the next host when the previous one is done, which caps the
  // hosts in flight at maxParallel and lets pause act between hosts.
  const lane = async (): Promise<void> => {
    for (;;) {
      if (next >= hosts.length) return;
      await condition(() => !paused || stopped());
      if (stopped() || next >= hosts.length) return;

      const index = next++;
      const result = await patchHost(rolloutId, hosts[index]!);
      results[index] = result;

      if (result.outcome === 'failed' || result.outcome === 'rolled_back') {
        failedCount++;
        if (failedCount > input.failureThreshold * hosts.length && !halted) {
          halted = true;
          log.warn('ring failure threshold exceeded; halting the rollout', { rolloutId, ring, failedCount });
        }
      }
    }
  };
  const laneCount = Math.min(Math.max(1, input.maxParallel), hosts.length);
  await Promise.all(Array.from({ length: laneCount }, lane));

  hosts.forEach((host, index) => {
    if (results[index] !== undefined) return;
    const detail = halted
      ? `skipped because the ${ring} ring halted`
      : `skipped because ${abortedBy ?? 'an operator'} aborted the rollout`;
    results[index] = { ...host, outcome: 'skipped', detail };
  });

  if (halted) await rollBackPatchedHosts(input, results as HostResult[]);

  let status: PatchRingResult['status'] = 'completed';
  if (halted) status = 'halted';
  else if (stopped()) status = 'aborted';
  progress.status = status;
  log.info('ring finished', { rolloutId, ring, status, failedCount });
  return { ring, status, hosts: results as HostResult[] };
}

function deploymentIdOf(rolloutId: string, host: RolloutHost): string {
  return `${rolloutId}:${host.assetId}:${host.patchId}`;
}

/**
 * Patches one host and returns its outcome. Outcomes the activities return (a failed
 * precheck, a failed deploy, an unhealthy host) are not retried. The default retry
 * policy retries a thrown error without limit, so an activity error reaches here only
 * when it is non-retryable (an ineligible asset, an invalid signature), and it fails
 * only this host.
 */
async function patchHost(rolloutId: string, host: RolloutHost): Promise<HostResult> {
  const { assetId, patchId } = host;
  const deploymentId = deploymentIdOf(rolloutId, host);
  let deployed = false;

  try {
    const precheck = await precheckHost({ rolloutId, assetId, patchId });
    if (!precheck.ok) return { ...host, outcome: 'failed', detail: `precheck failed: ${precheck.detail}` };

    const deploy = await deployPatch({ deploymentId, rolloutId, assetId, patchId });
    if (deploy.outcome === 'failed') return { ...host, outcome: 'failed', detail: `deploy failed: ${deploy.detail}` };
    deployed = true;

    const validation = await validateHost({ deploymentId, assetId, patchId });
    if (validation.healthy) return { ...host, outcome: 'patched', detail: `${deploy.outcome}: ${validation.detail}` };

    await rollbackPatch({ deploymentId, assetId, patchId });
    return { ...host, outcome: 'rolled_back', detail: `validation failed, patch rolled back: ${validation.detail}` };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const message = (error as Error).message;
    log.error('patching a host failed', { rolloutId, assetId, patchId, deploymentId, error: message });

    // A host whose health is unknown after an install is safer without the patch.
    if (deployed) return rollBackAfterError(host, deploymentId, message);
    return { ...host, outcome: 'failed', detail: `failed: ${message}` };
  }
}

async function rollBackAfterError(host: RolloutHost, deploymentId: string, cause: string): Promise<HostResult> {
  try {
    await rollbackPatch({ deploymentId, assetId: host.assetId, patchId: host.patchId });
    return { ...host, outcome: 'rolled_back', detail: `validation failed, patch rolled back: ${cause}` };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const message = (error as Error).message;
    log.error('rollback failed', { deploymentId, assetId: host.assetId, error: message });
    return { ...host, outcome: 'failed', detail: `validation failed (${cause}) and rollback failed: ${message}` };
  }
}

/** Rolls back every host this ring patched, at most maxParallel at once. */
async function rollBackPatchedHosts(input: PatchRingInput, results: HostResult[]): Promise<void> {
  const patched = results.filter((result) => result.outcome === 'patched');
  const width = Math.max(1, input.maxParallel);

  for (let start = 0; start < patched.length; start += width) {
    const batch = patched.slice(start, start + width);
    await Promise.all(
      batch.map(async (result) => {
        const deploymentId = deploymentIdOf(input.rolloutId, result);
        await rollbackPatch({ deploymentId, assetId: result.assetId, patchId: result.patchId });
        result.outcome = 'rolled_back';
        result.detail = `rolled back because the ${input.ring} ring halted`;
      }),
    );
  }
}
