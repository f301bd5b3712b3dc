/** Exception rows as the API lists them. */
import type { Database } from './client.js';

export interface ExceptionListing {
  id: string;
  incidentId: string | null;
  assetId: string;
  hostname: string;
  cves: string[];
  requestedBy: string;
  reason: string;
  state: 'pending' | 'approved' | 'denied';
  workflowId: string;
  mitigationId: string | null;
  expiresAt: string | null;
  createdAt: string;
}

const SELECT = `SELECT e.*, a.hostname FROM exceptions e JOIN assets a ON a.id = e.asset_id`;

function toListing(row: Record<string, unknown>): ExceptionListing {
  return {
    id: row.id as string,
    incidentId: row.incident_id as string | null,
    assetId: row.asset_id as string,
    hostname: row.hostname as string,
    cves: row.cves as string[],
    requestedBy: row.requested_by as string,
    reason: row.reason as string,
    state: row.state as ExceptionListing['state'],
    workflowId: row.workflow_id as string,
    mitigationId: row.mitigation_id as string | null,
    expiresAt: row.expires_at ? new Date(row.expires_at as Date).toISOString() : null,
    createdAt: new Date(row.created_at as Date).toISOString(),
  };
}

export async function listExceptions(database: Database, filter: { status?: string | undefined }): Promise<ExceptionListing[]> {
  const rows = filter.status
    ? await database.query(`${SELECT} WHERE e.state = $1 ORDER BY e.created_at`, [filter.status])
    : await database.query(`${SELECT} ORDER BY e.created_at`);
  return rows.map(toListing);
}

export async function findException(database: Database, exceptionId: string): Promise<ExceptionListing | null> {
  const [row] = await database.query(`${SELECT} WHERE e.id = $1`, [exceptionId]);
  return row ? toListing(row) : null;
}
