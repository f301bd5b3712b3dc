import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '../test/postgres.js';
import { type Database, openDatabase } from './client.js';

// Routes print what the driver returns, so both drivers must return a date as
// text, not as a JS Date that prints as "Fri Mar 25 2022 00:00:00 GMT+0000".
describe('date columns', () => {
  let scratch: string;
  let pglite: Database;
  let postgres: TestDatabase;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pw-client-'));
    pglite = await openDatabase({ dataDir: join(scratch, 'pglite') });
    postgres = await createTestDatabase();
  });

  afterAll(async () => {
    await pglite?.close();
    await postgres?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('reads as YYYY-MM-DD on PGlite', async () => {
    const [row] = await pglite.query<{ day: unknown }>(`SELECT '2022-03-25'::date AS day`);

    expect(row?.day).toBe('2022-03-25');
  });

  it('reads as YYYY-MM-DD on PostgreSQL', async () => {
    const [row] = await postgres.database.query<{ day: unknown }>(`SELECT '2022-03-25'::date AS day`);

    expect(row?.day).toBe('2022-03-25');
  });
});
