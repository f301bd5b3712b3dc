/**
 * EPSS scores as PostgreSQL `COPY ... FROM STDIN` text, so the database layer
 * can pipe a day's file straight into that day's partition without holding it
 * in memory or inserting row by row.
 *
 * Rows are checked byte by byte and passed on in the buffers they were read
 * into. A row in the usual shape (`CVE-2024-12345;0.00043;0.11230`) only has
 * its two separators overwritten with tabs, so the conversion costs far less
 * than PostgreSQL's parsing of the same rows, and the two run on separate
 * cores. Any other row (spaces, an exponent, a CRLF ending, a byte order
 * mark, a blank line) goes through the full row parser, which either
 * normalises it or names the line and the fault.
 */

import { Readable } from 'node:stream';

import { ImportFormatError } from '../../domain/errors.js';
import type { EpssFileInfo } from '../../domain/intel.js';
import { type EpssReadOptions, isZlibError, openDecompressed, parseEpssRow, readEpssLayout } from './epss.js';

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
export interface EpssCopyOptions extends EpssReadOptions {
  /** Called with the rows so far each time another `PROGRESS_EVERY_ROWS` rows have been converted. */
  onProgress?: (rows: number) => void;
}

/** Rows between two progress calls. */
export const PROGRESS_EVERY_ROWS = 100_000;

export async function epssCopyStream(path: string, options: EpssCopyOptions = {}): Promise<EpssCopyStream> {
  const file = options.fileName ?? path;
  const layout = await readEpssLayout(path, options);
  const converter = new CopyRowConverter(file, layout.separator, layout.headerLine);

  async function* copyText(): AsyncGenerator<Buffer> {
    const input = await openDecompressed(path, { chunkSize: READ_CHUNK_BYTES });
    let carry: Buffer | null = null;
    try {
      for await (const chunk of input) {
        const data: Buffer = carry === null ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
        const lastNewline = data.lastIndexOf(NEWLINE);
        if (lastNewline < 0) {
          carry = data;
          continue;
        }
        carry = lastNewline + 1 < data.length ? data.subarray(lastNewline + 1) : null;
        const before = converter.rows;
        const text = converter.convert(data.subarray(0, lastNewline + 1));
        if (Math.floor(converter.rows / PROGRESS_EVERY_ROWS) > Math.floor(before / PROGRESS_EVERY_ROWS)) {
          options.onProgress?.(converter.rows);
        }
        if (text.length > 0) yield text;
      }
      if (carry !== null) {
        const text = converter.convert(carry);
        if (text.length > 0) yield Buffer.concat([text, Buffer.from('\n')]);
      }
    } catch (error) {
      if (isZlibError(error)) {
        throw new ImportFormatError(file, converter.lineNumber + 1, `invalid gzip data: ${error.message}`);
      }
      throw error;
    } finally {
      input.destroy();
    }

    if (converter.rows === 0) {
      throw new ImportFormatError(file, converter.lineNumber + 1, 'the file has a header but no score rows');
    }
  }
  const rows = Readable.from(copyText(), { objectMode: false });

  // 'close' follows 'end', an error, and destroy() alike, even when the
  // generator never started, so it is the one place that always settles count.
  const count = new Promise<number>((resolve, reject) => {
    rows.once('close', () => {
      if (rows.readableEnded) {
        resolve(converter.rows);
      } else {
        reject(rows.errored ?? new Error(`EPSS copy of ${file} stopped after ${converter.rows} rows because the rows stream was destroyed`));
      }
    });
  });
  // The same failure reaches the caller through `rows`. This handler keeps an
  // unawaited `count` from crashing the process with an unhandled rejection.
  count.catch(() => {});

  return { info: layout.info, rows, count };
}

/** Read size: large chunks mean fewer COPY messages and fewer loop turns per file. */
const READ_CHUNK_BYTES = 1 << 20;

const NEWLINE = 0x0a;
const TAB = 0x09;
const DOT = 0x2e;
const DASH = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
/** `CVE-1999-0001;0;0` */
const SHORTEST_ROW_BYTES = 17;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Turns whole lines of an EPSS file into COPY text, counting lines and rows as it goes. */
class CopyRowConverter {
  /** Lines seen so far, 1-based like the error messages. */
  lineNumber = 0;
  rows = 0;
  private readonly separatorByte: number;

  constructor(
    private readonly file: string,
    private readonly separator: ',' | ';',
    /** Lines up to this number are the model and header lines, already checked. */
    private readonly headerLine: number,
  ) {
    this.separatorByte = separator.charCodeAt(0);
  }

  /**
   * Converts `data`, a run of whole lines (the last one may lack its
   * newline), in place where it can. Returns the COPY text for those lines.
   */
  convert(data: Buffer): Buffer {
    const pieces: Buffer[] = [];
    // Start of the current run of rows that pass through unchanged but for tabs.
    let runStart = 0;
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(NEWLINE, start);
      if (end < 0) end = data.length;
      this.lineNumber += 1;

      if (this.lineNumber > this.headerLine && this.tabify(data, start, end)) {
        this.rows += 1;
      } else {
        if (start > runStart) pieces.push(data.subarray(runStart, start));
        if (this.lineNumber > this.headerLine) {
          const row = this.normalize(data.subarray(start, end));
          if (row !== null) pieces.push(row);
        }
        runStart = end + 1;
      }
      start = end + 1;
    }
    if (runStart < data.length) pieces.push(data.subarray(runStart));
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /**
   * Checks a row of the usual shape, `CVE-YYYY-NNNN` and two plain decimals
   * from 0 to 1, and writes tabs over its separators. Returns false, with the
   * bytes untouched, for anything else.
   */
  private tabify(bytes: Buffer, start: number, end: number): boolean {
    if (end - start < SHORTEST_ROW_BYTES) return false;
    if (bytes[start] !== 0x43 || bytes[start + 1] !== 0x56 || bytes[start + 2] !== 0x45 || bytes[start + 3] !== DASH) return false;
    for (let at = start + 4; at < start + 8; at += 1) {
      if (!isDigit(bytes[at]!)) return false;
    }
    if (bytes[start + 8] !== DASH) return false;

    let at = start + 9;
    while (at < end && isDigit(bytes[at]!)) at += 1;
    if (at - (start + 9) < 4 || bytes[at] !== this.separatorByte) return false;
    const first = at;

    at = endOfProbability(bytes, first + 1, end);
    if (at < 0 || at >= end || bytes[at] !== this.separatorByte) return false;
    const second = at;

    if (endOfProbability(bytes, second + 1, end) !== end) return false;
    bytes[first] = TAB;
    bytes[second] = TAB;
    return true;
  }

  /** Parses an unusual line with the full row parser. Returns null for a blank line. */
  private normalize(raw: Buffer): Buffer | null {
    let text: string;
    try {
      text = strictUtf8.decode(raw);
    } catch {
      throw new ImportFormatError(this.file, this.lineNumber, 'invalid UTF-8 byte sequence in the line; save the file as UTF-8 or ASCII');
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (this.lineNumber === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    if (text.trim() === '') return null;

    const score = parseEpssRow({ text, number: this.lineNumber }, this.separator, this.file);
    this.rows += 1;
    return Buffer.from(`${score.cve}\t${score.epss}\t${score.percentile}\n`);
  }
}

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_9;
}

/**
 * Returns the index after a plain decimal from 0 to 1 (`0`, `0.123`, `1`,
 * `1.000`) starting at `at`, or -1 when the bytes there are not one. Other
 * spellings of a valid number are left to the full parser.
 */
function endOfProbability(bytes: Buffer, at: number, end: number): number {
  const lead = bytes[at];
  if (lead !== DIGIT_0 && lead !== DIGIT_1) return -1;
  let next = at + 1;
  if (next < end && bytes[next] === DOT) {
    next += 1;
    while (next < end && isDigit(bytes[next]!)) {
      if (lead === DIGIT_1 && bytes[next] !== DIGIT_0) return -1;
      next += 1;
    }
  }
  return next;
}
