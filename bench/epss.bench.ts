/**
 * EPSS ingest: the whole 360,142-row file through the real import (parse,
 * validate, COPY into a day partition, attach) against psql's `\copy` of the
 * same file into a bare table, in the same database and run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { sharedDataPath } from '../test/shared-data.js';
import { bestOf, withDatabase, type BenchResult } from './harness.js';

const run = promisify(execFile);

export async function benchEpss(): Promise<BenchResult> {
  const file = sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv');
  const logger = createLogger({ silent: true });

  return withDatabase(async ({ database, url }) => {
    await database.query('CREATE TABLE epss_bare (cve text, epss double precision, percentile double precision)');

    const baseline = await bestOf(3, async () => {
      await database.query('TRUNCATE epss_bare');
      await run('psql', [url, '-q', '-c', `\\copy epss_bare FROM '${file}' WITH (FORMAT csv, DELIMITER ';')`]);
    });
    const measured = await bestOf(3, () =>
      importFile(database, 'epss', { path: file, fileName: 'epss_fullset_2026-08-16.csv', importedBy: 'bench' }, logger),
    );

    const ratio = measured / baseline;
    return { name: 'EPSS ingest (360,142 rows)', ratioLabel: 'import / psql \\copy', measured, baseline, unit: 'ms', goal: '<= 1.5', met: ratio <= 1.5 };
  });
}
