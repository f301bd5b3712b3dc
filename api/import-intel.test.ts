/**
 * Intel imports into real PostgreSQL: the KEV CSV through the `kev` kind, CVE
 * JSON 5 records with CISA's ADP container, and OSV advisories, by
 * `importFile` and by upload.
 */
import type { Server } from 'node:http';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { createApiKey } from '../db/keys.js';
import { TestApi } from '../test/http.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { createApp } from './app.js';
import { importFile, type ImportKind } from './import-service.js';
import type { WorkflowGateway } from './workflow-gateway.js';

const logger = createLogger({ silent: true });

/** Uploads start no workflow, so any call to Temporal is a bug. */
const noWorkflows: WorkflowGateway = {
  startEmergencyPatch: () => Promise.reject(new Error('an upload must not start a workflow')),
  addCves: () => Promise.reject(new Error('an upload must not update a workflow')),
  decideException: () => Promise.reject(new Error('an upload must not update a workflow')),
};

describe('intel imports', () => {
  let testDb: TestDatabase;
  let server: Server;
  let api: TestApi;
  let scratch: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-intel-import-'));
    const app = createApp({ database: testDb.database, workflows: noWorkflows, policy: parsePolicy({}), logger });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const analyst = await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst'], createdBy: 'test' });
    api = new TestApi(`http://127.0.0.1:${port}`, analyst.key);
  });

  afterAll(async () => {
    server?.close();
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const run = (kind: ImportKind, path: string) =>
    importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester' }, logger);

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await testDb.database.query<{ count: string }>(sql, params);
    return Number(row?.count);
  }

  it('imports the KEV CSV as kev', async () => {
    const result = await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.csv'));

    expect(result.counts).toMatchObject({ format: 'csv', entries: 1404, added: 1404, removed: 0 });
    expect(result.counts).not.toHaveProperty('catalogVersion');
    expect(await count('SELECT count(*) FROM vulnerabilities WHERE kev')).toBe(1404);
  });

  it('treats the JSON release as the same catalog', async () => {
    const result = await run('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));

    expect(result.counts).toMatchObject({ format: 'json', catalogVersion: '2025.08.25', entries: 1404, added: 0, removed: 0 });
  });

  it('stores the ADP SSVC of every record', async () => {
    const folder = sharedDataPath('intel/cve5');
    for (const name of (await readdir(folder)).sort()) await run('cve5', `${folder}/${name}`);

    // 8 records, each with an ADP SSVC entry (python3: containers.adp[].metrics[].other.type == "ssvc").
    expect(await count('SELECT count(*) FROM vulnerability_ssvc')).toBe(8);
    const [row] = await testDb.database.query<Record<string, unknown>>(
      `SELECT exploitation, automatable, technical_impact, ssvc_version, kev_date_added, kev_reference
         FROM vulnerability_ssvc WHERE cve = 'CVE-2024-3400'`,
    );
    expect(row).toEqual({
      exploitation: 'Active',
      automatable: 'Yes',
      technical_impact: 'Total',
      ssvc_version: '2.0.3',
      kev_date_added: '2024-04-12',
      kev_reference: 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog?search_api_fulltext=CVE-2024-3400',
    });
  });

  it('leaves KEV null without a listing', async () => {
    const [row] = await testDb.database.query<{ kev_date_added: string | null; exploitation: string }>(
      `SELECT kev_date_added, exploitation FROM vulnerability_ssvc WHERE cve = 'CVE-2024-3094'`,
    );

    expect(row?.kev_date_added).toBeNull();
    expect(row?.exploitation).toBe('none');
  });

  it('fills CVSS from the CVE record', async () => {
    const [row] = await testDb.database.query<{ cvss_score: number; cvss_version: string; cvss_source: string; cwes: string[] }>(
      `SELECT cvss_score, cvss_version, cvss_source, cwes FROM vulnerabilities WHERE cve = 'CVE-2023-22515'`,
    );

    // No NVD import ran, so the newest CVSS version wins: CISA-ADP's 3.1 over Atlassian's 3.0.
    expect(row?.cvss_version).toBe('3.1');
    expect(row?.cvss_score).toBeCloseTo(9.8, 5);
    expect(row?.cvss_source).toBe('CISA-ADP');
    expect(row?.cwes).toEqual(['CWE-20']);
  });

  it('keeps NVD values over the CVE record', async () => {
    await run('nvd', sharedDataPath('intel/nvd/fkie-cad/CVE-2024-3400.json'));
    await run('cve5', sharedDataPath('intel/cve5/vulnrichment_CVE-2024-3400.json'));

    const [row] = await testDb.database.query<{ cvss_source: string; description: string }>(
      `SELECT cvss_source, description FROM vulnerabilities WHERE cve = 'CVE-2024-3400'`,
    );
    // The fkie-cad record's only CVSS metric is the CNA's, listed by NVD under psirt@paloaltonetworks.com.
    expect(row?.cvss_source).toBe('psirt@paloaltonetworks.com');
    expect(row?.description).toMatch(/^A command injection vulnerability/);
  });

  it('imports osv-scanner output', async () => {
    const result = await run('osv', sharedDataPath('osv/osv_scanner_many_findings.json'));

    // 66 embedded records, 64 distinct ids (python3 over results[].packages[].vulnerabilities[]).
    expect(result.counts).toMatchObject({ layout: 'osv-scanner', records: 66, advisories: 64, stored: 64 });
    expect(await count('SELECT count(*) FROM osv_advisories')).toBe(64);
    expect(await count(`SELECT count(*) FROM osv_advisories WHERE cves @> ARRAY['CVE-2022-31090']`)).toBe(1);
  });

  it('skips an older OSV version', async () => {
    const older = join(scratch, 'older.json');
    await writeFile(older, JSON.stringify({ id: 'GHSA-25mq-v84q-4j7r', modified: '2020-01-01T00:00:00Z', summary: 'stale copy' }));

    const result = await run('osv', older);

    expect(result.counts).toMatchObject({ advisories: 1, stored: 0 });
    const [row] = await testDb.database.query<{ summary: string }>(`SELECT summary FROM osv_advisories WHERE id = 'GHSA-25mq-v84q-4j7r'`);
    expect(row?.summary).toBe('CURLOPT_HTTPAUTH option not cleared on change of origin');
  });

  it('uploads a CVE JSON 5 record', async () => {
    const response = await api.upload('cve5', sharedDataPath('intel/cve5/vulnrichment_CVE-2024-1709.json'));

    expect(response.status).toBe(200);
    expect(response.body.counts).toMatchObject({ cve: 'CVE-2024-1709', records: 1, ssvc: 1, rejected: 0 });
  });

  it('uploads an OSV advisory', async () => {
    const response = await api.upload('osv', sharedDataPath('osv/GO-2024-2963.json'));

    expect(response.status).toBe(200);
    expect(response.body.counts).toMatchObject({ layout: 'record', records: 1, advisories: 1, stored: 1 });
    const [row] = await testDb.database.query<{ cves: string[]; affected: unknown[] }>(`SELECT cves, affected FROM osv_advisories WHERE id = 'GO-2024-2963'`);
    expect(row?.cves).toEqual(['CVE-2024-24791']);
    expect(row?.affected).toHaveLength(1);
  });

  it('names the line of a bad upload', async () => {
    const response = await api.send('POST', '/api/imports/cve5?filename=nvd.json', undefined, {
      raw: '{\n  "resultsPerPage": 1,\n  "vulnerabilities": []\n}',
      contentType: 'application/octet-stream',
    });

    expect(response.status).toBe(422);
    expect(response.body.detail).toMatch(/nvd\.json:1: the file is not a CVE JSON 5 record/);
  });
});
