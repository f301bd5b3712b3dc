/**
 * The `assets` commands: parsing of `key=value` arguments, and the commands run
 * as a user runs them, against the real API on loopback with assets from a real
 * Nessus scan.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import { startTestApp, type TestAppServer } from '../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { fixturePath, sharedDataPath } from '../test/shared-data.js';
import { CliError } from './api-client.js';
import { parseTagArguments } from './commands-assets.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../bin/patchwarden.mjs', import.meta.url));

describe('parseTagArguments', () => {
  it('reads key=value pairs', () => {
    expect(parseTagArguments(['criticality=1', 'exposure=internet-facing', 'owner=team-web'])).toEqual({
      criticality: '1',
      exposure: 'internet-facing',
      owner: 'team-web',
    });
  });

  it('removes a tag with an empty value', () => {
    expect(parseTagArguments(['owner=', 'site= '])).toEqual({ owner: null, site: null });
  });

  it('splits at the first equals sign', () => {
    expect(parseTagArguments(['maintenanceWindow=day=Sat'])).toEqual({ maintenanceWindow: 'day=Sat' });
  });

  it('rejects an argument without a key', () => {
    expect(() => parseTagArguments(['criticality'])).toThrow(CliError);
    expect(() => parseTagArguments(['=1'])).toThrow('is not key=value');
  });

  it('rejects a key given twice', () => {
    expect(() => parseTagArguments(['owner=a', 'owner=b'])).toThrow('given twice');
  });
});

describe('assets commands', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const policy = parsePolicy({});
    const file = sharedDataPath('scanners/nessus/ruby-nessus_example_v2.nessus');
    await importFile(testDb.database, 'findings', { path: file, fileName: 'scan.nessus', importedBy: 'tester' }, createLogger({ silent: true }), policy);
    app = await startTestApp(testDb.database, policy, ['patch_operator']);
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  function patchwarden(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    const env = { ...process.env, PATCHWARDEN_URL: app.url, PATCHWARDEN_API_KEY: app.key };
    return run(process.execPath, [cli, ...args], { env });
  }

  async function failureOf(...args: string[]): Promise<string> {
    const failure = await patchwarden(...args).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).not.toBe(0);
    return (failure as { stderr: string }).stderr;
  }

  it('tags an asset named by IP address', async () => {
    const { stdout } = await patchwarden('assets', 'tag', '64.13.134.52', 'criticality=1', 'exposure=internet-facing', 'owner=team-web');
    const [row] = await testDb.database.query<{ tags: Record<string, unknown> }>(`SELECT tags FROM assets WHERE ip = '64.13.134.52'`);

    expect(row?.tags).toEqual({ criticality: 1, exposure: 'internet-facing', owner: 'team-web' });
    expect(stdout).toContain('tagged scanme.insecure.org');
    expect(stdout).toContain('criticality: (none) -> 1');
    expect(stdout).toMatch(/rescored \d+ open findings/);
  });

  it('removes a tag with key=', async () => {
    const { stdout } = await patchwarden('assets', 'tag', 'scanme.insecure.org', 'owner=');
    const [row] = await testDb.database.query<{ tags: Record<string, unknown> }>(`SELECT tags FROM assets WHERE ip = '64.13.134.52'`);

    expect(row?.tags).toEqual({ criticality: 1, exposure: 'internet-facing' });
    expect(stdout).toContain('owner: team-web -> (removed)');
  });

  it('shows the field the API rejected', async () => {
    const stderr = await failureOf('assets', 'tag', 'snorby.org', 'criticality=5');

    expect(stderr).toContain('400');
    expect(stderr).toContain('criticality');
  });

  it('says when no asset matches', async () => {
    const stderr = await failureOf('assets', 'show', 'web99.example.internal');

    expect(stderr).toContain('No asset has the id, host name, FQDN or IP address "web99.example.internal"');
  });

  it('says when several assets match', async () => {
    await testDb.database.query(`INSERT INTO assets (id, hostname, ip) VALUES ('asset-twin', 'snorby.org', '10.9.9.9')`);

    const stderr = await failureOf('assets', 'tag', 'snorby.org', 'owner=team-ids');
    await testDb.database.query(`DELETE FROM assets WHERE id = 'asset-twin'`);

    expect(stderr).toContain('"snorby.org" matches 2 assets');
    expect(stderr).toContain('asset-twin (snorby.org, 10.9.9.9)');
  });

  it('shows an asset by id', async () => {
    const [row] = await testDb.database.query<{ id: string }>(`SELECT id FROM assets WHERE hostname = 'snorby.org'`);

    const { stdout } = await patchwarden('assets', 'show', row!.id);

    expect(JSON.parse(stdout).hostname).toBe('snorby.org');
  });

  it('lists assets by tag', async () => {
    const { stdout, stderr } = await patchwarden('assets', 'list', '--tag', 'criticality:1');

    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('scanme.insecure.org');
    expect(stderr).toContain('listed 1 assets');
  });

  it('imports a CMDB file', async () => {
    const { stdout } = await patchwarden('assets', 'import', fixturePath('cmdb/asset-tags.csv'));

    expect(stdout).toContain('imported assets asset-tags.csv:');
    expect(stdout).toContain('assetsMatched=2');
    expect(stdout).toContain('line 2: no asset matches fqdn "testphp.vulnweb.com"');
  });
});
