/**
 * Opens an incident: the `incidents` row and the `emergencyPatch` start commit
 * together. The incident route and the intel refresh (for CVEs newly in KEV)
 * both open incidents through here, so both get the same ids and audit rows.
 */
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { insertIncident, newIncidentId } from '../db/incidents.js';
import { emergencyWorkflowId } from '../workflows/definitions.js';
import type { CreateIncidentBody } from './schemas.js';
import { workflowPolicy, type WorkflowGateway } from './workflow-gateway.js';

export interface IncidentServiceDeps {
  database: Database;
  workflows: WorkflowGateway;
  policy: Policy;
}

/**
 * Inserts the incident and starts its workflow with id `emergency-<source>-<ticketId>`.
 *
 * @throws the database's unique violation (code 23505) when an incident for
 *   the same source and ticket already exists; callers treat it as a repeat.
 */
export async function createIncident(
  deps: IncidentServiceDeps,
  body: CreateIncidentBody,
  requestedBy: string,
): Promise<{ incidentId: string; workflowId: string }> {
  const now = new Date();
  const incidentId = newIncidentId(now);
  const workflowId = emergencyWorkflowId(body.source, body.ticketId);
  const cves = [...new Set(body.cves)];

  // The row and the start commit together: if Temporal refuses the start, the
  // transaction rolls back and no half-created incident remains.
  await deps.database.transaction(async (tx) => {
    await insertIncident(
      tx,
      {
        id: incidentId,
        source: body.source,
        ticketId: body.ticketId,
        title: body.title,
        cves,
        workflowId,
        requestedBy,
        reportedBy: body.reportedBy,
        createdAt: now.toISOString(),
      },
    );
    await deps.workflows.startEmergencyPatch(workflowId, {
      incidentId,
      source: body.source,
      ticketId: body.ticketId,
      title: body.title,
      cves,
      requestedBy,
      assetHints: body.assetHints ?? [],
      createdAt: now.toISOString(),
      policy: workflowPolicy(deps.policy),
    });
  });

  return { incidentId, workflowId };
}
