/** API keys through the API: admin-only, stored hashed, revocable. Real PostgreSQL. */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { ensureAdminKey } from '../db/keys.js';
import { TestApi } from '../test/http.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { createApp } from './app.js';
import type { WorkflowGateway } from './workflow-gateway.js';

const ADMIN_KEY = 'pwk_admin_test_key_000000000000';

// Key routes never reach Temporal; a call here would be a bug.
const noWorkflows: WorkflowGateway = {
  startEmergencyPatch: () => Promise.reject(new Error('unexpected workflow start')),
  addCves: () => Promise.reject(new Error('unexpected update')),
  decideException: () => Promise.reject(new Error('unexpected update')),
};

describe('API keys', () => {
  let testDb: TestDatabase;
  let server: Server;
  let admin: TestApi;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await ensureAdminKey(testDb.database, ADMIN_KEY);
    const app = createApp({ database: testDb.database, workflows: noWorkflows, policy: parsePolicy({}), logger: createLogger({ silent: true }) });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    admin = new TestApi(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, ADMIN_KEY);
  });

  afterAll(async () => {
    server?.close();
    await testDb?.drop();
  });

  it('creates a key that authenticates its principal', async () => {
    const created = await admin.send('POST', '/api/keys', { principal: 'carol', roles: ['auditor'] });

    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^pwk_[0-9a-f]{12}_/);
    const verify = await admin.as(created.body.key).send('GET', '/api/audit/verify');
    expect(verify.status).toBe(200);
  });

  it('stores only the hash of a key', async () => {
    const created = await admin.send('POST', '/api/keys', { principal: 'dave', roles: ['approver'] });
    const stored = await testDb.database.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);

    expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]?.key_hash).not.toContain(created.body.key);
  });

  it('lists keys without secrets', async () => {
    const listed = await admin.send('GET', '/api/keys');

    expect(listed.status).toBe(200);
    expect(listed.body.keys.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(listed.body)).not.toMatch(/pwk_/);
  });

  it('rejects a revoked key', async () => {
    const created = await admin.send('POST', '/api/keys', { principal: 'erin', roles: ['auditor'] });
    const revoked = await admin.send('DELETE', `/api/keys/${created.body.id}`);
    const afterwards = await admin.as(created.body.key).send('GET', '/api/audit/verify');

    expect(revoked.status).toBe(204);
    expect(afterwards.status).toBe(401);
  });

  it('rejects key management by a non-admin', async () => {
    const created = await admin.send('POST', '/api/keys', { principal: 'frank', roles: ['soc_analyst'] });
    const attempt = await admin.as(created.body.key).send('POST', '/api/keys', { principal: 'frank', roles: ['admin'] });

    expect(attempt.status).toBe(403);
  });

  it('rejects an unknown role by name', async () => {
    const attempt = await admin.send('POST', '/api/keys', { principal: 'gina', roles: ['root'] });

    expect(attempt.status).toBe(400);
    expect(attempt.body.errors[0].path).toBe('roles.0');
  });

  it('audits key creation and revocation', async () => {
    const rows = await testDb.database.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity_type = 'api_key'`);
    const actions = rows.map((row) => row.action);

    expect(actions).toContain('api_key.created');
    expect(actions).toContain('api_key.revoked');
  });
});
