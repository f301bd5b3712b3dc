/**
 * Finding routes. `GET /:findingId` returns one finding with its stored score and
 * the explanation of that score. `GET /prioritized` lists open findings by
 * stored risk score, highest first, a page at a time:
 *
 *   ?tag=site:berlin&priority=P1,P2&kev=true&slaBreached=false&limit=50&cursor=...
 *
 * Each page returns `nextCursor`, null on the last page. Scores change only when
 * an import or a tag change rescores findings. A finding rescored between two page requests may
 * move past the cursor, so a walk over every page can miss it or list it twice.
 * One page never lists a finding twice.
 */
import { Router } from 'express';
import type { Database } from '../../db/client.js';
import { loadFindingDetail } from '../../db/finding-detail.js';
import { listPrioritizedFindings } from '../../db/prioritized-findings.js';
import { ProblemError, parseQuery } from '../problem.js';
import { encodeRankCursor } from '../rank-cursor.js';
import { prioritizedFindingsQuery } from '../schemas.js';

export function findingRoutes(deps: { database: Database }): Router {
  const router = Router();

  router.get('/prioritized', async (req, res) => {
    const query = parseQuery(prioritizedFindingsQuery, req.query);

    const page = await listPrioritizedFindings(
      deps.database,
      { tags: query.tag ?? [], priorities: query.priority ?? [], kev: query.kev, slaBreached: query.slaBreached },
      { limit: query.limit, after: query.cursor ?? null, now: new Date() },
    );
    res.json({ findings: page.findings, nextCursor: page.next === null ? null : encodeRankCursor(page.next) });
  });

  // After /prioritized, so that path never reads as a finding id.
  router.get('/:findingId', async (req, res) => {
    const raw = req.params.findingId as string;
    const findingId = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(findingId)) {
      throw new ProblemError(400, 'Invalid request', `The finding id "${raw}" in the path is invalid.`, [
        { path: 'findingId', message: 'must be a finding id: a whole number from the listing' },
      ]);
    }

    const finding = await loadFindingDetail(deps.database, findingId);
    if (finding === null) {
      throw new ProblemError(404, 'Not found', `No finding ${findingId}; list them with GET /api/findings/prioritized.`);
    }
    res.json(finding);
  });

  return router;
}
