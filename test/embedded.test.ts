/**
 * Embedded mode as a new user runs it: `patchwarden start` with no DATABASE_URL
 * (PGlite under the data folder), then the CLI for one import and one incident,
 * which must reach `completed`. Ctrl-C (SIGINT) must stop every child process.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './dev-temporal.js';
import { sharedDataPath } from './shared-data.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../bin/patchwarden.mjs', import.meta.url));

describe('embedded stack', () => {
  let dataDir: string;
  let stack: ChildProcess;
  let output = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pw-embedded-'));
    const port = await freePort();
    env = {
      ...process.env,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      PATCHWARDEN_ADMIN_KEY: '',
      PATCHWARDEN_DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      PATCHWARDEN_URL: `http://127.0.0.1:${port}`,
    };
    // Unset, not empty: the CLI rejects an empty key rather than fall back to the admin key.
    delete env.PATCHWARDEN_API_KEY;
    stack = spawn(process.execPath, [cli, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    stack.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr?.on('data', () => undefined);

    const deadline = Date.now() + 120_000;
    while (!output.includes('Ready.')) {
      if (stack.exitCode !== null) throw new Error(`patchwarden start exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`patchwarden start was not ready in time:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(async () => {
    if (stack && stack.exitCode === null) stack.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const patchwarden = (...args: string[]) => run(process.execPath, [cli, ...args], { env, timeout: 60_000 });

  it('prints the URLs and writes the admin key with mode 0600', async () => {
    expect(output).toContain('Temporal UI:   http://127.0.0.1:');
    expect(output).toContain(`API:           ${env.PATCHWARDEN_URL}`);
    expect(output).toContain('embedded PGlite');

    const key = await stat(join(dataDir, 'admin.key'));
    expect(key.mode & 0o777).toBe(0o600);
  });

  it('says the intel refresh is off', () => {
    // The default policy names no feed, so start schedules no refresh and fetches nothing.
    expect(output).toContain('Intel refresh: off');
  });

  it('runs an import and an incident to completed', async () => {
    const imported = await patchwarden('findings', 'import', sharedDataPath('scanners/nessus/ruby-nessus_example_v2.nessus'));
    expect(imported.stdout).toContain('hosts=2');

    const created = await patchwarden('incidents', 'create', '--ticket', 'SMOKE-1', '--title', 'TLS renegotiation', '--cve', 'CVE-2009-3555');
    const { incidentId } = JSON.parse(created.stdout);

    let phase = '';
    const deadline = Date.now() + 60_000;
    while (phase !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      phase = JSON.parse((await patchwarden('incidents', 'show', incidentId)).stdout).phase;
    }
    expect(phase).toBe('completed');
  });

  it('stops every child on SIGINT', async () => {
    const temporalPid = await findTemporalPid(stack.pid!);
    stack.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => stack.once('exit', resolve));

    expect(code).toBe(0);
    expect(temporalPid).not.toBeNull();
    expect(isAlive(temporalPid!)).toBe(false);
  });
});

/** Finds the `temporal server start-dev` child of the stack (tsx's esbuild service is a child too). */
async function findTemporalPid(parent: number): Promise<number | null> {
  const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(parent)]);
  const line = stdout.split('\n').find((entry) => entry.includes('server start-dev'));
  return line ? Number(line.trim().split(/\s+/)[0]) : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
