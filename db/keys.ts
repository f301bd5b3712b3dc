/**
 * Principals and their API keys. A key is `pwk_<id>_<secret>`; only the SHA-256
 * of the whole key is stored, and the id lets an admin list and revoke it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './client.js';
import { appendAudit } from './audit.js';

export const ROLES = ['soc_analyst', 'patch_operator', 'approver', 'change_manager', 'auditor', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  roles: Role[];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface CreatedKey {
  id: string;
  key: string;
  principal: Principal;
}

/** Creates the principal if new (or replaces its roles) and issues a key for it. */
export async function createApiKey(
  database: Database,
  input: { principal: string; roles: Role[]; createdBy: string; key?: string },
): Promise<CreatedKey> {
  const id = randomBytes(6).toString('hex');
  const key = input.key ?? `pwk_${id}_${randomBytes(24).toString('base64url')}`;

  await database.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO principals (name, roles) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET roles = excluded.roles`,
      [input.principal, input.roles],
    );
    await tx.query('INSERT INTO api_keys (id, principal, key_hash) VALUES ($1, $2, $3)', [id, input.principal, hashKey(key)]);
    await appendAudit(tx, {
      actor: input.createdBy,
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: id,
      details: { principal: input.principal, roles: input.roles },
    });
  });

  return { id, key, principal: { name: input.principal, roles: input.roles } };
}

/** Returns the principal behind a key, or null for an unknown or revoked key. */
export async function findPrincipalByKey(database: Database, key: string): Promise<Principal | null> {
  const [row] = await database.query<{ name: string; roles: Role[] }>(
    `SELECT p.name, p.roles FROM api_keys k JOIN principals p ON p.name = k.principal
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
    [hashKey(key)],
  );
  return row ? { name: row.name, roles: row.roles } : null;
}

export interface KeyListing {
  id: string;
  principal: string;
  roles: Role[];
  createdAt: string;
  revokedAt: string | null;
}

export async function listApiKeys(database: Database): Promise<KeyListing[]> {
  const rows = await database.query<{ id: string; principal: string; roles: Role[]; created_at: Date; revoked_at: Date | null }>(
    `SELECT k.id, k.principal, p.roles, k.created_at, k.revoked_at
       FROM api_keys k JOIN principals p ON p.name = k.principal ORDER BY k.created_at`,
  );
  return rows.map((row) => ({
    id: row.id,
    principal: row.principal,
    roles: row.roles,
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  }));
}

/** Revokes a key; returns false when no active key has that id. */
export async function revokeApiKey(database: Database, input: { id: string; revokedBy: string }): Promise<boolean> {
  return database.transaction(async (tx) => {
    const rows = await tx.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [
      input.id,
    ]);
    if (rows.length === 0) return false;
    await appendAudit(tx, {
      actor: input.revokedBy,
      action: 'api_key.revoked',
      entityType: 'api_key',
      entityId: input.id,
      details: {},
    });
    return true;
  });
}

/** Makes sure the bootstrap admin key works: used by `start` with a given or generated key. */
export async function ensureAdminKey(database: Database, key: string): Promise<void> {
  if (await findPrincipalByKey(database, key)) return;
  await createApiKey(database, { principal: 'admin', roles: ['admin'], createdBy: 'system', key });
}
