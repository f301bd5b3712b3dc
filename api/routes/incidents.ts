/**
 * Incident routes: a SOC ticket becomes an `emergencyPatch` workflow, exactly once
 * per source and ticket id.
 */
import { Router } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Policy } from '../../config/policy.js';
import type { Database } from '../../db/client.js';
import { findIncidentByTicket, appendIncidentCves, listIncidents, loadIncidentDetail, type IncidentRow } from '../../db/incidents.js';
import { PHASES, TERMINAL_PHASES } from '../../domain/incident.js';
import { principalOf, requireRole } from '../auth.js';
import { createIncident } from '../incident-service.js';
import { ProblemError, invalidRequest } from '../problem.js';
import { createIncidentBody, listIncidentsQuery, type CreateIncidentBody } from '../schemas.js';
import type { WorkflowGateway } from '../workflow-gateway.js';

export interface IncidentRouteDeps {
  database: Database;
  workflows: WorkflowGateway;
  policy: Policy;
}

const UNIQUE_VIOLATION = '23505';

export function incidentRoutes(deps: IncidentRouteDeps): Router {
  const router = Router();

  router.post('/', requireRole('soc_analyst'), async (req, res) => {
    const parsed = createIncidentBody.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error);
    const body = parsed.data;
    const principal = principalOf(res);

    const existing = await findIncidentByTicket(deps.database, body.source, body.ticketId);
    if (existing) {
      res.status(200).json(await attachToExisting(deps, existing, body, principal.name));
      return;
    }

    try {
      const created = await createIncident(deps, body, principal.name);
      res.status(202).location(`/api/incidents/${created.incidentId}`).json(created);
    } catch (error) {
      // A concurrent request for the same ticket won the insert, so respond as to a repeat.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const winner = await findIncidentByTicket(deps.database, body.source, body.ticketId);
      if (!winner) throw error;
      res.status(200).json(await attachToExisting(deps, winner, body, principal.name));
    }
  });

  router.get('/', async (req, res) => {
    const parsed = listIncidentsQuery.safeParse(req.query);
    if (!parsed.success) throw invalidRequest(parsed.error, 'query string');
    const { status, limit } = parsed.data;

    const phases = status === undefined ? undefined : phasesFor(status);
    const rows = await listIncidents(deps.database, { ...(phases ? { phases } : {}), limit });
    res.json({ incidents: rows.map(({ id, ...rest }) => ({ incidentId: id, ...rest })) });
  });

  router.get('/:incidentId', async (req, res) => {
    const detail = await loadIncidentDetail(deps.database, req.params.incidentId);
    if (!detail) {
      throw new ProblemError(404, 'Not found', `No incident ${req.params.incidentId}; list them with GET /api/incidents (CLI: patchwarden incidents list).`);
    }
    const { id, ...rest } = detail;
    res.json({ incidentId: id, ...rest });
  });

  return router;
}

async function attachToExisting(
  deps: IncidentRouteDeps,
  incident: IncidentRow,
  body: CreateIncidentBody,
  principal: string,
): Promise<{ incidentId: string; workflowId: string; addedCves: string[] }> {
  if (TERMINAL_PHASES.includes(incident.phase)) {
    throw new ProblemError(
      409,
      'Incident closed',
      `Ticket ${body.source}/${body.ticketId} belongs to incident ${incident.id}, which is ${incident.phase}; open a new ticket to start another.`,
      [],
      { incidentId: incident.id, workflowId: incident.workflowId },
    );
  }

  const known = new Set(incident.cves);
  const added = [...new Set(body.cves)].filter((cve) => !known.has(cve));
  if (added.length > 0) {
    try {
      await deps.workflows.addCves(incident.workflowId, { cves: added, principal });
      await appendIncidentCves(deps.database, { incidentId: incident.id, cves: added, principal });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new ProblemError(409, 'CVEs not added', `Incident ${incident.id} did not accept the CVEs: ${error.cause?.message ?? error.message}`);
      }
      throw error;
    }
  }
  return { incidentId: incident.id, workflowId: incident.workflowId, addedCves: added };
}

/** `open` and `closed` stand for the non-terminal and terminal phases. */
function phasesFor(status: string): readonly string[] {
  if (status === 'open') return PHASES.filter((phase) => !TERMINAL_PHASES.includes(phase));
  if (status === 'closed') return TERMINAL_PHASES;
  return [status];
}
