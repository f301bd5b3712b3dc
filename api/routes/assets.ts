/**
 * Asset routes. Any principal may list and read assets:
 *
 *   GET /api/assets?host=web01&tag=site:berlin&limit=50&cursor=...
 *   GET /api/assets/:assetId
 *
 * A listing is ordered by host name, then id, and returns `nextCursor`, null on
 * the last page. `PATCH /:assetId/tags` sets and removes tags and rescores the
 * asset's open findings. It needs the `patch_operator` role, because criticality
 * and exposure raise or lower every score on the asset.
 */
import { Router } from 'express';
import type { Logger } from '../../config/logger.js';
import { listAssets, loadAsset } from '../../db/assets.js';
import type { Database } from '../../db/client.js';
import type { FindingScoringPolicy } from '../../domain/finding-score.js';
import { encodeAssetCursor } from '../asset-cursor.js';
import { tagAsset } from '../asset-service.js';
import { principalOf, requireRole } from '../auth.js';
import { ProblemError, invalidRequest, parseQuery } from '../problem.js';
import { assetTagsBody, listAssetsQuery } from '../schemas.js';

function assetNotFound(assetId: string): ProblemError {
  return new ProblemError(404, 'Not found', `No asset ${assetId}; list them with GET /api/assets (CLI: patchwarden assets list).`);
}

export function assetRoutes(deps: { database: Database; policy: FindingScoringPolicy; logger: Logger }): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseQuery(listAssetsQuery, req.query);

    const page = await listAssets(deps.database, { host: query.host, tags: query.tag ?? [] }, { limit: query.limit, after: query.cursor ?? null });
    res.json({ assets: page.assets, nextCursor: page.next === null ? null : encodeAssetCursor(page.next) });
  });

  router.get('/:assetId', async (req, res) => {
    const assetId = req.params.assetId as string;
    const asset = await loadAsset(deps.database, assetId);
    if (asset === null) throw assetNotFound(assetId);
    res.json(asset);
  });

  router.patch('/:assetId/tags', requireRole('patch_operator'), async (req, res) => {
    const parsed = assetTagsBody.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error);

    const assetId = req.params.assetId as string;
    const tagged = await tagAsset(deps, { assetId, changes: parsed.data, actor: principalOf(res).name });
    if (tagged === null) throw assetNotFound(assetId);
    res.json(tagged);
  });

  return router;
}
