/**
 * The prioritized listing of open findings: stored scores, highest first, read a
 * page at a time with a keyset on (score, finding id). The filters and the sort
 * run on `finding_scores` alone, whose rank indexes serve the ORDER BY, and only
 * the rows of the page are joined with their finding, asset and exception.
 */
import type { Priority } from '../domain/incident.js';
import type { SsvcDecision } from '../domain/ssvc.js';
import { type TagFilter, tagMatchCondition } from './assets.js';
import type { Queryable } from './cve-intel.js';

/** Position after the last row of a page. `score` is the stored numeric as text, so it compares exactly. */
export interface RankPosition {
  score: string;
  findingId: number;
}

export interface PrioritizedFilter {
  tags: TagFilter;
  /** Priorities to include; all when empty. */
  priorities: readonly Priority[];
  kev?: boolean | undefined;
  /** True: only findings past their due date. False: only findings not yet past it. */
  slaBreached?: boolean | undefined;
}

export type ExceptionState = 'pending' | 'approved' | 'denied' | 'expired';

export interface PrioritizedFinding {
  id: number;
  asset: { id: string; hostname: string; owner: string | null };
  scanner: string;
  itemId: string;
  itemName: string;
  port: number;
  protocol: string;
  cves: string[];
  score: number;
  priority: Priority;
  ssvcDecision: SsvcDecision;
  kev: boolean;
  dueAt: string;
  slaBreached: boolean;
  /** The newest exception on the asset that covers one of the finding's CVEs, or null. */
  exception: { id: string; state: ExceptionState; expiresAt: string | null } | null;
}

export interface PrioritizedPage {
  findings: PrioritizedFinding[];
  /** Position to continue after, or null when this page reached the end. */
  next: RankPosition | null;
}

interface ListingRow {
  finding_id: string;
  score: string;
  priority: Priority;
  ssvc_decision: SsvcDecision;
  kev: boolean;
  due_at: Date;
  scanner: string;
  item_id: string;
  item_name: string;
  port: number;
  protocol: string;
  cves: string[];
  asset_id: string;
  hostname: string;
  owner: string | null;
  exception_id: string | null;
  exception_state: 'pending' | 'approved' | 'denied' | null;
  exception_expires_at: Date | null;
}

/**
 * Lists one page of findings ordered by score, then finding id, both descending.
 * Within a page no finding appears twice. Across pages the keyset holds only
 * while scores stay put. A finding rescored between two requests may move past
 * the cursor, so a client walking every page may miss it or see it again. A
 * client that needs each finding once keeps the ids it has seen.
 */
export async function listPrioritizedFindings(
  database: Queryable,
  filter: PrioritizedFilter,
  page: { limit: number; after: RankPosition | null; now: Date },
): Promise<PrioritizedPage> {
  const assetIds = filter.tags.length === 0 ? null : await findTaggedAssets(database, filter.tags);
  if (assetIds !== null && assetIds.length === 0) return { findings: [], next: null };

  const params: unknown[] = [];
  const ranked = rankedPage(filter, assetIds, page, params);

  const rows = await database.query<ListingRow>(
    `SELECT s.finding_id, s.score::text AS score, s.priority, s.ssvc_decision, s.kev, s.due_at,
            f.scanner, f.item_id, f.item_name, f.port, f.protocol, f.cves,
            a.id AS asset_id, a.hostname, a.tags->>'owner' AS owner,
            x.id AS exception_id, x.state AS exception_state, x.expires_at AS exception_expires_at
       FROM (${ranked}) s
       JOIN findings f ON f.id = s.finding_id
       JOIN assets a ON a.id = s.asset_id
       LEFT JOIN LATERAL (
             SELECT e.id, e.state, e.expires_at FROM exceptions e
              WHERE e.asset_id = s.asset_id AND e.cves && f.cves
              ORDER BY e.created_at DESC, e.id DESC
              LIMIT 1) x ON true
      ORDER BY s.score DESC, s.finding_id DESC`,
    params,
  );

  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    findings: pageRows.map((row) => toFinding(row, page.now)),
    next: more && last !== undefined ? { score: last.score, findingId: Number(last.finding_id) } : null,
  };
}

const RANKED_COLUMNS = 's.finding_id, s.asset_id, s.score, s.priority, s.ssvc_decision, s.kev, s.due_at';

/**
 * Builds the query for the page's score rows, one more than the limit so the
 * caller can tell whether another page follows. With a priority filter, each
 * priority gets its own ordered scan of the (priority, score, finding_id) index
 * and the scans are merged. PostgreSQL 15 cannot read that index in score order
 * for `priority = ANY(...)`, and walking the plain rank index down to the P4 rows
 * would pass most of the table.
 */
function rankedPage(
  filter: PrioritizedFilter,
  assetIds: string[] | null,
  page: { limit: number; after: RankPosition | null; now: Date },
  params: unknown[],
): string {
  const conditions = filterConditions(filter, page.now, params);
  if (assetIds !== null) {
    params.push(assetIds);
    conditions.push(`s.asset_id = ANY($${params.length}::text[])`);
  }
  if (page.after !== null) {
    params.push(page.after.score, page.after.findingId);
    conditions.push(`(s.score, s.finding_id) < ($${params.length - 1}::numeric, $${params.length}::bigint)`);
  }
  params.push(page.limit + 1);
  const limit = `$${params.length}`;

  const priorities = [...new Set(filter.priorities)];
  if (priorities.length === 0) {
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return `SELECT ${RANKED_COLUMNS} FROM finding_scores s ${where} ORDER BY s.score DESC, s.finding_id DESC LIMIT ${limit}`;
  }

  params.push(priorities);
  const where = ['s.priority = wanted.priority', ...conditions].join(' AND ');
  return `SELECT ranked.* FROM unnest($${params.length}::text[]) AS wanted(priority)
          CROSS JOIN LATERAL (
                SELECT ${RANKED_COLUMNS} FROM finding_scores s WHERE ${where}
                 ORDER BY s.score DESC, s.finding_id DESC LIMIT ${limit}) ranked
          ORDER BY ranked.score DESC, ranked.finding_id DESC LIMIT ${limit}`;
}

/**
 * Returns the ids of assets carrying every tag.
 *
 * The ids go back into the listing as an array value rather than a subquery.
 * PostgreSQL 15 then plans with the number of matching assets and hashes the
 * array, so it walks the rank index for a common tag and reads the few assets'
 * rows by the asset index for a rare one. With a subquery it picked one plan for
 * both, and each plan was slow for the other case. Measured on 1,000,000 findings,
 * a one-asset tag took about 1 s walking the rank index, and a tag on 10% of assets
 * took 120 ms read by assets.
 */
async function findTaggedAssets(database: Queryable, tags: TagFilter): Promise<string[]> {
  const params: unknown[] = [];
  const rows = await database.query<{ id: string }>(`SELECT id FROM assets WHERE ${tagMatchCondition(tags, params)}`, params);
  return rows.map((row) => row.id);
}

/** Builds the WHERE conditions of the KEV and SLA filters, appending their values to `params`. */
function filterConditions(filter: PrioritizedFilter, now: Date, params: unknown[]): string[] {
  const conditions: string[] = [];

  if (filter.kev !== undefined) {
    params.push(filter.kev);
    conditions.push(`s.kev = $${params.length}`);
  }
  if (filter.slaBreached !== undefined) {
    params.push(now);
    conditions.push(`s.due_at ${filter.slaBreached ? '<' : '>='} $${params.length}::timestamptz`);
  }
  return conditions;
}

function toFinding(row: ListingRow, now: Date): PrioritizedFinding {
  return {
    id: Number(row.finding_id),
    asset: { id: row.asset_id, hostname: row.hostname, owner: row.owner },
    scanner: row.scanner,
    itemId: row.item_id,
    itemName: row.item_name,
    port: row.port,
    protocol: row.protocol,
    cves: row.cves,
    score: Number(row.score),
    priority: row.priority,
    ssvcDecision: row.ssvc_decision,
    kev: row.kev,
    dueAt: row.due_at.toISOString(),
    slaBreached: row.due_at.getTime() < now.getTime(),
    exception: toException(row, now),
  };
}

/** Reads the exception columns; an approved exception past its expiry is `expired`, because it no longer covers the finding. */
function toException(row: ListingRow, now: Date): PrioritizedFinding['exception'] {
  if (row.exception_id === null || row.exception_state === null) return null;

  const expiresAt = row.exception_expires_at;
  const expired = row.exception_state === 'approved' && expiresAt !== null && expiresAt.getTime() <= now.getTime();
  return {
    id: row.exception_id,
    state: expired ? 'expired' : row.exception_state,
    expiresAt: expiresAt === null ? null : expiresAt.toISOString(),
  };
}
