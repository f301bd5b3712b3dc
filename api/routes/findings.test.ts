/**
 * GET /api/findings/prioritized against real PostgreSQL, with real Nessus scans
 * scored against the real KEV catalog and EPSS file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { parsePolicy } from '../../config/policy.js';
import { rescoreFindings } from '../../db/finding-scores.js';
import { startTestApp, type TestAppServer } from '../../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../../test/postgres.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { importFile, type ImportKind } from '../import-service.js';

const policy = parsePolicy({});
const NESSUS_FILES = ['ruby-nessus_example_v2.nessus', 'mitre-saf_sample.nessus', 'libnessus_report_test_local.nessus', 'dd_nessus_with_cvssv3.nessus'];

interface Listed {
  id: number;
  asset: { id: string; hostname: string; owner: string | null };
  cves: string[];
  score: number;
  priority: string;
  ssvcDecision: string;
  kev: boolean;
  dueAt: string;
  slaBreached: boolean;
  exception: { id: string; state: string; expiresAt: string | null } | null;
}

interface Page {
  findings: Listed[];
  nextCursor: string | null;
}

describe('GET /api/findings/prioritized', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;
  let total: number;
  let taggedAsset: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const logger = createLogger({ silent: true });
    const run = (kind: ImportKind, path: string) =>
      importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger, policy);

    for (const file of NESSUS_FILES) await run('findings', sharedDataPath('scanners/nessus', file));
    await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
    await run('epss', sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv'));

    // Tag one asset the way a CMDB sync would, then rescore it.
    const [asset] = await testDb.database.query<{ id: string }>(
      `SELECT asset_id AS id FROM findings WHERE cves @> ARRAY['CVE-2012-1823'] LIMIT 1`,
    );
    taggedAsset = asset!.id;
    await testDb.database.query(
      `UPDATE assets SET tags = '{"site": "berlin", "owner": "web-team", "criticality": 1, "exposure": "internet-facing"}' WHERE id = $1`,
      [taggedAsset],
    );
    await rescoreFindings(testDb.database, policy, { assetIds: [taggedAsset] });

    const [count] = await testDb.database.query<{ count: string }>('SELECT count(*) FROM finding_scores');
    total = Number(count!.count);
    app = await startTestApp(testDb.database, policy);
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  async function list(query: string): Promise<Page> {
    const response = await app.api.send<Page>('GET', `/api/findings/prioritized${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  }

  async function walk(query: string, limit: number): Promise<Listed[]> {
    const seen: Listed[] = [];
    let cursor: string | null = null;
    do {
      const separator = query === '' ? '?' : '&';
      const page: Page = await list(`${query}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...page.findings);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return seen;
  }

  it('ranks the KEV finding first', async () => {
    const page = await list('');

    expect(page.findings[0]?.cves).toContain('CVE-2012-1823');
    expect(page.findings[0]?.kev).toBe(true);
    expect(page.findings.filter((finding) => !finding.kev).every((finding) => finding.score < page.findings[0]!.score)).toBe(true);
  });

  it('walks every finding once', async () => {
    const seen = await walk('', 7);
    const ids = seen.map((finding) => finding.id);

    expect(total).toBeGreaterThan(50);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('orders by score then id', async () => {
    const seen = await walk('', 13);

    for (let i = 1; i < seen.length; i += 1) {
      const [before, after] = [seen[i - 1]!, seen[i]!];
      const ordered = before.score > after.score || (before.score === after.score && before.id > after.id);
      expect(ordered, `${before.id} (${before.score}) before ${after.id} (${after.score})`).toBe(true);
    }
  });

  it('defaults to 50 rows', async () => {
    const page = await list('');

    expect(page.findings).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
  });

  it('ends with a null cursor', async () => {
    const page = await list('?limit=500');

    expect(page.findings).toHaveLength(total);
    expect(page.nextCursor).toBeNull();
  });

  it('filters by priority list', async () => {
    const seen = await walk('?priority=P3,P4', 20);
    const [expected] = await testDb.database.query<{ count: string }>(`SELECT count(*) FROM finding_scores WHERE priority IN ('P3', 'P4')`);

    expect(seen).toHaveLength(Number(expected!.count));
    expect(seen.every((finding) => finding.priority === 'P3' || finding.priority === 'P4')).toBe(true);
  });

  it('filters by repeated priority', async () => {
    const page = await list('?priority=P1&priority=p2&limit=500');

    expect(page.findings.length).toBeGreaterThan(0);
    expect(page.findings.every((finding) => finding.priority === 'P1' || finding.priority === 'P2')).toBe(true);
  });

  it('filters by kev', async () => {
    const kev = await list('?kev=true&limit=500');
    const notKev = await list('?kev=false&limit=500');

    expect(kev.findings.length).toBeGreaterThan(0);
    expect(kev.findings.every((finding) => finding.kev)).toBe(true);
    expect(notKev.findings.every((finding) => !finding.kev)).toBe(true);
    expect(kev.findings.length + notKev.findings.length).toBe(total);
  });

  it('filters by SLA breach', async () => {
    const breached = await list('?slaBreached=true&limit=500');
    const onTime = await list('?slaBreached=false&limit=500');

    // CVE-2012-1823 was past its CISA due date when first seen, so it is breached at once.
    expect(breached.findings.map((finding) => finding.cves).flat()).toContain('CVE-2012-1823');
    expect(breached.findings.every((finding) => finding.slaBreached && Date.parse(finding.dueAt) < Date.now())).toBe(true);
    expect(onTime.findings.every((finding) => !finding.slaBreached)).toBe(true);
    expect(breached.findings.length + onTime.findings.length).toBe(total);
  });

  it('filters by asset tag', async () => {
    const page = await list('?tag=site:berlin&limit=500');

    expect(page.findings.length).toBeGreaterThan(0);
    expect(page.findings.every((finding) => finding.asset.id === taggedAsset)).toBe(true);
    expect(page.findings[0]?.asset.owner).toBe('web-team');
  });

  it('matches a numeric tag as text', async () => {
    const byTier = await list('?tag=criticality:1&tag=site:berlin&limit=500');
    const byOtherSite = await list('?tag=criticality:1&tag=site:paris');

    expect(byTier.findings.length).toBeGreaterThan(0);
    expect(byOtherSite.findings).toHaveLength(0);
  });

  it('shows the exception state', async () => {
    const first = (await list('?kev=true')).findings[0]!;
    await testDb.database.query(
      `INSERT INTO exceptions (id, asset_id, cves, requested_by, reason, state, workflow_id, expires_at)
       VALUES ('exc-1', $1, $2, 'alice', 'vendor patch breaks the shop', 'approved', 'exception-exc-1', now() - interval '1 day')`,
      [first.asset.id, first.cves],
    );

    const again = (await list('?kev=true')).findings[0]!;

    expect(first.exception).toBeNull();
    expect(again.exception?.id).toBe('exc-1');
    expect(again.exception?.state).toBe('expired');
  });

  it('shows one finding with its explanation', async () => {
    const first = (await list('')).findings[0]!;
    const response = await app.api.send('GET', `/api/findings/${first.id}`);
    const kev = response.body.score.explanation.factors.find((factor: { factor: string }) => factor.factor === 'kev');

    expect(response.status).toBe(200);
    expect(response.body.score.score).toBe(first.score);
    expect(response.body.score.explanation.topCve).toBe('CVE-2012-1823');
    expect(kev.contribution).toBe(25);
    expect(response.body.asset.tags.site).toBe('berlin');
  });

  it('shows no score for an informational finding', async () => {
    const [row] = await testDb.database.query<{ id: string }>('SELECT id FROM findings WHERE informational LIMIT 1');
    const response = await app.api.send('GET', `/api/findings/${row!.id}`);

    expect(response.status).toBe(200);
    expect(response.body.score).toBeNull();
  });

  it('answers 404 for an unknown finding', async () => {
    const response = await app.api.send('GET', '/api/findings/999999999');

    expect(response.status).toBe(404);
    expect(response.contentType).toContain('application/problem+json');
  });

  it('answers 400 for a malformed finding id', async () => {
    const response = await app.api.send('GET', '/api/findings/12abc');

    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('findingId');
  });

  const badQueries: [string, string, string][] = [
    ['cursor not base64url', '?cursor=not*a*cursor', 'cursor'],
    ['cursor of other text', `?cursor=${Buffer.from('hello').toString('base64url')}`, 'cursor'],
    ['priority P5', '?priority=P1,P5', 'priority.1'],
    ['kev yes', '?kev=yes', 'kev'],
    ['slaBreached 1', '?slaBreached=1', 'slaBreached'],
    ['limit 0', '?limit=0', 'limit'],
    ['limit 501', '?limit=501', 'limit'],
    ['limit text', '?limit=ten', 'limit'],
    ['tag without value', '?tag=site', 'tag.0'],
    ['unknown parameter', '?priorty=P1', 'priorty'],
  ];

  for (const [name, query, field] of badQueries) {
    it(`rejects ${name}`, async () => {
      const response = await app.api.send('GET', `/api/findings/prioritized${query}`);

      expect(response.status).toBe(400);
      expect(response.contentType).toContain('application/problem+json');
      expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(field);
    });
  }
});
