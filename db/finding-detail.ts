/** One finding with its stored score and the explanation of that score. */
import type { FindingScoreExplanation } from '../domain/finding-score.js';
import type { Queryable } from './cve-intel.js';
import type { PrioritizedFinding } from './prioritized-findings.js';

export interface FindingDetail extends Pick<PrioritizedFinding, 'id' | 'scanner' | 'itemId' | 'itemName' | 'port' | 'protocol' | 'cves'> {
  asset: { id: string; hostname: string; owner: string | null; tags: Record<string, unknown> };
  status: 'open' | 'fixed';
  informational: boolean;
  firstSeen: string;
  lastSeen: string;
  /** Null for a fixed or informational finding, which is not scored. */
  score: {
    score: number;
    priority: string;
    ssvcDecision: string;
    kev: boolean;
    dueAt: string;
    scoredAt: string;
    explanation: FindingScoreExplanation;
  } | null;
}

/** Returns the finding, or null when no finding has that id. */
export async function loadFindingDetail(database: Queryable, findingId: number): Promise<FindingDetail | null> {
  const [row] = await database.query<Record<string, unknown>>(
    `SELECT f.*, a.hostname, a.tags, s.score::text AS score, s.priority, s.ssvc_decision, s.kev AS score_kev,
            s.due_at, s.scored_at, x.explanation
       FROM findings f
       JOIN assets a ON a.id = f.asset_id
       LEFT JOIN finding_scores s ON s.finding_id = f.id
       LEFT JOIN finding_score_explanations x ON x.finding_id = f.id
      WHERE f.id = $1`,
    [findingId],
  );
  if (row === undefined) return null;

  const tags = row.tags as Record<string, unknown>;
  return {
    id: Number(row.id),
    asset: { id: row.asset_id as string, hostname: row.hostname as string, owner: typeof tags.owner === 'string' ? tags.owner : null, tags },
    scanner: row.scanner as string,
    itemId: row.item_id as string,
    itemName: row.item_name as string,
    port: row.port as number,
    protocol: row.protocol as string,
    cves: row.cves as string[],
    status: row.status as FindingDetail['status'],
    informational: row.informational as boolean,
    firstSeen: (row.first_seen as Date).toISOString(),
    lastSeen: (row.last_seen as Date).toISOString(),
    score:
      row.score === null
        ? null
        : {
            score: Number(row.score),
            priority: row.priority as string,
            ssvcDecision: row.ssvc_decision as string,
            kev: row.score_kev as boolean,
            dueAt: (row.due_at as Date).toISOString(),
            scoredAt: (row.scored_at as Date).toISOString(),
            explanation: row.explanation as FindingScoreExplanation,
          },
  };
}
