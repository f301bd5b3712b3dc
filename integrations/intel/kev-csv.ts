/**
 * Parser for the CISA Known Exploited Vulnerabilities catalog in its CSV form
 * (`known_exploited_vulnerabilities.csv` in cisagov/kev-data). The columns
 * carry the fields of the JSON entries, with `cwes` as one comma-separated
 * cell, and each row is checked against the same schema as a JSON entry.
 * Columns the parser does not know are ignored, so a new CISA column does not
 * break imports. The CSV states no catalog version or release time, so both
 * are null in the result.
 */

import { readFile } from 'node:fs/promises';

import { CsvError, parse } from 'csv-parse/sync';
import type { z } from 'zod';

import { ImportFormatError } from '../../domain/errors.js';
import type { KevCatalog, KevEntry } from '../../domain/intel.js';
import { describeIssue, describeWrongContent } from './json-input.js';
import { type KevReadOptions, kevEntrySchema, toKevEntry } from './kev.js';

/** Columns the JSON schema requires of every entry; the header must name each one. */
const REQUIRED_COLUMNS = [
  'cveID',
  'vendorProject',
  'product',
  'vulnerabilityName',
  'dateAdded',
  'shortDescription',
  'requiredAction',
  'dueDate',
] as const;

/** Columns the schema leaves optional. */
const OPTIONAL_COLUMNS = ['knownRansomwareCampaignUse', 'notes', 'cwes'] as const;

/** One parsed CSV record with the 1-based line it starts on. */
interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * Reads a KEV catalog CSV file.
 *
 * @throws ImportFormatError when the file is empty, the header (line 1) lacks
 *   a required column, the CSV is malformed, or a row has an invalid value.
 */
export async function readKevCsv(path: string, options: KevReadOptions = {}): Promise<KevCatalog> {
  const text = await readFile(path, 'utf8');
  return parseKevCsv(text, options.fileName ?? path);
}

/**
 * Parses KEV catalog CSV text that is already in memory.
 *
 * @throws ImportFormatError as `readKevCsv` does.
 */
export function parseKevCsv(text: string, file: string): KevCatalog {
  const wrong = describeWrongContent(text);
  if (wrong !== null) {
    throw new ImportFormatError(file, 1, `the file is ${wrong.what}, not a KEV catalog; ${wrong.hint}`);
  }
  expectKevHeader(text, file);

  const [header, ...rows] = parseRecords(text, file);
  if (header === undefined) {
    throw new ImportFormatError(file, 1, 'the file is empty');
  }

  const columns = columnIndexes(header, file);
  const entries = rows.map((row) => toEntry(row, columns, file));
  return { catalogVersion: null, dateReleased: null, entries };
}

function parseRecords(text: string, file: string): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number; raw: string | undefined } }[];
  try {
    // csv-parse's types do not model `info: true`, which wraps each record with its position.
    parsed = parse(text, { bom: true, info: true, raw: true, skip_empty_lines: true }) as unknown as typeof parsed;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines ?? null;
    throw new ImportFormatError(file, line, `invalid CSV: ${error.message}`);
  }

  // `info.lines` is the line a record ends on; a quoted cell may span lines.
  return parsed.map(({ record, info }) => ({
    line: info.lines - countLineBreaks(info.raw ?? ''),
    cells: record,
  }));
}

function countLineBreaks(raw: string): number {
  const trimmed = raw.replace(/\r?\n$/, '');
  return trimmed.split('\n').length - 1;
}

/**
 * Rejects a file whose first line names no KEV column, before the CSV parser
 * reads on. Another CSV, such as an EPSS file, would otherwise fail on its row
 * lengths, with a message that does not say it is not a KEV catalog. A header
 * with some KEV columns goes on to `columnIndexes`, which names the missing ones.
 */
function expectKevHeader(text: string, file: string): void {
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0]?.trim() ?? '';
  const names = new Set(firstLine.split(',').map((cell) => cell.trim().replace(/^"|"$/g, '')));
  if (firstLine === '' || REQUIRED_COLUMNS.some((column) => names.has(column))) return;

  const quoted = firstLine.length > 60 ? `${firstLine.slice(0, 60)}...` : firstLine;
  throw new ImportFormatError(
    file,
    1,
    `not a KEV catalog: the first line is "${quoted}", but a KEV CSV starts with the header ` +
      `${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(',')}, and the JSON form with "{"`,
  );
}

/** Maps each known column to its index, and rejects a header that lacks a required column. */
function columnIndexes(header: CsvRecord, file: string): Map<string, number> {
  const indexes = new Map<string, number>();
  header.cells.forEach((name, index) => {
    const column = name.trim();
    if (!indexes.has(column)) indexes.set(column, index);
  });

  const missing = REQUIRED_COLUMNS.filter((column) => !indexes.has(column));
  if (missing.length > 0) {
    throw new ImportFormatError(
      file,
      header.line,
      `the header lacks the KEV column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; ` +
        `a KEV CSV starts with the header ${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(',')}`,
    );
  }
  return indexes;
}

function toEntry(row: CsvRecord, columns: Map<string, number>, file: string): KevEntry {
  // Values stay as written (the JSON release keeps trailing spaces too); a blank cell counts as absent.
  const cell = (column: string): string | undefined => {
    const index = columns.get(column);
    const value = index === undefined ? undefined : row.cells[index];
    return value === undefined || value.trim() === '' ? undefined : value;
  };

  const input: Record<string, unknown> = {};
  for (const column of [...REQUIRED_COLUMNS, 'knownRansomwareCampaignUse', 'notes']) {
    input[column] = cell(column);
  }
  const cwes = cell('cwes');
  if (cwes !== undefined) input['cwes'] = splitList(cwes);

  const result = kevEntrySchema.safeParse(input);
  if (!result.success) {
    throw rowError(file, row, input, result.error.issues[0]);
  }
  return toKevEntry(result.data);
}

/** Splits `CWE-59, CWE-436` into its ids. */
function splitList(cell: string): string[] {
  return cell
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function rowError(file: string, row: CsvRecord, input: Record<string, unknown>, issue: z.core.$ZodIssue | undefined): ImportFormatError {
  const cve = typeof input['cveID'] === 'string' ? ` (${input['cveID']})` : '';
  const reason = issue === undefined ? 'the row does not match the KEV schema' : describeIssue(issue, input, 0);
  return new ImportFormatError(file, row.line, `row${cve}: ${reason}`);
}
