/**
 * Rules for asset tags as users and CMDB exports set them. `criticality` and
 * `exposure` feed the risk score, so their values are checked strictly. The
 * other known keys and any custom key take free text. The API and the CMDB CSV
 * import both go through `parseTagChanges` and `checkTagValue`, so a value is
 * accepted or rejected the same way on either path.
 */
import { ASSET_EXPOSURES, type CriticalityTier } from './asset-context.js';

/** Known keys whose values are free text. */
export const TEXT_TAG_KEYS = ['owner', 'site', 'function', 'location', 'lifecycle', 'maintenanceWindow'] as const;

export const KNOWN_TAG_KEYS = ['criticality', 'exposure', ...TEXT_TAG_KEYS] as const;

/**
 * A tag key, as a regular expression source without anchors: a letter, then
 * letters, digits, `_` or `-`, at most 64 characters in all. The `tag=key:value`
 * filters of the API accept the same keys.
 */
export const TAG_KEY_SOURCE = '[A-Za-z][A-Za-z0-9_-]{0,63}';

export const TAG_KEY_PATTERN = new RegExp(`^${TAG_KEY_SOURCE}$`);

/** Maximum length of a text value, in characters after trimming. */
export const MAX_TAG_VALUE_LENGTH = 200;

/** A stored tag value: the tier number for `criticality`, text for every other key. */
export type TagValue = string | number;

/** Tags to set, by key. A null value removes the tag. */
export type TagChanges = Record<string, TagValue | null>;

export type TagValueCheck = { ok: true; value: TagValue } | { ok: false; message: string };

/** One key of a change request that cannot be applied, with the reason. */
export interface TagProblem {
  /** The key as the caller spelt it. */
  key: string;
  message: string;
}

/** Before and after values of the keys a change altered; null where the tag is absent. */
export interface TagDiff {
  /** Values as stored before the change. A tag written by other means may be of any JSON type. */
  before: Record<string, unknown>;
  after: Record<string, TagValue | null>;
}

/** The asset a CMDB row names: by the Patchwarden asset id, or by its host name, FQDN or IP address. */
export interface AssetHostKey {
  assetId: string | null;
  hostname: string | null;
  fqdn: string | null;
  ip: string | null;
}

/** One row of a CMDB export: the asset it names and the tags to set on it. */
export interface AssetTagRecord {
  /** 1-based line of the row in its file. */
  line: number;
  host: AssetHostKey;
  changes: TagChanges;
}

const CRITICALITY_MESSAGE = 'must be a tier from 1 (most critical) to 4, as a number or one of the strings "1", "2", "3", "4"';
const EXPOSURE_MESSAGE = `must be one of ${ASSET_EXPOSURES.map((value) => `"${value}"`).join(', ')}`;
const KEY_MESSAGE = 'is not a valid tag key: use a letter, then letters, digits, "_" or "-", at most 64 characters';

/** Folds a key for comparison: lower case, with `_` and `-` removed, so `maintenance_window` folds like `maintenanceWindow`. */
export function foldTagKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

const KNOWN_BY_FOLDED = new Map<string, string>(KNOWN_TAG_KEYS.map((key) => [foldTagKey(key), key]));

/**
 * Returns the key under which a tag is stored: the known key it folds to
 * (`Criticality` and `maintenance_window` become `criticality` and
 * `maintenanceWindow`), else the key itself. Returns null for a key that does
 * not match `TAG_KEY_PATTERN`.
 */
export function canonicalTagKey(key: string): string | null {
  const trimmed = key.trim();
  if (!TAG_KEY_PATTERN.test(trimmed)) return null;
  return KNOWN_BY_FOLDED.get(foldTagKey(trimmed)) ?? trimmed;
}

/** Checks one value for a canonical key and returns it as it is stored: a tier number, or trimmed text. */
export function checkTagValue(key: string, raw: unknown): TagValueCheck {
  if (key === 'criticality') {
    const tier = readTier(raw);
    return tier === null ? { ok: false, message: CRITICALITY_MESSAGE } : { ok: true, value: tier };
  }
  if (typeof raw !== 'string') return { ok: false, message: key === 'exposure' ? EXPOSURE_MESSAGE : 'must be a string' };

  const text = raw.trim();
  if (key === 'exposure') {
    return ASSET_EXPOSURES.some((value) => value === text) ? { ok: true, value: text } : { ok: false, message: EXPOSURE_MESSAGE };
  }
  if (text === '') return { ok: false, message: 'must not be empty; send null to remove the tag' };
  if (text.length > MAX_TAG_VALUE_LENGTH) return { ok: false, message: `must be at most ${MAX_TAG_VALUE_LENGTH} characters` };
  // A line break or other control character would break CSV and Markdown exports of the tag.
  if (/\p{Cc}/u.test(text)) return { ok: false, message: 'must not contain control characters such as line breaks' };
  return { ok: true, value: text };
}

function readTier(raw: unknown): CriticalityTier | null {
  const text = typeof raw === 'string' ? raw.trim() : null;
  const tier = text === null ? raw : /^[1-4]$/.test(text) ? Number(text) : null;
  return tier === 1 || tier === 2 || tier === 3 || tier === 4 ? tier : null;
}

/**
 * Checks a change request: each key must be valid and given once after
 * canonicalisation, and each value valid for its key or null. Returns the
 * changes under canonical keys, and a problem for every key that failed.
 */
export function parseTagChanges(input: Readonly<Record<string, unknown>>): { changes: TagChanges; problems: TagProblem[] } {
  const changes: TagChanges = {};
  const spelling = new Map<string, string>();
  const problems: TagProblem[] = [];

  for (const [key, raw] of Object.entries(input)) {
    const canonical = canonicalTagKey(key);
    if (canonical === null) {
      problems.push({ key, message: KEY_MESSAGE });
      continue;
    }

    const earlier = spelling.get(canonical);
    if (earlier !== undefined) {
      problems.push({ key, message: `sets the tag "${canonical}", which "${earlier}" already sets; give it once` });
      continue;
    }
    spelling.set(canonical, key);

    if (raw === null) {
      changes[canonical] = null;
      continue;
    }
    const checked = checkTagValue(canonical, raw);
    if (checked.ok) changes[canonical] = checked.value;
    else problems.push({ key, message: checked.message });
  }

  return { changes, problems };
}

/** The result of applying changes to a tag document. */
export interface AppliedTagChanges {
  /** The whole document after the changes. */
  tags: Record<string, unknown>;
  /** The keys whose values changed; both sides are empty when nothing changed. */
  diff: TagDiff;
  changed: boolean;
}

/** Applies changes to a tag document, leaving the input as it was. */
export function applyTagChanges(tags: Readonly<Record<string, unknown>>, changes: TagChanges): AppliedTagChanges {
  const next: Record<string, unknown> = { ...tags };
  const diff: TagDiff = { before: {}, after: {} };

  for (const [key, value] of Object.entries(changes)) {
    // Own properties only: a key such as `constructor` would otherwise read Object.prototype.
    const current = Object.hasOwn(tags, key) ? (tags[key] ?? null) : null;
    if (current === value) continue;

    diff.before[key] = current;
    diff.after[key] = value;
    if (value === null) delete next[key];
    else next[key] = value;
  }

  return { tags: next, diff, changed: Object.keys(diff.after).length > 0 };
}

/** Names the host of a CMDB row in messages, such as `hostname "web01", ip "10.0.0.5"`. */
export function describeHostKey(host: AssetHostKey): string {
  const parts: string[] = [];
  if (host.assetId !== null) parts.push(`asset_id "${host.assetId}"`);
  if (host.hostname !== null) parts.push(`hostname "${host.hostname}"`);
  if (host.fqdn !== null) parts.push(`fqdn "${host.fqdn}"`);
  if (host.ip !== null) parts.push(`ip "${host.ip}"`);
  return parts.join(', ');
}
