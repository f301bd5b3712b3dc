/**
 * The audit log's hash chain. Each row's hash is SHA-256 over the previous row's
 * hash followed by the row's RFC 8785 (JSON Canonicalization Scheme) form, so
 * changing, removing or reordering any row breaks every hash after it.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** `prevHash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of one audit row. */
export interface AuditEntry {
  seq: number;
  /** ISO 8601 UTC with milliseconds, e.g. `2026-12-04T20:00:00.000Z`. */
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: Record<string, unknown>;
}

export interface ChainedAuditEntry extends AuditEntry {
  prevHash: string;
  hash: string;
}

export function hashAuditEntry(prevHash: string, entry: AuditEntry): string {
  const canonical = canonicalize({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash).update(canonical ?? '').digest('hex');
}

export type ChainVerification =
  | { ok: true; rows: number; lastHash: string }
  | { ok: false; rows: number; firstBadSeq: number; reason: string };

/**
 * Recomputes the chain over rows in `seq` order and names the first row whose
 * link or hash does not match. Feed it pages in order; `state` carries the link.
 */
export class AuditChainVerifier {
  private expectedPrev = GENESIS_HASH;
  private expectedSeq: number | null = null;
  private rows = 0;
  private failure: { seq: number; reason: string } | null = null;

  add(row: ChainedAuditEntry): boolean {
    if (this.failure) return false;
    this.rows += 1;

    if (this.expectedSeq !== null && row.seq !== this.expectedSeq) {
      this.failure = { seq: row.seq, reason: `sequence gap: expected row ${this.expectedSeq}, found ${row.seq}` };
      return false;
    }
    if (row.prevHash !== this.expectedPrev) {
      this.failure = { seq: row.seq, reason: 'prev_hash does not match the hash of the row before it' };
      return false;
    }
    if (hashAuditEntry(row.prevHash, row) !== row.hash) {
      this.failure = { seq: row.seq, reason: 'hash does not match the row content' };
      return false;
    }

    this.expectedPrev = row.hash;
    this.expectedSeq = row.seq + 1;
    return true;
  }

  result(): ChainVerification {
    if (this.failure) {
      return { ok: false, rows: this.rows, firstBadSeq: this.failure.seq, reason: this.failure.reason };
    }
    return { ok: true, rows: this.rows, lastHash: this.expectedPrev };
  }
}
