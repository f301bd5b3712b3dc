/**
 * Sets an asset's tags: the change, its audit row and the rescore of the
 * asset's open findings commit together, so a listing never shows a score
 * computed from tags other than the stored ones.
 */
import type { Logger } from '../config/logger.js';
import { setAssetTags } from '../db/asset-tags.js';
import { type AssetView, loadAsset } from '../db/assets.js';
import { appendAudit } from '../db/audit.js';
import type { Database } from '../db/client.js';
import { rescoreFindings } from '../db/finding-scores.js';
import type { TagChanges, TagDiff } from '../domain/asset-tags.js';
import type { FindingScoringPolicy } from '../domain/finding-score.js';
import { rescoreCounts } from './import-service.js';

export interface TagAssetRequest {
  assetId: string;
  changes: TagChanges;
  /** The principal making the change, recorded in the audit row. */
  actor: string;
}

export interface TaggedAsset {
  /** The asset with its tags after the change. */
  asset: AssetView;
  /** Before and after values of the keys that changed; empty when every value was already set. */
  changes: TagDiff;
  rescored: ReturnType<typeof rescoreCounts>;
}

/**
 * Applies the changes and rescores the asset's open findings, even when no
 * value changed, so the call also brings a stale score up to date. The audit
 * row (`asset.tags`) is written only when a value changed. Returns null when
 * no asset has the id.
 */
export async function tagAsset(
  deps: { database: Database; policy: FindingScoringPolicy; logger: Logger },
  request: TagAssetRequest,
): Promise<TaggedAsset | null> {
  const { assetId, actor } = request;

  const result = await deps.database.transaction(async (tx) => {
    const applied = await setAssetTags(tx, assetId, request.changes);
    if (applied === null) return null;

    const rescored = rescoreCounts(await rescoreFindings(tx, deps.policy, { assetIds: [assetId] }));
    if (applied.changed) {
      await appendAudit(tx, { actor, action: 'asset.tags', entityType: 'asset', entityId: assetId, details: { ...applied.diff, ...rescored } });
    }

    const asset = await loadAsset(tx, assetId);
    if (asset === null) throw new Error(`asset ${assetId} vanished inside the transaction that locked it`);
    return { asset, changes: applied.diff, rescored };
  });

  if (result !== null) deps.logger.info('asset tags set', { assetId, actor, changedKeys: Object.keys(result.changes.after), ...result.rescored });
  return result;
}
