/**
 * Detects a scanner export's format from the first bytes of its content, so an
 * upload reaches the right parser regardless of its file name. Each format is a
 * row of `FORMAT_RULES`, and a new format needs only a new row. XML formats are
 * recognized by their root element, CSV formats by the columns of their header
 * row (the columns each parser requires).
 */

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

import { parse as parseCsv } from 'csv-parse/sync';

import { ImportFormatError } from '../../domain/errors.js';
import type { CsvLayout } from './csv-rows.js';
import { NESSUS_CSV_LAYOUT } from './nessus-csv.js';
import { OPENVAS_CSV_LAYOUT } from './openvas-csv.js';
import { QUALYS_CSV_LAYOUT } from './qualys-csv.js';
import { QUALYS_VMDR_CSV_LAYOUT } from './qualys-vmdr-csv.js';
import { TENABLE_SC_CSV_LAYOUT } from './tenable-sc-csv.js';
import { TENABLE_VM_CSV_LAYOUT } from './tenable-vm-csv.js';
import { TENABLE_WAS_CSV_LAYOUT } from './tenable-was-csv.js';

/** Formats the engine has a parser for, or `unknown`. */
export type ScannerFormat =
  | 'nessus-v2'
  | 'nessus-csv'
  | 'tenable-sc-csv'
  | 'tenable-vm-csv'
  | 'tenable-was-xml'
  | 'tenable-was-csv'
  | 'qualys-vm-xml'
  | 'qualys-scan-xml'
  | 'qualys-was-xml'
  | 'qualys-csv'
  | 'qualys-vmdr-csv'
  | 'openvas-xml'
  | 'openvas-csv'
  | 'nexpose-xml'
  | 'unknown';

/** Bytes read from the start of a file, enough for the prolog of every format in the table. */
export const DETECT_HEAD_BYTES = 8192;

/** Start of a file, as the format rules test it. */
export interface FileHead {
  /** The first bytes decoded as latin1, so no byte sequence can fail to decode. */
  text: string;
  /** Name of the first element after the XML prolog, or null when the head contains none. */
  rootElement: string | null;
  /** 1-based line of that element's start tag. */
  rootLine: number | null;
  /** The head's first lines, each parsed as one CSV row with trimmed cells, or null where a line is not one. */
  csvLines: (string[] | null)[];
}

/** A format the rule recognizes, or the reason a recognized but unsupported format is rejected. */
type FormatRule =
  | { matches: (head: FileHead) => boolean; format: Exclude<ScannerFormat, 'unknown'> }
  | { matches: (head: FileHead) => boolean; reject: string };

const LEGACY_NESSUS_REASON =
  'this is a Nessus v1 report (root element <NessusClientData>), which is not supported; export the scan from Nessus again as a .nessus v2 file';

/** The Greenbone report format id of its XML export, written on the root `report` element. */
const GREENBONE_XML_FORMAT_ID = 'a994b278-1f62-11e1-96ac-406186ea4fc5';

/** Lines of the head parsed as CSV, enough for the longest preamble a CSV layout allows. */
const CSV_HEAD_LINES = 21;

/** Rules checked in order. The first match wins. */
const FORMAT_RULES: readonly FormatRule[] = [
  { matches: (head) => head.rootElement === 'NessusClientData_v2' && isTenableWas(head.text), format: 'tenable-was-xml' },
  { matches: (head) => head.rootElement === 'NessusClientData_v2', format: 'nessus-v2' },
  { matches: (head) => head.rootElement === 'NessusClientData', reject: LEGACY_NESSUS_REASON },
  { matches: (head) => head.rootElement === 'ASSET_DATA_REPORT', format: 'qualys-vm-xml' },
  { matches: (head) => head.rootElement === 'SCAN', format: 'qualys-scan-xml' },
  { matches: (head) => head.rootElement === 'WAS_SCAN_REPORT', format: 'qualys-was-xml' },
  { matches: isGreenboneXml, format: 'openvas-xml' },
  { matches: (head) => head.rootElement === 'NexposeReport', format: 'nexpose-xml' },
  // The WAS layout names every column of the Nessus one plus CVSSv3, so it is tested first.
  { matches: (head) => hasCsvHeader(head, TENABLE_WAS_CSV_LAYOUT), format: 'tenable-was-csv' },
  { matches: (head) => hasCsvHeader(head, NESSUS_CSV_LAYOUT), format: 'nessus-csv' },
  { matches: (head) => hasCsvHeader(head, TENABLE_SC_CSV_LAYOUT), format: 'tenable-sc-csv' },
  { matches: (head) => hasCsvHeader(head, TENABLE_VM_CSV_LAYOUT), format: 'tenable-vm-csv' },
  { matches: (head) => hasCsvHeader(head, QUALYS_VMDR_CSV_LAYOUT), format: 'qualys-vmdr-csv' },
  { matches: (head) => hasCsvHeader(head, QUALYS_CSV_LAYOUT), format: 'qualys-csv' },
  { matches: (head) => hasCsvHeader(head, OPENVAS_CSV_LAYOUT), format: 'openvas-csv' },
];

/**
 * Recognizes a Tenable WAS export: a Nessus v2 file whose report is typed
 * `was` and whose hosts are web applications. Both marks follow the Policy section.
 */
function isTenableWas(text: string): boolean {
  return /<Report\b[^>]*\btype="was"/.test(text) || /<tag name="system-type">web_application<\/tag>/.test(text);
}

/** Recognizes a Greenbone XML report, or a GMP response around one, by its report format id or its GMP version element. */
function isGreenboneXml(head: FileHead): boolean {
  if (head.rootElement === 'get_reports_response') return /<report\b/.test(head.text);
  return head.rootElement === 'report' && (head.text.includes(GREENBONE_XML_FORMAT_ID) || /<(?:gmp|omp)>/.test(head.text));
}

function hasCsvHeader(head: FileHead, layout: CsvLayout): boolean {
  const lines = head.csvLines.slice(0, (layout.maxRowsBeforeHeader ?? 0) + 1);
  return lines.some((cells) => cells !== null && layout.required.every((column) => cells.includes(column)));
}

export interface DetectOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/**
 * Detects the format of a scanner file from its first `DETECT_HEAD_BYTES`
 * bytes. For a Nessus v2 file whose Policy section fills them, it also reads
 * `DETECT_HEAD_BYTES` from the start of the `Report` element, where a Tenable
 * WAS export shows that it is one.
 *
 * @throws ImportFormatError for a recognized format that is not supported
 *   (Nessus v1), naming the line of its root element.
 */
export async function detectScannerFormat(path: string, options: DetectOptions = {}): Promise<ScannerFormat> {
  const handle = await open(path, 'r');
  let head: FileHead;
  try {
    const buffer = Buffer.alloc(DETECT_HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, DETECT_HEAD_BYTES, 0);
    head = readHead(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }

  // A Nessus Policy section often outgrows the head, and the Tenable WAS marks come after it.
  if (head.rootElement === 'NessusClientData_v2' && !/<Report[\s>]/.test(head.text)) {
    head = headOfText(head.text + (await readFromMarker(path, '<Report', DETECT_HEAD_BYTES)));
  }
  return classify(head, options.fileName ?? path);
}

/**
 * Detects the format from bytes already in memory (the start of an upload).
 *
 * NOTE: unlike `detectScannerFormat`, this reads only the bytes given, so a
 * Tenable WAS export whose Policy section fills them is taken for Nessus v2.
 *
 * @throws ImportFormatError as `detectScannerFormat` does.
 */
export function detectScannerFormatFromHead(bytes: Uint8Array, file: string): ScannerFormat {
  return classify(readHead(bytes), file);
}

function classify(head: FileHead, file: string): ScannerFormat {
  for (const rule of FORMAT_RULES) {
    if (!rule.matches(head)) continue;
    if ('reject' in rule) {
      throw new ImportFormatError(file, head.rootLine, rule.reject);
    }
    return rule.format;
  }
  return 'unknown';
}

/** Builds the error a parser raises when it meets a Nessus v1 root element. */
export function legacyNessusError(file: string, line: number | null): ImportFormatError {
  return new ImportFormatError(file, line, LEGACY_NESSUS_REASON);
}

function readHead(bytes: Uint8Array): FileHead {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // A UTF-8 byte order mark reads as these three latin1 characters.
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  return headOfText(text);
}

function headOfText(text: string): FileHead {
  const root = findRootElement(text);
  // Parsed on first use: the XML rules come first and decide most files without it.
  let csvLines: (string[] | null)[] | undefined;
  return {
    text,
    rootElement: root?.name ?? null,
    rootLine: root === null ? null : text.slice(0, root.offset).split('\n').length,
    get csvLines() {
      csvLines ??= text.split('\n', CSV_HEAD_LINES).map(parseCsvLine);
      return csvLines;
    },
  };
}

/** Parses one physical line as a CSV row, comma or semicolon separated, or returns null when it is not a complete row. */
function parseCsvLine(line: string): string[] | null {
  const delimiter = line.split(';').length > line.split(',').length ? ';' : ',';
  try {
    const [cells] = parseCsv(line.replace(/\r$/, ''), { delimiter, relax_column_count: true }) as string[][];
    return cells?.map((cell) => cell.trim()) ?? null;
  } catch {
    return null;
  }
}

/**
 * Returns up to `length` bytes (as latin1) from the first occurrence of
 * `marker`, reading the file as a stream so that memory stays at one chunk
 * whatever comes before. Empty when the marker does not occur. The search runs
 * on the raw bytes, so the megabytes of a Nessus policy before the marker are
 * never decoded.
 */
async function readFromMarker(path: string, marker: string, length: number): Promise<string> {
  const needle = Buffer.from(marker, 'latin1');
  let carry: Buffer = Buffer.alloc(0);
  let found: Buffer[] | null = null;
  let foundBytes = 0;

  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (found === null) {
      // The marker may straddle two chunks, so the end of the last one is searched again.
      const window = carry.length === 0 ? (chunk as Buffer) : Buffer.concat([carry, chunk as Buffer]);
      const at = window.indexOf(needle);
      if (at === -1) {
        carry = window.subarray(Math.max(0, window.length - (needle.length - 1)));
        continue;
      }
      found = [window.subarray(at)];
      foundBytes = window.length - at;
    } else {
      found.push(chunk as Buffer);
      foundBytes += (chunk as Buffer).length;
    }
    if (foundBytes >= length) break;
  }
  return found === null ? '' : Buffer.concat(found).subarray(0, length).toString('latin1');
}

/**
 * Skips the XML prolog (declaration, processing instructions, comments, a
 * DOCTYPE with or without an internal subset, whitespace) and returns the first
 * start tag's name and offset.
 */
function findRootElement(text: string): { name: string; offset: number } | null {
  let at = 0;
  while (at < text.length) {
    const next = text.slice(at);
    const space = /^\s+/.exec(next);
    if (space !== null) {
      at += space[0].length;
      continue;
    }

    const skipped = prologItemLength(next);
    if (skipped === null) return null;
    if (skipped > 0) {
      at += skipped;
      continue;
    }

    const tag = /^<([A-Za-z_][\w.:-]*)/.exec(next);
    return tag?.[1] === undefined ? null : { name: tag[1], offset: at };
  }
  return null;
}

/** Length of the prolog item at the start of `text`, 0 when none starts there, null when it is cut off. */
function prologItemLength(text: string): number | null {
  const endOf = (terminator: string): number | null => {
    const end = text.indexOf(terminator);
    return end === -1 ? null : end + terminator.length;
  };

  if (text.startsWith('<?')) return endOf('?>');
  if (text.startsWith('<!--')) return endOf('-->');
  if (text.startsWith('<!DOCTYPE')) {
    // An internal subset contains declarations ending in '>', so the DOCTYPE ends at ']>'.
    const hasSubset = /^<!DOCTYPE[^[>]*\[/.test(text);
    const end = hasSubset ? /\]\s*>/.exec(text) : /^[^>]*>/.exec(text);
    return end === null ? null : end.index + end[0].length;
  }
  return 0;
}
