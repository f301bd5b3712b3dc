/**
 * `intelRefresh`: refreshes the vulnerability feeds the policy names (CISA KEV,
 * FIRST EPSS, the NVD CVE API), rescores the open findings, and by policy opens
 * an incident for each CVE that became known-exploited and that a host still
 * has. A Temporal Schedule starts it; it takes no messages.
 */
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { PatchwardenActivities } from '../activities/types.js';
import type { IntelRefreshInput, IntelRefreshResult } from './intel-definitions.js';

const IMPORTED_BY = 'intel-refresh';

// Imports are idempotent, so retrying a whole download and import is safe. A
// file that does not parse or a feed that is not configured will not get
// better by asking again.
const retry = {
  initialInterval: '30s',
  backoffCoefficient: 2,
  maximumAttempts: 5,
  nonRetryableErrorTypes: ['ImportFormatError', 'FeedNotConfiguredError'],
};

const { refreshKev, refreshEpss } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry,
});

// A first sync walks many 120-day windows at NVD's rate limit, which takes hours without an API key.
const { syncNvd } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '5 minutes',
  retry,
});

const { rescoreOpenFindings, openIncidentsForNewKev } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '10 minutes',
  retry,
});

export async function intelRefresh(input: IntelRefreshInput): Promise<IntelRefreshResult> {
  log.info('intel refresh started', { feeds: input.feeds, openIncidents: input.openIncidents });
  const result: IntelRefreshResult = { kev: null, epss: null, nvd: null, rescored: 0, incidents: null, failures: [] };

  // Each step runs even when an earlier one failed: a KEV outage should not hold back EPSS.
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const message = error.cause?.message ?? error.message;
      log.warn('intel refresh step failed', { step: name, error: message });
      result.failures.push({ step: name, message });
      return null;
    }
  };

  if (input.feeds.includes('kev')) result.kev = await step('refreshKev', () => refreshKev({ importedBy: IMPORTED_BY }));
  if (input.feeds.includes('epss')) result.epss = await step('refreshEpss', () => refreshEpss({ importedBy: IMPORTED_BY }));
  if (input.feeds.includes('nvd')) result.nvd = await step('syncNvd', () => syncNvd({ importedBy: IMPORTED_BY }));

  const rescored = await step('rescoreOpenFindings', () => rescoreOpenFindings({ importedBy: IMPORTED_BY }));
  result.rescored = rescored?.findings ?? 0;

  const newKev = result.kev?.addedCves ?? [];
  if (input.openIncidents && newKev.length > 0) {
    result.incidents = await step('openIncidentsForNewKev', () => openIncidentsForNewKev({ cves: newKev }));
  }

  log.info('intel refresh finished', {
    kevUnchanged: result.kev?.unchanged ?? null,
    kevAdded: result.kev?.unchanged === false ? result.kev.added : null,
    epssUnchanged: result.epss?.unchanged ?? null,
    epssRows: result.epss?.unchanged === false ? result.epss.rows : null,
    nvdRecords: result.nvd?.records ?? null,
    incidentsStarted: result.incidents?.started.length ?? 0,
    failures: result.failures.length,
  });
  if (input.feeds.length > 0 && input.feeds.every((feed) => result[feed] === null)) {
    // No feed refreshed, so fail the run to make it stand out in the Web UI. Partial failures stay in the result.
    throw ApplicationFailure.nonRetryable(`no intel feed refreshed: ${JSON.stringify(result.failures)}`, 'IntelRefreshFailed');
  }
  return result;
}
