/** Lab WAF: virtual patches kept in `lab_mitigations`. */
import type { LabFleet } from '../lab/fleet.js';
import type { WafAdapter } from './types.js';

export function labWaf(fleet: LabFleet): WafAdapter {
  return {
    name: 'lab',
    async applyVirtualPatch({ mitigationId, assetId, cves }) {
      await fleet.database.query(
        `INSERT INTO lab_mitigations (mitigation_id, asset_id, cves) VALUES ($1, $2, $3) ON CONFLICT (mitigation_id) DO NOTHING`,
        [mitigationId, assetId, cves],
      );
      return { ruleIds: cves.map((cve) => `lab-waf-${cve}`) };
    },
  };
}
