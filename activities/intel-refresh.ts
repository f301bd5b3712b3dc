/**
 * Activities of the `intelRefresh` workflow. Each feed is fetched from the
 * location the policy names and goes through the same `importFile` as an
 * upload, so a refresh leaves the same `imports` and audit rows as a manual
 * import. KEV and EPSS downloads are conditional on the validators of the
 * copy imported last, so an unchanged feed is not imported again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { readFeedCursor, readFeedValidators, writeFeedCursor, writeFeedValidators } from '../db/feed-cursors.js';
import { rescoreFindings } from '../db/finding-scores.js';
import { FeedFetchError } from '../domain/errors.js';
import { parseDuration } from '../domain/sla.js';
import { feedFileName, fetchFeed, redactUrl } from '../integrations/intel/fetch-feed.js';
import { NvdClient, modificationWindows, type NvdWindow } from '../integrations/intel/nvd-client.js';
import type { ActivityDeps, FeedImportResult } from './deps.js';
import { newKevIncidents } from './kev-incidents.js';
import type { IntelImportInput, KevRefreshResult, NvdSyncResult, PatchwardenActivities } from './types.js';

/** How often a long download or import reports liveness, in ms; the workflow's heartbeat timeout is minutes. */
const HEARTBEAT_EVERY_MS = 10_000;

export function intelActivities(
  deps: ActivityDeps,
): Pick<PatchwardenActivities, 'refreshKev' | 'refreshEpss' | 'syncNvd' | 'rescoreOpenFindings' | 'openIncidentsForNewKev'> {
  return {
    refreshKev: (input) => failPermanentErrors(() => refreshKev(deps, input)),

    refreshEpss: (input) =>
      failPermanentErrors(async () => {
        const url = deps.policy.feeds.epss;
        if (url === undefined) throw notConfigured('feeds.epss');
        const imported = await importFeed(deps, 'epss', url, input);
        if (imported === null) return { unchanged: true, file: feedFileName(url) };
        return { unchanged: false, file: imported.file, scoreDate: String(imported.counts['scoreDate']), rows: Number(imported.counts['rows']) };
      }),

    syncNvd: (input) => failPermanentErrors(() => syncNvd(deps, input)),

    async rescoreOpenFindings() {
      // Each import already rescored what it changed. This full pass also picks up
      // mitigations and asset tags edited since, which no import covers.
      const result = await rescoreFindings(deps.database, deps.policy);
      return { findings: result.scored };
    },

    openIncidentsForNewKev: (input) => newKevIncidents(deps, input.cves),
  };
}

/** Names the missing policy field. The failure is non-retryable, because retrying cannot configure a feed. */
function notConfigured(field: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`no feed location in the policy: set ${field} to a URL`, 'FeedNotConfiguredError');
}

async function refreshKev(deps: ActivityDeps, input: IntelImportInput): Promise<KevRefreshResult> {
  const url = deps.policy.feeds.kev;
  if (url === undefined) throw notConfigured('feeds.kev');

  // A retry after a crash between the import and the return finds nothing new in
  // the table, so the CVEs an earlier attempt found travel in its heartbeat details.
  const earlier: string[] = Context.current().info.heartbeatDetails?.addedCves ?? [];
  const before = await kevCves(deps);

  const imported = await importFeed(deps, 'kev', url, input, { addedCves: earlier });
  if (imported === null) return { unchanged: true, file: feedFileName(url), addedCves: earlier };
  const after = await kevCves(deps);

  const addedCves = [...new Set([...earlier, ...[...after].filter((cve) => !before.has(cve))])].sort();
  Context.current().heartbeat({ addedCves });

  return {
    unchanged: false,
    file: imported.file,
    format: imported.counts['format'] === 'csv' ? 'csv' : 'json',
    entries: Number(imported.counts['entries']),
    added: Number(imported.counts['added']),
    removed: Number(imported.counts['removed']),
    addedCves,
  };
}

async function kevCves(deps: ActivityDeps): Promise<Set<string>> {
  const rows = await deps.database.query<{ cve: string }>('SELECT cve FROM vulnerabilities WHERE kev');
  return new Set(rows.map((row) => row.cve));
}

/**
 * Fetches one feed file and imports it, heartbeating `details` while either
 * runs. Returns null when the server reports the feed unchanged since the last
 * import. The validators of the new copy are stored only after its import
 * committed, so a failed import is downloaded again on the next run. Any KEV
 * or EPSS import clears them first, so after a file imported by hand the next
 * refresh downloads the feed in full.
 */
async function importFeed(
  deps: ActivityDeps,
  kind: 'kev' | 'epss',
  url: string,
  input: IntelImportInput,
  details?: unknown,
): Promise<FeedImportResult | null> {
  const context = Context.current();
  const feedUrl = redactUrl(url);
  const since = await readFeedValidators(deps.database, kind, feedUrl);

  return withHeartbeat(details, async () => {
    const feed = await fetchFeed({ url, signal: context.cancellationSignal, since });
    if (feed === null) {
      deps.logger.info('feed unchanged, import skipped', { kind, url: feedUrl, etag: since?.etag ?? null, lastModified: since?.lastModified ?? null });
      return null;
    }

    try {
      deps.logger.info('feed downloaded', { kind, file: feed.fileName, bytes: feed.bytes });
      const imported = await deps.importer.importFile(kind, { path: feed.path, fileName: feed.fileName, importedBy: input.importedBy });
      await writeFeedValidators(deps.database, kind, feedUrl, feed.validators);
      return imported;
    } finally {
      await feed.cleanup();
    }
  });
}

/**
 * Imports the records modified since the stored cursor, window by window. The
 * cursor moves only after a window is imported whole, so a retried activity
 * resumes at the first window it had not finished.
 */
async function syncNvd(deps: ActivityDeps, input: IntelImportInput): Promise<NvdSyncResult> {
  const config = deps.policy.feeds.nvd;
  if (config === undefined) throw notConfigured('feeds.nvd.url');
  const context = Context.current();

  const until = new Date();
  const cursor = await readFeedCursor(deps.database, 'nvd');
  const since = cursor ?? new Date(until.getTime() - parseDuration(config.initialLookback, 'feeds.nvd.initialLookback'));
  const windows = modificationWindows(since, until);
  const client = new NvdClient({
    baseUrl: config.url,
    apiKey: deps.nvdApiKey,
    resultsPerPage: config.resultsPerPage,
    signal: context.cancellationSignal,
    onRetry: (retry) => deps.logger.warn('NVD request retried', { ...retry }),
  });

  const result: NvdSyncResult = { windows: 0, pages: 0, records: 0, syncedUntil: since.toISOString() };
  const scratch = await mkdtemp(join(tmpdir(), 'patchwarden-nvd-'));
  try {
    for (const window of windows) {
      await withHeartbeat({ syncedUntil: result.syncedUntil }, () => importWindow(deps, client, window, scratch, input, result));
      await writeFeedCursor(deps.database, 'nvd', window.end);
      result.windows += 1;
      result.syncedUntil = window.end.toISOString();
      context.heartbeat({ syncedUntil: result.syncedUntil });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  deps.logger.info('NVD sync finished', { ...result });
  return result;
}

async function importWindow(
  deps: ActivityDeps,
  client: NvdClient,
  window: NvdWindow,
  scratch: string,
  input: IntelImportInput,
  result: NvdSyncResult,
): Promise<void> {
  for await (const page of client.pagesModifiedIn(window)) {
    // importFile reads files; the page is written as received, an NVD API response.
    const fileName = `nvd-api-${window.start.toISOString().replaceAll(':', '')}-${page.startIndex}.json`;
    const path = join(scratch, fileName);
    await writeFile(path, page.body);

    await deps.importer.importFile('nvd', { path, fileName, importedBy: input.importedBy });
    await rm(path, { force: true });
    result.pages += 1;
    result.records += page.records.length;
  }
}

/**
 * Runs `work` while heartbeating every few seconds, so a long download or import
 * is not timed out. Each heartbeat repeats `details`, because a heartbeat
 * without them would erase what a retry needs.
 */
async function withHeartbeat<T>(details: unknown, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(details), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Turns a feed error that asking again cannot fix (404, a body over the limit) into a non-retryable failure. */
async function failPermanentErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FeedFetchError && !error.retryable) {
      throw ApplicationFailure.nonRetryable(error.message, 'FeedFetchError');
    }
    throw error;
  }
}
