/**
 * EPSS scores as PostgreSQL `COPY ... FROM STDIN` text, so the database layer
 * can pipe a day's file straight into that day's partition without holding it
 * in memory or inserting row by row.
 */

import { Readable } from 'node:stream';

import type { EpssFileInfo, EpssScore } from '../../domain/intel.js';
import { type EpssReadOptions, readEpssFileInfo, readEpssScores } from './epss.js';

/** A started EPSS copy: the file's header facts, its rows as COPY text and the final row count. */
export interface EpssCopyStream {
  /** Known before any row is read, so the caller can pick the partition for `scoreDate` first. */
  info: EpssFileInfo;
  /**
   * Rows in COPY text format, one `cve\tepss\tpercentile\n` line each, in file
   * order, for `COPY t (cve, epss, percentile) FROM STDIN`. The stream is
   * destroyed with an `ImportFormatError` at the first bad row. Rows before it
   * have been sent by then, so run the COPY in a transaction.
   */
  rows: Readable;
  /**
   * Number of rows written, resolved when `rows` has ended. It rejects with the
   * error that `rows` failed or was destroyed with. A consumer that stops
   * reading early destroys `rows` with an `AbortError`, and a plain `destroy()`
   * before the end of the file rejects with an `Error` naming that cause.
   */
  count: Promise<number>;
}

/**
 * Reads an EPSS file's header facts, then returns its rows as a COPY text
 * stream. Accepts the same layouts and options as `readEpssScores`.
 *
 * @throws ImportFormatError when the file is empty or its first lines match
 *   neither layout. Later format errors arrive on `rows` and `count`.
 */
export async function epssCopyStream(path: string, options: EpssReadOptions = {}): Promise<EpssCopyStream> {
  const info = await readEpssFileInfo(path, options);
  let written = 0;

  async function* copyText(): AsyncGenerator<string> {
    for await (const batch of readEpssScores(path, options)) {
      yield formatCopyRows(batch);
      written += batch.length;
    }
  }
  const rows = Readable.from(copyText(), { objectMode: false });

  // 'close' follows 'end', an error, and destroy() alike, even when the
  // generator never started, so it is the one place that always settles count.
  const count = new Promise<number>((resolve, reject) => {
    rows.once('close', () => {
      if (rows.readableEnded) {
        resolve(written);
      } else {
        reject(rows.errored ?? new Error(`EPSS copy of ${options.fileName ?? path} stopped after ${written} rows because the rows stream was destroyed`));
      }
    });
  });
  // The same failure reaches the caller through `rows`. This handler keeps an
  // unawaited `count` from crashing the process with an unhandled rejection.
  count.catch(() => {});

  return { info, rows, count };
}

/**
 * Formats scores as COPY text lines. CVE ids are validated by the parser and
 * numbers print without tabs, backslashes or newlines, so no escaping is needed.
 */
export function formatCopyRows(scores: readonly EpssScore[]): string {
  let text = '';
  for (const score of scores) {
    text += `${score.cve}\t${score.epss}\t${score.percentile}\n`;
  }
  return text;
}
