/**
 * GET /api/vulnerabilities/:cve against real PostgreSQL after imports of the
 * real KEV catalog, EPSS file, NVD records and CTID Mappings Explorer file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { parsePolicy } from '../../config/policy.js';
import { startTestApp, type TestAppServer } from '../../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../../test/postgres.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { importFile, type ImportKind, type ImportResult } from '../import-service.js';

const policy = parsePolicy({});

// MOVEit Transfer SQL injection: in KEV, in NVD (via the fkie-cad mirror) and in
// the CTID KEV mappings. Jenkins CVE-2024-23897: in KEV and NVD, not in the mappings.
const MOVEIT = 'CVE-2023-34362';
const JENKINS = 'CVE-2024-23897';

describe('GET /api/vulnerabilities/:cve', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;
  let attackImport: ImportResult;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const logger = createLogger({ silent: true });
    const run = (kind: ImportKind, path: string) =>
      importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger, policy);

    await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
    await run('epss', sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv'));
    await run('nvd', sharedDataPath(`intel/nvd/fkie-cad/${MOVEIT}.json`));
    await run('nvd', sharedDataPath(`intel/nvd/fkie-cad/${JENKINS}.json`));
    attackImport = await run('attack', sharedDataPath('attack/ctid_kev-07.28.2025_attack-16.1-enterprise.json'));
    app = await startTestApp(testDb.database, policy);
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  const get = (cve: string) => app.api.send('GET', `/api/vulnerabilities/${cve}`);

  it('imports the ATT&CK mappings', () => {
    expect(attackImport.counts.format).toBe('ctid-mappings-explorer-kev');
    expect(attackImport.counts.added).toBeGreaterThan(0);
  });

  it('returns KEV fields', async () => {
    const { status, body } = await get(MOVEIT);

    expect(status).toBe(200);
    expect(body.kev.listed).toBe(true);
    expect(body.kev.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.kev.vendorProject).toBe('Progress');
  });

  it('returns current EPSS with its date', async () => {
    const { body } = await get(MOVEIT);

    expect(body.epss.scoreDate).toBe('2026-08-16');
    expect(body.epss.probability).toBeGreaterThan(0);
    expect(body.epss.percentile).toBeGreaterThan(0);
  });

  it('returns CVSS metrics and CWE', async () => {
    const { body } = await get(MOVEIT);

    expect(body.nvd.preferred.score).toBe(9.8);
    expect(body.nvd.metrics.length).toBeGreaterThan(0);
    expect(body.cwes).toContain('CWE-89');
  });

  it('returns affected products by configuration', async () => {
    const { body } = await get(MOVEIT);
    const [configuration] = body.nvd.configurations;
    const matches = configuration.nodes[0].matches;

    expect(body.nvd.configurations).toHaveLength(1);
    expect(configuration).toMatchObject({ operator: 'OR', negate: false });
    expect(configuration.nodes).toHaveLength(1);
    expect(configuration.nodes[0]).toMatchObject({ operator: 'OR', negate: false });
    // 9 matches, 2 products: `jq '.configurations[0].nodes[0].cpeMatch | length' CVE-2023-34362.json`
    expect(matches).toHaveLength(9);
    expect([...new Set(matches.map((match: { cpe: { product: string } }) => match.cpe.product))]).toEqual(['moveit_cloud', 'moveit_transfer']);
    expect(matches[4]).toMatchObject({
      vulnerable: true,
      criteria: 'cpe:2.3:a:progress:moveit_transfer:*:*:*:*:*:*:*:*',
      matchCriteriaId: 'FA9FA318-3A93-478D-B0F3-B3469E6EED7D',
      cpe: { part: 'a', vendor: 'progress', product: 'moveit_transfer', version: '*' },
      range: { startIncluding: '2021.0', startExcluding: null, endIncluding: null, endExcluding: '2021.0.7' },
    });
  });

  it('tells CPE editions apart', async () => {
    const { body } = await get(JENKINS);
    const matches = body.nvd.configurations[0].nodes[0].matches;

    expect(matches.map((match: { cpe: { swEdition: string } }) => match.cpe.swEdition)).toEqual(['lts', '-']);
  });

  it('explains the score for the reference asset', async () => {
    const { body } = await get(MOVEIT);
    const kev = body.risk.factors.find((factor: { factor: string }) => factor.factor === 'kev');

    expect(body.risk.referenceAsset).toEqual({ criticality: 2, exposure: 'internal' });
    expect(body.risk.note).toContain('reference asset');
    expect(kev.contribution).toBe(25);
    expect(body.risk.priority).toBe('P1');
  });

  it('names the SSVC input sources', async () => {
    const { body } = await get(MOVEIT);

    expect(body.ssvc.inputs.exploitation).toMatchObject({ value: 'active', source: 'kev' });
    expect(body.ssvc.inputs.automatable).toMatchObject({ value: 'yes', source: 'cvss' });
    expect(body.ssvc.inputs.missionWellBeing).toMatchObject({ value: 'medium', source: 'asset' });
    expect(body.ssvc.decision).toBe('Act');
  });

  it('lists mapped techniques', async () => {
    const { body } = await get(MOVEIT);

    expect(body.attack.basis).toBe('mapped');
    expect(body.attack.techniques.map((technique: { techniqueId: string }) => technique.techniqueId)).toContain('T1190');
  });

  it('falls back without a mapping', async () => {
    const { body } = await get(JENKINS);

    expect(body.attack.basis).toBe('fallback');
    expect(body.attack.techniques[0].techniqueId).toBe('T1210');
    expect(body.attack.techniques[0].reason).toContain('only from inside');
  });

  it('answers an EPSS-only CVE', async () => {
    const [row] = await testDb.database.query<{ cve: string }>(
      `SELECT e.cve FROM epss_scores e WHERE NOT EXISTS (SELECT 1 FROM vulnerabilities v WHERE v.cve = e.cve) ORDER BY e.cve LIMIT 1`,
    );
    const { status, body } = await get(row!.cve);

    expect(status).toBe(200);
    expect(body.kev).toBeNull();
    expect(body.nvd).toBeNull();
    expect(body.attack.basis).toBe('none');
  });

  it('accepts a lower-case id', async () => {
    const { status, body } = await get(MOVEIT.toLowerCase());

    expect(status).toBe(200);
    expect(body.cve).toBe(MOVEIT);
  });

  it('answers 404 for an unknown CVE', async () => {
    const { status, contentType, body } = await get('CVE-2099-99999');

    expect(status).toBe(404);
    expect(contentType).toContain('application/problem+json');
    expect(body.detail).toContain('CVE-2099-99999');
  });

  for (const malformed of ['CVE-24-1', 'log4shell']) {
    it(`answers 400 for ${malformed}`, async () => {
      const { status, contentType, body } = await get(malformed);

      expect(status).toBe(400);
      expect(contentType).toContain('application/problem+json');
      expect(body.errors[0].path).toBe('cve');
    });
  }
});
