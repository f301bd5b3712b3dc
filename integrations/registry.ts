/**
 * The integrations a worker uses, one adapter per capability. Only the lab
 * adapters exist so far. They are the default, name themselves `lab`, and are
 * built by `labIntegrations` in lab/adapters.ts.
 */
import type { CmdbAdapter } from './cmdb/types.js';
import type { DeployAdapter, PatchCatalog } from './deploy/types.js';
import type { EdrAdapter } from './edr/types.js';
import type { Notifier } from './notify/types.js';
import type { TicketAdapter } from './tickets/types.js';
import type { WafAdapter } from './waf/types.js';

export interface Integrations {
  edr: EdrAdapter;
  cmdb: CmdbAdapter;
  catalog: PatchCatalog;
  deployer: DeployAdapter;
  waf: WafAdapter;
  tickets: TicketAdapter;
  notifier: Notifier;
}
