/**
 * The integrations a worker uses, one adapter per capability. Only the lab
 * adapters exist so far; they are the default and name themselves `lab`.
 */
import type { Database } from '../db/client.js';
import type { CmdbAdapter } from './cmdb/types.js';
import { labCmdb } from './cmdb/lab.js';
import type { DeployAdapter, PatchCatalog } from './deploy/types.js';
import { labDeployer, labPatchCatalog } from './deploy/lab.js';
import type { EdrAdapter } from './edr/types.js';
import { labEdr } from './edr/lab.js';
import { LabFleet, type LabFaults } from './lab/fleet.js';
import type { Notifier } from './notify/types.js';
import { labNotifier } from './notify/lab.js';
import type { TicketAdapter } from './tickets/types.js';
import { labTickets } from './tickets/lab.js';
import type { WafAdapter } from './waf/types.js';
import { labWaf } from './waf/lab.js';

export interface Integrations {
  edr: EdrAdapter;
  cmdb: CmdbAdapter;
  catalog: PatchCatalog;
  deployer: DeployAdapter;
  waf: WafAdapter;
  tickets: TicketAdapter;
  notifier: Notifier;
}

export function labIntegrations(database: Database, faults: LabFaults): Integrations {
  const fleet = new LabFleet(database, faults);
  return {
    edr: labEdr(fleet),
    cmdb: labCmdb(fleet),
    catalog: labPatchCatalog(fleet),
    deployer: labDeployer(fleet),
    waf: labWaf(fleet),
    tickets: labTickets(fleet),
    notifier: labNotifier(fleet),
  };
}
