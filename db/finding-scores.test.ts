/**
 * Stored finding scores after real imports into PostgreSQL: the real KEV
 * catalog, the real EPSS file and real Nessus scans.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, type ImportKind } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import type { FindingScoreExplanation } from '../domain/finding-score.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { rescoreFindings } from './finding-scores.js';

const logger = createLogger({ silent: true });
const policy = parsePolicy({});
const PHP_CGI = 'CVE-2012-1823';
const SCAN = sharedDataPath('scanners/nessus/dd_nessus_with_cvssv3.nessus');

interface ScoreRow {
  finding_id: string;
  asset_id: string;
  score: string;
  priority: string;
  kev: boolean;
  explanation: FindingScoreExplanation;
}

describe('rescoreFindings', () => {
  let testDb: TestDatabase;
  let scratch: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-scores-test-'));
  });

  afterAll(async () => {
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const run = (kind: ImportKind, path: string, scoring = policy) =>
    importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger, scoring);

  async function scoreOf(cve: string): Promise<ScoreRow | undefined> {
    const [row] = await testDb.database.query<ScoreRow>(
      `SELECT s.*, x.explanation FROM finding_scores s
         JOIN finding_score_explanations x USING (finding_id)
         JOIN findings f ON f.id = s.finding_id
        WHERE f.cves @> ARRAY[$1] ORDER BY s.score DESC LIMIT 1`,
      [cve],
    );
    return row;
  }

  async function count(sql: string): Promise<number> {
    const [row] = await testDb.database.query<{ count: string }>(sql);
    return Number(row?.count);
  }

  it('scores open findings on import', async () => {
    const result = await run('findings', SCAN);

    expect(result.counts.findingsScored).toBe(await count(`SELECT count(*) FROM findings WHERE status = 'open' AND NOT informational`));
    expect(await count('SELECT count(*) FROM finding_scores')).toBe(result.counts.findingsScored);
  });

  it('skips informational findings', async () => {
    expect(await count('SELECT count(*) FROM finding_scores s JOIN findings f ON f.id = s.finding_id WHERE f.informational')).toBe(0);
    expect(await count('SELECT count(*) FROM findings WHERE informational')).toBeGreaterThan(0);
  });

  it('raises a CVE when KEV lists it', async () => {
    const before = await scoreOf(PHP_CGI);
    const result = await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
    const after = await scoreOf(PHP_CGI);

    expect(before?.kev).toBe(false);
    expect(after?.kev).toBe(true);
    expect(Number(after?.score) - Number(before?.score)).toBe(25);
    expect(result.counts.scoresChanged).toBe(1);
  });

  it('rescores only findings naming a KEV CVE', async () => {
    const result = await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
    const naming = await count(
      `SELECT count(*) FROM findings f WHERE f.status = 'open' AND NOT f.informational
          AND f.cves && ARRAY(SELECT cve FROM vulnerabilities WHERE kev)`,
    );

    expect(result.counts.findingsScored).toBe(naming);
    expect(result.counts.scoresChanged).toBe(0);
  });

  it('ranks a KEV finding above every other', async () => {
    await run('epss', sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv'));
    await run('findings', sharedDataPath('scanners/nessus/mitre-saf_sample.nessus'));

    const [top] = await testDb.database.query<ScoreRow>(
      'SELECT s.*, x.explanation FROM finding_scores s JOIN finding_score_explanations x USING (finding_id) ORDER BY s.score DESC, s.finding_id DESC LIMIT 1',
    );
    const best = await testDb.database.query<{ score: string }>('SELECT max(score) AS score FROM finding_scores WHERE NOT kev');

    expect(top?.kev).toBe(true);
    expect(top?.explanation.topCve).toBe(PHP_CGI);
    expect(Number(top?.score)).toBeGreaterThan(Number(best[0]?.score));
  });

  it('explains the score with EPSS', async () => {
    const row = await scoreOf(PHP_CGI);
    const epss = row?.explanation.factors.find((factor) => factor.factor === 'epss-probability');

    expect(epss?.input).toMatch(/^EPSS 0\.\d+/);
    expect(epss?.contribution).toBeGreaterThan(0);
  });

  it('changes nothing on a second pass', async () => {
    const result = await rescoreFindings(testDb.database, policy);

    expect(result.scored).toBeGreaterThan(0);
    expect(result.changed).toBe(0);
    expect(result.removed).toBe(0);
  });

  it('reads criticality and exposure tags', async () => {
    const before = await scoreOf(PHP_CGI);
    await testDb.database.query(`UPDATE assets SET tags = '{"criticality": 1, "exposure": "internet-facing"}' WHERE id = $1`, [before!.asset_id]);
    const result = await rescoreFindings(testDb.database, policy, { assetIds: [before!.asset_id] });
    const after = await scoreOf(PHP_CGI);

    // Tier 1 adds 5 points over tier 2 and internet-facing 10 over internal.
    expect(Number(after?.score) - Number(before?.score)).toBe(15);
    expect(after?.explanation.asset.criticalitySource).toBe('tag');
    expect(result.changed).toBeGreaterThan(0);
  });

  it('lowers a mitigated CVE', async () => {
    const before = await scoreOf(PHP_CGI);
    await testDb.database.query(
      `INSERT INTO mitigations (id, exception_id, asset_id, kind, cves, state) VALUES ('mit-1', 'exc-1', $1, 'waf', $2, 'active')`,
      [before!.asset_id, [PHP_CGI]],
    );
    await rescoreFindings(testDb.database, policy, { assetIds: [before!.asset_id] });
    const after = await scoreOf(PHP_CGI);
    const control = after?.explanation.factors.find((factor) => factor.factor === 'compensating-controls');

    expect(Number(after?.score)).toBeLessThan(Number(before?.score));
    expect(control?.contribution).toBeLessThan(0);
  });

  it('follows the policy weights', async () => {
    const before = await scoreOf(PHP_CGI);
    await rescoreFindings(testDb.database, parsePolicy({ risk: { kev: 0 } }));
    const after = await scoreOf(PHP_CGI);
    await rescoreFindings(testDb.database, policy);

    expect(Number(after?.score)).toBeLessThan(Number(before?.score));
  });

  it('removes the score of a fixed finding', async () => {
    const text = await readFile(SCAN, 'latin1');
    const item = /<ReportItem[^>]*>(?:(?!<\/ReportItem>)[\s\S])*?<cve>[\s\S]*?<\/ReportItem>/.exec(text);
    const rescan = join(scratch, 'rescan.nessus');
    await writeFile(rescan, text.replace(item![0], ''), 'latin1');

    const result = await run('findings', rescan);

    expect(result.counts.fixed).toBe(1);
    expect(result.counts.scoresRemoved).toBe(1);
    expect(await count(`SELECT count(*) FROM finding_scores s JOIN findings f ON f.id = s.finding_id WHERE f.status = 'fixed'`)).toBe(0);
  });
});
