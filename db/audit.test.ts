import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { recordAudit, verifyAuditChain } from './audit.js';

describe('audit log', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  it('verifies an intact chain', async () => {
    for (let i = 0; i < 5; i += 1) {
      await recordAudit(testDb.database, {
        actor: 'alice',
        action: 'incident.created',
        entityType: 'incident',
        entityId: `INC-${i}`,
        details: { cves: ['CVE-2024-3400'], score: 9.8, nested: { b: 1, a: [1, 2] } },
      });
    }

    const result = await verifyAuditChain(testDb.database);

    expect(result).toMatchObject({ ok: true, rows: 5 });
  });

  it('rejects UPDATE and DELETE', async () => {
    await expect(testDb.database.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`)).rejects.toThrow(
      /append-only/,
    );
    await expect(testDb.database.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);
  });

  it('serializes concurrent appends into one chain', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(testDb.database, {
          actor: 'worker',
          action: 'asset.state',
          entityType: 'asset',
          entityId: `asset-${i}`,
          details: { i },
        }),
      ),
    );

    const result = await verifyAuditChain(testDb.database);

    expect(result).toMatchObject({ ok: true, rows: 25 });
  });

  it('names the first tampered row', async () => {
    // A superuser can bypass the trigger; verification must still catch the change.
    await testDb.database.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await testDb.database.query(`UPDATE audit_log SET details = '{"i": 99}' WHERE seq = 7`);
    await testDb.database.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');

    const result = await verifyAuditChain(testDb.database);

    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ firstBadSeq: 7, reason: 'hash does not match the row content' });
  });
});
