/**
 * Database connection for both modes: a pg pool when `DATABASE_URL` is set, and
 * embedded PGlite under `.data/` otherwise. The rest of the engine uses one
 * `Database` with drizzle for typed queries, raw SQL, and a transaction that can
 * bulk-load with COPY on either driver.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { PGlite, type Transaction as PgliteTransaction, types as pgliteTypes } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

/** One transaction's handles; everything done through them commits or rolls back together. */
export interface Tx {
  db: Drizzle;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `COPY ... FROM STDIN` with rows in COPY text format; PGlite reads them as a blob. */
  copyFrom(statement: string, rows: Readable): Promise<void>;
}

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Drizzle;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

// `date` columns stay `YYYY-MM-DD` strings: a JS Date would shift them into the
// process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

// From source, migrations sit beside this file; `npm run build` compiles only the
// TypeScript into dist/, so the built file finds them in the source tree.
const migrationsFolder = [new URL('./migrations', import.meta.url), new URL('../../db/migrations', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((folder) => existsSync(folder)) ?? fileURLToPath(new URL('./migrations', import.meta.url));

export interface OpenDatabaseOptions {
  /** Postgres connection string; without it, PGlite under `dataDir`. */
  url?: string | undefined;
  /** PGlite data folder; default `.data/pglite`. */
  dataDir?: string;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url);
  return openPglite(options.dataDir ?? '.data/pglite');
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle pooled connection that the server ends (a restart, or an admin ending
  // sessions) emits 'error' on the pool, and with no listener that crashes the
  // process. The pool drops the connection and opens a new one on the next query.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') process.stderr.write(`postgres: idle connection failed: ${error.message}\n`);
  });
  const db = drizzlePg(pool, { schema }) as unknown as Drizzle;

  return {
    kind: 'postgres',
    db,
    async query(text, params = []) {
      const result = await pool.query(text, params);
      return result.rows;
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Tx = {
          db: drizzlePg(client, { schema }) as unknown as Drizzle,
          async query(text, params = []) {
            const result = await client.query(text, params);
            return result.rows;
          },
          async copyFrom(statement, rows) {
            await pipeline(rows, client.query(copyFromStdin(statement)));
          },
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async migrate() {
      await migratePg(drizzlePg(pool), { migrationsFolder });
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  // `date` columns stay `YYYY-MM-DD` strings here too, as the pg type parser above
  // keeps them, so both drivers return the same values.
  const client = await PGlite.create(dataDir, { parsers: { [pgliteTypes.DATE]: (value: string) => value } });
  const db = drizzlePglite({ client, schema }) as unknown as Drizzle;

  return {
    kind: 'pglite',
    db,
    async query(text, params = []) {
      const result = await client.query(text, params);
      return result.rows as never[];
    },
    async transaction(work) {
      // PGlite has one connection; its transaction() locks it exclusively, so
      // other callers in this process wait instead of joining the transaction.
      return client.transaction(async (raw: PgliteTransaction) => {
        const tx: Tx = {
          db: drizzlePglite({ client: raw as unknown as PGlite, schema }) as unknown as Drizzle,
          async query(text, params = []) {
            const result = await raw.query(text, params);
            return result.rows as never[];
          },
          async copyFrom(statement, rows) {
            const chunks: Buffer[] = [];
            for await (const chunk of rows) chunks.push(Buffer.from(chunk));
            const blob = new Blob(chunks.map((chunk) => new Uint8Array(chunk)));
            await raw.query(statement.replace(/FROM\s+STDIN/i, "FROM '/dev/blob'"), [], { blob });
          },
        };
        return work(tx);
      });
    },
    async migrate() {
      await migratePglite(drizzlePglite({ client }), { migrationsFolder });
    },
    async close() {
      await client.close();
    },
  };
}

/** Wraps an in-memory string as a COPY input stream. */
export function copyRows(text: string): Readable {
  return Readable.from([text]);
}
