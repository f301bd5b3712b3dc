/** Incident rows and the read model behind `GET /api/incidents`. */
import { randomBytes } from 'node:crypto';
import type { CveAssessment, EscalationNotice, Phase, TicketSource } from '../domain/incident.js';
import type { Database, Tx } from './client.js';
import { appendAudit } from './audit.js';

export interface IncidentRow {
  id: string;
  source: TicketSource;
  ticketId: string;
  title: string;
  cves: string[];
  workflowId: string;
  requestedBy: string;
  reportedBy: string;
  phase: Phase;
  priority: string | null;
  slaDueAt: string | null;
  summary: string | null;
  createdAt: string;
  closedAt: string | null;
}

interface RawIncident {
  id: string;
  source: TicketSource;
  ticket_id: string;
  title: string;
  cves: string[];
  workflow_id: string;
  requested_by: string;
  reported_by: string;
  phase: Phase;
  priority: string | null;
  sla_due_at: Date | null;
  summary: string | null;
  created_at: Date;
  closed_at: Date | null;
}

/** `YYYY-MM-DD` from a `date` column, whichever driver parsed it. */
export function dateOnly(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value.slice(0, 10);
  return value.toISOString().slice(0, 10);
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

function toIncident(row: RawIncident): IncidentRow {
  return {
    id: row.id,
    source: row.source,
    ticketId: row.ticket_id,
    title: row.title,
    cves: row.cves,
    workflowId: row.workflow_id,
    requestedBy: row.requested_by,
    reportedBy: row.reported_by,
    phase: row.phase,
    priority: row.priority,
    slaDueAt: iso(row.sla_due_at),
    summary: row.summary,
    createdAt: iso(row.created_at)!,
    closedAt: iso(row.closed_at),
  };
}

/** `INC-YYYYMMDD-xxxxxx`: sortable by day, unguessable within it. */
export function newIncidentId(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `INC-${day}-${randomBytes(3).toString('hex')}`;
}

export async function findIncidentByTicket(
  database: Database | Tx,
  source: TicketSource,
  ticketId: string,
): Promise<IncidentRow | null> {
  const [row] = await database.query<RawIncident>('SELECT * FROM incidents WHERE source = $1 AND ticket_id = $2', [
    source,
    ticketId,
  ]);
  return row ? toIncident(row) : null;
}

export async function findIncident(database: Database | Tx, incidentId: string): Promise<IncidentRow | null> {
  const [row] = await database.query<RawIncident>('SELECT * FROM incidents WHERE id = $1', [incidentId]);
  return row ? toIncident(row) : null;
}

export async function insertIncident(
  tx: Tx,
  incident: Omit<IncidentRow, 'priority' | 'slaDueAt' | 'summary' | 'closedAt' | 'phase'>,
): Promise<void> {
  const cves = incident.cves;
  await tx.query(
    `INSERT INTO incidents (id, source, ticket_id, title, cves, workflow_id, requested_by, reported_by, phase, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'enriching', $9)`,
    [
      incident.id,
      incident.source,
      incident.ticketId,
      incident.title,
      cves,
      incident.workflowId,
      incident.requestedBy,
      incident.reportedBy,
      incident.createdAt,
    ],
  );
  await appendAudit(tx, {
    actor: incident.requestedBy,
    action: 'incident.created',
    entityType: 'incident',
    entityId: incident.id,
    details: { source: incident.source, ticketId: incident.ticketId, title: incident.title, cves, workflowId: incident.workflowId },
  });
}

/** Lists incidents newest first, optionally only those in the given phases. */
export async function listIncidents(database: Database, filter: { phases?: readonly string[]; limit: number }): Promise<IncidentRow[]> {
  const rows = filter.phases
    ? await database.query<RawIncident>('SELECT * FROM incidents WHERE phase = ANY($1) ORDER BY created_at DESC LIMIT $2', [
        filter.phases,
        filter.limit,
      ])
    : await database.query<RawIncident>('SELECT * FROM incidents ORDER BY created_at DESC LIMIT $1', [filter.limit]);
  return rows.map(toIncident);
}

export interface IncidentDetail extends Omit<IncidentRow, 'cves'> {
  cves: CveAssessment[];
  assets: { assetId: string; hostname: string; ip: string | null; action: string; state: string; detail: string }[];
  escalations: (EscalationNotice & { sentAt: string })[];
}

/** Records CVEs accepted by the workflow's `addCves` update. */
export async function appendIncidentCves(
  database: Database,
  input: { incidentId: string; cves: string[]; principal: string },
): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.query(
      `UPDATE incidents SET cves = ARRAY(SELECT DISTINCT unnest(cves || $2::text[]) ORDER BY 1) WHERE id = $1`,
      [input.incidentId, input.cves],
    );
    await appendAudit(tx, {
      actor: input.principal,
      action: 'incident.cves_added',
      entityType: 'incident',
      entityId: input.incidentId,
      details: { cves: input.cves },
    });
  });
}

export async function loadIncidentDetail(database: Database, incidentId: string): Promise<IncidentDetail | null> {
  const incident = await findIncident(database, incidentId);
  if (!incident) return null;

  const cves = await database.query<Record<string, unknown>>(
    'SELECT * FROM incident_cves WHERE incident_id = $1 ORDER BY cve',
    [incidentId],
  );
  const assets = await database.query<Record<string, unknown>>(
    `SELECT ia.asset_id, a.hostname, a.ip, ia.action, ia.state, ia.detail
       FROM incident_assets ia JOIN assets a ON a.id = ia.asset_id
      WHERE ia.incident_id = $1 ORDER BY a.hostname`,
    [incidentId],
  );
  const escalations = await database.query<Record<string, unknown>>(
    'SELECT * FROM escalations WHERE incident_id = $1 ORDER BY due_at, cve',
    [incidentId],
  );

  return {
    ...incident,
    cves: cves.map((row) => ({
      cve: row.cve as string,
      kev: row.kev as boolean,
      kevDueDate: dateOnly(row.kev_due_date as Date | string | null),
      epss: row.epss as number | null,
      cvss: row.cvss as number | null,
      cvssSource: row.cvss_source as CveAssessment['cvssSource'],
      priority: row.priority as CveAssessment['priority'],
      reasons: row.reasons as string[],
      clockStartAt: iso(row.clock_start_at as Date)!,
      slaDueAt: iso(row.sla_due_at as Date)!,
      pastCisaDueDate: row.past_cisa_due_date as boolean,
    })),
    assets: assets.map((row) => ({
      assetId: row.asset_id as string,
      hostname: row.hostname as string,
      ip: row.ip as string | null,
      action: row.action as string,
      state: row.state as string,
      detail: row.detail as string,
    })),
    escalations: escalations.map((row) => ({
      cve: row.cve as string,
      fraction: row.fraction as number,
      recipient: row.recipient as string,
      reason: row.reason as EscalationNotice['reason'],
      dueAt: iso(row.due_at as Date)!,
      sentAt: iso(row.sent_at as Date)!,
    })),
  };
}
