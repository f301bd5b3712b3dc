/** Lab CMDB: change freezes from the policy's `changeFreeze` hosts; criticality from the seed. */
import type { LabFleet } from '../lab/fleet.js';
import type { CmdbAdapter } from './types.js';

export function labCmdb(fleet: LabFleet): CmdbAdapter {
  return {
    name: 'lab',
    async assetContext(host) {
      const tier = (Number.parseInt(fleet.stableId('tier', host.assetId).slice(-2), 16) % 4) + 1;
      return { changeFreeze: fleet.listed(fleet.faults.changeFreeze, host), criticality: tier, owner: 'lab-owner' };
    },
  };
}
