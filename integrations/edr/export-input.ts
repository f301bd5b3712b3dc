/**
 * Shared steps of the EDR export parsers. They read a JSON document or JSON
 * lines into records, and timestamps in the forms the vendors write. They find
 * technique ids in id fields and in free text, and build errors that name the
 * record and the field.
 */

import { TECHNIQUE_ID } from '../../domain/attack.js';
import { ImportFormatError } from '../../domain/errors.js';
import { formatPath, isJsonObject, parseJsonDocument } from '../intel/json-input.js';
import type { EdrVendor, TechniqueDetection } from '../../domain/detections.js';
import type { DetectionExport, EdrExportFormat } from './types.js';

/** One record of an export: an event, an alert or a log line. */
export interface EdrRecord {
  value: Record<string, unknown>;
  /** Position of the record, for messages: `[3]`, `value[0]`, `[2].log` or `line 4`. */
  where: string;
  /** 1-based line, known for JSON lines only. */
  line: number | null;
}

export interface EdrDocument {
  /** The file as the user named it. */
  file: string;
  /** The parsed top-level value, or null for JSON lines. */
  root: unknown;
  records: EdrRecord[];
}

/**
 * Reads an export as JSON lines (one object per line, as SIEM exports and the
 * Falcon Data Replicator write) or as one JSON document. A document's records
 * are the elements of a top-level array, of an API response's `value` (Microsoft
 * OData) or `resources` (CrowdStrike), or the top-level object itself. An element
 * that wraps its event as `{ log_types, log }`, as Panther's rule tests store
 * vendor events, stands for its `log`.
 *
 * @throws ImportFormatError for an empty file, invalid JSON (with its line), or a
 *   record that is not a JSON object.
 */
export function parseEdrDocument(text: string, file: string): EdrDocument {
  const lines = parseJsonLines(text, file);
  if (lines !== null) return { file, root: null, records: lines };

  const { value } = parseJsonDocument(text, file);
  return { file, root: value, records: topLevelRecords(value, file) };
}

/** Returns the records of a JSON lines file, or null when the text is not one. */
function parseJsonLines(text: string, file: string): EdrRecord[] | null {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const filled = lines.map((line, index) => ({ text: line.trim(), line: index + 1 })).filter((line) => line.text !== '');
  if (filled.length < 2 || !startsWithObject(filled[0]!.text)) return null;

  return filled.map(({ text: lineText, line }) => {
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (error) {
      throw new ImportFormatError(file, line, `invalid JSON on this line of a JSON lines file: ${(error as Error).message}`);
    }
    if (!isJsonObject(value)) throw new ImportFormatError(file, line, `expected a JSON object on each line, found ${describeType(value)}`);
    return unwrapLog({ value, where: `line ${line}`, line });
  });
}

/** True when the line is a whole JSON object, so a pretty-printed document (first line `{`) is not taken for JSON lines. */
function startsWithObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    return isJsonObject(JSON.parse(line));
  } catch {
    return false;
  }
}

function topLevelRecords(root: unknown, file: string): EdrRecord[] {
  if (Array.isArray(root)) return elementRecords(root, [], file);
  if (!isJsonObject(root)) {
    throw new ImportFormatError(file, null, `(root): expected a JSON array or object of detections, found ${describeType(root)}`);
  }
  if (Array.isArray(root.value)) return elementRecords(root.value, ['value'], file);
  if (Array.isArray(root.resources)) return elementRecords(root.resources, ['resources'], file);
  return [unwrapLog({ value: root, where: '(root)', line: null })];
}

function elementRecords(elements: unknown[], path: string[], file: string): EdrRecord[] {
  return elements.map((value, index) => {
    const where = formatPath([...path, index]);
    if (!isJsonObject(value)) throw new ImportFormatError(file, null, `${where}: expected a JSON object, found ${describeType(value)}`);
    return unwrapLog({ value, where, line: null });
  });
}

function unwrapLog(record: EdrRecord): EdrRecord {
  const { log, log_types: logTypes } = record.value;
  if (!isJsonObject(log) || !Array.isArray(logTypes)) return record;
  return { ...record, value: log, where: `${record.where}.log` };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Builds the error for a record, naming it and the field (a path below the record, or null for the record itself). */
export function recordError(document: EdrDocument, record: EdrRecord, field: string | null, reason: string): ImportFormatError {
  const at = field === null ? record.where : `${record.where}.${field}`;
  return new ImportFormatError(document.file, record.line, `${at}: ${reason}`);
}

/** Values vendors write for "no value". */
const ABSENT = new Set(['', 'n/a', 'na', '-', 'null']);

/** Returns a string or number field as trimmed text, or null when it is missing, empty or `N/A`. */
export function presentText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;

  const text = value.trim();
  return ABSENT.has(text.toLowerCase()) ? null : text;
}

/** Returns the field as an object, or an empty one when it is missing or not an object. */
export function objectField(value: unknown): Record<string, unknown> {
  return isJsonObject(value) ? value : {};
}

/**
 * `YYYY-MM-DD`, `T` or a space, `HH:MM:SS`, an optional fraction of any length
 * (Panther and Falcon write nanoseconds) and an optional zone.
 */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch values above this are milliseconds: as seconds they would fall after the year 5000. */
const EPOCH_MS_FLOOR = 1e11;

/**
 * Parses a detection time: epoch seconds or milliseconds as a number or digit
 * string, or a timestamp as `TIMESTAMP` describes. A timestamp without a zone is
 * UTC, because the Falcon and Panther exports write UTC without saying so.
 * Returns null for anything else.
 */
export function parseVendorTime(value: unknown): Date | null {
  const epoch = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof epoch === 'number') {
    if (!Number.isFinite(epoch) || epoch < 0) return null;
    return new Date(epoch >= EPOCH_MS_FLOOR ? epoch : epoch * 1000);
  }
  if (typeof value !== 'string') return null;

  const match = TIMESTAMP.exec(value.trim());
  if (match === null) return null;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const millis = fraction.slice(0, 3).padEnd(3, '0');
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const parsed = new Date(`${date}T${time}.${millis}${offset}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * Returns the first of `candidates` that contains a readable time.
 *
 * @throws ImportFormatError naming the first candidate when none is present, or
 *   the first present one when it cannot be read.
 */
export function requiredTime(document: EdrDocument, record: EdrRecord, candidates: readonly [field: string, value: unknown][]): Date {
  const present = candidates.find(([, value]) => presentText(value) !== null);
  if (present === undefined) {
    const names = candidates.map(([field]) => field).join(' or ');
    throw recordError(document, record, null, `the detection has no time: expected ${names}`);
  }

  const [field, value] = present;
  const time = parseVendorTime(value);
  if (time === null) {
    throw recordError(document, record, field, `invalid time ${JSON.stringify(value)}: expected ISO 8601, "YYYY-MM-DD HH:MM:SS" or epoch seconds or milliseconds`);
  }
  return time;
}

/**
 * Returns the first present text among `candidates`.
 *
 * @throws ImportFormatError naming the candidates when none is present.
 */
export function requiredText(document: EdrDocument, record: EdrRecord, candidates: readonly [field: string, value: unknown][]): string {
  for (const [, value] of candidates) {
    const text = presentText(value);
    if (text !== null) return text;
  }
  const names = candidates.map(([field]) => field).join(' or ');
  throw recordError(document, record, null, `required field ${names} is missing`);
}

/** Technique ids in parentheses, as Defender XDR writes them: `Regsvr32 (T1218.010)`. */
const ID_IN_PARENTHESES = /\((T\d{4}(?:\.\d{3})?)\)/g;

/** Technique ids of one detection, and the names it gave without an id. */
export class TechniqueTally {
  readonly ids = new Set<string>();
  namesWithoutId = 0;

  constructor(
    private readonly document: EdrDocument,
    private readonly record: EdrRecord,
  ) {}

  /**
   * Adds the value of a field that contains only an id (`TechniqueId`,
   * `mitreTechniques[]`). A missing, empty or `N/A` value adds nothing.
   *
   * @throws ImportFormatError when the value is present but not a technique id.
   */
  addId(field: string, value: unknown): void {
    const text = presentText(value);
    if (text === null) return;
    if (!TECHNIQUE_ID.test(text)) {
      throw recordError(this.document, this.record, field, `invalid ATT&CK technique id ${JSON.stringify(text)}: expected an id such as T1059 or T1059.001`);
    }
    this.ids.add(text);
  }

  /**
   * Adds a field that contains an id, a name with ids in parentheses, or a name
   * alone. A name alone counts in `namesWithoutId`.
   */
  addText(value: unknown): void {
    const text = presentText(value);
    if (text === null) return;
    if (TECHNIQUE_ID.test(text)) {
      this.ids.add(text);
      return;
    }

    const ids = [...text.matchAll(ID_IN_PARENTHESES)].map((match) => match[1]!);
    for (const id of ids) this.ids.add(id);
    if (ids.length === 0) this.namesWithoutId += 1;
  }

  /** Adds an id field, or the name field beside it when the id is absent. */
  addPair(idField: string, id: unknown, name: unknown): void {
    if (presentText(id) !== null) this.addId(idField, id);
    else this.addText(name);
  }
}

/** A detection as one record gives it, before records of the same detection are merged. */
export type DetectionFields = Omit<TechniqueDetection, 'vendor' | 'techniqueIds'> & { techniques: TechniqueTally };

/**
 * Collects an export's detections. Each record parser returns the detection it
 * found, or null for a record that is not a detection.
 */
export function collectDetections(
  document: EdrDocument,
  format: Exclude<EdrExportFormat, 'empty'>,
  vendor: EdrVendor,
  readRecord: (record: EdrRecord) => DetectionFields | null,
): DetectionExport {
  const detections: TechniqueDetection[] = [];
  let skipped = 0;
  let namesWithoutId = 0;

  for (const record of document.records) {
    const fields = readRecord(record);
    if (fields === null) {
      skipped += 1;
      continue;
    }

    const { techniques, ...detection } = fields;
    namesWithoutId += techniques.namesWithoutId;
    detections.push({ vendor, ...detection, techniqueIds: [...techniques.ids].sort() });
  }

  return { format, events: document.records.length, detections, skipped, namesWithoutId };
}
