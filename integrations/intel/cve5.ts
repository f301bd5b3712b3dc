/**
 * Parser for CVE records in the CVE JSON 5 format (CVE Record Format 5.x), as
 * CVEProject/cvelistV5 and cisagov/vulnrichment publish them: one record per
 * file. It reads the CNA container and every ADP container. From CISA's ADP
 * container (Vulnrichment) it takes the SSVC decision points and the KEV
 * listing, which arrive as `metrics[].other` entries of type `ssvc` and `kev`.
 * Fields the parser does not use are ignored.
 */

import { z } from 'zod';

import { ImportFormatError } from '../../domain/errors.js';
import type { AdpKevReference, AdpSsvc, Cve5Metric, Cve5Record, CvssVersion } from '../../domain/intel.js';
import { type JsonDocument, describeIssue, formatPath, lineOfStringProperty, parseJsonDocument, readJsonDocument } from './json-input.js';

const cvssSchema = z.looseObject({
  baseScore: z.number().min(0).max(10),
  vectorString: z.string().min(1),
});

const otherSchema = z.looseObject({ type: z.string(), content: z.unknown() });

const metricSchema = z.looseObject({
  cvssV4_0: cvssSchema.optional(),
  cvssV3_1: cvssSchema.optional(),
  cvssV3_0: cvssSchema.optional(),
  cvssV2_0: cvssSchema.optional(),
  other: otherSchema.optional(),
});

const problemTypesSchema = z.array(
  z.looseObject({
    descriptions: z.array(z.looseObject({ lang: z.string(), description: z.string(), cweId: z.string().optional() })),
  }),
);

const providerSchema = z.looseObject({ orgId: z.string(), shortName: z.string().optional() });

const containerFields = {
  providerMetadata: providerSchema,
  descriptions: z.array(z.looseObject({ lang: z.string(), value: z.string() })).optional(),
  metrics: z.array(metricSchema).optional(),
  problemTypes: problemTypesSchema.optional(),
};

const recordSchema = z.looseObject({
  dataType: z.literal('CVE_RECORD'),
  cveMetadata: z.looseObject({
    cveId: z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected a CVE id such as CVE-2024-3400'),
    state: z.enum(['PUBLISHED', 'REJECTED']),
    datePublished: z.string().optional(),
    dateUpdated: z.string().optional(),
  }),
  containers: z.looseObject({
    cna: z.looseObject({
      ...containerFields,
      rejectedReasons: z.array(z.looseObject({ lang: z.string(), value: z.string() })).optional(),
    }),
    adp: z.array(z.looseObject({ ...containerFields })).optional(),
  }),
});

const ssvcContentSchema = z.looseObject({
  options: z.array(z.record(z.string(), z.string())),
  version: z.string().optional(),
  role: z.string().optional(),
  timestamp: z.string().optional(),
});

const kevContentSchema = z.looseObject({ dateAdded: z.string().optional(), reference: z.string().optional() });

type RecordInput = z.infer<typeof recordSchema>;
type ContainerInput = RecordInput['containers']['cna'];

/** Metric keys of CVE JSON 5 and the CVSS version each holds, newest first. */
const CVSS_KEYS: readonly (readonly ['cvssV4_0' | 'cvssV3_1' | 'cvssV3_0' | 'cvssV2_0', CvssVersion])[] = [
  ['cvssV4_0', '4.0'],
  ['cvssV3_1', '3.1'],
  ['cvssV3_0', '3.0'],
  ['cvssV2_0', '2.0'],
];

export interface Cve5ReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/**
 * Reads one CVE JSON 5 record from a file.
 *
 * @throws ImportFormatError when the file is not valid JSON, is not a CVE
 *   record (`dataType` `CVE_RECORD`), or a field the parser uses is invalid.
 */
export async function readCve5Record(path: string, options: Cve5ReadOptions = {}): Promise<Cve5Record> {
  return parseCve5Document(await readJsonDocument(path, options.fileName ?? path));
}

/**
 * Parses CVE JSON 5 text that is already in memory.
 *
 * @throws ImportFormatError as `readCve5Record` does.
 */
export function parseCve5Record(text: string, file: string): Cve5Record {
  return parseCve5Document(parseJsonDocument(text, file));
}

function parseCve5Document(document: JsonDocument): Cve5Record {
  const result = recordSchema.safeParse(document.value);
  if (!result.success) {
    throw issueError(document, document.value, [], result.error.issues[0]);
  }

  const input = result.data;
  const adp = input.containers.adp ?? [];
  const containers: [ContainerInput, 'cna' | 'adp', (string | number)[]][] = [
    [input.containers.cna, 'cna', ['containers', 'cna']],
    ...adp.map((container, index): [ContainerInput, 'adp', (string | number)[]] => [container, 'adp', ['containers', 'adp', index]]),
  ];

  return {
    cve: input.cveMetadata.cveId,
    state: input.cveMetadata.state,
    description: describe(input),
    datePublished: withUtcOffset(input.cveMetadata.datePublished),
    dateUpdated: withUtcOffset(input.cveMetadata.dateUpdated),
    metrics: containers.flatMap(([container, kind]) => toMetrics(container, kind)),
    cwes: toCwes(containers.map(([container]) => container)),
    ssvc: findOther(document, containers, 'ssvc', ssvcContentSchema, toSsvc),
    kev: findOther(document, containers, 'kev', kevContentSchema, toKev),
  };
}

/**
 * Appends `Z` to a timestamp without an offset, because the CVE JSON 5 schema's
 * `timestamp` definition assumes GMT when the offset is missing.
 */
function withUtcOffset(timestamp: string | undefined): string | null {
  if (timestamp === undefined) return null;
  return /(?:Z|[+-]\d{2}:?\d{2})$/i.test(timestamp) ? timestamp : `${timestamp}Z`;
}

/** English text from the CNA (`en`, `en-US`, ...); for a rejected record, the rejection reason. */
function describe(input: RecordInput): string {
  const { cna } = input.containers;
  const texts = input.cveMetadata.state === 'REJECTED' ? (cna.rejectedReasons ?? []) : (cna.descriptions ?? []);
  // NOTE: a record with no English text gets an empty description, not another language.
  return texts.find((text) => /^en\b/i.test(text.lang))?.value ?? '';
}

function toMetrics(container: ContainerInput, kind: 'cna' | 'adp'): Cve5Metric[] {
  const source = container.providerMetadata.shortName ?? container.providerMetadata.orgId;
  const metrics: Cve5Metric[] = [];

  for (const metric of container.metrics ?? []) {
    for (const [key, version] of CVSS_KEYS) {
      const cvss = metric[key];
      if (cvss === undefined) continue;
      // NVD lists CNA and ADP scores as `Secondary`; only its own are `Primary`.
      metrics.push({ version, baseScore: cvss.baseScore, vector: cvss.vectorString, source, type: 'Secondary', container: kind });
    }
  }
  return metrics;
}

/** Distinct `CWE-n` ids in first-seen order; free-text problem types such as `n/a` are left out. */
function toCwes(containers: ContainerInput[]): string[] {
  const cwes = new Set<string>();
  for (const container of containers) {
    for (const problemType of container.problemTypes ?? []) {
      for (const description of problemType.descriptions) {
        if (description.cweId !== undefined && /^CWE-\d+$/.test(description.cweId)) cwes.add(description.cweId);
      }
    }
  }
  return [...cwes];
}

/**
 * Finds the first `metrics[].other` entry of `type` among the ADP containers,
 * checks its content and maps it. Returns null when no ADP container has one.
 */
function findOther<S extends z.ZodType, T>(
  document: JsonDocument,
  containers: [ContainerInput, 'cna' | 'adp', (string | number)[]][],
  type: string,
  schema: S,
  map: (content: z.infer<S>) => T,
): T | null {
  for (const [container, kind, at] of containers) {
    if (kind !== 'adp') continue;

    const metrics = container.metrics ?? [];
    const index = metrics.findIndex((metric) => metric.other?.type === type);
    if (index === -1) continue;

    const content = metrics[index]?.other?.content;
    const result = schema.safeParse(content);
    if (!result.success) {
      throw issueError(document, content, [...at, 'metrics', index, 'other', 'content'], result.error.issues[0]);
    }
    return map(result.data);
  }
  return null;
}

function toSsvc(content: z.infer<typeof ssvcContentSchema>): AdpSsvc {
  // `options` is a list of one-key objects: [{ "Exploitation": "active" }, ...].
  const option = (name: string): string | null => content.options.find((entry) => name in entry)?.[name] ?? null;
  return {
    exploitation: option('Exploitation'),
    automatable: option('Automatable'),
    technicalImpact: option('Technical Impact'),
    version: content.version ?? null,
    role: content.role ?? null,
    assessedAt: content.timestamp ?? null,
  };
}

function toKev(content: z.infer<typeof kevContentSchema>): AdpKevReference {
  return { dateAdded: content.dateAdded ?? null, reference: content.reference ?? null };
}

function issueError(
  document: JsonDocument,
  root: unknown,
  at: readonly (string | number)[],
  issue: z.core.$ZodIssue | undefined,
): ImportFormatError {
  const id = /"cveId"\s*:\s*"([^"]+)"/.exec(document.text)?.[1];
  const line = id === undefined ? null : lineOfStringProperty(document.text, 'cveId', id);
  const record = id === undefined ? 'the record' : id;

  if (issue === undefined) {
    return new ImportFormatError(document.file, line, `${record}: does not match the CVE JSON 5 schema`);
  }
  if (at.length === 0 && issue.path[0] === 'dataType') {
    return new ImportFormatError(
      document.file,
      line ?? 1,
      'the file is not a CVE JSON 5 record: "dataType" must be "CVE_RECORD" (CVE API 2.0 files from NVD import as kind nvd)',
    );
  }

  const reason = describeIssue(issue, root, 0);
  const where = at.length === 0 ? '' : ` at ${formatPath(at)}`;
  return new ImportFormatError(document.file, line, `${record}${where}: ${reason}`);
}
