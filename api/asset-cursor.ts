/**
 * The opaque `cursor` of GET /api/assets: base64url of the JSON array
 * `[hostname, id]` of the last asset on a page. Clients pass back the
 * `nextCursor` they received and never build one.
 */
import type { AssetPosition } from '../db/assets.js';

export function encodeAssetCursor(position: AssetPosition): string {
  return Buffer.from(JSON.stringify([position.hostname, position.id]), 'utf8').toString('base64url');
}

/** Returns the position a cursor carries, or null when the text is not a cursor this API issued. */
export function decodeAssetCursor(cursor: string): AssetPosition | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;

  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;

  const [hostname, id] = value as unknown[];
  if (typeof hostname !== 'string' || typeof id !== 'string' || id === '') return null;
  return { hostname, id };
}
