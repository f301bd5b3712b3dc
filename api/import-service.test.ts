/**
 * Imports into real PostgreSQL: idempotent re-runs, the findings lifecycle across
 * scans, and a failed import leaving the database as it was.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../config/logger.js';
import { ImportFormatError } from '../domain/errors.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { importFile, type ImportKind } from './import-service.js';

const logger = createLogger({ silent: true });

describe('import service', () => {
  let testDb: TestDatabase;
  let scratch: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), 'pw-import-test-'));
  });

  afterAll(async () => {
    await testDb?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const run = (kind: ImportKind, path: string, scoreDate?: string) =>
    importFile(testDb.database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'tester', scoreDate }, logger);

  async function count(sql: string): Promise<number> {
    const [row] = await testDb.database.query<{ count: string }>(sql);
    return Number(row?.count);
  }

  it('imports KEV idempotently', async () => {
    const file = sharedDataPath('intel/kev/known_exploited_vulnerabilities.json');
    const first = await run('kev', file);
    const second = await run('kev', file);

    expect(first.counts).toMatchObject({ entries: 1404, added: 1404, removed: 0 });
    expect(second.counts).toMatchObject({ entries: 1404, added: 0, removed: 0 });
    expect(await count('SELECT count(*) FROM vulnerabilities WHERE kev')).toBe(1404);
  });

  it('marks entries missing from a newer KEV catalog as removed', async () => {
    const catalog = JSON.parse(await readFile(sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'), 'utf8'));
    const dropped = catalog.vulnerabilities.shift();
    catalog.count = catalog.vulnerabilities.length;
    const smaller = join(scratch, 'kev-smaller.json');
    await writeFile(smaller, JSON.stringify(catalog));

    const result = await run('kev', smaller);

    expect(result.counts).toMatchObject({ removed: 1 });
    const [row] = await testDb.database.query<{ kev: boolean; kev_removed_at: Date | null }>(
      'SELECT kev, kev_removed_at FROM vulnerabilities WHERE cve = $1',
      [dropped.cveID],
    );
    expect(row?.kev).toBe(false);
    expect(row?.kev_removed_at).not.toBeNull();
  });

  it('loads an EPSS day into its partition and replaces it on reload', async () => {
    const file = sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv');
    await run('epss', file);
    const again = await run('epss', file);

    expect(again.counts).toMatchObject({ scoreDate: '2026-08-16', rows: 360142 });
    expect(await count(`SELECT count(*) FROM epss_scores WHERE score_date = '2026-08-16'`)).toBe(360142);
  });

  it('keeps EPSS days apart', async () => {
    const official = sharedDataPath('intel/epss/epss_official_format_head_v2023.03.01.csv');
    const result = await run('epss', official);

    expect(result.counts).toMatchObject({ scoreDate: '2025-02-20', rows: 5, modelVersion: 'v2023.03.01' });
    expect(await count('SELECT count(*) FROM epss_files')).toBe(2);
    expect(await count(`SELECT count(*) FROM epss_scores WHERE score_date = '2026-08-16'`)).toBe(360142);
  });

  it('thins EPSS history older than the daily window to one day per week', async () => {
    const small = join(scratch, 'epss-small.csv');
    await writeFile(small, 'CVE-2024-3400;0.94;0.99\nCVE-2012-1823;0.97;0.99\n');
    // Two days in the ISO week of Monday 2026-03-02, long before the newest day (2026-08-16).
    await run('epss', small, '2026-03-02');
    const result = await run('epss', small, '2026-03-04');

    expect(result.counts).toMatchObject({ prunedDays: 1 });
    expect(await count(`SELECT count(*) FROM epss_files WHERE score_date BETWEEN '2026-03-02' AND '2026-03-08'`)).toBe(1);
    expect(await count(`SELECT count(*) FROM epss_scores WHERE score_date = '2026-03-04'`)).toBe(2);
    expect(await count(`SELECT count(*) FROM epss_scores WHERE score_date = '2026-03-02'`)).toBe(0);
  });

  it('imports NVD records with their preferred CVSS', async () => {
    const result = await run('nvd', sharedDataPath('intel/nvd/nvd_api2_page_38_results.json'));

    expect(result.counts).toMatchObject({ records: 38 });
    const [row] = await testDb.database.query<{ cvss_version: string | null }>(
      `SELECT cvss_version FROM vulnerabilities WHERE nvd_status IS NOT NULL AND cvss_score IS NOT NULL LIMIT 1`,
    );
    expect(row?.cvss_version).toMatch(/^[234]\.\d$/);
  });

  it('imports a Nessus file idempotently', async () => {
    const file = sharedDataPath('scanners/nessus/libnessus_report_local_3.nessus');
    const first = await run('findings', file);
    const second = await run('findings', file);

    expect(first.counts).toMatchObject({ hosts: 3, assetsCreated: 3, findings: 106, informational: 71, cves: 44 });
    expect(second.counts).toMatchObject({ hosts: 3, assetsCreated: 0, findings: 106, fixed: 0, reopened: 0 });
    expect(await count(`SELECT count(*) FROM findings`)).toBe(106);
  });

  it('keeps fixed versions and patch ids where the scanner states them', async () => {
    await run('findings', sharedDataPath('scanners/nessus/dd_nessus_new.csv'));

    // The parser reports 36 findings with fixed versions and 25 with patch ids in this file.
    expect(await count(`SELECT count(*) FROM findings WHERE cardinality(fixed_versions) > 0 AND scanner = 'nessus'`)).toBeGreaterThanOrEqual(36);
    expect(await count(`SELECT count(*) FROM findings WHERE cardinality(patch_ids) > 0`)).toBe(25);
  });

  it('closes findings a later scan no longer reports and reopens returning ones', async () => {
    const original = sharedDataPath('scanners/nessus/ruby-nessus_example_v2.nessus');
    const text = await readFile(original, 'latin1');
    // Drop the first ReportItem that names a CVE: the rescan no longer reports it.
    const item = /<ReportItem[^>]*>(?:(?!<\/ReportItem>)[\s\S])*?<cve>[\s\S]*?<\/ReportItem>/.exec(text);
    expect(item).not.toBeNull();
    const rescan = join(scratch, 'rescan.nessus');
    await writeFile(rescan, text.replace(item![0], ''), 'latin1');

    await run('findings', original);
    const afterFix = await run('findings', rescan);
    const afterReturn = await run('findings', original);

    expect(afterFix.counts).toMatchObject({ fixed: 1, reopened: 0 });
    expect(afterReturn.counts).toMatchObject({ fixed: 0, reopened: 1 });
    expect(await count(`SELECT count(*) FROM findings WHERE status = 'fixed'`)).toBe(0);
  });

  it('rolls back a failed import whole', async () => {
    const before = await count('SELECT count(*) FROM findings');
    const auditBefore = await count('SELECT count(*) FROM audit_log');
    const good = sharedDataPath('scanners/nessus/mitre-saf_sample.nessus');
    const truncated = join(scratch, 'truncated.nessus');
    const text = await readFile(good, 'utf8');
    // Cut the file after its second host, mid-element: the first hosts parse, then it fails.
    const cut = text.indexOf('<ReportHost', text.indexOf('<ReportHost', text.indexOf('<ReportHost') + 1) + 1) + 200;
    await writeFile(truncated, text.slice(0, cut));

    await expect(run('findings', truncated)).rejects.toBeInstanceOf(ImportFormatError);

    expect(await count('SELECT count(*) FROM findings')).toBe(before);
    expect(await count('SELECT count(*) FROM audit_log')).toBe(auditBefore);
  });

  it('rejects the legacy Nessus v1 file with file, line and reason', async () => {
    const legacy = join(scratch, 'ruby-nessus_example_v1_legacy.nessus');
    await copyFile(sharedDataPath('scanners/nessus/ruby-nessus_example_v1_legacy.nessus'), legacy);

    const error = await run('findings', legacy).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImportFormatError);
    expect((error as ImportFormatError).file).toBe('ruby-nessus_example_v1_legacy.nessus');
    expect((error as ImportFormatError).line).toBeGreaterThan(0);
    expect((error as ImportFormatError).reason).toMatch(/v1/);
  });

  it('records each import with its hash and an audit row', async () => {
    const imports = await count('SELECT count(*) FROM imports');
    const audited = await count(`SELECT count(*) FROM audit_log WHERE action LIKE 'import.%'`);

    expect(imports).toBeGreaterThan(0);
    expect(audited).toBe(imports);
  });
});
