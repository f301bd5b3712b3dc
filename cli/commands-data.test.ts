/**
 * The import commands as a user runs them, against the real API on loopback:
 * a rejected file does not stop the files after it, and the command still fails.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../config/policy.js';
import { startTestApp, type TestAppServer } from '../test/app-server.js';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { sharedDataPath } from '../test/shared-data.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../bin/patchwarden.mjs', import.meta.url));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('import commands', () => {
  let testDb: TestDatabase;
  let app: TestAppServer;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    app = await startTestApp(testDb.database, parsePolicy({}));
  });

  afterAll(async () => {
    await app?.close();
    await testDb?.drop();
  });

  async function patchwarden(args: string[], url = app.url): Promise<CliRun> {
    const env = { ...process.env, PATCHWARDEN_URL: url, PATCHWARDEN_API_KEY: app.key };
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('imports the files after a rejected one', async () => {
    // The OSV folder contains 13 .json files. osv-schema.json is the record format's
    // JSON Schema, not a record, and sorts before osv_scanner_many_findings.json.
    const result = await patchwarden(['intel', 'import', '--osv', sharedDataPath('osv')]);

    expect(result.code).toBe(1);
    expect(result.stdout.match(/^imported osv /gm)).toHaveLength(12);
    expect(result.stdout).toContain('osv_scanner_many_findings.json');
    expect(result.stderr).toContain(`not imported: ${sharedDataPath('osv', 'osv-schema.json')}`);
    expect(result.stderr).toContain('12 of 13 files imported');
  });

  it('says which subfolders it skips', async () => {
    const result = await patchwarden(['intel', 'import', '--nvd', sharedDataPath('intel', 'nvd')]);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`skipped folder ${sharedDataPath('intel', 'nvd', 'fkie-cad')}`);
    expect(result.stdout.match(/^imported nvd /gm)).toHaveLength(4);
  });

  it('names a missing file and imports the rest', async () => {
    const result = await patchwarden(['findings', 'import', '/nonexistent/scan.nessus', sharedDataPath('scanners/nessus/ruby-nessus_example_v2.nessus')]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/nonexistent/scan.nessus: file not found');
    expect(result.stdout).toMatch(/^imported findings ruby-nessus_example_v2.nessus/m);
  });

  it('stops at once when the API does not answer', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });

    const result = await patchwarden(
      ['findings', 'import', sharedDataPath('scanners/nessus/ruby-nessus_example_v2.nessus'), sharedDataPath('scanners/nessus/dd_nessus_v_unknown.nessus')],
      `http://127.0.0.1:${closedPort}`,
    );

    expect(result.code).toBe(1);
    expect(result.stderr.match(/Cannot reach the Patchwarden API/g)).toHaveLength(1);
    expect(result.stderr).not.toContain('not imported');
  });
});
