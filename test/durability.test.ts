/**
 * Durability: the worker process is killed (SIGKILL) in the middle of a rollout and
 * a new one takes over. Every host must end up deployed exactly once, as the lab
 * fleet's own tables record it, because deploys carry an idempotency key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { importFile } from '../api/import-service.js';
import { temporalGateway } from '../api/workflow-gateway.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { createApiKey } from '../db/keys.js';
import type { DevServer } from '../workers/dev-server.js';
import { startTestTemporal } from './dev-temporal.js';
import { TestApi } from './http.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { sharedDataPath } from './shared-data.js';

const cli = fileURLToPath(new URL('../bin/patchwarden.mjs', import.meta.url));

// Each install takes 3 s and hosts go one at a time, so a kill lands mid-rollout.
const policyJson = {
  rollout: { canaryFraction: 0.25, failureThreshold: 0.5, maxParallel: 1 },
  lab: { seed: 3, deployDuration: '3s' },
};

describe('worker crash mid-rollout', () => {
  let testDb: TestDatabase;
  let temporal: DevServer;
  let connection: Connection;
  let client: Client;
  let server: Server;
  let api: TestApi;
  let scratch: string;
  let workerEnv: NodeJS.ProcessEnv;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    temporal = await startTestTemporal();
    scratch = await mkdtemp(join(tmpdir(), 'pw-durability-'));
    const policyFile = join(scratch, 'policy.json');
    await writeFile(policyFile, JSON.stringify(policyJson));

    const logger = createLogger({ silent: true });
    await importFile(
      testDb.database,
      'findings',
      { path: sharedDataPath('scanners/nessus/dd_nessus_v_unknown.nessus'), fileName: 'dd_nessus_v_unknown.nessus', importedBy: 'test' },
      logger,
    );

    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    const app = createApp({ database: testDb.database, workflows: temporalGateway(client), policy: parsePolicy(policyJson), logger });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    const analyst = await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst'], createdBy: 'test' });
    api = new TestApi(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, analyst.key);

    workerEnv = {
      ...process.env,
      DATABASE_URL: testDb.url,
      TEMPORAL_ADDRESS: temporal.address,
      PATCHWARDEN_POLICY: policyFile,
      PATCHWARDEN_DATA_DIR: scratch,
      PATCHWARDEN_ADMIN_KEY: 'durability-test-admin-key-0000',
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    server?.close();
    await connection?.close();
    await temporal?.stop();
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  function startWorker(): ChildProcess {
    const worker = spawn(process.execPath, [cli, 'worker'], { env: workerEnv, stdio: 'ignore' });
    workers.push(worker);
    return worker;
  }

  async function installs(): Promise<{ asset_id: string; rows: string }[]> {
    return testDb.database.query('SELECT asset_id, count(*) AS rows FROM lab_deployments GROUP BY asset_id');
  }

  it('deploys each host exactly once across a crash', async () => {
    const first = startWorker();
    const created = await api.send('POST', '/api/incidents', {
      source: 'api',
      ticketId: 'CRASH-1',
      title: 'SSH weak algorithms on the qa3 app tier',
      cves: ['CVE-2005-1794'],
      reportedBy: 'soc-tier1',
    });
    expect(created.status).toBe(202);

    // Kill the worker once two hosts have started installing: one finished, one mid-install.
    await waitUntil(async () => (await installs()).length >= 2, 90_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    startWorker();

    await client.workflow.getHandle(created.body.workflowId).result();

    const perHost = await installs();
    expect(perHost).toHaveLength(7);
    expect(perHost.every((row) => Number(row.rows) === 1)).toBe(true);
    const states = await testDb.database.query<{ state: string }>('SELECT DISTINCT state FROM lab_deployments');
    expect(states).toEqual([{ state: 'installed' }]);
    // The deploy cut off mid-install was retried and found its deployment id on the host.
    const retried = await testDb.database.query(`SELECT 1 FROM audit_log WHERE action = 'deployment.already-installed'`);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    const detail = await api.send('GET', `/api/incidents/${created.body.incidentId}`);
    expect(detail.body.phase).toBe('completed');
    expect(detail.body.assets.map((asset: { state: string }) => asset.state)).toEqual(Array(7).fill('patched'));
  });
});

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
