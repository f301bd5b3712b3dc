/**
 * The local stack behind `patchwarden start`: Temporal (a dev server child unless
 * TEMPORAL_ADDRESS is set), the database with migrations, the worker and the API.
 * With embedded PGlite all of it runs in this one process, which owns the database.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Env } from '../config/env.js';
import type { Logger } from '../config/logger.js';
import { loadPolicy, type Policy } from '../config/policy.js';
import { openDatabase, type Database } from '../db/client.js';
import { ensureAdminKey } from '../db/keys.js';
import { createApp } from '../api/app.js';
import { temporalGateway } from '../api/workflow-gateway.js';
import { labIntegrations } from '../integrations/lab/adapters.js';
import { INSTALL_HINT, findTemporalCli } from './temporal-cli.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { describeIntelSchedule, syncIntelRefreshSchedule } from './intel-schedule.js';
import { createWorker, installRuntimeLogger } from './worker.js';

export interface StackOptions {
  env: Env;
  logger: Logger;
  runApi: boolean;
  runWorker: boolean;
  /** Prints a line for the operator (URLs, the generated admin key). */
  print?: (line: string) => void;
}

export interface Stack {
  database: Database;
  policy: Policy;
  temporalAddress: string;
  apiUrl: string | null;
  adminKey: string;
  stop(): Promise<void>;
}

async function startLocalTemporal(env: Env, logger: Logger): Promise<Pick<DevServer, 'address' | 'stop'>> {
  const common = {
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT,
    dbFilename: join(env.PATCHWARDEN_DATA_DIR, 'temporal.db'),
    namespace: env.TEMPORAL_NAMESPACE,
  };

  const cliPath = findTemporalCli();
  if (cliPath) return startDevServer({ ...common, cliPath, logger });

  if (env.PATCHWARDEN_TEMPORAL_DOWNLOAD !== '1') throw new Error(`The Temporal CLI was not found. ${INSTALL_HINT}`);

  // Opt-in only: the SDK downloads the CLI into its cache, which needs internet access.
  logger.info('downloading the Temporal CLI through the SDK (PATCHWARDEN_TEMPORAL_DOWNLOAD=1)');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const { SEARCH_ATTRIBUTES } = await import('../workflows/definitions.js');
  const local = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: common.port,
      ui: true,
      uiPort: common.uiPort,
      dbFilename: common.dbFilename,
      namespace: common.namespace,
      searchAttributes: [...SEARCH_ATTRIBUTES],
    },
  });
  return { address: local.address, stop: () => local.teardown() };
}

/** Returns the admin key from the environment, else `<data>/admin.key`, else a new one written there (mode 0600). */
function adminKeyFor(env: Env, print: (line: string) => void): string {
  if (env.PATCHWARDEN_ADMIN_KEY) return env.PATCHWARDEN_ADMIN_KEY;

  const file = join(env.PATCHWARDEN_DATA_DIR, 'admin.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();

  const key = `pwk_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  print(`Generated the admin API key (shown once; also saved to ${resolve(file)}, mode 0600):`);
  print(`  ${key}`);
  return key;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { env, logger } = options;
  const print = options.print ?? ((line: string) => logger.info(line));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error) => logger.error('shutdown step failed', { error: String(error) }));
    logger.info('stack stopped');
  };

  try {
    mkdirSync(env.PATCHWARDEN_DATA_DIR, { recursive: true });
    const policy = loadPolicy(env.PATCHWARDEN_POLICY);
    print(`Policy:        ${env.PATCHWARDEN_POLICY ? resolve(env.PATCHWARDEN_POLICY) : 'built-in defaults (set PATCHWARDEN_POLICY to use a file)'}`);

    let temporalAddress = env.TEMPORAL_ADDRESS;
    let devServer: Pick<DevServer, 'address' | 'stop'> | null = null;
    if (!temporalAddress) {
      const started = await startLocalTemporal(env, logger);
      devServer = started;
      stops.push(() => started.stop());
      temporalAddress = started.address;
    }

    const database = await openDatabase({ url: env.DATABASE_URL, dataDir: join(env.PATCHWARDEN_DATA_DIR, 'pglite') });
    stops.push(() => database.close());
    await database.migrate();
    logger.info('database ready', { kind: database.kind });

    const adminKey = adminKeyFor(env, print);
    await ensureAdminKey(database, adminKey);

    if (options.runWorker) {
      installRuntimeLogger(logger);
      const connection = await NativeConnection.connect({ address: temporalAddress });
      const integrations = labIntegrations(database, policy.lab);
      const worker: Worker = await createWorker({
        connection,
        namespace: env.TEMPORAL_NAMESPACE,
        database,
        policy,
        integrations,
        logger,
        nvdApiKey: env.NVD_API_KEY,
      });
      const running = worker.run();
      stops.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      });
      print('Integrations: lab (simulated fleet, no network calls); configure real adapters in the policy file when they exist.');
    }

    const clientConnection = await Connection.connect({ address: temporalAddress });
    stops.push(() => clientConnection.close());
    const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
    print(describeIntelSchedule(await syncIntelRefreshSchedule(client, policy)));

    let apiUrl: string | null = null;
    if (options.runApi) {
      const app = createApp({ database, workflows: temporalGateway(client), policy, logger });
      const server: Server = await new Promise((resolveServer, reject) => {
        const listening = app.listen(env.PORT, env.HOST, () => resolveServer(listening));
        listening.once('error', reject);
      });
      stops.push(() => new Promise<void>((done) => server.close(() => done())));
      apiUrl = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
    }

    print(`Temporal:      ${temporalAddress} (namespace ${env.TEMPORAL_NAMESPACE})`);
    if (devServer) print(`Temporal UI:   http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    if (apiUrl) print(`API:           ${apiUrl}  (health: ${apiUrl}/healthz)`);
    print(`Database:      ${database.kind === 'pglite' ? `embedded PGlite in ${resolve(env.PATCHWARDEN_DATA_DIR, 'pglite')}` : 'PostgreSQL (DATABASE_URL)'}`);

    return { database, policy, temporalAddress, apiUrl, adminKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
