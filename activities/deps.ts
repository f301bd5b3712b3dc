/** Dependencies of the activity implementations, which the worker assembles from config. */
import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../db/client.js';
import type { TicketSource } from '../domain/incident.js';
import type { Logger } from '../domain/logger.js';
import type { Policy } from '../domain/policy.js';
import type { Integrations } from '../integrations/registry.js';

export interface ActivityDeps {
  database: Database;
  policy: Policy;
  integrations: Integrations;
  logger: Logger;
  /** NVD API key (`NVD_API_KEY`); without it the NVD sync keeps to the lower rate limit. */
  nvdApiKey?: string | undefined;
  importer: FeedImporter;
  incidents: IncidentOpener;
}

/**
 * Imports a downloaded intel file. The worker passes the API's import service,
 * so a refresh leaves the same `imports` and audit rows as an upload and rescores
 * the findings the file changes.
 */
export interface FeedImporter {
  importFile(
    kind: 'kev' | 'epss' | 'nvd',
    request: { path: string; fileName: string; importedBy: string },
  ): Promise<FeedImportResult>;
}

export interface FeedImportResult {
  /** File name as given in the request. */
  file: string;
  /** Import statistics by name (`entries`, `rows`, `scoreDate`, ...). */
  counts: Record<string, number | string>;
}

/**
 * Opens an emergency incident. The worker passes the API's incident service, so
 * the incident gets the same ids, workflow and audit rows as one from
 * `POST /api/incidents`.
 */
export interface IncidentOpener {
  /**
   * Inserts the incident and starts its workflow with id `emergency-<source>-<ticketId>`.
   *
   * @throws the database's unique violation (code 23505) when an incident for
   *   the same source and ticket already exists.
   */
  openIncident(
    request: { source: TicketSource; ticketId: string; title: string; cves: string[]; reportedBy: string },
    requestedBy: string,
  ): Promise<{ incidentId: string; workflowId: string }>;
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
