/**
 * EDR imports into real PostgreSQL. A real Defender XDR export names a technique
 * that the real CTID mappings link to a finding's CVE, so importing it raises
 * that finding's score, and both GET routes explain the raise.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { rescoreFindings } from '../db/finding-scores.js';
import { ImportFormatError } from '../domain/errors.js';
import type { FindingScoreExplanation } from '../domain/finding-score.js';
import type { RiskFactor } from '../domain/risk.js';
import { startTestApp, type TestAppServer } from '../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { importFile, type ImportKind } from './import-service.js';

const logger = createLogger({ silent: true });

/** The Defender XDR rows date from April 2025, so a ten-year window keeps them in it. */
const LONG_WINDOW = parsePolicy({ attack: { sightingWindow: '3650 days' } });
const DEFAULT_POLICY = parsePolicy({});

const HUNTING = sharedDataPath('edr', 'defender_endpoint_alerts_panther.json');
const EVIDENCE_ALERT = 'sn34c87846-505a-4c84-b125-44bce1202df4';
const INFO_ALERT = '0000000000-1111-2222-3333-444444444444';

/** The CTID KEV mappings link this ManageEngine CVE to T1218 (a secondary impact) and to T1190. */
const CVE = 'CVE-2021-44077';

/** A one-row Nessus CSV naming the CVE on the host that the Defender AlertEvidence row names. */
const SCAN = [
  'Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,CVSS v3.0 Base Score',
  `"156999","${CVE}","10.0","Critical","testdevice.testdomain.com","tcp","8080","ManageEngine ServiceDesk Plus RCE","9.8"`,
].join('\n');

interface ScoreRow {
  finding_id: string;
  asset_id: string;
  score: string;
  priority: string;
  explanation: FindingScoreExplanation;
}

function observedFactor(factors: readonly RiskFactor[] | undefined): RiskFactor | undefined {
  return factors?.find((factor) => factor.factor === 'observed-technique');
}

describe('EDR imports', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;
  let scratch: string;
  let unseen: ScoreRow;

  const run = (kind: ImportKind, path: string, scoring = LONG_WINDOW) =>
    importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger, scoring);

  async function score(): Promise<ScoreRow> {
    const [row] = await testDb.database.query<ScoreRow>(
      `SELECT s.finding_id, s.asset_id, s.score::text AS score, s.priority, x.explanation
         FROM finding_scores s JOIN finding_score_explanations x USING (finding_id)
         JOIN findings f ON f.id = s.finding_id
        WHERE f.cves @> ARRAY[$1]`,
      [CVE],
    );
    if (row === undefined) throw new Error(`no stored score for ${CVE}`);
    return row;
  }

  async function count(sql: string): Promise<number> {
    const [row] = await testDb.database.query<{ count: string }>(sql);
    return Number(row?.count);
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    app = await startTestApp(testDb.database, LONG_WINDOW);
    scratch = await mkdtemp(join(tmpdir(), 'pw-edr-import-'));

    const scan = join(scratch, 'manageengine.csv');
    await writeFile(scan, SCAN);
    await run('attack', sharedDataPath('attack', 'ctid_kev-07.28.2025_attack-16.1-enterprise.json'));
    await run('findings', scan);
    unseen = await score();
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('explains an unseen technique', () => {
    const factor = observedFactor(unseen.explanation.factors);

    expect(factor?.contribution).toBe(0);
    expect(factor?.input).toMatch(/T1190.*T1218.*: not seen within 3650 days$/);
  });

  it('raises the finding on import', async () => {
    const result = await run('edr', HUNTING);
    const raised = await score();
    const factor = observedFactor(raised.explanation.factors);

    expect(result.counts).toMatchObject({
      format: 'defender-xdr-hunting',
      detections: 2,
      techniques: 3,
      sightings: 6,
      sightingsAdded: 6,
      sightingsOnAssets: 3,
      findingsScored: 1,
      scoresChanged: 1,
    });
    expect(Number(raised.score)).toBe(Number(unseen.score) + 10);
    expect(factor?.contribution).toBe(10);
    expect(factor?.input).toMatch(/^T1218, T1218\.010, T1218\.011 seen within 3650 days: /);
    expect(factor?.input).toContain(`edr-detection ${EVIDENCE_ALERT} (microsoft-defender)`);
    expect(factor?.input).toContain(`edr-detection ${INFO_ALERT} (microsoft-defender)`);
  });

  it('raises the priority', async () => {
    // CVSS 9.8 adds 19.6 points, the assumed tier 2 adds 10 and internal exposure 5, and
    // no EPSS or KEV file was imported: 34.6 is P3 (from 20), and 44.6 is P2 (from 40).
    expect(Number(unseen.score)).toBe(34.6);
    expect(unseen.priority).toBe('P3');
    expect((await score()).priority).toBe('P2');
  });

  it('matches the evidence host to the asset', async () => {
    const rows = await testDb.database.query<{ detection_id: string; asset_id: string | null }>(
      'SELECT DISTINCT detection_id, asset_id FROM technique_sightings ORDER BY detection_id',
    );

    expect(rows).toEqual([
      { detection_id: INFO_ALERT, asset_id: null },
      { detection_id: EVIDENCE_ALERT, asset_id: unseen.asset_id },
    ]);
  });

  it('imports the same file idempotently', async () => {
    const before = await score();
    const again = await run('edr', HUNTING);

    expect(again.counts).toMatchObject({ sightings: 6, sightingsAdded: 0, findingsScored: 1, scoresChanged: 0 });
    expect(await count('SELECT count(*) FROM technique_sightings')).toBe(6);
    expect((await score()).score).toBe(before.score);
  });

  it('ignores sightings older than the window', async () => {
    await rescoreFindings(testDb.database, DEFAULT_POLICY);
    const today = await score();
    await rescoreFindings(testDb.database, DEFAULT_POLICY, { now: new Date('2025-05-01T00:00:00.000Z') });
    const inMay = await score();
    await rescoreFindings(testDb.database, DEFAULT_POLICY, { now: new Date('2025-06-01T00:00:00.000Z') });
    const inJune = await score();
    await rescoreFindings(testDb.database, LONG_WINDOW);

    expect(today.score).toBe(unseen.score);
    expect(observedFactor(today.explanation.factors)?.input).toMatch(/: not seen within 30 days$/);
    // The alerts date from 11 and 21 April 2025: within 30 days of 1 May, not of 1 June.
    expect(Number(inMay.score)).toBe(Number(unseen.score) + 10);
    expect(inJune.score).toBe(unseen.score);
  });

  it('counts a recent incident as a sighting', async () => {
    // MOVEit's CVE maps to T1190, which the ManageEngine CVE shares.
    await testDb.database.query(
      `INSERT INTO incidents (id, source, ticket_id, title, cves, workflow_id, requested_by, reported_by, phase)
       VALUES ('inc-moveit', 'api', 'INC-1', 'MOVEit exploited', ARRAY['CVE-2023-34362'], 'emergency-api-INC-1', 'tester', 'tester', 'enriching')`,
    );
    await rescoreFindings(testDb.database, DEFAULT_POLICY);
    const raised = await score();
    await rescoreFindings(testDb.database, LONG_WINDOW);

    expect(Number(raised.score)).toBe(Number(unseen.score) + 10);
    expect(observedFactor(raised.explanation.factors)?.input).toMatch(/^T1136, T1190 seen within 30 days: incident inc-moveit$/);
  });

  it('reads CrowdStrike names without ids', async () => {
    const result = await run('edr', sharedDataPath('edr', 'crowdstrike_falcon_detection_summary_events.json'));

    expect(result.counts).toMatchObject({ format: 'crowdstrike-falcon-events', detections: 7, skipped: 2, namesWithoutId: 6, sightings: 0 });
  });

  it('uploads SentinelOne without sightings', async () => {
    const response = await app.api.upload('edr', sharedDataPath('edr', 'sentinelone_alerts_threats_panther.json'));

    expect(response.status).toBe(200);
    expect(response.body.counts).toMatchObject({
      format: 'sentinelone-activities',
      detections: 9,
      withoutTechniques: 9,
      techniques: 0,
      sightings: 0,
      sightingsAdded: 0,
      findingsScored: 0,
    });
  });

  it('explains the finding over HTTP', async () => {
    const response = await app.api.send('GET', `/api/findings/${unseen.finding_id}`);
    const factor = observedFactor(response.body.score?.explanation.factors);

    expect(response.status).toBe(200);
    expect(factor?.contribution).toBe(10);
    expect(factor?.input).toContain(EVIDENCE_ALERT);
  });

  it('explains the CVE over HTTP', async () => {
    const response = await app.api.send('GET', `/api/vulnerabilities/${CVE}`);
    const factor = observedFactor(response.body.risk?.factors);

    expect(response.status).toBe(200);
    expect(factor?.contribution).toBe(10);
    expect(factor?.input).toContain(EVIDENCE_ALERT);
    expect(factor?.input).toContain('incident inc-moveit');
  });

  describe('malformed exports', () => {
    async function snapshot(): Promise<number[]> {
      return [
        await count('SELECT count(*) FROM technique_sightings'),
        await count('SELECT count(*) FROM imports'),
        await count('SELECT count(*) FROM audit_log'),
        await count(`SELECT count(*) FROM finding_score_explanations WHERE digest IS NOT NULL`),
      ];
    }

    it('rejects truncated JSON with its line', async () => {
      const before = await snapshot();
      const text = await readFile(HUNTING, 'utf8');
      const truncated = join(scratch, 'truncated.json');
      await writeFile(truncated, text.slice(0, text.indexOf('"Alert Evidence Event"')));

      const error = await run('edr', truncated).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ImportFormatError);
      expect((error as ImportFormatError).file).toBe('truncated.json');
      expect((error as ImportFormatError).line).toBeGreaterThan(1);
      expect((error as ImportFormatError).reason).toMatch(/^invalid JSON/);
      expect(await snapshot()).toEqual(before);
    });

    it('rejects an empty file', async () => {
      const empty = join(scratch, 'empty.json');
      await writeFile(empty, '');

      const error = await run('edr', empty).catch((caught: unknown) => caught);

      expect((error as ImportFormatError).reason).toBe('the file is empty');
    });

    it('answers 422 for the wrong shape', async () => {
      const before = await snapshot();
      const response = await app.api.send('POST', '/api/imports/edr?filename=kev.json', undefined, {
        raw: '{"catalogVersion": "2025.08.25", "vulnerabilities": []}',
        contentType: 'application/octet-stream',
      });

      expect(response.status).toBe(422);
      expect(response.body.detail).toMatch(/^kev\.json: \(root\): not a detection export this importer reads/);
      expect(await snapshot()).toEqual(before);
    });

    it('answers 422 for unreadable techniques', async () => {
      const before = await snapshot();
      const rows = JSON.parse(await readFile(HUNTING, 'utf8')) as { log: { properties: Record<string, unknown> } }[];
      rows[1]!.log.properties.AttackTechniques = 'Regsvr32 (T1218.010)';
      const response = await app.api.send('POST', '/api/imports/edr?filename=edited.json', undefined, {
        raw: JSON.stringify(rows),
        contentType: 'application/octet-stream',
      });

      expect(response.status).toBe(422);
      expect(response.body.detail).toBe(
        'edited.json: [1].log.properties.AttackTechniques: expected a JSON array of techniques, found "Regsvr32 (T1218.010)"',
      );
      expect(await snapshot()).toEqual(before);
    });
  });
});

describe('ATT&CK mappings imported after the sightings', () => {
  let testDb: TestDatabase;
  let scratch: string;

  const run = (kind: ImportKind, path: string) =>
    importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger, LONG_WINDOW);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-edr-mappings-'));
    const scan = join(scratch, 'manageengine.csv');
    await writeFile(scan, SCAN);
    await run('findings', scan);
    await run('edr', HUNTING);
  });

  afterAll(async () => {
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('raises the finding when the mapping arrives', async () => {
    const scoreOf = async () => {
      const [row] = await testDb.database.query<{ score: string }>(
        'SELECT s.score::text AS score FROM finding_scores s JOIN findings f ON f.id = s.finding_id WHERE f.cves @> ARRAY[$1]',
        [CVE],
      );
      return Number(row?.score);
    };
    const before = await scoreOf();

    const result = await run('attack', sharedDataPath('attack', 'ctid_kev-07.28.2025_attack-16.1-enterprise.json'));

    expect(result.counts['scoresChanged']).toBe(1);
    expect(await scoreOf()).toBe(before + 10);
  });
});
