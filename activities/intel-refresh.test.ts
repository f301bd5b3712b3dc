/**
 * Conditional KEV and EPSS downloads of the intel refresh activities, run in
 * Temporal's mock activity context against real PostgreSQL and a feed server
 * on 127.0.0.1 that sends validators and responds 304 for an unchanged file.
 */
import { copyFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { readFeedValidators } from '../db/feed-cursors.js';
import { ImportFormatError } from '../domain/errors.js';
import { importFile } from '../api/import-service.js';
import { labIntegrations } from '../integrations/lab/adapters.js';
import { type FeedServer, startFeedServer, staticFiles } from '../test/feed-server.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { fixturePath, sharedDataPath } from '../test/shared-data.js';
import { intelActivities } from './intel-refresh.js';
import type { EpssRefreshResult, KevRefreshResult } from './types.js';

const KEV_JSON = sharedDataPath('intel/kev/known_exploited_vulnerabilities.json');
const EPSS_CSV = fixturePath('intel/epss_official_format_head_v2023.03.01.csv');
const input = { importedBy: 'tester' };

describe('intel refresh activities', () => {
  let testDb: TestDatabase;
  let feeds: FeedServer;
  let scratch: string;
  let kevCopy: string;
  let activities: ReturnType<typeof intelActivities>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-intel-activities-'));
    kevCopy = join(scratch, 'known_exploited_vulnerabilities.json');
    await copyFile(KEV_JSON, kevCopy);
    feeds = await startFeedServer(staticFiles({ '/kev.json': kevCopy, '/epss.csv': EPSS_CSV }, { validators: true }));

    const policy = parsePolicy({ feeds: { kev: `${feeds.url}/kev.json`, epss: `${feeds.url}/epss.csv` } });
    const logger = createLogger({ silent: true });
    activities = intelActivities({
      database: testDb.database,
      policy,
      integrations: labIntegrations(testDb.database, policy.lab),
      logger,
      importer: { importFile: (kind, request) => importFile(testDb.database, kind, request, logger, policy) },
      // Neither refresh opens an incident.
      incidents: { openIncident: () => Promise.reject(new Error('no incident is opened by a feed refresh')) },
    });
  });

  afterAll(async () => {
    await feeds?.close();
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const refreshKev = (): Promise<KevRefreshResult> => new MockActivityEnvironment().run(activities.refreshKev, input);
  const refreshEpss = (): Promise<EpssRefreshResult> => new MockActivityEnvironment().run(activities.refreshEpss, input);
  const kevImports = async (): Promise<number> => {
    const [row] = await testDb.database.query<{ count: string }>(`SELECT count(*) FROM imports WHERE kind = 'kev'`);
    return Number(row?.count);
  };
  const lastRequest = () => feeds.requests.at(-1);

  /** Gives the served KEV copy a new modification time, so the server sends a new ETag. */
  const touchKev = (secondsAhead: number) => utimes(kevCopy, new Date(), new Date(Date.now() + secondsAhead * 1000));

  describe('KEV', () => {
    let firstEtag: string | null;

    it('imports and stores the validators', async () => {
      const result = await refreshKev();

      // 1404 entries: `jq '.vulnerabilities | length' known_exploited_vulnerabilities.json`
      expect(result).toMatchObject({ unchanged: false, file: 'kev.json', entries: 1404, added: 1404 });
      const stored = await readFeedValidators(testDb.database, 'kev', `${feeds.url}/kev.json`);
      expect(stored?.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
      expect(stored?.lastModified).toMatch(/ GMT$/);
      firstEtag = stored?.etag ?? null;
    });

    it('skips an unchanged feed', async () => {
      const importsBefore = await kevImports();

      const result = await refreshKev();

      expect(result).toEqual({ unchanged: true, file: 'kev.json', addedCves: [] });
      expect(lastRequest()?.headers['if-none-match']).toBe(firstEtag);
      expect(await kevImports()).toBe(importsBefore);
    });

    it('imports again after the ETag changed', async () => {
      await touchKev(60);
      const importsBefore = await kevImports();

      const result = await refreshKev();

      expect(result).toMatchObject({ unchanged: false, entries: 1404, added: 0 });
      expect(lastRequest()?.headers['if-none-match']).toBe(firstEtag);
      expect(await kevImports()).toBe(importsBefore + 1);
      const stored = await readFeedValidators(testDb.database, 'kev', `${feeds.url}/kev.json`);
      expect(stored?.etag).not.toBe(firstEtag);
    });

    it('keeps the validators when the import fails', async () => {
      const before = await readFeedValidators(testDb.database, 'kev', `${feeds.url}/kev.json`);
      await writeFile(kevCopy, '{"vulnerabilities": [');
      await touchKev(120);

      await expect(refreshKev()).rejects.toBeInstanceOf(ImportFormatError);

      expect(await readFeedValidators(testDb.database, 'kev', `${feeds.url}/kev.json`)).toEqual(before);
    });

    it('retries the download after a failed import', async () => {
      const before = await readFeedValidators(testDb.database, 'kev', `${feeds.url}/kev.json`);
      await copyFile(KEV_JSON, kevCopy);
      await touchKev(180);

      const result = await refreshKev();

      expect(lastRequest()?.headers['if-none-match']).toBe(before?.etag);
      expect(result).toMatchObject({ unchanged: false, entries: 1404 });
    });

    it('downloads in full after a manual import', async () => {
      await importFile(testDb.database, 'kev', { path: KEV_JSON, fileName: 'kev-by-hand.json', importedBy: 'analyst' }, createLogger({ silent: true }));

      expect(await readFeedValidators(testDb.database, 'kev', `${feeds.url}/kev.json`)).toBeNull();

      const result = await refreshKev();

      expect(lastRequest()?.headers['if-none-match']).toBeUndefined();
      expect(result).toMatchObject({ unchanged: false, entries: 1404 });
    });
  });

  describe('EPSS', () => {
    it('imports, then skips the unchanged file', async () => {
      const first = await refreshEpss();
      const second = await refreshEpss();

      // 5 rows: `grep -c '^CVE-' epss_official_format_head_v2023.03.01.csv`
      expect(first).toEqual({ unchanged: false, file: 'epss.csv', scoreDate: '2025-02-20', rows: 5 });
      expect(second).toEqual({ unchanged: true, file: 'epss.csv' });
      expect(lastRequest()?.headers['if-none-match']).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    });
  });

  describe('validators', () => {
    it('apply to their own URL only', async () => {
      expect(await readFeedValidators(testDb.database, 'kev', `${feeds.url}/other/kev.json`)).toBeNull();
    });
  });
});
