/**
 * Opens an emergency incident for each CVE that just joined CISA KEV and that a
 * host still has, through the injected incident opener, which is the service
 * behind `POST /api/incidents`. The ticket is `api` / `kev-<cve>`, so the workflow id
 * is `emergency-api-kev-<cve>` and a second refresh never opens a second one.
 */
import { findIncidentByTicket } from '../db/incidents.js';
import type { ActivityDeps } from './deps.js';
import type { OpenedIncidents } from './types.js';

/** Principal recorded as the requester of incidents the refresh opens. */
const REQUESTED_BY = 'system';
const UNIQUE_VIOLATION = '23505';

export async function newKevIncidents(deps: ActivityDeps, cves: string[]): Promise<OpenedIncidents> {
  const opened: OpenedIncidents = { started: [], skipped: [] };
  if (!deps.policy.intelRefresh.openIncidents) {
    opened.skipped = cves.map((cve) => ({ cve, reason: 'intelRefresh.openIncidents is off in the policy' }));
    return opened;
  }

  const named = await cvesWithOpenFindings(deps, cves);

  for (const cve of cves) {
    if (!named.has(cve)) {
      opened.skipped.push({ cve, reason: 'no open finding names it' });
      continue;
    }

    const ticketId = `kev-${cve}`;
    const existing = await findIncidentByTicket(deps.database, 'api', ticketId);
    if (existing !== null) {
      opened.skipped.push({ cve, reason: `incident ${existing.id} already exists (${existing.phase})` });
      continue;
    }

    try {
      const created = await deps.incidents.openIncident(
        { source: 'api', ticketId, title: `${cve} added to CISA KEV`, cves: [cve], reportedBy: 'intel-refresh' },
        REQUESTED_BY,
      );
      opened.started.push({ cve, ...created });
      deps.logger.info('incident opened for a new KEV entry', { cve, ...created });
    } catch (error) {
      // Another trigger inserted the same ticket between the lookup and the insert.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      opened.skipped.push({ cve, reason: 'an incident for this ticket was created at the same time' });
    }
  }
  return opened;
}

/** CVEs among `cves` that an open, non-informational finding names. */
async function cvesWithOpenFindings(deps: ActivityDeps, cves: string[]): Promise<Set<string>> {
  const rows = await deps.database.query<{ cve: string }>(
    `SELECT DISTINCT cve FROM findings f, unnest(f.cves) AS cve
      WHERE f.status = 'open' AND NOT f.informational AND f.cves && $1::text[] AND cve = ANY($1::text[])`,
    [cves],
  );
  return new Set(rows.map((row) => row.cve));
}
