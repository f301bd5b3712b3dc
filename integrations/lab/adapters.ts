/**
 * The lab adapter of every capability, all over one simulated fleet. They are the
 * default when no integration is configured, and each names itself `lab`. This
 * lives under lab/ because the fleet keeps its hosts' state in the database.
 */
import type { Database } from '../../db/client.js';
import type { LabFaults } from '../../domain/policy.js';
import { labCmdb } from '../cmdb/lab.js';
import { labDeployer, labPatchCatalog } from '../deploy/lab.js';
import { labEdr } from '../edr/lab.js';
import { labNotifier } from '../notify/lab.js';
import type { Integrations } from '../registry.js';
import { labTickets } from '../tickets/lab.js';
import { labWaf } from '../waf/lab.js';
import { LabFleet } from './fleet.js';

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
