/** Technique sightings in real PostgreSQL: merging records of one detection, asset matching and the window. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TechniqueDetection } from '../domain/detections.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { loadTechniqueSightings, storeEdrSightings } from './technique-sightings.js';

function detection(fields: Partial<TechniqueDetection> = {}): TechniqueDetection {
  return {
    vendor: 'microsoft-defender',
    detectionId: 'da-1',
    hostName: null,
    hostId: null,
    hostIp: null,
    techniqueIds: ['T1059.001'],
    detectedAt: new Date('2026-03-10T12:00:00.000Z'),
    ...fields,
  };
}

describe('technique sightings', () => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await testDb.database.query(`INSERT INTO assets (id, hostname, fqdn, ip) VALUES ('asset-ws7', 'ws7', 'ws7.corp.example', '10.0.0.7')`);
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  const store = (detections: TechniqueDetection[]) => testDb.database.transaction((tx) => storeEdrSightings(tx, detections));

  async function rows(): Promise<{ detection_id: string; technique_id: string; asset_id: string | null; seen_at: Date }[]> {
    return testDb.database.query('SELECT detection_id, technique_id, asset_id, seen_at FROM technique_sightings ORDER BY detection_id, technique_id');
  }

  it('merges records of one detection', async () => {
    const result = await store([
      detection({ detectedAt: new Date('2026-03-10T12:05:00.000Z') }),
      detection({ hostName: 'ws7.corp.example' }),
    ]);

    expect(result).toEqual({ sightings: 1, added: 1, onAssets: 1 });
    expect(await rows()).toEqual([
      { detection_id: 'da-1', technique_id: 'T1059.001', asset_id: 'asset-ws7', seen_at: new Date('2026-03-10T12:00:00.000Z') },
    ]);
  });

  it('matches a host by IP address', async () => {
    const result = await store([detection({ detectionId: 'da-2', hostName: 'WS7', hostIp: '10.0.0.7' })]);

    expect(result.onAssets).toBe(1);
  });

  it('fills the asset on a later import', async () => {
    await store([detection({ detectionId: 'da-3' })]);
    const later = await store([detection({ detectionId: 'da-3', hostName: 'ws7' })]);
    const [row] = (await rows()).filter((sighting) => sighting.detection_id === 'da-3');

    expect(later.added).toBe(0);
    expect(row?.asset_id).toBe('asset-ws7');
  });

  it('stores nothing without techniques', async () => {
    expect(await store([detection({ detectionId: 'da-4', techniqueIds: [] })])).toEqual({ sightings: 0, added: 0, onAssets: 0 });
  });

  it('loads sightings within the window', async () => {
    await store([detection({ detectionId: 'da-old', techniqueIds: ['T1059'], detectedAt: new Date('2026-01-01T00:00:00.000Z') })]);
    const sightings = await loadTechniqueSightings(testDb.database, { now: new Date('2026-03-20T00:00:00.000Z'), window: '30 days' });

    expect(sightings.map((sighting) => sighting.id)).toEqual(['da-1 (microsoft-defender)', 'da-2 (microsoft-defender)', 'da-3 (microsoft-defender)']);
    expect(sightings[0]).toEqual({ techniqueId: 'T1059.001', seenAt: new Date('2026-03-10T12:00:00.000Z'), kind: 'edr-detection', id: 'da-1 (microsoft-defender)' });
  });

  it('filters by parent technique', async () => {
    const now = new Date('2026-03-20T00:00:00.000Z');
    const related = await loadTechniqueSightings(testDb.database, { now, window: '365 days', techniqueIds: ['T1059.004'] });
    const other = await loadTechniqueSightings(testDb.database, { now, window: '365 days', techniqueIds: ['T1190'] });

    expect(related).toHaveLength(4);
    expect(other).toEqual([]);
  });

  describe('incidents on CVEs without CTID mappings', () => {
    const now = new Date('2026-03-20T00:00:00.000Z');
    const incidentSightings = async () =>
      (await loadTechniqueSightings(testDb.database, { now, window: '30 days' })).filter((sighting) => sighting.kind === 'incident');

    beforeAll(async () => {
      // PHP-CGI query string injection: network, no privileges, no user.
      await testDb.database.query(`INSERT INTO vulnerabilities (cve, cvss_vector) VALUES ('CVE-2012-1823', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')`);
      await testDb.database.query(`INSERT INTO incidents (id, source, ticket_id, title, cves, workflow_id, requested_by, reported_by, phase, created_at)
        VALUES ('inc-php', 'api', 'T-9', 'php-cgi', '{CVE-2012-1823}', 'emergency-api-T-9', 'alice', 'soc', 'planning', '2026-03-15T00:00:00Z')`);
    });

    it('picks the fallback technique for internal exposure before scoping', async () => {
      expect(await incidentSightings()).toEqual([{ techniqueId: 'T1210', seenAt: new Date('2026-03-15T00:00:00.000Z'), kind: 'incident', id: 'inc-php' }]);
    });

    it('uses the exposure of the incident assets', async () => {
      await testDb.database.query(`INSERT INTO assets (id, hostname, tags) VALUES ('asset-web', 'web', '{"exposure": "internet-facing"}')`);
      await testDb.database.query(`INSERT INTO incident_assets (incident_id, asset_id, action, state) VALUES ('inc-php', 'asset-web', 'patch', 'planned')`);

      expect((await incidentSightings()).map((sighting) => sighting.techniqueId)).toEqual(['T1190']);
    });
  });
});
