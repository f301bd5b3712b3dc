/**
 * Names shared by the `intelRefresh` workflow and the stack that schedules it:
 * the schedule id, the workflow's input and its result.
 */
import type { EpssRefreshResult, KevRefreshResult, NvdSyncResult, OpenedIncidents } from '../activities/types.js';

/** Id of the Temporal Schedule that starts `intelRefresh`; the scheduled runs' workflow ids start with it. */
export const INTEL_REFRESH_SCHEDULE_ID = 'intel-refresh';

export type IntelFeed = 'kev' | 'epss' | 'nvd';

export interface IntelRefreshInput {
  /** Feeds to refresh: those with a location in the policy when the schedule was created or last updated. */
  feeds: IntelFeed[];
  /** Start an `emergencyPatch` for each CVE newly in KEV that an open finding names. */
  openIncidents: boolean;
}

export interface IntelRefreshResult {
  /**
   * Null when the feed was not requested or its refresh failed (see `failures`).
   * `unchanged: true` when the server reported the feed unchanged since the last import.
   */
  kev: KevRefreshResult | null;
  epss: EpssRefreshResult | null;
  nvd: NvdSyncResult | null;
  /** Open findings whose scores were recomputed. */
  rescored: number;
  /** Null when `openIncidents` is off or no CVE is new in KEV. */
  incidents: OpenedIncidents | null;
  /** Steps that failed after their retries; the other steps still ran. */
  failures: { step: string; message: string }[];
}
