/** Dependencies of the activity implementations, which the worker assembles from config. */
import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../config/logger.js';
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import type { Integrations } from '../integrations/registry.js';

export interface ActivityDeps {
  database: Database;
  policy: Policy;
  integrations: Integrations;
  logger: Logger;
  /** NVD API key (`NVD_API_KEY`); without it the NVD sync keeps to the lower rate limit. */
  nvdApiKey?: string | undefined;
}

export interface AssetRecord {
  assetId: string;
  hostname: string;
  ip: string | null;
}

/** Loads an asset or fails for good: retrying cannot make a missing asset appear. */
export async function loadAsset(deps: ActivityDeps, assetId: string): Promise<AssetRecord> {
  const [row] = await deps.database.query<{ id: string; hostname: string; ip: string | null }>(
    'SELECT id, hostname, ip FROM assets WHERE id = $1',
    [assetId],
  );
  if (!row) throw ApplicationFailure.nonRetryable(`asset ${assetId} not found`, 'AssetNotFoundError');
  return { assetId: row.id, hostname: row.hostname, ip: row.ip };
}
