/**
 * Appends to and verifies the hash-chained audit log. Appends take a
 * transaction-scoped advisory lock, so concurrent writers line up and every row
 * links to the one committed before it.
 */
import {
  AuditChainVerifier,
  GENESIS_HASH,
  hashAuditEntry,
  type AuditEntry,
  type ChainVerification,
} from '../domain/audit-chain.js';
import type { Database, Tx } from './client.js';

/** Arbitrary constant that names the audit append lock among advisory locks. */
const AUDIT_LOCK_KEY = 704_211_001;

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'> & { at?: Date };

interface AuditRow {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** Appends one row inside the caller's transaction; returns its sequence number. */
export async function appendAudit(tx: Tx, entry: NewAuditEntry): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);

  const [last] = await tx.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const seq = last ? Number(last.seq) + 1 : 1;
  const prevHash = last ? last.hash : GENESIS_HASH;

  // Round-trip through JSON so what is hashed is exactly what jsonb stores and returns.
  const details = JSON.parse(JSON.stringify(entry.details)) as Record<string, unknown>;
  const chained: AuditEntry = {
    seq,
    at: (entry.at ?? new Date()).toISOString(),
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    details,
  };
  const hash = hashAuditEntry(prevHash, chained);

  await tx.query(
    `INSERT INTO audit_log (seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [seq, chained.at, chained.actor, chained.action, chained.entityType, chained.entityId, JSON.stringify(details), prevHash, hash],
  );
  return seq;
}

/** Appends one row in a transaction of its own. */
export async function recordAudit(database: Database, entry: NewAuditEntry): Promise<number> {
  return database.transaction((tx) => appendAudit(tx, entry));
}

const VERIFY_PAGE = 5_000;

/** Recomputes the whole chain page by page and names the first row that does not match. */
export async function verifyAuditChain(database: Database): Promise<ChainVerification> {
  const verifier = new AuditChainVerifier();
  let after = 0;

  for (;;) {
    const rows = await database.query<AuditRow>(
      `SELECT seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash
         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, VERIFY_PAGE],
    );
    for (const row of rows) {
      const ok = verifier.add({
        seq: Number(row.seq),
        at: new Date(row.at).toISOString(),
        actor: row.actor,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        details: row.details,
        prevHash: row.prev_hash,
        hash: row.hash,
      });
      if (!ok) return verifier.result();
    }
    if (rows.length < VERIFY_PAGE) return verifier.result();
    after = Number(rows[rows.length - 1]!.seq);
  }
}
