/**
 * Reads assets: one by id, or a page of them filtered by host and tags, ordered
 * by host name, then id, with a keyset on both. Also builds the tag filter that
 * the prioritized finding listing shares.
 */
import type { Queryable } from './cve-intel.js';

export interface AssetView {
  id: string;
  hostname: string;
  fqdn: string | null;
  ip: string | null;
  os: string | null;
  tags: Record<string, unknown>;
  firstSeen: string;
  lastSeen: string;
  /** Open findings that are not informational: those with a score and an SLA. */
  openFindings: number;
}

/** Asset tags that must all match: a string tag equal to `value`, or a numeric tag equal to it as a number. */
export type TagFilter = readonly { key: string; value: string }[];

export interface AssetFilter {
  /** Host name, FQDN or IP address, matched exactly against each. */
  host?: string | undefined;
  tags: TagFilter;
}

/** Position after the last asset of a page. */
export interface AssetPosition {
  hostname: string;
  id: string;
}

export interface AssetPage {
  assets: AssetView[];
  /** Position to continue after, or null when this page reached the end. */
  next: AssetPosition | null;
}

interface AssetRow {
  id: string;
  hostname: string;
  fqdn: string | null;
  ip: string | null;
  os: string | null;
  tags: Record<string, unknown>;
  first_seen: Date;
  last_seen: Date;
  open_findings: string;
}

const ASSET_COLUMNS = `a.id, a.hostname, a.fqdn, a.ip, a.os, a.tags, a.first_seen, a.last_seen,
       (SELECT count(*) FROM findings f WHERE f.asset_id = a.id AND f.status = 'open' AND NOT f.informational) AS open_findings`;

/** Returns the asset, or null when no asset has that id. */
export async function loadAsset(database: Queryable, assetId: string): Promise<AssetView | null> {
  const [row] = await database.query<AssetRow>(`SELECT ${ASSET_COLUMNS} FROM assets a WHERE a.id = $1`, [assetId]);
  return row === undefined ? null : toAssetView(row);
}

/** Lists one page of assets that pass the filter, ordered by host name, then id. */
export async function listAssets(database: Queryable, filter: AssetFilter, page: { limit: number; after: AssetPosition | null }): Promise<AssetPage> {
  const params: unknown[] = [];
  const conditions: string[] = [];

  if (filter.host !== undefined) {
    params.push(filter.host);
    conditions.push(`(a.hostname = $${params.length} OR a.fqdn = $${params.length} OR a.ip = $${params.length})`);
  }
  if (filter.tags.length > 0) conditions.push(tagMatchCondition(filter.tags, params, 'a.tags'));
  if (page.after !== null) {
    params.push(page.after.hostname, page.after.id);
    conditions.push(`(a.hostname, a.id) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(page.limit + 1);

  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await database.query<AssetRow>(
    `SELECT ${ASSET_COLUMNS} FROM assets a ${where} ORDER BY a.hostname, a.id LIMIT $${params.length}`,
    params,
  );

  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    assets: pageRows.map(toAssetView),
    next: more && last !== undefined ? { hostname: last.hostname, id: last.id } : null,
  };
}

/**
 * Builds a condition that holds when the tag document in `column` carries
 * every tag, appending the values to `params`. Containment (`@>`) lets the GIN
 * index on `assets.tags` serve it. A value that reads as a number also matches
 * a numeric tag, because `criticality` is stored as a number and a query string
 * carries text.
 */
export function tagMatchCondition(tags: TagFilter, params: unknown[], column = 'tags'): string {
  const tests = tags.map(({ key, value }) => {
    const documents: Record<string, unknown>[] = [{ [key]: value }];
    if (/^-?\d+(\.\d+)?$/.test(value)) documents.push({ [key]: Number(value) });
    const alternatives = documents.map((document) => {
      params.push(JSON.stringify(document));
      return `${column} @> $${params.length}::jsonb`;
    });
    return `(${alternatives.join(' OR ')})`;
  });
  return tests.join(' AND ');
}

function toAssetView(row: AssetRow): AssetView {
  return {
    id: row.id,
    hostname: row.hostname,
    fqdn: row.fqdn,
    ip: row.ip,
    os: row.os,
    tags: row.tags,
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    openFindings: Number(row.open_findings),
  };
}
