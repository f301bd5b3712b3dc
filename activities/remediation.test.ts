/**
 * Planning over the lab fleet with every fault the policy can inject: a detection
 * means quarantine, a change freeze or a missing patch means an exception, the
 * rest are patched. Real PostgreSQL and a real Nessus file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { labIntegrations } from '../integrations/lab/adapters.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { createActivities } from './index.js';
import type { AssetPlan } from './types.js';

const policy = parsePolicy({
  lab: {
    edrDetection: ['qa3app01'],
    changeFreeze: ['qa3app02'],
    noPatch: [{ host: 'qa3app03', cves: ['CVE-2005-1794'] }, { host: 'qa3app04', cves: ['CVE-1999-0001'] }],
  },
});

describe('planRemediation with lab faults', () => {
  let testDb: TestDatabase;
  let plans: Map<string, AssetPlan>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const logger = createLogger({ silent: true });
    await importFile(
      testDb.database,
      'findings',
      { path: sharedDataPath('scanners/nessus/dd_nessus_v_unknown.nessus'), fileName: 'dd_nessus_v_unknown.nessus', importedBy: 'test' },
      logger,
    );
    await testDb.database.query(`INSERT INTO incidents (id, source, ticket_id, title, cves, workflow_id, requested_by, reported_by, phase)
      VALUES ('INC-T', 'api', 'T-1', 'test', '{CVE-2005-1794}', 'emergency-api-T-1', 'alice', 'soc', 'planning')`);

    const activities = createActivities({
      database: testDb.database,
      policy,
      integrations: labIntegrations(testDb.database, policy.lab),
      logger,
      importer: { importFile: (kind, request) => importFile(testDb.database, kind, request, logger, policy) },
      // Planning opens no incident; the intel refresh tests cover the real opener.
      incidents: { openIncident: () => Promise.reject(new Error('no incident is opened while planning')) },
    });
    const assets = await activities.scopeAssets({ incidentId: 'INC-T', cves: ['CVE-2005-1794'], assetHints: [] });
    const detections = await activities.correlateDetections({ incidentId: 'INC-T', assetIds: assets.map((asset) => asset.assetId) });
    const planned = await activities.planRemediation({ incidentId: 'INC-T', assets, detections });
    plans = new Map(planned.map((plan) => [plan.hostname, plan]));
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  it('scopes every host that reports the CVE', () => {
    expect(plans.size).toBe(7);
  });

  it('records the detection technique as a sighting', async () => {
    const rows = await testDb.database.query<{ technique_id: string; vendor: string; asset_id: string | null; hostname: string }>(
      `SELECT s.technique_id, s.vendor, s.asset_id, a.hostname FROM technique_sightings s LEFT JOIN assets a ON a.id = s.asset_id`,
    );

    expect(rows).toEqual([{ technique_id: 'T1190', vendor: 'lab', asset_id: plans.get('qa3app01')?.assetId, hostname: 'qa3app01' }]);
  });

  it('quarantines a host with a detection and still plans its patch', () => {
    expect(plans.get('qa3app01')?.action).toBe('quarantine');
    expect(plans.get('qa3app01')?.patchId).not.toBeNull();
    expect(plans.get('qa3app01')?.detectionId).toMatch(/^lab-det-/);
  });

  it('raises an exception for a frozen host', () => {
    expect(plans.get('qa3app02')?.action).toBe('exception');
    expect(plans.get('qa3app02')?.reason).toContain('change freeze');
  });

  it('raises an exception when no patch exists for the CVE', () => {
    expect(plans.get('qa3app03')?.action).toBe('exception');
    expect(plans.get('qa3app03')?.patchId).toBeNull();
    expect(plans.get('qa3app03')?.reason).toContain('no vendor patch');
  });

  it('ignores a missing patch for another CVE', () => {
    expect(plans.get('qa3app04')?.action).toBe('patch');
  });

  it('writes the patches rows it plans', async () => {
    const patchIds = new Set([...plans.values()].map((plan) => plan.patchId).filter((id) => id !== null));
    const rows = await testDb.database.query<{ id: string }>('SELECT id FROM patches');

    expect(rows.map((row) => row.id).sort()).toEqual([...patchIds].sort());
  });
});
