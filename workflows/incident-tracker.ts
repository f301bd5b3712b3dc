/**
 * The emergency workflow's view of its incident: phase, CVEs and affected assets.
 * It keeps them in memory for the `status` query and writes each change through
 * the `recordPhase` and `recordAssetState` activities and the search attributes.
 */
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { AssetPlan, PatchwardenActivities } from '../activities/types.js';
import { PHASES, TERMINAL_PHASES, type AssetState, type CveAssessment, type Phase, type Priority } from '../domain/incident.js';
import { highestPriority } from '../domain/priority.js';
import {
  assetCountSearchAttribute,
  cvesSearchAttribute,
  incidentIdSearchAttribute,
  phaseSearchAttribute,
  prioritySearchAttribute,
  type AssetStatus,
  type IncidentStatus,
} from './definitions.js';
import type { SlaClock } from './sla-clock.js';

const { recordPhase, recordAssetState } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '1 minute',
});

/** States in which an asset no longer needs work for the plan that put it there. */
const RESOLVED_STATES: readonly AssetState[] = ['patched', 'exception_approved', 'quarantined'];

export interface TrackedAsset extends AssetStatus {
  cves: string[];
  /** The EDR reported the host contained, which resolves it whatever its patch did. */
  contained: boolean;
  /** Remediation waves whose work on this asset has not reached a resolved state. */
  openWaves: Set<number>;
}

export class IncidentTracker {
  phase: Phase = 'enriching';
  readonly cves: CveAssessment[] = [];
  private readonly assets = new Map<string, TrackedAsset>();

  constructor(
    private readonly incidentId: string,
    private readonly clock: SlaClock,
  ) {}

  get priority(): Priority | null {
    return highestPriority(this.cves.map((assessment) => assessment.priority));
  }

  /** Earliest deadline among the CVEs, ISO 8601. */
  get slaDueAt(): string | null {
    const deadlines = this.cves.map((assessment) => assessment.slaDueAt).sort();
    return deadlines[0] ?? null;
  }

  get isTerminal(): boolean {
    return TERMINAL_PHASES.includes(this.phase);
  }

  knowsCve(cve: string): boolean {
    return this.cves.some((assessment) => assessment.cve === cve);
  }

  addCves(assessments: readonly CveAssessment[]): void {
    for (const assessment of assessments) {
      if (!this.knowsCve(assessment.cve)) this.cves.push(assessment);
    }
  }

  /**
   * Moves to a later phase and records it. A call for the current or an earlier phase
   * is ignored, so concurrent remediation waves cannot move the incident backwards.
   * The phase changes before the first await, so handlers see it at once.
   */
  async advancePhase(phase: Phase): Promise<void> {
    if (PHASES.indexOf(phase) <= PHASES.indexOf(this.phase)) return;
    this.phase = phase;
    await this.recordPhase();
  }

  /** Records the current phase with the current priority and deadline, and upserts the search attributes. */
  async recordPhase(): Promise<void> {
    this.publishSearchAttributes();
    await recordPhase({
      incidentId: this.incidentId,
      phase: this.phase,
      priority: this.priority,
      slaDueAt: this.slaDueAt,
    });
  }

  publishSearchAttributes(): void {
    upsertSearchAttributes([
      { key: incidentIdSearchAttribute, value: this.incidentId },
      { key: cvesSearchAttribute, value: this.cves.map((assessment) => assessment.cve) },
      { key: phaseSearchAttribute, value: this.phase },
      { key: prioritySearchAttribute, value: this.priority },
      { key: assetCountSearchAttribute, value: this.assets.size },
    ]);
  }

  get assetCount(): number {
    return this.assets.size;
  }

  asset(assetId: string): TrackedAsset | undefined {
    return this.assets.get(assetId);
  }

  /** Adds a planned asset, or gives a known one its new plan, and opens the wave on it. */
  async planAsset(plan: AssetPlan, wave: number): Promise<TrackedAsset> {
    let asset = this.assets.get(plan.assetId);
    if (asset === undefined) {
      asset = {
        assetId: plan.assetId,
        hostname: plan.hostname,
        action: plan.action,
        state: 'planned',
        cves: [...plan.cves],
        contained: false,
        openWaves: new Set(),
      };
      this.assets.set(plan.assetId, asset);
    } else {
      asset.action = plan.action;
      asset.cves = [...new Set([...asset.cves, ...plan.cves])];
    }
    asset.openWaves.add(wave);
    await this.setAssetState(asset, 'planned', `wave ${wave}: ${plan.reason}`);
    return asset;
  }

  /** Changes an asset's state and records it. A state equal to the current one is not recorded again. */
  async setAssetState(asset: TrackedAsset, state: AssetState, detail: string): Promise<void> {
    if (asset.state === state) return;
    asset.state = state;
    await recordAssetState({
      incidentId: this.incidentId,
      assetId: asset.assetId,
      action: asset.action,
      state,
      detail,
    });
  }

  /** Closes a wave's work on an asset when its state resolves it. A failed state leaves the wave open. */
  async finishWave(asset: TrackedAsset, wave: number, state: AssetState, detail: string): Promise<void> {
    if (RESOLVED_STATES.includes(state)) asset.openWaves.delete(wave);
    await this.setAssetState(asset, state, detail);
  }

  isResolved(asset: TrackedAsset): boolean {
    return asset.contained || asset.openWaves.size === 0;
  }

  unresolvedAssets(): TrackedAsset[] {
    return [...this.assets.values()].filter((asset) => !this.isResolved(asset));
  }

  status(): IncidentStatus {
    return {
      incidentId: this.incidentId,
      phase: this.phase,
      priority: this.priority,
      slaDueAt: this.slaDueAt,
      cves: this.cves,
      assets: [...this.assets.values()].map(({ assetId, hostname, action, state }) => ({ assetId, hostname, action, state })),
      escalations: this.clock.sent,
    };
  }
}
