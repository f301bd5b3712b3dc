/**
 * Remediation waves of an emergency incident. A wave scopes the assets a set of CVEs
 * affects, correlates EDR detections, plans each asset, and runs the children: a
 * `quarantine` per detected host, a `patchException` per excepted asset and one
 * `patchRollout` for every host to patch. The incident's first CVEs make wave 1, and
 * CVEs added later through `addCves` make one wave each.
 */
import {
  ChildWorkflowCancellationType,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  startChild,
} from '@temporalio/workflow';
import type { AssetPlan, PatchwardenActivities } from '../activities/types.js';
import type { AssetState } from '../domain/incident.js';
import {
  exceptionWorkflowId,
  quarantineWorkflowId,
  rolloutWorkflowId,
  type EmergencyPatchInput,
  type HostOutcome,
  type RolloutHost,
} from './definitions.js';
import type { IncidentTracker, TrackedAsset } from './incident-tracker.js';
import { patchException } from './patch-exception.js';
import { patchRollout } from './patch-rollout.js';
import { quarantine } from './quarantine.js';

const { scopeAssets, correlateDetections, planRemediation } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '5 minutes',
});

/** Asset state after a rollout, by host outcome. A skipped host never changed, so it is planned again. */
const STATE_BY_OUTCOME: Record<HostOutcome, AssetState> = {
  patched: 'patched',
  failed: 'failed',
  rolled_back: 'rolled_back',
  skipped: 'planned',
};

export class Remediation {
  /** Set when wave 1 starts scoping. CVEs added after that need a wave of their own. */
  scopingStarted = false;
  private waveCount = 0;
  private runningWaves = 0;
  private planningWaves = 0;
  private error: unknown = null;

  constructor(
    private readonly input: EmergencyPatchInput,
    private readonly incident: IncidentTracker,
  ) {}

  /** No wave is running. */
  get idle(): boolean {
    return this.runningWaves === 0;
  }

  /** No wave is scoping or planning, so every asset the known CVEs affect is tracked. */
  get settled(): boolean {
    return this.planningWaves === 0;
  }

  /** First error a wave started by `startWave` raised, for the main flow to raise in turn. */
  get failure(): unknown {
    return this.error;
  }

  /** Runs wave 1, which moves the incident through scoping, planning and remediating. */
  async runFirstWave(cves: string[]): Promise<void> {
    this.scopingStarted = true;
    this.runningWaves++;
    try {
      await this.runWave(cves, ++this.waveCount);
    } finally {
      this.runningWaves--;
    }
  }

  /**
   * Starts a wave for CVEs added later without waiting for it, because its children
   * can take days (an exception waits for its approver). The main flow waits for
   * `idle` before it closes the incident.
   */
  startWave(cves: string[]): void {
    this.runningWaves++;
    const wave = ++this.waveCount;
    this.runWave(cves, wave)
      .catch((error: unknown) => {
        if (this.error === null) this.error = error;
        if (!isCancellation(error)) {
          log.error('remediation wave failed', { incidentId: this.input.incidentId, wave, error: (error as Error).message });
        }
      })
      .finally(() => {
        this.runningWaves--;
      });
  }

  private async runWave(cves: string[], wave: number): Promise<void> {
    const plans = await this.planWave(cves, wave);
    if (plans.length === 0) return;

    await this.incident.advancePhase('remediating');
    const quarantines = plans.filter((plan) => plan.action === 'quarantine');
    const exceptions = plans.filter((plan) => plan.action === 'exception');
    const patches = plans.filter((plan) => plan.action !== 'exception');

    await Promise.all([
      ...quarantines.map((plan) => this.quarantineAsset(plan, wave)),
      ...exceptions.map((plan) => this.exceptAsset(plan, wave)),
      this.patchAssets(patches, wave),
    ]);
  }

  /** Scopes, correlates and plans one wave, and tracks its assets. */
  private async planWave(cves: string[], wave: number): Promise<AssetPlan[]> {
    this.planningWaves++;
    try {
      return await this.scopeAndPlan(cves, wave);
    } finally {
      this.planningWaves--;
    }
  }

  private async scopeAndPlan(cves: string[], wave: number): Promise<AssetPlan[]> {
    const { incidentId, assetHints } = this.input;

    await this.incident.advancePhase('scoping');
    const affected = await scopeAssets({ incidentId, cves, assetHints });
    log.info('assets scoped', { incidentId, wave, cves, assetCount: affected.length });
    if (affected.length === 0) return [];

    const detections = await correlateDetections({ incidentId, assetIds: affected.map((asset) => asset.assetId) });

    await this.incident.advancePhase('planning');
    const plans = await planRemediation({ incidentId, assets: affected, detections });
    await Promise.all(plans.map((plan) => this.incident.planAsset(plan, wave)));
    this.incident.publishSearchAttributes();
    return plans;
  }

  private tracked(plan: AssetPlan): TrackedAsset {
    const asset = this.incident.asset(plan.assetId);
    if (asset === undefined) throw new Error(`asset ${plan.assetId} was planned but is not tracked`);
    return asset;
  }

  private async quarantineAsset(plan: AssetPlan, wave: number): Promise<void> {
    const { incidentId, policy } = this.input;
    const asset = this.tracked(plan);
    if (plan.detectionId === null) {
      log.error('quarantine planned without a detection; not containing', { incidentId, assetId: plan.assetId });
      return;
    }

    const result = await this.runChild('quarantine', { assetId: plan.assetId, wave }, async () => {
      // ABANDON on parent close and on cancellation, so neither closing nor cancelling
      // the incident cancels a containment.
      const handle = await startChild(quarantine, {
        workflowId: quarantineWorkflowId(incidentId, plan.assetId, wave),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        args: [
          {
            quarantineId: quarantineWorkflowId(incidentId, plan.assetId, wave),
            incidentId,
            assetId: plan.assetId,
            detectionId: plan.detectionId!,
            policy: policy.quarantine,
          },
        ],
      });
      return handle.result();
    });

    if (result?.status === 'contained') {
      asset.contained = true;
      if (asset.state !== 'patched') await this.incident.setAssetState(asset, 'quarantined', result.detail);
    } else {
      log.error('host not contained', { incidentId, assetId: plan.assetId, detail: result?.detail ?? 'quarantine workflow failed' });
    }
  }

  private async exceptAsset(plan: AssetPlan, wave: number): Promise<void> {
    const { incidentId, policy, requestedBy } = this.input;
    const asset = this.tracked(plan);
    const exceptionId = exceptionWorkflowId(incidentId, plan.assetId, wave);
    await this.incident.setAssetState(asset, 'exception_pending', `exception ${exceptionId} requested: ${plan.reason}`);

    const result = await this.runChild('exception', { exceptionId, assetId: plan.assetId }, async () => {
      const handle = await startChild(patchException, {
        workflowId: exceptionId,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [
          {
            exceptionId,
            incidentId,
            assetId: plan.assetId,
            hostname: plan.hostname,
            cves: plan.cves,
            requestedBy,
            reason: plan.reason,
            policy: policy.exceptions,
          },
        ],
      });
      return handle.result();
    });

    if (result?.status === 'approved') {
      await this.incident.finishWave(asset, wave, 'exception_approved', `approved by ${result.decidedBy}: ${result.comment}`);
    } else {
      const detail = result ? `denied by ${result.decidedBy}: ${result.comment}` : 'exception workflow failed';
      await this.incident.finishWave(asset, wave, 'exception_denied', detail);
    }
  }

  private async patchAssets(plans: AssetPlan[], wave: number): Promise<void> {
    const { incidentId, policy, requestedBy } = this.input;
    const hosts: RolloutHost[] = [];

    for (const plan of plans) {
      const asset = this.tracked(plan);
      if (plan.patchId === null) {
        // A quarantine plan without a patch is resolved by containment alone. A patch
        // plan without one is a planning error that leaves the asset unresolved.
        if (plan.action === 'patch') await this.incident.finishWave(asset, wave, 'failed', 'planned for patching without a patch');
        continue;
      }
      hosts.push({ assetId: plan.assetId, hostname: plan.hostname, patchId: plan.patchId });
      await this.incident.setAssetState(asset, 'patching', `patch ${plan.patchId} in ${rolloutWorkflowId(incidentId, wave)}`);
    }
    if (hosts.length === 0) return;

    const rolloutId = rolloutWorkflowId(incidentId, wave);
    const result = await this.runChild('rollout', { rolloutId }, async () => {
      const handle = await startChild(patchRollout, {
        workflowId: rolloutId,
        args: [{ rolloutId, incidentId, hosts, policy: policy.rollout, requestedBy }],
      });
      return handle.result();
    });

    for (const host of hosts) {
      const asset = this.incident.asset(host.assetId)!;
      const hostResult = result?.hosts.find((candidate) => candidate.assetId === host.assetId);
      const outcome = hostResult?.outcome ?? 'failed';
      const detail = hostResult?.detail ?? 'rollout workflow failed';

      // A contained host whose patch did not land is still resolved by its containment.
      const state = asset.contained && outcome !== 'patched' ? 'quarantined' : STATE_BY_OUTCOME[outcome];
      const prefix = asset.contained ? `contained by the EDR, then ${outcome}` : outcome;
      await this.incident.finishWave(asset, wave, state, `${prefix}: ${detail}`);
    }
  }

  /**
   * Runs a child workflow and returns its result, or null when it failed. A failed
   * child leaves its assets unresolved, which fails the incident at the end instead
   * of stopping the other children. Cancellation is passed on.
   */
  private async runChild<T>(
    kind: 'quarantine' | 'exception' | 'rollout',
    ids: Record<string, string | number>,
    run: () => Promise<T>,
  ): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.error(`${kind} workflow failed`, {
        incidentId: this.input.incidentId,
        ...ids,
        error: (error as Error).message,
      });
      return null;
    }
  }
}
