/**
 * The asset routes and the CMDB tags import against real PostgreSQL, with assets
 * and findings from real Nessus scans scored against the real KEV catalog.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { parsePolicy } from '../../config/policy.js';
import { verifyAuditChain } from '../../db/audit.js';
import { createApiKey } from '../../db/keys.js';
import { startTestApp, type TestAppServer } from '../../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../../test/postgres.js';
import { fixturePath, sharedDataPath } from '../../test/shared-data.js';
import { importFile, type ImportKind } from '../import-service.js';

const policy = parsePolicy({});

interface Asset {
  id: string;
  hostname: string;
  fqdn: string | null;
  ip: string | null;
  tags: Record<string, unknown>;
  openFindings: number;
}

interface Factor {
  factor: string;
  input: string;
}

describe('asset routes', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;
  let analystKey: string;
  let scratch: string;
  let testphp: string;
  let snorby: string;
  let scanme: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-assets-test-'));
    const logger = createLogger({ silent: true });
    const run = (kind: ImportKind, path: string) =>
      importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger, policy);

    await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
    await run('findings', sharedDataPath('scanners/nessus/dd_nessus_with_cvssv3.nessus'));
    await run('findings', sharedDataPath('scanners/nessus/ruby-nessus_example_v2.nessus'));

    testphp = await assetIdOf('testphp.vulnweb.com');
    snorby = await assetIdOf('snorby.org');
    scanme = await assetIdOf('scanme.insecure.org');
    app = await startTestApp(testDb.database, policy, ['patch_operator']);
    analystKey = (await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst'], createdBy: 'test' })).key;
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  async function assetIdOf(hostname: string): Promise<string> {
    const [row] = await testDb.database.query<{ id: string }>('SELECT id FROM assets WHERE hostname = $1', [hostname]);
    return row!.id;
  }

  async function tagsOf(assetId: string): Promise<Record<string, unknown>> {
    const [row] = await testDb.database.query<{ tags: Record<string, unknown> }>('SELECT tags FROM assets WHERE id = $1', [assetId]);
    return row!.tags;
  }

  async function scoresOf(assetId: string): Promise<Map<string, number>> {
    const rows = await testDb.database.query<{ finding_id: string; score: string }>(
      'SELECT finding_id, score FROM finding_scores WHERE asset_id = $1',
      [assetId],
    );
    return new Map(rows.map((row) => [row.finding_id, Number(row.score)]));
  }

  /** Row counts of every table a tag change or an import writes, to show that a rejected request wrote nothing. */
  async function snapshot(): Promise<unknown> {
    const [counts] = await testDb.database.query(
      `SELECT (SELECT count(*) FROM audit_log) AS audit, (SELECT count(*) FROM imports) AS imports,
              (SELECT jsonb_object_agg(id, tags) FROM assets) AS tags,
              (SELECT jsonb_object_agg(finding_id, score) FROM finding_scores) AS scores`,
    );
    return counts;
  }

  /** Reads one scored finding of the asset through GET /api/findings/:id, with the input of each risk factor by factor name. */
  async function explainedFindingOf(assetId: string): Promise<{ explanation: any; factors: Map<string, string>; owner: string | null }> {
    const [row] = await testDb.database.query<{ finding_id: string }>('SELECT finding_id FROM finding_scores WHERE asset_id = $1 ORDER BY finding_id LIMIT 1', [assetId]);
    const response = await app.api.send('GET', `/api/findings/${row!.finding_id}`);
    const explanation = response.body.score.explanation;
    const factors = new Map<string, string>(explanation.factors.map((factor: Factor) => [factor.factor, factor.input]));
    return { explanation, factors, owner: response.body.asset.owner };
  }

  async function auditRows(action: string, entityId: string): Promise<{ actor: string; details: Record<string, any> }[]> {
    return testDb.database.query('SELECT actor, details FROM audit_log WHERE action = $1 AND entity_id = $2 ORDER BY seq', [action, entityId]);
  }

  describe('GET /api/assets', () => {
    it('lists assets by host name', async () => {
      const response = await app.api.send<{ assets: Asset[]; nextCursor: string | null }>('GET', '/api/assets');

      expect(response.status).toBe(200);
      expect(response.body.assets.map((asset) => asset.hostname)).toEqual(['scanme.insecure.org', 'snorby.org', 'testphp.vulnweb.com']);
      expect(response.body.nextCursor).toBeNull();
    });

    it('counts open findings', async () => {
      const response = await app.api.send<{ assets: Asset[] }>('GET', '/api/assets');
      const listed = response.body.assets.find((asset) => asset.id === testphp)!;
      const [expected] = await testDb.database.query<{ count: string }>(
        `SELECT count(*) FROM findings WHERE asset_id = $1 AND status = 'open' AND NOT informational`,
        [testphp],
      );

      expect(listed.openFindings).toBe(Number(expected!.count));
      expect(listed.openFindings).toBeGreaterThan(0);
    });

    it('walks pages with the cursor', async () => {
      const first = await app.api.send('GET', '/api/assets?limit=2');
      const second = await app.api.send('GET', `/api/assets?limit=2&cursor=${first.body.nextCursor}`);

      expect(first.body.assets).toHaveLength(2);
      expect(second.body.assets.map((asset: Asset) => asset.hostname)).toEqual(['testphp.vulnweb.com']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('filters by IP address', async () => {
      const response = await app.api.send('GET', '/api/assets?host=64.13.134.52');

      expect(response.body.assets.map((asset: Asset) => asset.id)).toEqual([scanme]);
    });

    it('filters by FQDN', async () => {
      const response = await app.api.send('GET', '/api/assets?host=snorby.org');

      expect(response.body.assets.map((asset: Asset) => asset.id)).toEqual([snorby]);
    });

    const badQueries: [string, string, string][] = [
      ['limit 0', '?limit=0', 'limit'],
      ['foreign cursor', `?cursor=${Buffer.from('hello').toString('base64url')}`, 'cursor'],
      ['tag without value', '?tag=owner', 'tag.0'],
      ['unknown parameter', '?hostname=snorby.org', 'hostname'],
    ];

    for (const [name, query, field] of badQueries) {
      it(`rejects ${name}`, async () => {
        const response = await app.api.send('GET', `/api/assets${query}`);

        expect(response.status).toBe(400);
        expect(response.contentType).toContain('application/problem+json');
        expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(field);
      });
    }
  });

  describe('GET /api/assets/:assetId', () => {
    it('returns one asset', async () => {
      const response = await app.api.send<Asset>('GET', `/api/assets/${testphp}`);

      expect(response.status).toBe(200);
      expect(response.body.fqdn).toBe('testphp.vulnweb.com');
      expect(response.body.ip).toBe('44.228.249.3');
    });

    it('answers 404 for an unknown asset', async () => {
      const response = await app.api.send('GET', '/api/assets/asset-missing');

      expect(response.status).toBe(404);
      expect(response.contentType).toContain('application/problem+json');
    });
  });

  describe('PATCH /api/assets/:assetId/tags', () => {
    it('starts from the assumed context', async () => {
      const { explanation, factors } = await explainedFindingOf(testphp);

      expect(explanation.asset.criticalitySource).toBe('default');
      expect(factors.get('asset-criticality')).toContain('tier 2 is assumed');
      expect(factors.get('exposure')).toContain('internal is assumed');
    });

    it('raises the scores of a tier 1 internet-facing asset', async () => {
      const before = await scoresOf(testphp);

      const response = await app.api.send('PATCH', `/api/assets/${testphp}/tags`, { criticality: '1', exposure: 'internet-facing', owner: 'team-web' });
      const after = await scoresOf(testphp);

      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(before.size).toBeGreaterThan(0);
      expect(response.body.rescored.findingsScored).toBe(before.size);
      expect(response.body.rescored.scoresChanged).toBe(before.size);
      for (const [findingId, score] of before) expect(after.get(findingId), `finding ${findingId}`).toBeGreaterThan(score);
    });

    it('stores criticality as a number', async () => {
      expect(await tagsOf(testphp)).toEqual({ criticality: 1, exposure: 'internet-facing', owner: 'team-web' });
    });

    it('explains the score from the tags', async () => {
      const { explanation, factors, owner } = await explainedFindingOf(testphp);

      expect(explanation.asset.criticalitySource).toBe('tag');
      expect(explanation.asset.exposureSource).toBe('tag');
      expect(factors.get('asset-criticality')).toBe('criticality tier 1');
      expect(factors.get('exposure')).toBe('internet-facing');
      expect(owner).toBe('team-web');
    });

    it('records the change in the audit log', async () => {
      const [row] = await auditRows('asset.tags', testphp);

      expect(row?.actor).toMatch(/^tester-/);
      expect(row?.details.before).toEqual({ criticality: null, exposure: null, owner: null });
      expect(row?.details.after).toEqual({ criticality: 1, exposure: 'internet-facing', owner: 'team-web' });
      expect((await verifyAuditChain(testDb.database)).ok).toBe(true);
    });

    it('removes a tag given null', async () => {
      await app.api.send('PATCH', `/api/assets/${snorby}/tags`, { owner: 'team-ids', site: 'berlin' });

      const response = await app.api.send('PATCH', `/api/assets/${snorby}/tags`, { site: null });
      const audits = await auditRows('asset.tags', snorby);

      expect(response.status).toBe(200);
      expect(response.body.asset.tags).toEqual({ owner: 'team-ids' });
      expect(response.body.changes).toEqual({ before: { site: 'berlin' }, after: { site: null } });
      expect(audits).toHaveLength(2);
    });

    it('writes no audit row when nothing changes', async () => {
      const response = await app.api.send('PATCH', `/api/assets/${snorby}/tags`, { owner: 'team-ids', site: null });

      expect(response.status).toBe(200);
      expect(response.body.changes).toEqual({ before: {}, after: {} });
      expect(await auditRows('asset.tags', snorby)).toHaveLength(2);
    });

    it('feeds the tag filter of the listings', async () => {
      const assets = await app.api.send('GET', '/api/assets?tag=criticality:1&tag=owner:team-web');
      const findings = await app.api.send('GET', '/api/findings/prioritized?tag=owner:team-web&limit=500');

      expect(assets.body.assets.map((asset: Asset) => asset.id)).toEqual([testphp]);
      expect(findings.body.findings.length).toBeGreaterThan(0);
      expect(findings.body.findings.every((finding: { asset: { owner: string } }) => finding.asset.owner === 'team-web')).toBe(true);
    });

    const badBodies: [string, unknown, string, string][] = [
      ['criticality 5', { criticality: 5 }, 'criticality', '"1", "2", "3", "4"'],
      ['criticality text', { criticality: 'high' }, 'criticality', 'from 1 (most critical) to 4'],
      ['unknown exposure', { exposure: 'dmz' }, 'exposure', '"internet-facing", "internal", "isolated"'],
      ['empty owner', { owner: '  ' }, 'owner', 'must not be empty'],
      ['long site', { site: 'x'.repeat(201) }, 'site', 'at most 200 characters'],
      ['numeric custom tag', { rack: 7 }, 'rack', 'must be a string'],
      ['invalid key', { 'cost centre': 'cc-1' }, 'cost centre', 'not a valid tag key'],
      ['one tag twice', { maintenanceWindow: 'Sat', maintenance_window: 'Sun' }, 'maintenance_window', 'give it once'],
      ['empty object', {}, '(body)', 'at least one tag'],
      ['array body', ['criticality'], '(body)', 'JSON object'],
    ];

    for (const [name, body, field, message] of badBodies) {
      it(`rejects ${name}`, async () => {
        const before = await snapshot();

        const response = await app.api.send('PATCH', `/api/assets/${scanme}/tags`, body);
        const error = response.body.errors?.find((entry: { path: string }) => entry.path === field);

        expect(response.status).toBe(400);
        expect(response.contentType).toContain('application/problem+json');
        expect(error?.message, JSON.stringify(response.body)).toContain(message);
        expect(await snapshot()).toEqual(before);
      });
    }

    it('rejects valid and invalid keys together', async () => {
      const response = await app.api.send('PATCH', `/api/assets/${scanme}/tags`, { owner: 'team-a', criticality: 0 });

      expect(response.status).toBe(400);
      expect(await tagsOf(scanme)).toEqual({});
    });

    it('answers 404 for an unknown asset', async () => {
      const response = await app.api.send('PATCH', '/api/assets/asset-missing/tags', { criticality: 1 });

      expect(response.status).toBe(404);
      expect(response.body.detail).toContain('asset-missing');
    });

    it('forbids a SOC analyst', async () => {
      const before = await snapshot();

      const response = await app.api.as(analystKey).send('PATCH', `/api/assets/${scanme}/tags`, { criticality: 4 });

      expect(response.status).toBe(403);
      expect(response.body.detail).toContain('patch_operator');
      expect(await snapshot()).toEqual(before);
    });

    it('lets a SOC analyst read', async () => {
      const response = await app.api.as(analystKey).send('GET', `/api/assets/${scanme}`);

      expect(response.status).toBe(200);
    });
  });

  describe('POST /api/imports/assets', () => {
    const fixture = fixturePath('cmdb/asset-tags.csv');

    it('forbids a SOC analyst', async () => {
      const before = await snapshot();

      const response = await app.api.as(analystKey).upload('assets', fixture);

      expect(response.status).toBe(403);
      expect(await snapshot()).toEqual(before);
    });

    it('tags the matched assets', async () => {
      const scanmeBefore = await scoresOf(scanme);

      const response = await app.api.upload('assets', fixture);

      expect(scanmeBefore.size).toBeGreaterThan(0);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.counts).toMatchObject({ rows: 5, tagColumns: 6, assetsMatched: 3, assetsChanged: 3, unmatchedRows: 2 });
      expect(await tagsOf(snorby)).toEqual({ criticality: 3, exposure: 'internal', owner: 'team-ids', site: 'berlin' });
      expect(await tagsOf(scanme)).toEqual({ criticality: 4, exposure: 'isolated', maintenanceWindow: 'Sun 01:00-03:00 UTC' });
      expect((await tagsOf(testphp)).business_service).toBe('web-shop');
      for (const [findingId, score] of scanmeBefore) expect((await scoresOf(scanme)).get(findingId), `finding ${findingId}`).toBeLessThan(score);
    });

    it('reports unmatched rows by line', async () => {
      const response = await app.api.upload('assets', fixture);

      expect(response.body.counts).toMatchObject({ assetsChanged: 0, unmatchedRows: 2 });
      expect(response.body.messages[0]).toContain('creates none');
      expect(response.body.messages).toContain('line 5: no asset matches hostname "web99.example.internal", ip "10.20.30.99"');
      expect(response.body.messages).toContain('line 6: no asset matches hostname "files, old share"');
      expect(await testDb.database.query(`SELECT id FROM assets WHERE hostname = 'web99.example.internal'`)).toEqual([]);
    });

    it('records the import with its changes', async () => {
      const [first] = await auditRows('import.assets', 'asset-tags.csv');
      const change = first?.details.changes.find((entry: { assetId: string }) => entry.assetId === scanme);

      expect(change).toEqual({
        assetId: scanme,
        line: 4,
        before: { criticality: null, exposure: null, maintenanceWindow: null },
        after: { criticality: 4, exposure: 'isolated', maintenanceWindow: 'Sun 01:00-03:00 UTC' },
      });
      expect(await testDb.database.query(`SELECT counts FROM imports WHERE kind = 'assets'`)).toHaveLength(2);
    });

    const malformed: [string, string | Buffer, number, string][] = [
      ['criticality 7', 'hostname,criticality\nsnorby.org,2\nscanme.insecure.org,7\n', 3, 'column "criticality"'],
      ['unknown exposure', 'fqdn,exposure\nsnorby.org,public\n', 2, 'column "exposure"'],
      ['no host column', 'name,criticality\nsnorby.org,1\n', 1, 'no host column'],
      ['blank file', '\n\n', 1, 'the file is empty'],
      ['invalid UTF-8', Buffer.concat([Buffer.from('hostname,owner\nsnorby.org,team-'), Buffer.from([0xff]), Buffer.from('\n')]), 2, 'UTF-8'],
    ];

    for (const [name, content, line, reason] of malformed) {
      it(`rejects ${name} and changes nothing`, async () => {
        const path = join(scratch, `${name.replace(/\W+/g, '-')}.csv`);
        await writeFile(path, content);
        const before = await snapshot();

        const response = await app.api.upload('assets', path);

        expect(response.status).toBe(422);
        expect(response.contentType).toContain('application/problem+json');
        expect(response.body.file).toBe(path.split('/').pop());
        expect(response.body.line).toBe(line);
        expect(response.body.detail).toContain(reason);
        expect(await snapshot()).toEqual(before);
      });
    }
  });
});
