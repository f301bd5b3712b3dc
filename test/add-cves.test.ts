/**
 * A repeated ticket that names new CVEs: the API returns 200 with the same ids and
 * sends the new CVEs to the running workflow's `addCves` update, whose hosts are
 * then scoped and remediated too. Real dev server, Postgres and Nessus files.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { createApiKey } from '../db/keys.js';
import type { DevServer } from '../workers/dev-server.js';
import { startTestTemporal } from './dev-temporal.js';
import { TestApi } from './http.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { sharedDataPath } from './shared-data.js';
import { startTestApi, startTestWorker, type TestApiServer, type TestWorker } from './stack-harness.js';

// Installs take 2 s one host at a time, so the first wave is still running when
// the ticket is repeated with a new CVE.
const policy = parsePolicy({
  rollout: { canaryFraction: 0.2, failureThreshold: 0.5, maxParallel: 1 },
  lab: { deployDuration: '2s' },
});

const ticket = { source: 'jira', ticketId: 'SEC-7', title: 'Weak SSH on the qa3 tier', reportedBy: 'soc-tier1' };

describe('repeated ticket with new CVEs', () => {
  let testDb: TestDatabase;
  let temporal: DevServer;
  let worker: TestWorker;
  let apiServer: TestApiServer;
  let client: Client;
  let api: TestApi;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    temporal = await startTestTemporal();
    const logger = createLogger({ silent: true });
    for (const file of ['dd_nessus_v_unknown.nessus', 'ruby-nessus_example_v2.nessus']) {
      await importFile(testDb.database, 'findings', { path: sharedDataPath('scanners/nessus', file), fileName: file, importedBy: 'test' }, logger);
    }

    worker = await startTestWorker({ address: temporal.address, database: testDb.database, policy });
    apiServer = await startTestApi({ address: temporal.address, database: testDb.database, policy });
    client = apiServer.client;
    const analyst = await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst'], createdBy: 'test' });
    api = new TestApi(apiServer.url, analyst.key);
  });

  afterAll(async () => {
    await apiServer?.stop();
    await worker?.stop();
    await temporal?.stop();
    await testDb?.drop();
  });

  it('adds the CVEs and remediates their hosts', async () => {
    const first = await api.send('POST', '/api/incidents', { ...ticket, cves: ['CVE-2005-1794'] });
    expect(first.status).toBe(202);

    const repeat = await api.send('POST', '/api/incidents', { ...ticket, cves: ['CVE-2005-1794', 'CVE-2009-3555'] });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ incidentId: first.body.incidentId, workflowId: first.body.workflowId, addedCves: ['CVE-2009-3555'] });

    await client.workflow.getHandle(first.body.workflowId).result();

    const detail = await api.send('GET', `/api/incidents/${first.body.incidentId}`);
    expect(detail.body.phase).toBe('completed');
    expect(detail.body.cves.map((cve: { cve: string }) => cve.cve)).toEqual(['CVE-2005-1794', 'CVE-2009-3555']);
    const hosts = detail.body.assets.map((asset: { hostname: string }) => asset.hostname);
    expect(hosts).toContain('snorby.org');
    expect(hosts.filter((host: string) => host.startsWith('qa3app'))).toHaveLength(7);

    const added = detail.body.cves.find((cve: { cve: string }) => cve.cve === 'CVE-2009-3555');
    expect(new Date(added.clockStartAt).getTime()).toBeGreaterThan(new Date(detail.body.createdAt).getTime());

    const audit = await testDb.database.query(`SELECT 1 FROM audit_log WHERE action = 'incident.cves_added' AND actor = 'alice'`);
    expect(audit).toHaveLength(1);
  });
});
