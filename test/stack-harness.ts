/**
 * In-process pieces of the stack for tests on the real dev server: a worker on the
 * `patchwarden` task queue over the lab fleet, and the API on a free loopback port.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApp } from '../api/app.js';
import { temporalGateway } from '../api/workflow-gateway.js';
import { createLogger } from '../config/logger.js';
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { labIntegrations } from '../integrations/lab/adapters.js';
import { createWorker, type WorkerDeps } from '../workers/worker.js';

const silent = createLogger({ silent: true });

export interface TestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/** Starts a worker in this process; `extra` overrides or adds worker dependencies. */
export async function startTestWorker(input: {
  address: string;
  database: Database;
  policy: Policy;
  extra?: Partial<WorkerDeps>;
}): Promise<TestWorker> {
  const connection = await NativeConnection.connect({ address: input.address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    database: input.database,
    policy: input.policy,
    integrations: labIntegrations(input.database, input.policy.lab),
    logger: silent,
    ...input.extra,
  });
  const running = worker.run();

  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export interface TestApiServer {
  client: Client;
  url: string;
  stop(): Promise<void>;
}

/** Starts the API with a Temporal client of its own on a free loopback port. */
export async function startTestApi(input: { address: string; database: Database; policy: Policy }): Promise<TestApiServer> {
  const connection = await Connection.connect({ address: input.address });
  const client = new Client({ connection });
  const app = createApp({ database: input.database, workflows: temporalGateway(client), policy: input.policy, logger: silent });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    client,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
