/** A temporary folder per test file, for inputs a test writes itself. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Creates a folder before the file's tests and removes it after them. Returns
 * a function that writes a file into it and resolves to the file's path.
 */
export function scratchFiles(prefix: string): (name: string, content: string | Buffer) => Promise<string> {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  return async (name, content) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
}
