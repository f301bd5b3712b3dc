/**
 * Paths to the real input files that tests read but the repository does not
 * contain, because they are too large or their licence forbids copying them
 * into `test/fixtures/`.
 */

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Resolves a path inside the shared data folder: `PATCHWARDEN_SHARED_DATA`
 * when set (a relative value counts from the repository root), else
 * `../shared/data` next to the repository.
 */
export function sharedDataPath(...segments: string[]): string {
  const base = resolve(repoRoot, process.env.PATCHWARDEN_SHARED_DATA ?? '../shared/data');
  return resolve(base, ...segments);
}

/** Resolves a path inside `test/fixtures/`. */
export function fixturePath(...segments: string[]): string {
  return resolve(repoRoot, 'test', 'fixtures', ...segments);
}
