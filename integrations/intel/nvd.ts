/**
 * Parser for NVD CVE records in the CVE API 2.0 JSON shape. A file contains either
 * an API response (`{ resultsPerPage, ..., vulnerabilities: [{ cve }] }`) or one
 * bare `cve` object, as mirrors such as fkie-cad/nvd-json-data-feeds store
 * them. Fields the parser does not use (SSVC metrics, vendor comments, ...) are
 * ignored.
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { parseCpeName } from '../../domain/cpe-name.js';
import { ImportFormatError, InvalidCpeNameError } from '../../domain/errors.js';
import type { CpeConfiguration, CpeMatch, CvssMetric, CvssVersion, NvdRecord } from '../../domain/intel.js';
import {
  type JsonDocument,
  formatPath,
  isJsonObject,
  parseJsonDocument,
  readJsonDocument,
  recordIssueError,
  valueAt,
} from './json-input.js';

const langStringSchema = z.looseObject({ lang: z.string(), value: z.string() });

const cvssMetricSchema = z.looseObject({
  source: z.string(),
  type: z.string(),
  cvssData: z.looseObject({
    version: z.enum(['4.0', '3.1', '3.0', '2.0']),
    vectorString: z.string(),
    baseScore: z.number().min(0).max(10),
  }),
});

const metricsSchema = z.looseObject({
  cvssMetricV40: z.array(cvssMetricSchema).optional(),
  cvssMetricV31: z.array(cvssMetricSchema).optional(),
  cvssMetricV30: z.array(cvssMetricSchema).optional(),
  cvssMetricV2: z.array(cvssMetricSchema).optional(),
});

/** Schema of a CPE 2.3 formatted string that keeps the text and adds its attributes. A malformed string is an issue at its own path. */
const criteriaSchema = z.string().transform((text, context) => {
  try {
    return { text, name: parseCpeName(text) };
  } catch (error) {
    if (!(error instanceof InvalidCpeNameError)) throw error;
    context.addIssue({ code: 'custom', message: `"${text}" is not a CPE 2.3 formatted string: ${error.reason}`, input: text });
    return z.NEVER;
  }
});

const operatorSchema = z.enum(['AND', 'OR']);

const cpeMatchSchema = z.looseObject({
  vulnerable: z.boolean(),
  criteria: criteriaSchema,
  matchCriteriaId: z.string(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});

const configurationSchema = z.looseObject({
  // NVD leaves the operator out of a configuration with one node, where AND and
  // OR agree, so the parser stores OR for it.
  operator: operatorSchema.optional(),
  negate: z.boolean().optional(),
  nodes: z.array(
    z.looseObject({
      operator: operatorSchema,
      negate: z.boolean().optional(),
      cpeMatch: z.array(cpeMatchSchema),
    }),
  ),
});

const cveSchema = z.looseObject({
  id: z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected a CVE id such as CVE-2024-3400'),
  published: z.string(),
  lastModified: z.string(),
  vulnStatus: z.string(),
  descriptions: z.array(langStringSchema),
  metrics: metricsSchema.optional(),
  weaknesses: z.array(z.looseObject({ description: z.array(langStringSchema) })).optional(),
  references: z.array(z.looseObject({ url: z.string(), tags: z.array(z.string()).optional() })).optional(),
  cisaExploitAdd: z.iso.date().optional(),
  cisaActionDue: z.iso.date().optional(),
  configurations: z.array(configurationSchema).optional(),
});

type CveInput = z.infer<typeof cveSchema>;

/** CVSS versions from newest to oldest, the order `preferredCvss` tries them in. */
const VERSION_ORDER: readonly CvssVersion[] = ['4.0', '3.1', '3.0', '2.0'];

/** Weakness ids NVD uses for "not enough information" and "no fitting CWE". They name no CWE. */
const NON_CWE_WEAKNESSES = new Set(['NVD-CWE-noinfo', 'NVD-CWE-Other']);

export interface NvdReadOptions {
  /** File name used in error messages. Defaults to the path. Ignored for a folder. */
  fileName?: string;
}

/**
 * Reads NVD records from one JSON file, or from every `.json` file directly
 * inside a folder, in file-name order. Records keep their order within a file.
 *
 * @throws ImportFormatError when a file is not valid JSON, is neither an API
 *   response nor a `cve` object, or a record lacks a required field.
 */
export async function readNvdRecords(path: string, options: NvdReadOptions = {}): Promise<NvdRecord[]> {
  if (!(await stat(path)).isDirectory()) {
    return parseNvdDocument(await readJsonDocument(path, options.fileName ?? path));
  }

  const names = (await readdir(path)).filter((name) => name.toLowerCase().endsWith('.json')).sort();
  const records: NvdRecord[] = [];
  for (const name of names) {
    const file = join(path, name);
    records.push(...parseNvdDocument(await readJsonDocument(file, file)));
  }
  return records;
}

/**
 * Parses NVD JSON text that is already in memory, such as an upload.
 *
 * @throws ImportFormatError as `readNvdRecords` does.
 */
export function parseNvdRecords(text: string, file: string): NvdRecord[] {
  return parseNvdDocument(parseJsonDocument(text, file));
}

/**
 * Picks the CVSS metric to score a record with: the newest CVSS version
 * present, and within that version NVD's own `Primary` score before a CNA's
 * `Secondary` one. Returns null when the record has no CVSS metric.
 */
export function preferredCvss(record: NvdRecord): CvssMetric | null {
  for (const version of VERSION_ORDER) {
    const candidates = record.metrics.filter((metric) => metric.version === version);
    const chosen = candidates.find((metric) => metric.type === 'Primary') ?? candidates[0];
    if (chosen !== undefined) return chosen;
  }
  return null;
}

function parseNvdDocument(document: JsonDocument): NvdRecord[] {
  const { value } = document;
  if (isJsonObject(value) && Array.isArray(value['vulnerabilities'])) {
    return value['vulnerabilities'].map((item, index) => parseCve(document, valueAt(item, ['cve']), ['vulnerabilities', index, 'cve']));
  }
  if (isJsonObject(value) && typeof value['id'] === 'string') {
    return [parseCve(document, value, [])];
  }
  throw new ImportFormatError(
    document.file,
    1,
    'the file is neither an NVD CVE API 2.0 response (with a "vulnerabilities" array) nor a single CVE record (with an "id")',
  );
}

function parseCve(document: JsonDocument, input: unknown, at: readonly (string | number)[]): NvdRecord {
  if (input === undefined) {
    throw new ImportFormatError(document.file, null, `${formatPath(at.slice(0, -1))}: required field "cve" is missing`);
  }

  const result = cveSchema.safeParse(input);
  if (!result.success) {
    throw recordIssueError(document, input, at, result.error.issues[0], { rootName: 'cve', schemaName: 'NVD CVE schema' });
  }
  return toNvdRecord(result.data);
}

function toNvdRecord(cve: CveInput): NvdRecord {
  return {
    cve: cve.id,
    published: cve.published,
    lastModified: cve.lastModified,
    status: cve.vulnStatus,
    // NOTE: a record without an English description gets an empty string,
    // not the text of another language.
    description: cve.descriptions.find((text) => text.lang === 'en')?.value ?? '',
    metrics: toMetrics(cve.metrics),
    cwes: toCwes(cve.weaknesses ?? []),
    cisaExploitAdd: cve.cisaExploitAdd ?? null,
    cisaActionDue: cve.cisaActionDue ?? null,
    references: (cve.references ?? []).map((reference) => ({ url: reference.url, tags: reference.tags ?? [] })),
    configurations: toConfigurations(cve.configurations ?? []),
  };
}

function toConfigurations(configurations: NonNullable<CveInput['configurations']>): CpeConfiguration[] {
  return configurations.map((configuration) => ({
    operator: configuration.operator ?? 'OR',
    negate: configuration.negate ?? false,
    nodes: configuration.nodes.map((node) => ({
      operator: node.operator,
      negate: node.negate ?? false,
      matches: node.cpeMatch.map(toCpeMatch),
    })),
  }));
}

function toCpeMatch(match: z.infer<typeof cpeMatchSchema>): CpeMatch {
  return {
    vulnerable: match.vulnerable,
    criteria: match.criteria.text,
    matchCriteriaId: match.matchCriteriaId,
    cpe: match.criteria.name,
    range: {
      startIncluding: match.versionStartIncluding ?? null,
      startExcluding: match.versionStartExcluding ?? null,
      endIncluding: match.versionEndIncluding ?? null,
      endExcluding: match.versionEndExcluding ?? null,
    },
  };
}

function toMetrics(metrics: CveInput['metrics']): CvssMetric[] {
  if (metrics === undefined) return [];

  const lists = [metrics.cvssMetricV40, metrics.cvssMetricV31, metrics.cvssMetricV30, metrics.cvssMetricV2];
  return lists.flatMap((list) =>
    (list ?? []).map((metric) => ({
      version: metric.cvssData.version,
      baseScore: metric.cvssData.baseScore,
      vector: metric.cvssData.vectorString,
      source: metric.source,
      type: metric.type,
    })),
  );
}

/**
 * Collects the distinct CWE ids from every weakness source (NVD and CNAs), in
 * first-seen order. `NVD-CWE-noinfo` and `NVD-CWE-Other` are left out because
 * they are placeholders, not weaknesses a mapping or report could use.
 */
function toCwes(weaknesses: NonNullable<CveInput['weaknesses']>): string[] {
  const cwes = new Set<string>();
  for (const weakness of weaknesses) {
    for (const text of weakness.description) {
      if (text.lang === 'en' && !NON_CWE_WEAKNESSES.has(text.value)) cwes.add(text.value);
    }
  }
  return [...cwes];
}
