/**
 * The Temporal Schedule that starts `intelRefresh`. The stack creates or
 * updates it at start when the policy names at least one feed location. When
 * the policy names none, a schedule left from an earlier start is deleted, so
 * the default stack makes no outbound call.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Policy } from '../config/policy.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { INTEL_REFRESH_SCHEDULE_ID, type IntelFeed, type IntelRefreshInput } from '../workflows/intel-definitions.js';

export interface IntelScheduleState {
  /** Change made to the schedule. */
  outcome: 'created' | 'updated' | 'deleted' | 'off';
  /** The refresh interval, such as `'1 day'`; null when the refresh is off. */
  interval: string | null;
  feeds: IntelFeed[];
}

/** Returns the workflow input for the feeds the policy names, or null when it names none. */
export function intelRefreshInput(policy: Policy): IntelRefreshInput | null {
  const feeds: IntelFeed[] = [];
  if (policy.feeds.kev !== undefined) feeds.push('kev');
  if (policy.feeds.epss !== undefined) feeds.push('epss');
  if (policy.feeds.nvd !== undefined) feeds.push('nvd');
  return feeds.length === 0 ? null : { feeds, openIncidents: policy.intelRefresh.openIncidents };
}

/** Creates, updates or deletes the `intel-refresh` schedule to match the policy. */
export async function syncIntelRefreshSchedule(client: Client, policy: Policy, taskQueue = TASK_QUEUE): Promise<IntelScheduleState> {
  const input = intelRefreshInput(policy);
  const handle = client.schedule.getHandle(INTEL_REFRESH_SCHEDULE_ID);

  if (input === null) {
    try {
      await handle.delete();
      return { outcome: 'deleted', interval: null, feeds: [] };
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return { outcome: 'off', interval: null, feeds: [] };
      throw error;
    }
  }

  const interval = policy.intelRefresh.interval;
  const options = scheduleOptions(input, interval, taskQueue);
  try {
    await client.schedule.create(options);
    return { outcome: 'created', interval, feeds: input.feeds };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }

  await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  return { outcome: 'updated', interval, feeds: input.feeds };
}

/** Describes the schedule state in one line of the start output. */
export function describeIntelSchedule(state: IntelScheduleState): string {
  if (state.interval === null) {
    const removed = state.outcome === 'deleted' ? '; removed the schedule left from an earlier start' : '';
    return `Intel refresh: off (the policy sets no feeds.kev, feeds.epss or feeds.nvd, so no feed is fetched${removed}).`;
  }
  return `Intel refresh: schedule ${INTEL_REFRESH_SCHEDULE_ID} ${state.outcome}, every ${state.interval}, feeds ${state.feeds.join(', ')}.`;
}

function scheduleOptions(input: IntelRefreshInput, interval: string, taskQueue: string) {
  return {
    scheduleId: INTEL_REFRESH_SCHEDULE_ID,
    spec: { intervals: [{ every: interval }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'intelRefresh',
      // Temporal appends the scheduled time to this id, one workflow per run.
      workflowId: INTEL_REFRESH_SCHEDULE_ID,
      taskQueue,
      args: [input],
    },
    // A refresh still running when the next is due makes the next one pointless.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  } satisfies ScheduleOptions;
}
