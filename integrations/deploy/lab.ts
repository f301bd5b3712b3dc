/** Lab patch catalog and deployer over the simulated fleet. */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../domain/sla.js';
import type { LabFleet } from '../lab/fleet.js';
import type { DeployAdapter, PatchArtifact, PatchCatalog } from './types.js';

export function labPatchCatalog(fleet: LabFleet): PatchCatalog {
  return {
    name: 'lab',
    async findPatch({ target, cves, solution }) {
      if (fleet.lacksPatch(target, cves)) return null;
      const sorted = [...cves].sort();
      const id = fleet.stableId('lab-patch', ...sorted);
      const artifact: PatchArtifact = {
        id,
        title: `Lab fix for ${sorted.join(', ')}`,
        artifact: `lab://patches/${id}.pkg`,
        digestSha256: createHash('sha256').update(id).digest('hex'),
        signature: `lab-signature:${id}`,
        sizeBytes: 1_048_576,
        rollbackSupported: true,
        cves: sorted,
        solution,
      };
      return artifact;
    },
  };
}

export function labDeployer(fleet: LabFleet): DeployAdapter {
  return {
    name: 'lab',
    async precheck({ target }) {
      return { ok: true, detail: `simulated pre-check on lab host ${target.hostname} passed` };
    },
    async install({ deploymentId, target, patch }) {
      if (fleet.listed(fleet.faults.deployFails, target)) {
        return { outcome: 'failed', detail: `lab fault: installing ${patch.id} on ${target.hostname} failed (deployFails)` };
      }
      // The deployment id is the idempotency key: a retried install finds its row.
      const inserted = await fleet.database.query(
        `INSERT INTO lab_deployments (deployment_id, asset_id, patch_id, state) VALUES ($1, $2, $3, 'installed')
         ON CONFLICT (deployment_id) DO NOTHING RETURNING deployment_id`,
        [deploymentId, target.assetId, patch.id],
      );
      if (inserted.length === 0) {
        return { outcome: 'already-installed', detail: `deployment ${deploymentId} was already installed on ${target.hostname}` };
      }

      // The host records the deployment when the install begins, as a package
      // manager's transaction log does, so a worker that dies mid-install leaves a
      // trace the retried activity finds.
      await sleep(parseDuration(fleet.faults.deployDuration, 'lab.deployDuration'));
      return { outcome: 'installed', detail: `installed ${patch.id} on lab host ${target.hostname}` };
    },
    async validate({ deploymentId, target }) {
      const [row] = await fleet.database.query<{ state: string }>('SELECT state FROM lab_deployments WHERE deployment_id = $1', [
        deploymentId,
      ]);
      if (row?.state === 'installed') return { healthy: true, detail: `lab host ${target.hostname} records the patch as installed (simulated)` };
      return { healthy: false, detail: `lab host ${target.hostname} has no installed record of deployment ${deploymentId} (simulated)` };
    },
    async rollback({ deploymentId }) {
      await fleet.database.query(`UPDATE lab_deployments SET state = 'rolled_back' WHERE deployment_id = $1`, [deploymentId]);
    },
  };
}
