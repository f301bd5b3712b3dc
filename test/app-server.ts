/**
 * Starts the Express app on loopback for tests of read-only routes, which need
 * PostgreSQL but no Temporal server. A route that tries to start or update a
 * workflow fails loudly instead.
 */
import type { Server } from 'node:http';
import { createApp } from '../api/app.js';
import type { WorkflowGateway } from '../api/workflow-gateway.js';
import { createLogger } from '../config/logger.js';
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { createApiKey, type Role } from '../db/keys.js';
import { TestApi } from './http.js';

export interface TestAppServer {
  /** Client authenticated as a principal with the roles given to `startTestApp`. */
  api: TestApi;
  url: string;
  key: string;
  close(): Promise<void>;
}

const noTemporal: WorkflowGateway = {
  startEmergencyPatch: () => Promise.reject(new Error('this test runs without Temporal: no workflow can start')),
  addCves: () => Promise.reject(new Error('this test runs without Temporal: no update can be sent')),
  decideException: () => Promise.reject(new Error('this test runs without Temporal: no update can be sent')),
};

export async function startTestApp(database: Database, policy: Policy, roles: Role[] = ['soc_analyst']): Promise<TestAppServer> {
  const app = createApp({ database, workflows: noTemporal, policy, logger: createLogger({ silent: true }) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const { key } = await createApiKey(database, { principal: `tester-${port}`, roles, createdBy: 'test' });
  return {
    api: new TestApi(url, key),
    url,
    key,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
