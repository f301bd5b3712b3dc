/**
 * The opaque `cursor` of GET /api/findings/prioritized: base64url of the last
 * row's score and finding id, `<score>:<id>`. Clients pass back the `nextCursor`
 * they received and never build one.
 */
import type { RankPosition } from '../db/prioritized-findings.js';

/** A score of 0 to 100 with at most two decimals, then a finding id. */
const POSITION = /^(\d{1,3}(?:\.\d{1,2})?):([1-9]\d{0,15})$/;

export function encodeRankCursor(position: RankPosition): string {
  return Buffer.from(`${position.score}:${position.findingId}`, 'utf8').toString('base64url');
}

/** Returns the position a cursor carries, or null when the text is not a cursor this API issued. */
export function decodeRankCursor(cursor: string): RankPosition | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;

  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) return null;

  const score = Number(match[1]);
  const findingId = Number(match[2]);
  if (score > 100 || !Number.isSafeInteger(findingId)) return null;
  return { score: match[1]!, findingId };
}
