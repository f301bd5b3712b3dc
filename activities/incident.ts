/** Activities of the emergency workflow: enrichment, scoping, planning and records. */
import { assessCve } from '../domain/cve-assessment.js';
import type { CveAssessment, CvssSource } from '../domain/incident.js';
import { appendAudit } from '../db/audit.js';
import { dateOnly } from '../db/incidents.js';
import type { PatchwardenActivities } from './types.js';
import type { ActivityDeps } from './deps.js';

interface IntelRow {
  cve: string;
  kev_due_date: string | Date | null;
  nvd_cvss: number | null;
  scanner_cvss: number | null;
  epss: number | null;
}

export function incidentActivities(deps: ActivityDeps): Pick<
  PatchwardenActivities,
  'enrichCves' | 'scopeAssets' | 'recordPhase' | 'recordAssetState' | 'sendEscalation' | 'closeIncident'
> {
  const { database, policy } = deps;

  return {
    async enrichCves({ incidentId, cves, clockStartAt, sla }) {
      // CVSS from NVD when a record exists, else the highest the scanners reported.
      const rows = await database.query<IntelRow>(
        `WITH wanted AS (SELECT unnest($1::text[]) AS cve),
              current_epss AS (SELECT max(score_date) AS day FROM epss_files)
         SELECT w.cve,
                CASE WHEN v.kev THEN v.kev_due_date END AS kev_due_date,
                v.cvss_score AS nvd_cvss,
                (SELECT max(coalesce(f.cvss3_score, f.cvss2_score)) FROM findings f WHERE f.cves @> ARRAY[w.cve]) AS scanner_cvss,
                (SELECT e.epss FROM epss_scores e, current_epss c WHERE e.score_date = c.day AND e.cve = w.cve) AS epss
           FROM wanted w LEFT JOIN vulnerabilities v ON v.cve = w.cve`,
        [cves],
      );

      const assessments: CveAssessment[] = rows.map((row) => {
        let cvssSource: CvssSource = 'none';
        if (row.nvd_cvss !== null) cvssSource = 'nvd';
        else if (row.scanner_cvss !== null) cvssSource = 'scanner';
        return assessCve({
          cve: row.cve,
          kevDueDate: dateOnly(row.kev_due_date),
          epss: row.epss,
          cvss: row.nvd_cvss ?? row.scanner_cvss,
          cvssSource,
          clockStartAt: new Date(clockStartAt),
          slaDurations: sla ?? policy.sla,
          thresholds: policy.priority,
        });
      });

      await database.transaction(async (tx) => {
        for (const a of assessments) {
          await tx.query(
            `INSERT INTO incident_cves (incident_id, cve, kev, kev_due_date, epss, cvss, cvss_source, priority, reasons,
                 clock_start_at, sla_due_at, past_cisa_due_date)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (incident_id, cve) DO NOTHING`,
            [incidentId, a.cve, a.kev, a.kevDueDate, a.epss, a.cvss, a.cvssSource, a.priority, JSON.stringify(a.reasons), a.clockStartAt, a.slaDueAt, a.pastCisaDueDate],
          );
        }
        await appendAudit(tx, {
          actor: 'workflow',
          action: 'incident.enriched',
          entityType: 'incident',
          entityId: incidentId,
          details: { cves: assessments.map((a) => ({ cve: a.cve, priority: a.priority, slaDueAt: a.slaDueAt, pastCisaDueDate: a.pastCisaDueDate })) },
        });
      });
      return assessments;
    },

    async scopeAssets({ cves, assetHints }) {
      const rows = await database.query<{ id: string; hostname: string; ip: string | null; cves: string[] }>(
        `SELECT a.id, a.hostname, a.ip,
                ARRAY(SELECT DISTINCT c FROM findings f2, unnest(f2.cves) c
                       WHERE f2.asset_id = a.id AND f2.status = 'open' AND c = ANY($1::text[]) ORDER BY c) AS cves
           FROM assets a
          WHERE EXISTS (SELECT 1 FROM findings f WHERE f.asset_id = a.id AND f.status = 'open' AND f.cves && $1::text[])
            AND (cardinality($2::text[]) = 0 OR a.id = ANY($2) OR lower(a.hostname) = ANY($2) OR a.fqdn = ANY($2) OR a.ip = ANY($2))
          ORDER BY a.hostname, a.id`,
        [cves, assetHints.map((hint) => hint.toLowerCase())],
      );
      return rows.map((row) => ({ assetId: row.id, hostname: row.hostname, ip: row.ip, cves: row.cves }));
    },

    async recordPhase({ incidentId, phase, priority, slaDueAt }) {
      await database.transaction(async (tx) => {
        await tx.query(
          `UPDATE incidents SET phase = $2, priority = coalesce($3, priority), sla_due_at = coalesce($4, sla_due_at),
                  closed_at = CASE WHEN $2 IN ('completed', 'cancelled', 'failed') THEN coalesce(closed_at, now()) ELSE closed_at END
            WHERE id = $1`,
          [incidentId, phase, priority, slaDueAt],
        );
        await appendAudit(tx, { actor: 'workflow', action: 'incident.phase', entityType: 'incident', entityId: incidentId, details: { phase, priority, slaDueAt } });
      });
    },

    async recordAssetState({ incidentId, assetId, action, state, detail }) {
      await database.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO incident_assets (incident_id, asset_id, action, state, detail, updated_at) VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (incident_id, asset_id) DO UPDATE SET action = excluded.action, state = excluded.state,
             detail = excluded.detail, updated_at = now()`,
          [incidentId, assetId, action, state, detail],
        );
        await appendAudit(tx, {
          actor: 'workflow',
          action: 'asset.state',
          entityType: 'asset',
          entityId: assetId,
          details: { incidentId, action, state, detail },
        });
      });
    },

    async sendEscalation({ incidentId, notice }) {
      const inserted = await database.transaction(async (tx) => {
        const rows = await tx.query(
          `INSERT INTO escalations (incident_id, cve, fraction, recipient, reason, due_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (incident_id, cve, fraction) DO NOTHING RETURNING cve`,
          [incidentId, notice.cve, notice.fraction, notice.recipient, notice.reason, notice.dueAt],
        );
        if (rows.length === 0) return false;
        await appendAudit(tx, { actor: 'workflow', action: 'incident.escalated', entityType: 'incident', entityId: incidentId, details: { ...notice } });
        return true;
      });
      // Sent once per incident, CVE and level, even when the activity is retried.
      if (!inserted) return;

      const percent = Math.round(notice.fraction * 100);
      const subject =
        notice.reason === 'past-cisa-due-date'
          ? `${incidentId}: ${notice.cve} is past its CISA KEV due date`
          : `${incidentId}: ${notice.cve} reached ${percent}% of its SLA window`;
      await deps.integrations.notifier.send({ channel: 'escalation', recipient: notice.recipient, subject, body: `Due ${notice.dueAt}.` });
    },

    async closeIncident({ incidentId, outcome, summary }) {
      const [incident] = await database.query<{ source: string; ticket_id: string }>('SELECT source, ticket_id FROM incidents WHERE id = $1', [incidentId]);
      if (incident) {
        const ticketStates: Partial<Record<typeof outcome, 'resolved' | 'cancelled'>> = { completed: 'resolved', cancelled: 'cancelled' };
        const state = ticketStates[outcome] ?? 'in_progress';
        await deps.integrations.tickets.updateTicket({ source: incident.source, ticketId: incident.ticket_id, state, comment: summary });
      }
      await database.transaction(async (tx) => {
        await tx.query('UPDATE incidents SET summary = $2 WHERE id = $1', [incidentId, summary]);
        await appendAudit(tx, {
          actor: 'workflow',
          action: 'incident.closed',
          entityType: 'incident',
          entityId: incidentId,
          details: { outcome, summary, ticketAdapter: deps.integrations.tickets.name },
        });
      });
    },
  };
}
