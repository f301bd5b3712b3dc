/**
 * Writes asset tags, one asset at a time or from the rows of a CMDB export.
 * Each change reads the asset's tags under a row lock, applies the changes with
 * the domain rules and writes the whole document back, so two concurrent changes
 * to one asset never drop each other's keys. The caller's transaction appends
 * the audit row and rescores the findings.
 */
import { type AppliedTagChanges, type AssetHostKey, type AssetTagRecord, type TagChanges, type TagDiff, applyTagChanges } from '../domain/asset-tags.js';
import type { Tx } from './client.js';
import { matchAsset } from './findings-store.js';

/** Applies tag changes to one asset; returns null when no asset has that id. */
export async function setAssetTags(tx: Tx, assetId: string, changes: TagChanges): Promise<AppliedTagChanges | null> {
  const [row] = await tx.query<{ tags: Record<string, unknown> }>('SELECT tags FROM assets WHERE id = $1 FOR UPDATE', [assetId]);
  if (row === undefined) return null;

  const applied = applyTagChanges(row.tags, changes);
  if (applied.changed) {
    await tx.query('UPDATE assets SET tags = $2::jsonb WHERE id = $1', [assetId, JSON.stringify(applied.tags)]);
  }
  return applied;
}

/**
 * Finds the asset a CMDB row names. An `asset_id` is Patchwarden's own asset id
 * and wins. Without one, or when no asset has it, the FQDN, IP address and host
 * name are matched by `matchAsset`, as scans match hosts.
 */
export async function findAssetForHost(tx: Tx, host: AssetHostKey): Promise<string | null> {
  if (host.assetId !== null) {
    const [row] = await tx.query<{ id: string }>('SELECT id FROM assets WHERE id = $1', [host.assetId]);
    if (row !== undefined) return row.id;
  }
  if (host.fqdn === null && host.ip === null && host.hostname === null) return null;
  return matchAsset(tx, { scannerAssetId: null, fqdn: host.fqdn, ip: host.ip, name: host.hostname ?? '' });
}

/** A change that one CMDB row made to an asset. */
export interface RecordedTagChange extends TagDiff {
  assetId: string;
  line: number;
}

export interface TagRecordsResult {
  /** Distinct assets that some row matched. */
  assetsMatched: number;
  /** Assets whose tags changed, without repeats, in file order. */
  changedAssetIds: string[];
  changes: RecordedTagChange[];
  /** Rows whose host matched no asset, in file order. */
  unmatched: AssetTagRecord[];
}

/** Applies each row to the asset it names, in file order, so a later row for the same asset wins. */
export async function storeAssetTagRecords(tx: Tx, records: readonly AssetTagRecord[]): Promise<TagRecordsResult> {
  const matched = new Set<string>();
  const changed = new Set<string>();
  const changes: RecordedTagChange[] = [];
  const unmatched: AssetTagRecord[] = [];

  for (const record of records) {
    const assetId = await findAssetForHost(tx, record.host);
    if (assetId === null) {
      unmatched.push(record);
      continue;
    }
    matched.add(assetId);

    const update = await setAssetTags(tx, assetId, record.changes);
    if (update === null || !update.changed) continue;
    changed.add(assetId);
    changes.push({ assetId, line: record.line, ...update.diff });
  }

  return { assetsMatched: matched.size, changedAssetIds: [...changed], changes, unmatched };
}
