/**
 * Parser for advisories in the Open Source Vulnerability (OSV) format
 * (ossf/osv-schema, `validation/schema.json`). A file contains one OSV record, a
 * JSON array of records, or the JSON output of osv-scanner, which embeds full
 * records under `results[].packages[].vulnerabilities[]`. The schema requires
 * only `id` and `modified`; every other field gets a neutral default. Fields
 * the parser does not use are ignored.
 */

import { z } from 'zod';

import { ImportFormatError } from '../../domain/errors.js';
import type { OsvAdvisory, OsvAffected, OsvRangeEvent } from '../../domain/intel.js';
import { type JsonDocument, isJsonObject, parseJsonDocument, readJsonDocument, recordIssueError, valueAt } from './json-input.js';

const eventSchema = z.looseObject({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const affectedSchema = z.looseObject({
  package: z
    .looseObject({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() })
    .optional(),
  ranges: z
    .array(z.looseObject({ type: z.string(), repo: z.string().optional(), events: z.array(eventSchema).min(1) }))
    .optional(),
  versions: z.array(z.string()).optional(),
});

const recordSchema = z.looseObject({
  id: z.string().min(1),
  modified: z.string().min(1),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  summary: z.string().optional(),
  aliases: z.array(z.string()).nullish(),
  upstream: z.array(z.string()).optional(),
  severity: z.array(z.looseObject({ type: z.string(), score: z.string() })).nullish(),
  affected: z.array(affectedSchema).nullish(),
});

type RecordInput = z.infer<typeof recordSchema>;

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

export interface OsvReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/** Advisories of one file and how many records it held before duplicates were merged. */
export interface OsvFile {
  /** `record`, `array` or `osv-scanner`. */
  layout: 'record' | 'array' | 'osv-scanner';
  /** Records in the file, duplicates included (osv-scanner repeats a record per package). */
  records: number;
  /** Distinct advisories by id; for a repeated id, the record with the latest `modified` wins. */
  advisories: OsvAdvisory[];
}

/**
 * Reads OSV advisories from a file.
 *
 * @throws ImportFormatError when the file is not valid JSON, has none of the
 *   three layouts, or a record lacks `id` or `modified` or has an invalid field.
 */
export async function readOsvFile(path: string, options: OsvReadOptions = {}): Promise<OsvFile> {
  return parseOsvDocument(await readJsonDocument(path, options.fileName ?? path));
}

/**
 * Parses OSV JSON text that is already in memory.
 *
 * @throws ImportFormatError as `readOsvFile` does.
 */
export function parseOsvFile(text: string, file: string): OsvFile {
  return parseOsvDocument(parseJsonDocument(text, file));
}

function parseOsvDocument(document: JsonDocument): OsvFile {
  const { layout, located } = locateRecords(document);
  const advisories = new Map<string, OsvAdvisory>();

  for (const [input, at] of located) {
    const advisory = parseRecord(document, input, at);
    const known = advisories.get(advisory.id);
    if (known === undefined || Date.parse(advisory.modified) > Date.parse(known.modified)) {
      advisories.set(advisory.id, advisory);
    }
  }
  return { layout, records: located.length, advisories: [...advisories.values()] };
}

type Located = [unknown, (string | number)[]];

function locateRecords(document: JsonDocument): { layout: OsvFile['layout']; located: Located[] } {
  const { value } = document;
  if (Array.isArray(value)) {
    return { layout: 'array', located: value.map((item, index): Located => [item, [index]]) };
  }
  if (isJsonObject(value) && Array.isArray(value['results'])) {
    return { layout: 'osv-scanner', located: scannerRecords(value['results']) };
  }
  if (isJsonObject(value) && 'id' in value) {
    return { layout: 'record', located: [[value, []]] };
  }
  throw new ImportFormatError(
    document.file,
    1,
    'the file is neither an OSV record (with "id" and "modified"), a JSON array of them, nor osv-scanner JSON output (with "results")',
  );
}

/** Collects `results[i].packages[j].vulnerabilities[k]` with their paths. */
function scannerRecords(results: unknown[]): Located[] {
  const located: Located[] = [];
  results.forEach((result, i) => {
    const packages = valueAt(result, ['packages']);
    if (!Array.isArray(packages)) return;
    packages.forEach((entry, j) => {
      const vulnerabilities = valueAt(entry, ['vulnerabilities']);
      if (!Array.isArray(vulnerabilities)) return;
      vulnerabilities.forEach((record, k) => located.push([record, ['results', i, 'packages', j, 'vulnerabilities', k]]));
    });
  });
  return located;
}

function parseRecord(document: JsonDocument, input: unknown, at: (string | number)[]): OsvAdvisory {
  const result = recordSchema.safeParse(input);
  if (!result.success) {
    throw recordIssueError(document, input, at, result.error.issues[0], { rootName: 'record', schemaName: 'OSV schema' });
  }

  const record = result.data;
  const aliases = record.aliases ?? [];
  return {
    id: record.id,
    modified: record.modified,
    published: record.published ?? null,
    withdrawn: record.withdrawn ?? null,
    summary: record.summary ?? '',
    aliases,
    cves: cvesOf(record, aliases),
    affected: (record.affected ?? []).map(toAffected),
    severity: (record.severity ?? []).map(({ type, score }) => ({ type, score })),
  };
}

/**
 * CVE ids among the record's id, aliases and `upstream`. The schema's `related`
 * ids are left out, because they name different vulnerabilities.
 */
function cvesOf(record: RecordInput, aliases: string[]): string[] {
  const candidates = [record.id, ...aliases, ...(record.upstream ?? [])];
  return [...new Set(candidates.filter((id) => CVE_ID.test(id)))];
}

function toAffected(input: NonNullable<RecordInput['affected']>[number]): OsvAffected {
  return {
    ecosystem: input.package?.ecosystem ?? null,
    name: input.package?.name ?? null,
    purl: input.package?.purl ?? null,
    ranges: (input.ranges ?? []).map((range) => ({
      type: range.type,
      repo: range.repo ?? null,
      events: range.events.map(toEvent),
    })),
    versions: input.versions ?? [],
  };
}

function toEvent(input: z.infer<typeof eventSchema>): OsvRangeEvent {
  const event: OsvRangeEvent = {};
  if (input.introduced !== undefined) event.introduced = input.introduced;
  if (input.fixed !== undefined) event.fixed = input.fixed;
  if (input.last_affected !== undefined) event.lastAffected = input.last_affected;
  if (input.limit !== undefined) event.limit = input.limit;
  return event;
}
