/**
 * Runs `temporal server start-dev` as a child process, with Patchwarden's search
 * attributes registered at start, and waits until its frontend responds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import type { Logger } from '../config/logger.js';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions.js';

export interface DevServerOptions {
  cliPath: string;
  /** gRPC port of the frontend. */
  port: number;
  /** Web UI port; null runs headless. */
  uiPort: number | null;
  /** SQLite file that persists workflows across restarts; null keeps them in memory. */
  dbFilename: string | null;
  namespace: string;
  logger: Logger;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const SEARCH_ATTRIBUTE_TYPES: Record<string, string> = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  INT: 'Int',
};

export function devServerArgs(options: Omit<DevServerOptions, 'cliPath' | 'logger'>): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'warn'];
  if (options.uiPort === null) args.push('--headless');
  else args.push('--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort));
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_TYPES[key.type]}`);
  return args;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const child = spawn(options.cliPath, devServerArgs(options), { stdio: ['ignore', 'ignore', 'pipe'] });

  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 250))]);
    if (early !== 'running') {
      throw new Error(`temporal dev server exited with code ${early} before it was ready: ${stderr.trim()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(`temporal dev server did not respond on ${address} within 60 s (timed out): ${(error as Error).message}`);
      }
    }
  }
  options.logger.info('temporal dev server ready', { address, uiPort: options.uiPort, dbFilename: options.dbFilename });

  return {
    address,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
