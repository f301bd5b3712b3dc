/**
 * Parser for the CTID attack_to_cve mappings CSV (`Att&ckToCveMappings.csv` in
 * center-for-threat-informed-defense/attack_to_cve). Each row names a CVE in
 * `CVE ID` and lists ATT&CK technique ids in `Primary Impact`, `Secondary Impact`,
 * `Exploitation Technique` and `Uncategorized`, several to a cell separated by
 * `; `. Other columns (`Phase`) are ignored. The file is UTF-8 with a byte order
 * mark.
 *
 * The published file has typing slips in its cells: trailing periods
 * (`T1078.003.`), a period in place of a semicolon (`T1190. T1005`), doubled
 * spaces, and a few ids that are not ATT&CK ids (`T11190`, `TT1565`, `T828`). The
 * parser repairs the first three. It reports the others in `rejected` rather than
 * guessing what was meant.
 */

import { readFile } from 'node:fs/promises';

import { CsvError, type Info, parse } from 'csv-parse/sync';

import { type AttackMapping, type AttackMappingType, TECHNIQUE_ID } from '../../domain/attack.js';
import { ImportFormatError } from '../../domain/errors.js';

const CVE_ID_COLUMN = 'CVE ID';

/** Technique columns and the mapping type each one states. */
const TECHNIQUE_COLUMNS: readonly (readonly [string, AttackMappingType])[] = [
  ['Primary Impact', 'primary-impact'],
  ['Secondary Impact', 'secondary-impact'],
  ['Exploitation Technique', 'exploitation-technique'],
  ['Uncategorized', 'uncategorized'],
];

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** Separators inside a cell: a semicolon, or a period followed by white space. */
const CELL_SEPARATOR = /;|\.\s+/;

/** A cell value that is not an ATT&CK technique id. */
export interface RejectedTechnique {
  /** 1-based line of the row. */
  line: number;
  cve: string;
  column: string;
  value: string;
}

export interface CtidCsvResult {
  /** Data rows read. A CVE may appear on more than one row. */
  rows: number;
  /** One mapping per CVE, technique and mapping type, in file order. */
  mappings: AttackMapping[];
  rejected: RejectedTechnique[];
}

export interface CtidCsvReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/**
 * Reads the CSV file.
 *
 * @throws ImportFormatError as `parseCtidAttackToCveCsv` does, and for bytes that
 *   are not valid UTF-8.
 */
export async function readCtidAttackToCveCsv(path: string, options: CtidCsvReadOptions = {}): Promise<CtidCsvResult> {
  const file = options.fileName ?? path;
  const bytes = await readFile(path);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImportFormatError(file, null, 'the file is not valid UTF-8');
  }
  return parseCtidAttackToCveCsv(text, file);
}

/**
 * Parses CSV text that is already in memory, such as an upload. A leading byte
 * order mark and empty lines are skipped.
 *
 * @throws ImportFormatError for an empty file, a header without `CVE ID` or any
 *   technique column, malformed CSV (an unclosed quote, a row with a different
 *   number of fields), or a row whose `CVE ID` is not a CVE id.
 */
export function parseCtidAttackToCveCsv(text: string, file: string): CtidCsvResult {
  const records = parseRecords(text, file);
  const [header, ...dataRows] = records;
  if (header === undefined) throw new ImportFormatError(file, 1, 'the file is empty');

  const cveIndex = header.record.indexOf(CVE_ID_COLUMN);
  if (cveIndex === -1) {
    throw new ImportFormatError(file, header.line, `the header has no "${CVE_ID_COLUMN}" column, which the CTID attack_to_cve CSV starts with`);
  }
  const columns = TECHNIQUE_COLUMNS.map(([name, type]) => ({ name, type, index: header.record.indexOf(name) })).filter(
    (column) => column.index !== -1,
  );
  if (columns.length === 0) {
    const expected = TECHNIQUE_COLUMNS.map(([name]) => `"${name}"`).join(', ');
    throw new ImportFormatError(file, header.line, `the header names none of the technique columns ${expected}`);
  }

  const mappings: AttackMapping[] = [];
  const rejected: RejectedTechnique[] = [];
  const seen = new Set<string>();

  for (const { record, line } of dataRows) {
    const cve = (record[cveIndex] ?? '').trim();
    if (!CVE_ID.test(cve)) {
      throw new ImportFormatError(file, line, `"${CVE_ID_COLUMN}" is "${cve}", expected a CVE id such as CVE-2019-15243`);
    }

    for (const column of columns) {
      for (const value of splitTechniqueCell(record[column.index] ?? '')) {
        if (!TECHNIQUE_ID.test(value)) {
          rejected.push({ line, cve, column: column.name, value });
          continue;
        }

        // The same CVE can appear on two rows, so identical mappings are kept once.
        const key = `${cve}/${value}/${column.type}`;
        if (seen.has(key)) continue;
        seen.add(key);
        mappings.push({ cve, techniqueId: value, mappingType: column.type, source: 'ctid-attack-to-cve' });
      }
    }
  }

  return { rows: dataRows.length, mappings, rejected };
}

interface NumberedRecord {
  record: string[];
  /** 1-based line where the record ends. Every record of this file fits on one line. */
  line: number;
}

function parseRecords(text: string, file: string): NumberedRecord[] {
  try {
    // With `info: true` csv-parse returns `{ record, info }` objects, which its sync typings do not express.
    const output = parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as {
      record: string[];
      info: Info;
    }[];
    return output.map(({ record, info }) => ({ record, line: info.lines }));
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : null;
    throw new ImportFormatError(file, line, `invalid CSV: ${error.message}`);
  }
}

/** Splits a cell into technique ids, dropping white space and trailing periods. */
function splitTechniqueCell(cell: string): string[] {
  const values: string[] = [];
  for (const part of cell.split(CELL_SEPARATOR)) {
    const value = part.trim().replace(/\.+$/, '');
    if (value !== '') values.push(value);
  }
  return values;
}
