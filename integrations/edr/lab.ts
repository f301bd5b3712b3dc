/**
 * Lab EDR: detections from the policy's `edrDetection` hosts, each attributed
 * to T1190 (Exploit Public-Facing Application), the technique of the
 * exploitation attempt it simulates. Containment is kept in `lab_containments`.
 */
import type { LabFleet } from '../lab/fleet.js';
import type { EdrAdapter } from './types.js';

const LAB_TECHNIQUE = 'T1190';

export function labEdr(fleet: LabFleet): EdrAdapter {
  return {
    name: 'lab',
    async listDetections({ hosts }) {
      return hosts
        .filter((host) => fleet.listed(fleet.faults.edrDetection, host))
        .map((host) => ({
          assetId: host.assetId,
          detectionId: fleet.stableId('lab-det', host.assetId),
          severity: 'high',
          description: `lab detection: exploitation attempt observed on ${host.hostname}`,
          techniqueIds: [LAB_TECHNIQUE],
          detectedAt: new Date().toISOString(),
        }));
    },
    async containHost({ requestId, host }) {
      const containmentId = fleet.stableId('lab-contain', requestId);
      await fleet.database.query(
        `INSERT INTO lab_containments (quarantine_id, asset_id, containment_id) VALUES ($1, $2, $3)
         ON CONFLICT (quarantine_id) DO NOTHING`,
        [requestId, host.assetId, containmentId],
      );
      return { containmentId };
    },
    async isContained({ requestId }) {
      const rows = await fleet.database.query('SELECT 1 FROM lab_containments WHERE quarantine_id = $1', [requestId]);
      return rows.length > 0;
    },
  };
}
