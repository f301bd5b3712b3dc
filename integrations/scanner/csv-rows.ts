/**
 * Streaming CSV reader for scanner exports, built on csv-parse. It decodes the
 * file as UTF-8, dropping a byte order mark and failing on invalid bytes with
 * their line. It finds the header row, checks that it names the columns the
 * format needs, and yields data rows one at a time with their line numbers.
 */

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { type Info, parse } from 'csv-parse';

import { ImportFormatError } from '../../domain/errors.js';
import type { ScannedHost, ScannedHostReport, ScannerFinding, ScannerProduct } from '../../domain/findings.js';
import type { ScanReadOptions, SourceLocation } from './finding-values.js';
import { HostFindingsCollector } from './host-findings.js';
import { XmlByteDecoder } from './xml-decode.js';

/** Column layout of one CSV format. */
export interface CsvLayout {
  /** Format name for error messages, such as "Nessus CSV". */
  formatName: string;
  /** Columns the header must name. */
  required: readonly string[];
  /** Rows allowed before the header row, such as the report title and company lines Qualys writes. Default 0. */
  maxRowsBeforeHeader?: number;
}

/** One data row. */
export interface CsvRow {
  /** 1-based line where the row starts. */
  line: number;
  location: SourceLocation;
  /** Returns the trimmed cell, or null when the header lacks the column or the cell is empty. */
  get(column: string): string | null;
  /** Returns the trimmed cell, and throws an ImportFormatError naming the row and column when it is empty. */
  required(column: string): string;
}

export interface ReadCsvOptions extends ScanReadOptions {
  layout: CsvLayout;
  /**
   * Called with the trimmed column names and the line once the header row is
   * found, before any data row. It throws to reject a header that the required
   * columns alone cannot judge.
   */
  onHeader?: (names: readonly string[], line: number) => void;
}

/** Bytes read to choose the delimiter, enough for any header row. */
const SNIFF_BYTES = 16_384;

/**
 * Reads a CSV export and yields its data rows. Rows whose cells are all empty
 * (the tail a spreadsheet leaves) are skipped. The delimiter is a comma, or a
 * semicolon when the first line contains more semicolons than commas (Tenable VM
 * exports in some locales).
 *
 * @throws ImportFormatError when the file is empty, or when no header row within
 *   `maxRowsBeforeHeader` names every required column (the message names the
 *   missing ones). Also when a row has a different number of fields than the
 *   header, or when the CSV is malformed (an unclosed quote) or not valid UTF-8.
 */
export async function* readCsvRows(path: string, options: ReadCsvOptions): AsyncGenerator<CsvRow> {
  const file = options.fileName ?? path;
  const { layout } = options;

  const source = Readable.from(decodedChunks(path, file));
  const parser = parse({ delimiter: await sniffDelimiter(path), info: true, relax_column_count: true, skip_empty_lines: true });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);

  const header = new HeaderFinder(file, layout);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const line = startLine(record, info);
      if (header.columns === null) {
        header.offer(record, line);
        if (header.columns !== null) options.onHeader?.(record.map((cell) => cell.trim()), line);
        continue;
      }
      if (record.every((cell) => cell.trim() === '')) continue;

      yield toRow(record, line, header, file);
    }
  } catch (error) {
    throw asFormatError(error, file);
  } finally {
    source.destroy();
  }

  header.finish();
}

async function* decodedChunks(path: string, file: string): AsyncGenerator<string> {
  const decoder = new XmlByteDecoder(file, false);
  for await (const chunk of createReadStream(path)) {
    const text = decoder.push(chunk as Buffer);
    if (text !== '') yield text;
  }

  const rest = decoder.end();
  if (rest !== '') yield rest;
}

async function sniffDelimiter(path: string): Promise<',' | ';'> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString('utf8').split('\n', 1)[0] ?? '';
    const count = (character: string): number => firstLine.split(character).length - 1;
    return count(';') > count(',') ? ';' : ',';
  } finally {
    await handle.close();
  }
}

/** csv-parse counts lines to the end of a record, so the start is found by subtracting the line breaks inside its fields. */
function startLine(record: string[], info: Info): number {
  const inner = record.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0);
  return info.lines - inner;
}

/** Finds the header row among the first rows and remembers the column positions. */
class HeaderFinder {
  columns: Map<string, number> | null = null;
  length = 0;
  private rowsSeen = 0;
  private best: { line: number; missing: string[] } | null = null;

  constructor(
    private readonly file: string,
    private readonly layout: CsvLayout,
  ) {}

  offer(record: string[], line: number): void {
    const names = record.map((cell) => cell.trim());
    const missing = this.layout.required.filter((column) => !names.includes(column));
    this.rowsSeen += 1;

    if (missing.length === 0) {
      const columns = new Map<string, number>();
      names.forEach((name, index) => {
        if (!columns.has(name)) columns.set(name, index);
      });
      this.columns = columns;
      this.length = names.length;
      return;
    }

    if (this.best === null || missing.length < this.best.missing.length) this.best = { line, missing };
    if (this.rowsSeen > (this.layout.maxRowsBeforeHeader ?? 0)) this.fail();
  }

  /** Raises the header error when the file ended before a header row was found. */
  finish(): void {
    if (this.columns === null) this.fail();
  }

  private fail(): never {
    if (this.best === null) {
      throw new ImportFormatError(this.file, 1, `the file is empty; expected a ${this.layout.formatName} header row`);
    }
    const missing = this.best.missing.map((column) => `"${column}"`).join(', ');
    throw new ImportFormatError(
      this.file,
      this.best.line,
      `the header row lacks the required columns ${missing}; this is not a ${this.layout.formatName} export`,
    );
  }
}

function toRow(record: string[], line: number, header: HeaderFinder, file: string): CsvRow {
  const columns = header.columns ?? new Map<string, number>();
  if (record.length !== header.length) {
    throw new ImportFormatError(file, line, `the row has ${record.length} fields, but the header has ${header.length}`);
  }

  const get = (column: string): string | null => {
    const index = columns.get(column);
    const value = index === undefined ? '' : (record[index] ?? '').trim();
    return value === '' ? null : value;
  };

  return {
    line,
    location: { file, line },
    get,
    required(column: string): string {
      const value = get(column);
      if (value === null) throw new ImportFormatError(file, line, `missing value in the required column "${column}"`);
      return value;
    },
  };
}

/** Wraps a csv-parse error (which carries the line in `lines`) in an ImportFormatError. */
function asFormatError(error: unknown, file: string): unknown {
  if (error instanceof ImportFormatError || !(error instanceof Error) || !('code' in error)) return error;
  if (typeof error.code !== 'string' || !error.code.startsWith('CSV_')) return error;

  const line = 'lines' in error && typeof error.lines === 'number' ? error.lines : null;
  return new ImportFormatError(file, line, `invalid CSV: ${error.message.replace(/ at line \d+/, '')}`);
}

/** Host and finding of one data row. The finding is null when the row reports a fixed finding. */
export interface CsvEntry {
  /** Identity of the host within the file; rows with the same key belong to one host. */
  hostKey: string;
  host: ScannedHost;
  finding: ScannerFinding | null;
}

/** A CSV format's parser, as `csvReportReader` builds it. */
export type CsvReportReader = (path: string, options?: ScanReadOptions) => AsyncGenerator<ScannedHostReport>;

/**
 * Builds the parser of one CSV format. The parser reads the file row by row and
 * yields one report per host at the end of the file, because CSV exports do not
 * group rows by host (see `HostFindingsCollector` for the memory this takes).
 * It throws ImportFormatError as `readCsvRows` does, and whatever `toEntry` throws.
 */
export function csvReportReader(layout: CsvLayout, scanner: ScannerProduct, toEntry: (row: CsvRow) => CsvEntry): CsvReportReader {
  return async function* readReports(path, options = {}) {
    const collector = new HostFindingsCollector();

    for await (const row of readCsvRows(path, { fileName: options.fileName ?? path, layout })) {
      const entry = toEntry(row);
      const findings = collector.addHost(entry.hostKey, entry.host);
      if (entry.finding !== null) findings.add(entry.finding);
    }

    yield* collector.reports(scanner);
  };
}
