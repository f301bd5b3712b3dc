/**
 * Streaming parser for EPSS score files. Two layouts are read:
 *
 * - the official daily CSV from FIRST (`epss_scores-YYYY-MM-DD.csv.gz`): a
 *   `#model_version:...,score_date:...` comment line, the header
 *   `cve,epss,percentile`, then one row per CVE;
 * - a semicolon variant with neither comment nor header (`CVE-1999-0001;0.012;0.8`),
 *   as some mirrors of the EPSS API store it. Its score date comes from the
 *   caller or from a `YYYY-MM-DD` in the file name.
 *
 * Either may be gzip-compressed. The gzip magic bytes decide, not the file
 * name. Files are read line by line and scores are yielded in batches, so
 * memory use does not grow with the file.
 */

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { type Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { ImportFormatError } from '../../domain/errors.js';
import type { EpssFileInfo, EpssScore } from '../../domain/intel.js';

export interface EpssReadOptions {
  /** File name used in error messages and searched for a score date. Defaults to the path. */
  fileName?: string;
  /**
   * Score date, `YYYY-MM-DD`, for a file whose content does not state one. A
   * date in the official header line wins over this option.
   */
  scoreDate?: string;
  /** Rows per yielded batch. Defaults to 10,000. */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 10_000;
const OFFICIAL_HEADER = 'cve,epss,percentile';
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A non-blank line and its 1-based number in the (decompressed) file. */
export interface NumberedLine {
  text: string;
  number: number;
}

/** Layout facts found at the start of a file. */
export interface EpssLayout {
  info: EpssFileInfo;
  separator: ',' | ';';
  /** The first data line, already read while looking for the header, if any. */
  firstRow: NumberedLine | null;
  /** Number of the last line read that is not a row (0 when the rows start at once). */
  headerLine: number;
}

/**
 * Reads the header facts of an EPSS file without reading its rows.
 *
 * @throws ImportFormatError when the file is empty or starts with neither
 *   layout's first line.
 * @throws RangeError for an invalid `scoreDate` option.
 */
export async function readEpssFileInfo(path: string, options: EpssReadOptions = {}): Promise<EpssFileInfo> {
  return (await readEpssLayout(path, options)).info;
}

/**
 * Reads the first lines of an EPSS file and returns its layout: header facts,
 * separator and where the rows start. Throws as `readEpssFileInfo` does.
 */
export async function readEpssLayout(path: string, options: EpssReadOptions = {}): Promise<EpssLayout> {
  const batches = readLineBatches(path, fileNameOf(path, options));
  try {
    return await readLayout(new LineCursor(batches), fileNameOf(path, options), options);
  } finally {
    await batches.return(undefined);
  }
}

/**
 * Reads the scores of an EPSS file in batches of `batchSize` rows, in file order.
 *
 * @throws ImportFormatError for an empty file, a wrong header, a header without
 *   rows, a malformed CVE id, an epss or percentile value that is not a number
 *   in 0..1, a row with the wrong number of columns, or invalid gzip data. Rows
 *   before the bad line have already been yielded by then.
 * @throws RangeError for an invalid `batchSize` or `scoreDate` option.
 */
export async function* readEpssScores(path: string, options: EpssReadOptions = {}): AsyncGenerator<EpssScore[]> {
  const file = fileNameOf(path, options);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }

  const batches = readLineBatches(path, file);
  try {
    const cursor = new LineCursor(batches);
    const layout = await readLayout(cursor, file, options);
    let batch: EpssScore[] = [];
    let rowCount = 0;
    let lastLine = layout.headerLine;

    if (layout.firstRow !== null) {
      batch.push(parseEpssRow(layout.firstRow, layout.separator, file));
    }
    for await (const lines of cursor.remaining()) {
      for (const line of lines) {
        batch.push(parseEpssRow(line, layout.separator, file));
        lastLine = line.number;
        if (batch.length >= batchSize) {
          rowCount += batch.length;
          yield batch;
          batch = [];
        }
      }
    }

    rowCount += batch.length;
    if (rowCount === 0) {
      throw new ImportFormatError(file, lastLine + 1, 'the file has a header but no score rows');
    }
    if (batch.length > 0) yield batch;
  } finally {
    await batches.return(undefined);
  }
}

function fileNameOf(path: string, options: EpssReadOptions): string {
  return options.fileName ?? path;
}

/** Reads the first lines to decide the layout, consuming the model and header lines. */
async function readLayout(lines: LineCursor, file: string, options: EpssReadOptions): Promise<EpssLayout> {
  const fallbackDate = callerScoreDate(options) ?? dateInFileName(file);

  const first = await lines.next();
  if (first.done === true) {
    throw new ImportFormatError(file, 1, 'the file is empty; expected EPSS scores');
  }
  const line = first.value;

  if (line.text.startsWith('#')) {
    const comment = parseModelLine(line, file);
    const header = await lines.next();
    if (header.done === true) {
      throw new ImportFormatError(file, line.number + 1, `the header "${OFFICIAL_HEADER}" is missing after the model line`);
    }
    expectHeader(header.value, file);
    const info = { modelVersion: comment.modelVersion, scoreDate: comment.scoreDate ?? fallbackDate };
    return { info, separator: ',', firstRow: null, headerLine: header.value.number };
  }

  if (line.text.toLowerCase().startsWith('cve,')) {
    expectHeader(line, file);
    return { info: { modelVersion: null, scoreDate: fallbackDate }, separator: ',', firstRow: null, headerLine: line.number };
  }

  if (CVE_ID.test(line.text.split(';')[0] ?? '') && line.text.includes(';')) {
    return { info: { modelVersion: null, scoreDate: fallbackDate }, separator: ';', firstRow: line, headerLine: 0 };
  }

  throw new ImportFormatError(
    file,
    line.number,
    `unrecognized first line "${truncate(line.text)}"; expected "#model_version:...", the header "${OFFICIAL_HEADER}", or a row "CVE-YYYY-NNNN;epss;percentile"`,
  );
}

/** Parses `#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000`. */
function parseModelLine(line: NumberedLine, file: string): { modelVersion: string | null; scoreDate: string | null } {
  const fields = new Map<string, string>();
  for (const part of line.text.slice(1).split(',')) {
    const colon = part.indexOf(':');
    if (colon > 0) fields.set(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
  }

  const rawDate = fields.get('score_date');
  let scoreDate: string | null = null;
  if (rawDate !== undefined) {
    const day = rawDate.slice(0, 10);
    if (!isValidDate(day)) {
      throw new ImportFormatError(file, line.number, `invalid score_date "${rawDate}"; expected a date starting YYYY-MM-DD`);
    }
    scoreDate = day;
  }

  return { modelVersion: fields.get('model_version') || null, scoreDate };
}

function expectHeader(line: NumberedLine, file: string): void {
  const columns = line.text.split(',').map((column) => column.trim().toLowerCase());
  if (columns.join(',') !== OFFICIAL_HEADER) {
    throw new ImportFormatError(file, line.number, `wrong header "${truncate(line.text)}"; expected "${OFFICIAL_HEADER}"`);
  }
}

/**
 * Parses one score row, trimming spaces around fields.
 *
 * @throws ImportFormatError naming the line for a wrong column count, a
 *   malformed CVE id or a value that is not a number from 0 to 1.
 */
export function parseEpssRow(line: NumberedLine, separator: string, file: string): EpssScore {
  // indexOf rather than split and map: this runs once per row, 360,000 times for a full file.
  const text = line.text;
  const first = text.indexOf(separator);
  const second = first < 0 ? -1 : text.indexOf(separator, first + 1);
  if (first < 0 || second < 0 || text.indexOf(separator, second + 1) >= 0) {
    const found = text.split(separator).length;
    throw new ImportFormatError(file, line.number, `expected 3 columns separated by "${separator}", found ${found}`);
  }

  const cve = text.slice(0, first).trim();
  const epss = text.slice(first + 1, second).trim();
  const percentile = text.slice(second + 1).trim();
  if (!CVE_ID.test(cve)) {
    throw new ImportFormatError(file, line.number, `malformed CVE id "${truncate(cve)}"; expected CVE-YYYY-NNNN`);
  }

  return { cve, epss: parseProbability(epss, 'epss', line, file), percentile: parseProbability(percentile, 'percentile', line, file) };
}

function parseProbability(text: string, column: string, line: NumberedLine, file: string): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ImportFormatError(file, line.number, `invalid ${column} "${truncate(text)}"; expected a number from 0 to 1`);
  }
  return value;
}

function callerScoreDate(options: EpssReadOptions): string | null {
  if (options.scoreDate === undefined) return null;
  if (!isValidDate(options.scoreDate)) {
    throw new RangeError(`scoreDate must be a calendar date YYYY-MM-DD, got "${options.scoreDate}"`);
  }
  return options.scoreDate;
}

/** Finds the first valid `YYYY-MM-DD` in the file's base name, or returns null. */
function dateInFileName(file: string): string | null {
  for (const match of basename(file).matchAll(/\d{4}-\d{2}-\d{2}/g)) {
    if (isValidDate(match[0])) return match[0];
  }
  return null;
}

function isValidDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (match === null) return false;

  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/**
 * Yields the non-blank lines of a plain or gzip file, one array per chunk read,
 * so the per-line cost is a loop step rather than an await. A leading UTF-8 byte
 * order mark is dropped, CRLF endings are accepted, and zlib errors become
 * `ImportFormatError`s.
 */
async function* readLineBatches(path: string, file: string): AsyncGenerator<NumberedLine[]> {
  const input = await openDecompressed(path);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let number = 0;

  const split = (text: string, final: boolean): NumberedLine[] => {
    const parts = text.split('\n');
    carry = final ? '' : (parts.pop() ?? '');
    const lines: NumberedLine[] = [];
    for (const raw of parts) {
      number += 1;
      let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (number === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
      if (line.trim() !== '') lines.push({ text: line, number });
    }
    return lines;
  };

  try {
    // Stream iteration pauses the input between chunks, which keeps memory flat
    // however large the file is.
    for await (const chunk of input) {
      const lines = split(carry + decoder.write(chunk as Buffer), false);
      if (lines.length > 0) yield lines;
    }
    const tail = carry + decoder.end();
    if (tail !== '') yield split(tail, true);
  } catch (error) {
    if (isZlibError(error)) {
      throw new ImportFormatError(file, number + 1, `invalid gzip data: ${error.message}`);
    }
    throw error;
  } finally {
    input.destroy();
  }
}

/** Hands out single lines for the layout check, then the rest batch by batch. */
class LineCursor {
  private buffered: NumberedLine[] = [];

  constructor(private readonly batches: AsyncGenerator<NumberedLine[]>) {}

  async next(): Promise<IteratorResult<NumberedLine, undefined>> {
    while (this.buffered.length === 0) {
      const batch = await this.batches.next();
      if (batch.done === true) return { done: true, value: undefined };
      this.buffered = batch.value;
    }
    return { done: false, value: this.buffered.shift()! };
  }

  async *remaining(): AsyncGenerator<NumberedLine[]> {
    if (this.buffered.length > 0) yield this.buffered.splice(0);
    for await (const batch of this.batches) yield batch;
  }
}

/** Opens the file, inserting gunzip when it starts with the gzip magic bytes 1f 8b. */
export async function openDecompressed(path: string, options: { chunkSize?: number } = {}): Promise<Readable> {
  const handle = await open(path, 'r');
  let isGzip: boolean;
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    isGzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }

  const raw = createReadStream(path, options.chunkSize === undefined ? {} : { highWaterMark: options.chunkSize });
  if (!isGzip) return raw;

  // pipeline destroys the gunzip stream when the file stream fails, so readers
  // of the returned stream see read errors too.
  return pipeline(raw, createGunzip(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }), () => {});
}

export function isZlibError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('Z_');
}
