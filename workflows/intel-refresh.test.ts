/**
 * `intelRefresh` on real components: the Temporal dev server, PostgreSQL, the
 * worker with every activity, and a feed server on 127.0.0.1 that serves the
 * real KEV JSON (with validators, so an unchanged catalog gets 304) and EPSS
 * file (without them) and emulates the NVD CVE API over real records.
 * The workflow is run directly, not by waiting for its schedule.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy, type Policy } from '../config/policy.js';
import { writeFeedCursor } from '../db/feed-cursors.js';
import { startTestTemporal } from '../test/dev-temporal.js';
import { type FeedServer, loadNvdCves, nvdApi, startFeedServer, staticFiles } from '../test/feed-server.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import type { DevServer } from '../workers/dev-server.js';
import { intelRefreshInput, syncIntelRefreshSchedule } from '../workers/intel-schedule.js';
import { startTestWorker, type TestWorker } from '../test/stack-harness.js';
import { TASK_QUEUE } from './definitions.js';
import { INTEL_REFRESH_SCHEDULE_ID, type IntelRefreshInput, type IntelRefreshResult } from './intel-definitions.js';

const KEV_JSON = sharedDataPath('intel/kev/known_exploited_vulnerabilities.json');
const EPSS_FILE = sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv');
const NVD_FOLDERS = [sharedDataPath('intel/nvd'), sharedDataPath('intel/nvd/fkie-cad')];
const NVD_KEY = 'test-nvd-key-0001';
/** The NVD cursor the test starts from: the day the 38 records of the real API page were modified. */
const NVD_CURSOR = new Date('2023-10-18T00:00:00Z');
/** In KEV and reported by `dd_nessus_with_cvssv3.nessus` on testphp.vulnweb.com. */
const NEW_KEV_CVE = 'CVE-2012-1823';

const logger = createLogger({ silent: true });

describe('intelRefresh', () => {
  let testDb: TestDatabase;
  let temporal: DevServer;
  let feeds: FeedServer;
  let nvdCves: { id: string; lastModified: string }[];
  let policy: Policy;
  let worker: TestWorker;
  let clientConnection: Connection;
  let client: Client;
  let scratch: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    temporal = await startTestTemporal();
    scratch = await mkdtemp(join(tmpdir(), 'pw-intel-refresh-'));

    nvdCves = await loadNvdCves(NVD_FOLDERS);
    const kev = staticFiles({ '/kev/known_exploited_vulnerabilities.json': KEV_JSON }, { validators: true });
    const epss = staticFiles({ '/epss/epss_fullset_emba_2026-08-16_semicolon.csv': EPSS_FILE });
    const nvd = nvdApi({ cves: nvdCves, apiKey: NVD_KEY });
    feeds = await startFeedServer((request, response) => {
      if (request.path.startsWith('/rest/')) return nvd(request, response);
      return request.path.startsWith('/kev/') ? kev(request, response) : epss(request, response);
    });

    policy = parsePolicy({
      feeds: {
        kev: `${feeds.url}/kev/known_exploited_vulnerabilities.json`,
        epss: `${feeds.url}/epss/epss_fullset_emba_2026-08-16_semicolon.csv`,
        nvd: { url: `${feeds.url}/rest/json/cves/2.0` },
      },
      intelRefresh: { interval: '12 hours', openIncidents: true },
    });

    // Before the refresh: a host with the CVE open, and a KEV catalog that does not list it yet.
    await seedFindingsAndOlderKev(testDb, scratch);
    await writeFeedCursor(testDb.database, 'nvd', NVD_CURSOR);

    worker = await startTestWorker({ address: temporal.address, database: testDb.database, policy, extra: { nvdApiKey: NVD_KEY } });

    clientConnection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection: clientConnection });
  });

  afterAll(async () => {
    await worker?.stop();
    await clientConnection?.close();
    await temporal?.stop();
    await feeds?.close();
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const refresh = (workflowId: string): Promise<IntelRefreshResult> =>
    client.workflow.execute('intelRefresh', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [intelRefreshInput(policy) as IntelRefreshInput],
    });

  describe('first run', () => {
    let result: IntelRefreshResult;

    beforeAll(async () => {
      result = await refresh('intel-refresh-test-1');
    }, 180_000);

    it('has no failed step', () => {
      expect(result.failures).toEqual([]);
    });

    it('adds the new KEV entry', () => {
      // 1404 entries: `jq '.vulnerabilities | length'`; the seeded catalog lacked one.
      expect(result.kev).toMatchObject({ unchanged: false, format: 'json', entries: 1404, added: 1, removed: 0 });
      expect(result.kev?.addedCves).toEqual([NEW_KEV_CVE]);
    });

    it('imports the EPSS day', () => {
      // 360142 rows: `wc -l epss_fullset_emba_2026-08-16_semicolon.csv`; the date comes from the URL's file name.
      expect(result.epss).toEqual({ unchanged: false, file: 'epss_fullset_emba_2026-08-16_semicolon.csv', scoreDate: '2026-08-16', rows: 360142 });
    });

    it('syncs NVD from the cursor', () => {
      // Counted from the raw records, not by the client: lastModified (UTC) at or after the cursor.
      const expected = nvdCves.filter((cve) => Date.parse(`${cve.lastModified}Z`) >= NVD_CURSOR.getTime()).length;
      expect(result.nvd?.records).toBe(expected);
      expect(result.nvd?.records).toBeGreaterThanOrEqual(38);
      expect(Date.parse(result.nvd!.syncedUntil)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    });

    it('sends the NVD key', () => {
      const nvdRequests = feeds.requests.filter((request) => request.path === '/rest/json/cves/2.0');
      expect(nvdRequests.length).toBe(result.nvd?.windows);
      expect(nvdRequests.every((request) => request.headers['apikey'] === NVD_KEY)).toBe(true);
    });

    it('records each import', async () => {
      const rows = await testDb.database.query<{ kind: string; count: string }>(
        `SELECT kind, count(*) FROM imports WHERE imported_by = 'intel-refresh' GROUP BY kind ORDER BY kind`,
      );
      expect(rows.map((row) => `${row.kind}:${row.count}`)).toEqual(['epss:1', 'kev:1', `nvd:${result.nvd?.pages}`]);
    });

    it('moves the NVD cursor', async () => {
      const [row] = await testDb.database.query<{ synced_until: Date }>(`SELECT synced_until FROM feed_cursors WHERE feed = 'nvd'`);
      expect(row?.synced_until.toISOString()).toBe(result.nvd?.syncedUntil);
    });

    it('rescores the open findings', async () => {
      const [row] = await testDb.database.query<{ count: string }>(`SELECT count(*) FROM findings WHERE status = 'open' AND NOT informational`);
      expect(Number(row?.count)).toBeGreaterThan(0);
      expect(result.rescored).toBe(Number(row?.count));
    });

    it('opens an incident for the new KEV CVE', async () => {
      expect(result.incidents?.started.map((started) => started.workflowId)).toEqual([`emergency-api-kev-${NEW_KEV_CVE}`]);

      const description = await client.workflow.getHandle(`emergency-api-kev-${NEW_KEV_CVE}`).describe();
      expect(description.type).toBe('emergencyPatch');

      const [incident] = await testDb.database.query<{ source: string; ticket_id: string; requested_by: string; cves: string[] }>(
        'SELECT source, ticket_id, requested_by, cves FROM incidents',
      );
      expect(incident).toEqual({ source: 'api', ticket_id: `kev-${NEW_KEV_CVE}`, requested_by: 'system', cves: [NEW_KEV_CVE] });
    });
  });

  describe('second run', () => {
    let result: IntelRefreshResult;

    beforeAll(async () => {
      result = await refresh('intel-refresh-test-2');
    }, 180_000);

    it('skips the unchanged KEV catalog', () => {
      expect(result.kev).toEqual({ unchanged: true, file: 'known_exploited_vulnerabilities.json', addedCves: [] });
      const kevRequests = feeds.requests.filter((request) => request.path.startsWith('/kev/'));
      expect(kevRequests.at(-1)?.headers['if-none-match']).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    });

    it('imports EPSS again without validators', () => {
      expect(result.epss).toMatchObject({ unchanged: false, rows: 360142 });
    });

    it('records no second KEV import', async () => {
      const [row] = await testDb.database.query<{ count: string }>(`SELECT count(*) FROM imports WHERE imported_by = 'intel-refresh' AND kind = 'kev'`);
      expect(Number(row?.count)).toBe(1);
    });

    it('opens no second incident', async () => {
      expect(result.incidents).toBeNull();
      const [row] = await testDb.database.query<{ count: string }>('SELECT count(*) FROM incidents');
      expect(Number(row?.count)).toBe(1);
    });

    it('resumes NVD at the cursor', () => {
      // The first run synced up to its own start, so only the last minutes are left: one window.
      expect(result.nvd?.windows).toBe(1);
      expect(result.nvd?.records).toBe(0);
    });
  });

  describe('schedule', () => {
    it('is created when feeds are configured', async () => {
      const state = await syncIntelRefreshSchedule(client, policy);

      expect(state).toEqual({ outcome: 'created', interval: '12 hours', feeds: ['kev', 'epss', 'nvd'] });
      const described = await client.schedule.getHandle(INTEL_REFRESH_SCHEDULE_ID).describe();
      expect(described.action.type).toBe('startWorkflow');
      expect(described.spec.intervals?.[0]?.every).toBe(12 * 60 * 60 * 1000);
    });

    it('is updated on the next start', async () => {
      const weekly = parsePolicy({ ...policy, intelRefresh: { interval: '7 days', openIncidents: false } });

      const state = await syncIntelRefreshSchedule(client, weekly);

      expect(state.outcome).toBe('updated');
      const described = await client.schedule.getHandle(INTEL_REFRESH_SCHEDULE_ID).describe();
      expect(described.spec.intervals?.[0]?.every).toBe(7 * 24 * 60 * 60 * 1000);
    });

    it('is deleted when no feed is configured', async () => {
      const state = await syncIntelRefreshSchedule(client, parsePolicy({}));

      expect(state.outcome).toBe('deleted');
      await expect(client.schedule.getHandle(INTEL_REFRESH_SCHEDULE_ID).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    });

    it('stays off without feeds', async () => {
      const state = await syncIntelRefreshSchedule(client, parsePolicy({}));

      expect(state).toEqual({ outcome: 'off', interval: null, feeds: [] });
      expect(intelRefreshInput(parsePolicy({}))).toBeNull();
    });
  });
});

/** Imports the Nessus file that reports the CVE, and the real KEV catalog without that CVE. */
async function seedFindingsAndOlderKev(testDb: TestDatabase, scratch: string): Promise<void> {
  const scan = sharedDataPath('scanners/nessus/dd_nessus_with_cvssv3.nessus');
  await importFile(testDb.database, 'findings', { path: scan, fileName: 'dd_nessus_with_cvssv3.nessus', importedBy: 'tester' }, logger);

  const catalog = JSON.parse(await readFile(KEV_JSON, 'utf8'));
  catalog.vulnerabilities = catalog.vulnerabilities.filter((entry: { cveID: string }) => entry.cveID !== NEW_KEV_CVE);
  catalog.count = catalog.vulnerabilities.length;
  const older = join(scratch, 'kev-older.json');
  await writeFile(older, JSON.stringify(catalog));
  await importFile(testDb.database, 'kev', { path: older, fileName: 'kev-older.json', importedBy: 'tester' }, logger);
}
