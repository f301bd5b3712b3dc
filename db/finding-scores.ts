/**
 * Recomputes the stored risk score of open findings. Findings are read in pages
 * by id, with their asset tags and the digest of their current score. The intel
 * of each CVE is read once per call. The scores are computed in TypeScript with
 * the domain rules, and the rows whose values changed are written back with one
 * statement per page. A finding that is fixed or informational loses its score
 * row, so `finding_scores` contains exactly the findings worth listing.
 */
import { createHash } from 'node:crypto';
import { type SightingIndex, indexSightings } from '../domain/attack.js';
import { assetContextFromTags, scannerCvssMetrics } from '../domain/finding-context.js';
import { type CveAssessmentCache, type FindingScore, type FindingScoringPolicy, scoreFinding } from '../domain/finding-score.js';
import { IntelCache, type Queryable, currentEpssDay } from './cve-intel.js';
import { loadTechniqueSightings } from './technique-sightings.js';

export type { Queryable } from './cve-intel.js';

export interface RescoreOptions {
  /** Rescore only the findings of these assets. */
  assetIds?: readonly string[];
  /** Rescore only the findings that name one of these CVEs. */
  cves?: readonly string[];
  /** Findings per page, read and written together. Default 5,000. */
  pageSize?: number;
  /** End of the technique sighting window. Default: the current time. */
  now?: Date;
}

export interface RescoreResult {
  /** Open, non-informational findings scored. */
  scored: number;
  /** Score rows inserted or changed. */
  changed: number;
  /** Score rows removed because their finding is fixed or informational. */
  removed: number;
}

const DEFAULT_PAGE_SIZE = 5000;

interface FindingRow {
  id: string;
  asset_id: string;
  scanner: string;
  cves: string[];
  cvss3_score: number | null;
  cvss3_vector: string | null;
  cvss2_score: number | null;
  cvss2_vector: string | null;
  exploit_available: boolean;
  first_seen: Date;
  tags: Record<string, unknown>;
  /** Digest of the stored score, or null when the finding has none yet. */
  digest: string | null;
}

/**
 * Scores the open findings, all of them or those `options` selects (both
 * filters apply when both are given). Run it in the transaction that changed the
 * findings or the intel, so readers never see a score that disagrees with the
 * data it came from.
 *
 * @throws RangeError or TypeError from the domain rules for an invalid policy or
 *   stored intel out of range; the caller's transaction then rolls back.
 */
export async function rescoreFindings(
  database: Queryable,
  policy: FindingScoringPolicy,
  options: RescoreOptions = {},
): Promise<RescoreResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const assetIds = options.assetIds === undefined ? null : [...options.assetIds];
  const cves = options.cves === undefined ? null : [...options.cves];
  const intel = new IntelCache(database, await currentEpssDay(database));
  const assessments: CveAssessmentCache = new Map();
  const now = options.now ?? new Date();
  const sightings = indexSightings(await loadTechniqueSightings(database, { now, window: policy.attack.sightingWindow }));
  const result: RescoreResult = { scored: 0, changed: 0, removed: 0 };

  let afterId = '0';
  for (;;) {
    const page = await database.query<FindingRow>(
      `SELECT f.id, f.asset_id, f.scanner, f.cves, f.cvss3_score, f.cvss3_vector, f.cvss2_score, f.cvss2_vector,
              f.exploit_available, f.first_seen, a.tags,
              -- A subquery rather than a join: PostgreSQL merge-joined finding_scores
              -- from its first row on every page, which made the pass quadratic.
              (SELECT x.digest FROM finding_score_explanations x WHERE x.finding_id = f.id) AS digest
         FROM findings f
         JOIN assets a ON a.id = f.asset_id
        WHERE f.status = 'open' AND NOT f.informational AND f.id > $1
          AND ($3::text[] IS NULL OR f.asset_id = ANY($3))
          AND ($4::text[] IS NULL OR f.cves && $4)
        ORDER BY f.id
        LIMIT $2`,
      [afterId, pageSize, assetIds, cves],
    );
    if (page.length === 0) break;

    const scores = await scorePage(database, page, { intel, assessments, sightings, now }, policy);
    result.changed += await writeChangedScores(database, page, scores);
    result.scored += page.length;
    afterId = page[page.length - 1]!.id;
    // A short page is the last one, so no query for an empty page follows it.
    if (page.length < pageSize) break;
  }

  // Only a scan changes which findings are open; a rescore by CVE has nothing to remove.
  if (cves === null) result.removed = await removeStaleScores(database, assetIds);
  return result;
}

/** State one rescore keeps between pages: CVE intel, CVE assessments per context, the sightings and the time. */
interface RescoreCaches {
  intel: IntelCache;
  assessments: CveAssessmentCache;
  sightings: SightingIndex;
  now: Date;
}

async function scorePage(database: Queryable, page: FindingRow[], caches: RescoreCaches, policy: FindingScoringPolicy): Promise<FindingScore[]> {
  const { intel, assessments, sightings, now } = caches;
  await intel.load(page.flatMap((row) => row.cves));
  const assetIds = [...new Set(page.map((row) => row.asset_id))];
  const clocks = await incidentClocks(database, assetIds);
  const mitigations = await activeMitigations(database, assetIds);

  return page.map((row) =>
    scoreFinding(
      {
        cves: row.cves.map((cve) => intel.get(cve)),
        scannerMetrics: scannerCvssMetrics(
          { cvss3Score: row.cvss3_score, cvss3Vector: row.cvss3_vector, cvss2Score: row.cvss2_score, cvss2Vector: row.cvss2_vector },
          row.scanner,
        ),
        exploitAvailable: row.exploit_available,
        asset: assetContextFromTags(row.tags),
        firstSeenAt: row.first_seen,
        incidentClockStartAt: clocks.get(row.asset_id) ?? new Map(),
        mitigations: mitigations.get(row.asset_id) ?? [],
        sightings,
        now,
      },
      policy,
      assessments,
    ),
  );
}

/** Earliest incident clock start per asset and CVE, for incidents that list the asset. */
async function incidentClocks(database: Queryable, assetIds: string[]): Promise<Map<string, Map<string, Date>>> {
  const rows = await database.query<{ asset_id: string; cve: string; clock_start_at: Date }>(
    `SELECT ia.asset_id, ic.cve, min(ic.clock_start_at) AS clock_start_at
       FROM incident_assets ia JOIN incident_cves ic ON ic.incident_id = ia.incident_id
      WHERE ia.asset_id = ANY($1)
      GROUP BY ia.asset_id, ic.cve`,
    [assetIds],
  );
  const byAsset = new Map<string, Map<string, Date>>();
  for (const row of rows) {
    const clocks = byAsset.get(row.asset_id) ?? new Map<string, Date>();
    clocks.set(row.cve, row.clock_start_at);
    byAsset.set(row.asset_id, clocks);
  }
  return byAsset;
}

async function activeMitigations(database: Queryable, assetIds: string[]): Promise<Map<string, { kind: string; cves: string[] }[]>> {
  const rows = await database.query<{ asset_id: string; kind: string; cves: string[] }>(
    `SELECT asset_id, kind, cves FROM mitigations WHERE state = 'active' AND asset_id = ANY($1)`,
    [assetIds],
  );
  const byAsset = new Map<string, { kind: string; cves: string[] }[]>();
  for (const row of rows) byAsset.set(row.asset_id, [...(byAsset.get(row.asset_id) ?? []), { kind: row.kind, cves: row.cves }]);
  return byAsset;
}

/**
 * Upserts the scores whose digest differs from the stored one, in one statement.
 * Skipping unchanged rows matters because most rescores change few of the rows
 * they read: a daily KEV catalog rescores every finding that names a KEV entry,
 * and only the new entries change a score.
 */
async function writeChangedScores(database: Queryable, page: FindingRow[], scores: FindingScore[]): Promise<number> {
  const changed = [];
  for (const [index, row] of page.entries()) {
    const score = scores[index]!;
    const values = {
      score: score.score.toFixed(2),
      priority: score.priority,
      ssvc_decision: score.ssvcDecision,
      kev: score.kev,
      due_at: score.dueAt,
      top_cve: score.explanation.topCve,
      explanation: score.explanation,
    };
    const digest = createHash('sha256').update(JSON.stringify(values)).digest('hex');
    if (digest !== row.digest) changed.push({ finding_id: row.id, asset_id: row.asset_id, ...values, digest });
  }
  if (changed.length === 0) return 0;

  // One JSON document rather than an array per column: pg would escape every
  // explanation into an array literal, which costs more than the statement.
  await database.query(
    `WITH page AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS u(finding_id bigint, asset_id text, score numeric, priority text,
              ssvc_decision text, kev boolean, due_at timestamptz, top_cve text, explanation jsonb, digest text)),
     scores AS (
       INSERT INTO finding_scores (finding_id, asset_id, score, priority, ssvc_decision, kev, due_at, top_cve)
       SELECT finding_id, asset_id, score, priority, ssvc_decision, kev, due_at, top_cve FROM page
       ON CONFLICT (finding_id) DO UPDATE SET
          score = excluded.score, priority = excluded.priority, ssvc_decision = excluded.ssvc_decision,
          kev = excluded.kev, due_at = excluded.due_at, top_cve = excluded.top_cve, scored_at = now()
       RETURNING finding_id)
     INSERT INTO finding_score_explanations (finding_id, explanation, digest)
     SELECT page.finding_id, page.explanation, page.digest FROM page JOIN scores USING (finding_id)
     ON CONFLICT (finding_id) DO UPDATE SET explanation = excluded.explanation, digest = excluded.digest`,
    [JSON.stringify(changed)],
  );
  return changed.length;
}

async function removeStaleScores(database: Queryable, assetIds: string[] | null): Promise<number> {
  const [row] = await database.query<{ count: string }>(
    `WITH removed AS (
       DELETE FROM finding_scores s
        WHERE ($1::text[] IS NULL OR s.asset_id = ANY($1))
          AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = s.finding_id AND f.status = 'open' AND NOT f.informational)
       RETURNING 1)
     SELECT count(*) FROM removed`,
    [assetIds],
  );
  return Number(row?.count ?? 0);
}
