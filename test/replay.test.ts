/**
 * Replays recorded histories against today's workflow code. A change that would
 * break a running workflow (a reordered activity, a removed timer) fails here and
 * must go through the SDK's patching API instead. Histories come from the
 * end-to-end run: `PATCHWARDEN_RECORD_HISTORIES=1 npx vitest run test/e2e.test.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from './temporal.js';

const folder = fileURLToPath(new URL('./histories/', import.meta.url));
const files = readdirSync(folder).filter((name) => name.endsWith('.json'));

describe('recorded histories', () => {
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('exist for every workflow type', () => {
    expect(files.sort()).toEqual(['emergency-patch.json', 'patch-exception.json', 'patch-ring.json', 'patch-rollout.json', 'quarantine.json']);
  });

  for (const file of files) {
    it(`replay ${file}`, async () => {
      // runReplayHistory converts the CLI's proto JSON itself.
      const history: unknown = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
    });
  }
});
