/**
 * The triage export: CSV and Markdown escaping, and paging through the real API
 * on loopback with findings from a real Nessus scan.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { startTestApp, type TestAppServer } from '../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';
import { ApiClient } from './api-client.js';
import { type TriageFormat, type TriagePage, csvLine, exportTriage, markdownLine } from './triage-export.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../bin/patchwarden.mjs', import.meta.url));

describe('csvLine', () => {
  it('leaves plain cells bare', () => {
    expect(csvLine(['web01', 'P1'])).toBe('web01,P1\r\n');
  });

  it('quotes a comma', () => {
    expect(csvLine(['a, b'])).toBe('"a, b"\r\n');
  });

  it('doubles a quote', () => {
    expect(csvLine(['say "hi"'])).toBe('"say ""hi"""\r\n');
  });

  it('quotes a line break', () => {
    expect(csvLine(['one\ntwo', 'x\ry'])).toBe('"one\ntwo","x\ry"\r\n');
  });

  it('keeps an empty cell', () => {
    expect(csvLine(['', 'b'])).toBe(',b\r\n');
  });

  it('round-trips through a CSV parser', () => {
    const cells = ['#1 PHP < 5.3.12 / 5.4.2 [CVE-2012-1823, CVE-2012-2311]', 'a "quoted" host', 'line\r\nbreak', ''];

    expect(parse(csvLine(cells))).toEqual([cells]);
  });
});

describe('markdownLine', () => {
  it('escapes pipes and backslashes', () => {
    expect(markdownLine(['a|b', 'c\\d'])).toBe('| a\\|b | c\\\\d |\n');
  });

  it('flattens line breaks', () => {
    expect(markdownLine(['one\r\ntwo'])).toBe('| one two |\n');
  });
});

describe('exportTriage', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;
  let total: number;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const policy = parsePolicy({});
    const file = sharedDataPath('scanners/nessus/dd_nessus_with_cvssv3.nessus');
    await importFile(testDb.database, 'findings', { path: file, fileName: 'scan.nessus', importedBy: 'tester' }, createLogger({ silent: true }), policy);
    const [row] = await testDb.database.query<{ count: string }>('SELECT count(*) FROM finding_scores');
    total = Number(row!.count);
    app = await startTestApp(testDb.database, policy);
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  async function exportText(
    format: TriageFormat,
    priorities: string[],
    limit?: number,
    pageSize = 500,
  ): Promise<{ text: string; count: number; pages: number }> {
    const client = new ApiClient({ url: app.url, apiKey: app.key });
    let text = '';
    let pages = 0;
    const count = await exportTriage({
      format,
      priorities,
      limit,
      pageSize,
      fetchPage: (params) => {
        pages += 1;
        return client.request<TriagePage>('get', '/api/findings/prioritized', undefined, params);
      },
      write: (chunk) => {
        text += chunk;
      },
    });
    return { text, count, pages };
  }

  it('writes every finding as CSV', async () => {
    const { text, count, pages } = await exportText('csv', [], undefined, 4);
    const records: string[][] = parse(text);

    expect(pages).toBe(Math.ceil(total / 4));
    expect(count).toBe(total);
    expect(records[0]).toEqual(['finding', 'asset', 'owner', 'score', 'priority', 'SSVC', 'due date', 'exception state']);
    expect(records).toHaveLength(total + 1);
    expect(new Set(records.slice(1).map((record) => record[0])).size).toBe(total);
  });

  it('stops at the limit across pages', async () => {
    const { count, text, pages } = await exportText('csv', [], 7, 3);

    expect(count).toBe(7);
    expect(pages).toBe(3);
    expect(parse(text)).toHaveLength(8);
  });

  it('filters by priority', async () => {
    const { text } = await exportText('csv', ['P3', 'P4']);
    const priorities = (parse(text) as string[][]).slice(1).map((record) => record[4]);

    expect(priorities.length).toBeGreaterThan(0);
    expect(priorities.every((priority) => priority === 'P3' || priority === 'P4')).toBe(true);
  });

  it('writes a Markdown table', async () => {
    const { text } = await exportText('md', [], 2);
    const lines = text.trimEnd().split('\n');

    expect(lines[0]).toBe('| finding | asset | owner | score | priority | SSVC | due date | exception state |');
    expect(lines[1]).toBe('| --- | --- | --- | --- | --- | --- | --- | --- |');
    expect(lines).toHaveLength(4);
  });

  it('runs as a command', async () => {
    const env = { ...process.env, PATCHWARDEN_URL: app.url, PATCHWARDEN_API_KEY: app.key };
    const { stdout, stderr } = await run(process.execPath, [cli, 'triage', 'export', '--format', 'csv', '--priority', 'P1,P2,P3', '--limit', '4'], { env });

    expect(parse(stdout)).toHaveLength(5);
    expect(stderr).toContain('exported 4 findings');
  });

  it('stops quietly when the reader closes the pipe', async () => {
    const env = { ...process.env, PATCHWARDEN_URL: app.url, PATCHWARDEN_API_KEY: app.key };
    const { stdout, stderr } = await run('sh', ['-c', `"${process.execPath}" "${cli}" triage export --format csv | head -2`], { env });

    expect(stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(stderr).not.toContain('EPIPE');
  });

  it('rejects an unknown format', async () => {
    const env = { ...process.env, PATCHWARDEN_URL: app.url, PATCHWARDEN_API_KEY: app.key };
    const failure = await run(process.execPath, [cli, 'triage', 'export', '--format', 'xlsx'], { env }).catch((error: { code: number; stderr: string }) => error);

    expect((failure as { code: number }).code).not.toBe(0);
    expect((failure as { stderr: string }).stderr).toContain('csv, md');
  });
});
