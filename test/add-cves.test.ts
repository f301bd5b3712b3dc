/**
 * A repeated ticket that names new CVEs: the API returns 200 with the same ids and
 * sends the new CVEs to the running workflow's `addCves` update, whose hosts are
 * then scoped and remediated too. Real dev server, Postgres and Nessus files.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { importFile } from '../api/import-service.js';
import { temporalGateway } from '../api/workflow-gateway.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { createApiKey } from '../db/keys.js';
import { labIntegrations } from '../integrations/registry.js';
import { createWorker } from '../workers/worker.js';
import type { DevServer } from '../workers/dev-server.js';
import { startTestTemporal } from './dev-temporal.js';
import { TestApi } from './http.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { sharedDataPath } from './shared-data.js';

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
  let workerConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let connection: Connection;
  let client: Client;
  let server: Server;
  let api: TestApi;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    temporal = await startTestTemporal();
    const logger = createLogger({ silent: true });
    for (const file of ['dd_nessus_v_unknown.nessus', 'ruby-nessus_example_v2.nessus']) {
      await importFile(testDb.database, 'findings', { path: sharedDataPath('scanners/nessus', file), fileName: file, importedBy: 'test' }, logger);
    }

    workerConnection = await NativeConnection.connect({ address: temporal.address });
    worker = await createWorker({
      connection: workerConnection,
      namespace: 'default',
      database: testDb.database,
      policy,
      integrations: labIntegrations(testDb.database, policy.lab),
      logger,
    });
    running = worker.run();

    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    const app = createApp({ database: testDb.database, workflows: temporalGateway(client), policy, logger });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    const analyst = await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst'], createdBy: 'test' });
    api = new TestApi(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, analyst.key);
  });

  afterAll(async () => {
    server?.close();
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await workerConnection?.close();
    await connection?.close();
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
