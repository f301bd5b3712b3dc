/**
 * Fake implementations of the activity contract for workflow tests. Activities are
 * the seam between workflows and the outside world, so a workflow test replaces
 * them and checks the calls. Each call is recorded with the server time at which it
 * was scheduled, which on the time-skipping server is the workflow's own clock.
 */
import { activityInfo } from '@temporalio/activity';
import type { PatchwardenActivities } from '../activities/types.js';
import { assessCve } from '../domain/cve-assessment.js';

export type ActivityName = keyof PatchwardenActivities;

export interface ActivityCall<N extends ActivityName = ActivityName> {
  activity: N;
  input: Parameters<PatchwardenActivities[N]>[0];
  /** Server time at which this attempt was scheduled, in epoch milliseconds. */
  scheduledAtMs: number;
}

const defaultSla = { P1: '7 days', P2: '30 days', P3: '90 days', P4: '180 days' };

/** Activities that succeed and change nothing: CVSS 9.8 outside KEV, no asset in scope, healthy hosts. */
export function defaultActivities(): PatchwardenActivities {
  return {
    async enrichCves({ cves, clockStartAt, sla }) {
      return cves.map((cve) =>
        assessCve({
          cve,
          kevDueDate: null,
          epss: 0.02,
          cvss: 9.8,
          cvssSource: 'nvd',
          clockStartAt: new Date(clockStartAt),
          slaDurations: sla ?? defaultSla,
        }),
      );
    },
    async scopeAssets() {
      return [];
    },
    async correlateDetections() {
      return [];
    },
    async planRemediation({ assets }) {
      return assets.map((asset) => ({
        assetId: asset.assetId,
        hostname: asset.hostname,
        action: 'patch' as const,
        reason: 'patch available',
        cves: asset.cves,
        patchId: 'PATCH-1',
        detectionId: null,
      }));
    },
    async recordPhase() {},
    async recordAssetState() {},
    async sendEscalation() {},
    async closeIncident() {},
    async precheckHost() {
      return { ok: true, detail: 'eligible' };
    },
    async deployPatch() {
      return { outcome: 'installed' as const, detail: 'installed' };
    },
    async validateHost() {
      return { healthy: true, detail: 'service answers' };
    },
    async rollbackPatch() {},
    async openException() {},
    async applyMitigation({ exceptionId }) {
      return { mitigationId: `mitigation-${exceptionId}` };
    },
    async notifyApprovers() {},
    async recordExceptionDecision() {},
    async containHost({ quarantineId }) {
      return { containmentId: `containment-${quarantineId}` };
    },
    async verifyContainment() {
      return { contained: true, detail: 'host contained' };
    },
    async refreshKev() {
      return { unchanged: false as const, file: 'kev.json', format: 'json' as const, entries: 0, added: 0, removed: 0, addedCves: [] };
    },
    async refreshEpss() {
      return { unchanged: false as const, file: 'epss.csv', scoreDate: '2026-01-01', rows: 0 };
    },
    async syncNvd() {
      return { windows: 0, pages: 0, records: 0, syncedUntil: '2026-01-01T00:00:00.000Z' };
    },
    async rescoreOpenFindings() {
      return { findings: 0 };
    },
    async openIncidentsForNewKev() {
      return { started: [], skipped: [] };
    },
  };
}

export interface FakeActivities {
  activities: PatchwardenActivities;
  calls: ActivityCall[];
  /** Calls of one activity, in the order they started. */
  callsOf<N extends ActivityName>(activity: N): Array<ActivityCall<N>>;
}

/** Builds recording fakes: the defaults, with `overrides` in place of some of them. */
export function fakeActivities(overrides: Partial<PatchwardenActivities> = {}): FakeActivities {
  const implementations: PatchwardenActivities = { ...defaultActivities(), ...overrides };
  const calls: ActivityCall[] = [];

  const recording = Object.fromEntries(
    Object.entries(implementations).map(([name, implementation]) => [
      name,
      async (input: unknown) => {
        calls.push({
          activity: name as ActivityName,
          input: input as ActivityCall['input'],
          scheduledAtMs: activityInfo().currentAttemptScheduledTimestampMs,
        });
        return (implementation as (input: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as PatchwardenActivities;

  return {
    activities: recording,
    calls,
    callsOf: <N extends ActivityName>(activity: N) =>
      calls.filter((call): call is ActivityCall<N> => call.activity === activity),
  };
}
