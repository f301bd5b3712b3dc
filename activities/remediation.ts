/** Activities that plan remediation and act on hosts: rollout, exception, quarantine. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { appendAudit } from '../db/audit.js';
import { storeEdrSightings } from '../db/technique-sightings.js';
import type { TechniqueDetection } from '../domain/detections.js';
import type { PatchArtifact } from '../integrations/deploy/types.js';
import type { ActivityDeps } from './deps.js';
import { loadAsset } from './deps.js';
import type { AssetPlan, PatchwardenActivities } from './types.js';

async function loadPatch(deps: ActivityDeps, patchId: string): Promise<PatchArtifact> {
  const [row] = await deps.database.query<Record<string, unknown>>('SELECT * FROM patches WHERE id = $1', [patchId]);
  if (!row) throw ApplicationFailure.nonRetryable(`patch ${patchId} not found`, 'PatchNotFoundError');
  return {
    id: row.id as string,
    title: row.title as string,
    artifact: row.artifact as string,
    digestSha256: row.digest_sha256 as string,
    signature: row.signature as string | null,
    sizeBytes: Number(row.size_bytes),
    rollbackSupported: row.rollback_supported as boolean,
    cves: row.cves as string[],
    solution: row.solution as string | null,
  };
}

/** Heartbeat interval for long host operations; the workflow's heartbeat timeout must be longer. */
const HEARTBEAT_INTERVAL_MS = 2_000;

/** Heartbeats while `work` runs, so a dead worker's activity times out in seconds, not minutes. */
async function withHeartbeats<T>(work: Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    context.heartbeat();
    return await work;
  } finally {
    clearInterval(timer);
  }
}

async function storePatch(deps: ActivityDeps, patch: PatchArtifact): Promise<void> {
  await deps.database.query(
    `INSERT INTO patches (id, title, artifact, digest_sha256, signature, size_bytes, rollback_supported, cves, solution)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
    [patch.id, patch.title, patch.artifact, patch.digestSha256, patch.signature, patch.sizeBytes, patch.rollbackSupported, patch.cves, patch.solution],
  );
}

async function audit(deps: ActivityDeps, action: string, entityType: string, entityId: string, details: Record<string, unknown>): Promise<void> {
  await deps.database.transaction((tx) => appendAudit(tx, { actor: 'workflow', action, entityType, entityId, details }));
}

export function planningActivities(deps: ActivityDeps): Pick<PatchwardenActivities, 'correlateDetections' | 'planRemediation'> {
  const { integrations } = deps;

  return {
    async correlateDetections({ incidentId, assetIds }) {
      const hosts = await Promise.all(assetIds.map((assetId) => loadAsset(deps, assetId)));
      const detections = await integrations.edr.listDetections({ hosts, minSeverity: 'high' });
      if (detections.length > 0) {
        await audit(deps, 'edr.detections', 'incident', incidentId, { adapter: integrations.edr.name, detections });
      }

      // The techniques become sightings, which raise the score of the CVEs mapped
      // to them at the next rescore. The stored row is keyed by detection, so a
      // retried activity adds nothing.
      const sightings: TechniqueDetection[] = detections.map((detection) => {
        const host = hosts.find((entry) => entry.assetId === detection.assetId);
        return {
          vendor: integrations.edr.name,
          detectionId: detection.detectionId,
          hostName: host?.hostname ?? null,
          hostId: null,
          hostIp: host?.ip ?? null,
          techniqueIds: detection.techniqueIds,
          detectedAt: new Date(detection.detectedAt),
        };
      });
      if (sightings.some((sighting) => sighting.techniqueIds.length > 0)) {
        await deps.database.transaction((tx) => storeEdrSightings(tx, sightings));
      }
      return detections;
    },

    async planRemediation({ incidentId, assets, detections }) {
      const plans: AssetPlan[] = [];

      for (const asset of assets) {
        const context = await integrations.cmdb.assetContext(asset);
        const detection = detections.find((entry) => entry.assetId === asset.assetId) ?? null;
        const [solutionRow] = await deps.database.query<{ solution: string | null }>(
          `SELECT solution FROM findings WHERE asset_id = $1 AND cves && $2::text[] AND solution IS NOT NULL LIMIT 1`,
          [asset.assetId, asset.cves],
        );
        const patch = await integrations.catalog.findPatch({ target: asset, cves: asset.cves, solution: solutionRow?.solution ?? null });
        if (patch) await storePatch(deps, patch);

        const base = { assetId: asset.assetId, hostname: asset.hostname, cves: asset.cves, patchId: patch?.id ?? null, detectionId: detection?.detectionId ?? null };
        if (detection) {
          plans.push({ ...base, action: 'quarantine', reason: `EDR detection ${detection.detectionId}: ${detection.description}` });
        } else if (context.changeFreeze) {
          plans.push({ ...base, action: 'exception', reason: `change freeze on ${asset.hostname} (${integrations.cmdb.name} CMDB)` });
        } else if (!patch) {
          plans.push({ ...base, action: 'exception', reason: `no vendor patch for ${asset.cves.join(', ')} on ${asset.hostname}` });
        } else {
          plans.push({ ...base, action: 'patch', reason: `patch ${patch.id} available` });
        }
      }

      await audit(deps, 'incident.planned', 'incident', incidentId, {
        adapters: { cmdb: integrations.cmdb.name, catalog: integrations.catalog.name },
        plans: plans.map(({ assetId, action, reason, patchId }) => ({ assetId, action, reason, patchId })),
      });
      return plans;
    },
  };
}

export function rolloutActivities(deps: ActivityDeps): Pick<PatchwardenActivities, 'precheckHost' | 'deployPatch' | 'validateHost' | 'rollbackPatch'> {
  const { deployer } = deps.integrations;

  return {
    async precheckHost({ assetId, patchId }) {
      const target = await loadAsset(deps, assetId);
      return deployer.precheck({ target, patch: await loadPatch(deps, patchId) });
    },

    async deployPatch({ deploymentId, rolloutId, assetId, patchId }) {
      const target = await loadAsset(deps, assetId);
      const patch = await loadPatch(deps, patchId);
      await deps.database.query(
        `INSERT INTO deployments (id, rollout_id, asset_id, patch_id, state) VALUES ($1, $2, $3, $4, 'deploying')
         ON CONFLICT (id) DO NOTHING`,
        [deploymentId, rolloutId, assetId, patchId],
      );

      const result = await withHeartbeats(deployer.install({ deploymentId, target, patch }));
      const state = result.outcome === 'failed' ? 'failed' : 'installed';
      await deps.database.query(`UPDATE deployments SET state = $2, detail = $3, finished_at = now() WHERE id = $1`, [deploymentId, state, result.detail]);
      await audit(deps, `deployment.${result.outcome}`, 'deployment', deploymentId, { adapter: deployer.name, assetId, patchId, detail: result.detail });
      return result;
    },

    async validateHost({ deploymentId, assetId, patchId }) {
      const target = await loadAsset(deps, assetId);
      return deployer.validate({ deploymentId, target, patch: await loadPatch(deps, patchId) });
    },

    async rollbackPatch({ deploymentId, assetId, patchId }) {
      const target = await loadAsset(deps, assetId);
      await deployer.rollback({ deploymentId, target, patch: await loadPatch(deps, patchId) });
      await deps.database.query(`UPDATE deployments SET state = 'rolled_back', finished_at = now() WHERE id = $1`, [deploymentId]);
      await audit(deps, 'deployment.rolled_back', 'deployment', deploymentId, { adapter: deployer.name, assetId, patchId });
    },
  };
}

export function exceptionActivities(
  deps: ActivityDeps,
): Pick<PatchwardenActivities, 'openException' | 'applyMitigation' | 'notifyApprovers' | 'recordExceptionDecision'> {
  return {
    async openException({ exceptionId, incidentId, assetId, cves, requestedBy, reason }) {
      await deps.database.transaction(async (tx) => {
        const rows = await tx.query(
          `INSERT INTO exceptions (id, incident_id, asset_id, cves, requested_by, reason, state, workflow_id)
           VALUES ($1, $2, $3, $4, $5, $6, 'pending', $1) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [exceptionId, incidentId, assetId, cves, requestedBy, reason],
        );
        if (rows.length === 0) return;
        await appendAudit(tx, { actor: requestedBy, action: 'exception.requested', entityType: 'exception', entityId: exceptionId, details: { incidentId, assetId, cves, reason } });
      });
    },

    async applyMitigation({ exceptionId, assetId, cves }) {
      const asset = await loadAsset(deps, assetId);
      const mitigationId = `mitigation-${exceptionId}`;
      const { waf } = deps.integrations;
      const applied = await waf.applyVirtualPatch({ mitigationId, assetId, hostname: asset.hostname, cves });

      await deps.database.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO mitigations (id, exception_id, asset_id, kind, cves, state) VALUES ($1, $2, $3, 'waf', $4, 'active')
           ON CONFLICT (id) DO NOTHING`,
          [mitigationId, exceptionId, assetId, cves],
        );
        await tx.query('UPDATE exceptions SET mitigation_id = $2 WHERE id = $1', [exceptionId, mitigationId]);
        await appendAudit(tx, { actor: 'workflow', action: 'mitigation.applied', entityType: 'mitigation', entityId: mitigationId, details: { adapter: waf.name, assetId, cves, ruleIds: applied.ruleIds } });
      });
      return { mitigationId };
    },

    async notifyApprovers({ exceptionId, kind, message }) {
      await deps.integrations.notifier.send({ channel: `exception-${kind}`, recipient: deps.policy.exceptions.approverRole, subject: `${exceptionId}: ${kind}`, body: message });
      await audit(deps, `exception.${kind}`, 'exception', exceptionId, { adapter: deps.integrations.notifier.name, message });
    },

    async recordExceptionDecision({ exceptionId, decision, principal, comment, decidedAt, expiresAt }) {
      await deps.database.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE exceptions SET state = $2, expires_at = $3 WHERE id = $1 AND state = 'pending' RETURNING id`,
          [exceptionId, decision, expiresAt],
        );
        // A retried activity finds the decision already stored.
        if (rows.length === 0) return;
        await tx.query('INSERT INTO approvals (exception_id, principal, decision, comment, decided_at) VALUES ($1, $2, $3, $4, $5)', [
          exceptionId,
          principal,
          decision,
          comment,
          decidedAt,
        ]);
        await appendAudit(tx, { actor: principal, action: `exception.${decision}`, entityType: 'exception', entityId: exceptionId, details: { comment, decidedAt, expiresAt } });
      });
    },
  };
}

export function quarantineActivities(deps: ActivityDeps): Pick<PatchwardenActivities, 'containHost' | 'verifyContainment'> {
  const { edr } = deps.integrations;

  return {
    async containHost({ quarantineId, incidentId, assetId, detectionId }) {
      const host = await loadAsset(deps, assetId);
      const { containmentId } = await edr.containHost({ requestId: quarantineId, host });

      await deps.database.transaction(async (tx) => {
        const rows = await tx.query(
          `INSERT INTO quarantines (id, incident_id, asset_id, detection_id, containment_id, state) VALUES ($1, $2, $3, $4, $5, 'contained')
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [quarantineId, incidentId, assetId, detectionId, containmentId],
        );
        if (rows.length === 0) return;
        await appendAudit(tx, { actor: 'workflow', action: 'quarantine.contained', entityType: 'quarantine', entityId: quarantineId, details: { adapter: edr.name, assetId, detectionId, containmentId } });
      });
      return { containmentId };
    },

    async verifyContainment({ quarantineId, assetId }) {
      const host = await loadAsset(deps, assetId);
      const contained = await edr.isContained({ requestId: quarantineId, host });
      return { contained, detail: contained ? `${edr.name} EDR reports ${host.hostname} contained` : `${edr.name} EDR does not report ${host.hostname} contained` };
    },
  };
}
