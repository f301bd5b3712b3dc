/**
 * The API's edge: bad input to POST /api/incidents gets a 4xx problem+json naming
 * the field or cause, and no workflow starts. Runs against real PostgreSQL and a
 * real Temporal dev server (no worker, so started workflows just wait).
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { createApiKey } from '../db/keys.js';
import type { DevServer } from '../workers/dev-server.js';
import { startTestTemporal } from '../test/dev-temporal.js';
import { TestApi } from '../test/http.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { createApp } from './app.js';
import { temporalGateway } from './workflow-gateway.js';

const valid = {
  source: 'jira',
  ticketId: 'SEC-101',
  title: 'Exploited PAN-OS GlobalProtect flaw',
  cves: ['CVE-2024-3400'],
  reportedBy: 'soc-tier1',
};

describe('POST /api/incidents', () => {
  let testDb: TestDatabase;
  let temporal: DevServer;
  let connection: Connection;
  let client: Client;
  let server: Server;
  let api: TestApi;
  let auditorKey: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    temporal = await startTestTemporal();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    const app = createApp({
      database: testDb.database,
      workflows: temporalGateway(client),
      policy: parsePolicy({}),
      logger: createLogger({ silent: true }),
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const analyst = await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst'], createdBy: 'test' });
    auditorKey = (await createApiKey(testDb.database, { principal: 'audrey', roles: ['auditor'], createdBy: 'test' })).key;
    api = new TestApi(`http://127.0.0.1:${port}`, analyst.key);
  });

  afterAll(async () => {
    server?.close();
    await connection?.close();
    await temporal?.stop();
    await testDb?.drop();
  });

  async function workflowCount(): Promise<number> {
    let count = 0;
    for await (const _ of client.workflow.list()) count += 1;
    return count;
  }

  async function incidentRows(): Promise<number> {
    const [row] = await testDb.database.query<{ count: string }>('SELECT count(*) FROM incidents');
    return Number(row?.count);
  }

  const badBodies: [string, unknown, number, string][] = [
    ['missing cves', { ...valid, cves: undefined }, 400, 'cves'],
    ['empty cves', { ...valid, cves: [] }, 400, 'cves'],
    ['empty CVE id', { ...valid, cves: [''] }, 400, 'cves.0'],
    ['malformed CVE id', { ...valid, cves: ['CVE-24-1'] }, 400, 'cves.0'],
    ['CVE id of another type', { ...valid, cves: [42] }, 400, 'cves.0'],
    ['unknown source', { ...valid, source: 'email' }, 400, 'source'],
    ['unknown field', { ...valid, priority: 'P1' }, 400, '(body)'],
  ];

  for (const [name, body, status, path] of badBodies) {
    it(`rejects ${name}`, async () => {
      const response = await api.send('POST', '/api/incidents', body);

      expect(response.status).toBe(status);
      expect(response.contentType).toMatch(/application\/problem\+json/);
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    });
  }

  const badRaw: [string, string, number, string][] = [
    ['invalid JSON', '{"source": "jira",', 400, 'not valid JSON'],
    ['a JSON array', JSON.stringify([valid]), 400, 'JSON object'],
    ['null', 'null', 400, 'JSON object'],
    ['a body over 1 MB', JSON.stringify({ ...valid, title: 'x'.repeat(1_100_000) }), 413, 'over the limit'],
  ];

  for (const [name, raw, status, detail] of badRaw) {
    it(`rejects ${name}`, async () => {
      const response = await api.send('POST', '/api/incidents', undefined, { raw });

      expect(response.status).toBe(status);
      expect(response.contentType).toMatch(/application\/problem\+json/);
      expect(response.body.detail).toContain(detail);
    });
  }

  it('rejects a request without a key', async () => {
    const response = await api.as(null).send('POST', '/api/incidents', valid);

    expect(response.status).toBe(401);
    expect(response.body.detail).toContain('Missing API key');
  });

  it('rejects a wrong key', async () => {
    const response = await api.as('pwk_nope_nope').send('POST', '/api/incidents', valid);

    expect(response.status).toBe(401);
    expect(response.body.detail).toContain('Invalid or revoked API key');
  });

  it('rejects a principal without the analyst role', async () => {
    const response = await api.as(auditorKey).send('POST', '/api/incidents', valid);

    expect(response.status).toBe(403);
    expect(response.body.detail).toContain('soc_analyst');
  });

  it('started no workflow and stored nothing for bad input', async () => {
    expect(await workflowCount()).toBe(0);
    expect(await incidentRows()).toBe(0);
  });

  it('starts one workflow per ticket', async () => {
    const first = await api.send('POST', '/api/incidents', valid);
    const again = await api.send('POST', '/api/incidents', valid);

    expect(first.status).toBe(202);
    expect(first.body.workflowId).toBe('emergency-jira-SEC-101');
    expect(again.status).toBe(200);
    expect(again.body.incidentId).toBe(first.body.incidentId);
    expect(await workflowCount()).toBe(1);
    expect(await incidentRows()).toBe(1);
  });

  it('lists incidents by status', async () => {
    const open = await api.send('GET', '/api/incidents?status=open');
    const closed = await api.send('GET', '/api/incidents?status=closed');
    const enriching = await api.send('GET', '/api/incidents?status=enriching');

    expect(open.body.incidents.map((incident: { ticketId: string }) => incident.ticketId)).toEqual(['SEC-101']);
    expect(closed.body.incidents).toEqual([]);
    expect(enriching.body.incidents).toHaveLength(1);
  });

  it('rejects an unknown status filter', async () => {
    const response = await api.send('GET', '/api/incidents?status=done');

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('status');
  });

  it('answers unknown routes with problem+json', async () => {
    const response = await api.send('GET', '/api/nothing-here');

    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/application\/problem\+json/);
  });
});
