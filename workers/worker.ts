/**
 * Builds the Temporal worker for the `patchwarden` task queue: the bundled
 * workflows, the activities over the configured integrations, and the SDK's
 * logs routed to winston.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { Logger as SdkLogger } from '@temporalio/common';
import type { ActivityDeps } from '../activities/deps.js';
import { importFile } from '../api/import-service.js';
import { createIncident } from '../api/incident-service.js';
import { temporalGateway } from '../api/workflow-gateway.js';
import type { Logger } from '../config/logger.js';
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { createActivities } from '../activities/index.js';
import type { Integrations } from '../integrations/registry.js';
import { TASK_QUEUE } from '../workflows/definitions.js';

let runtimeInstalled = false;

/** Routes the SDK's own logs (worker, workflow and activity loggers) to winston, once per process. */
export function installRuntimeLogger(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;

  const levels: Record<LogLevel, 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'debug',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      logger.log(levels[entry.level], entry.message, entry.meta ?? {});
    }),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}

/** `workflows/index.ts` when running from source, `workflows/index.js` when built. */
export function workflowsPath(): string {
  const source = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL('../workflows/index.js', import.meta.url));
}

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  database: Database;
  policy: Policy;
  integrations: Integrations;
  logger: Logger;
  /** Overrides the task queue, for tests that share a server. */
  taskQueue?: string;
  /** NVD API key for the NVD sync; unset means NVD's lower rate limit. */
  nvdApiKey?: string | undefined;
}

/**
 * Routes webpack's bundling output to debug level: at info it is one multi-kilobyte
 * log line per start. Warnings and errors keep their level.
 */
function bundlerLogger(logger: Logger): SdkLogger {
  return {
    trace: () => undefined,
    debug: (message, meta) => logger.debug(message, meta ?? {}),
    info: (message, meta) => logger.debug(message, meta ?? {}),
    warn: (message, meta) => logger.warn(message, meta ?? {}),
    error: (message, meta) => logger.error(message, meta ?? {}),
    log: (level, message, meta) => logger.debug(`${level}: ${message}`, meta ?? {}),
  };
}

/**
 * Builds the activities' dependencies. The importer and the incident opener are
 * the API's services, so a refresh stores and audits exactly what an upload or
 * `POST /api/incidents` would.
 */
export function activityDeps(deps: WorkerDeps): ActivityDeps {
  const { database, policy, logger } = deps;
  // A client over the worker's own connection, like the one the SDK gives activities.
  const workflows = temporalGateway(new Client({ connection: deps.connection, namespace: deps.namespace }));

  return {
    database,
    policy,
    integrations: deps.integrations,
    logger,
    nvdApiKey: deps.nvdApiKey,
    importer: { importFile: (kind, request) => importFile(database, kind, request, logger, policy) },
    incidents: { openIncident: (request, requestedBy) => createIncident({ database, workflows, policy }, request, requestedBy) },
  };
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: bundlerLogger(deps.logger) });
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? TASK_QUEUE,
    workflowBundle,
    activities: createActivities(activityDeps(deps)),
    maxConcurrentActivityTaskExecutions: 20,
  });
}
