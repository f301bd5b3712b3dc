/**
 * Parser for the CISA Known Exploited Vulnerabilities catalog in its JSON form
 * (`known_exploited_vulnerabilities.json`). Required fields follow CISA's
 * published JSON Schema for the catalog (`known_exploited_vulnerabilities_schema.json`
 * in cisagov/kev-data). Fields the schema leaves optional get neutral defaults.
 * Fields it does not list are ignored, so a new CISA column does not break imports.
 */

import { z } from 'zod';

import { ImportFormatError } from '../../domain/errors.js';
import type { KevCatalog, KevEntry } from '../../domain/intel.js';
import {
  type JsonDocument,
  describeIssue,
  formatPath,
  lineOfStringProperty,
  parseJsonDocument,
  readJsonDocument,
  valueAt,
} from './json-input.js';

/** One catalog entry as the JSON schema defines it; the CSV parser checks its rows with it too. */
export const kevEntrySchema = z.looseObject({
  // The schema allows 4 to 19 digits after the year.
  cveID: z.string().regex(/^CVE-\d{4}-\d{4,19}$/, 'expected a CVE id such as CVE-2024-3400'),
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string(),
  dateAdded: z.iso.date(),
  shortDescription: z.string(),
  requiredAction: z.string(),
  dueDate: z.iso.date(),
  knownRansomwareCampaignUse: z.string().optional(),
  notes: z.string().optional(),
  cwes: z.array(z.string().regex(/^CWE-\d+$/, 'expected a CWE id such as CWE-79')).optional(),
});

const kevCatalogSchema = z.looseObject({
  catalogVersion: z.string(),
  dateReleased: z.iso.datetime(),
  count: z.number().int().nonnegative(),
  vulnerabilities: z.array(kevEntrySchema),
});

export type KevEntryInput = z.infer<typeof kevEntrySchema>;

export interface KevReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/**
 * Reads a KEV catalog JSON file.
 *
 * @throws ImportFormatError when the file is not valid JSON, a required field
 *   is missing or invalid, or `count` differs from the number of entries.
 */
export async function readKevCatalog(path: string, options: KevReadOptions = {}): Promise<KevCatalog> {
  const document = await readJsonDocument(path, options.fileName ?? path);
  return parseKevDocument(document);
}

/**
 * Parses KEV catalog JSON text that is already in memory, such as an upload.
 *
 * @throws ImportFormatError as `readKevCatalog` does.
 */
export function parseKevCatalog(text: string, file: string): KevCatalog {
  return parseKevDocument(parseJsonDocument(text, file));
}

function parseKevDocument(document: JsonDocument): KevCatalog {
  const result = kevCatalogSchema.safeParse(document.value);
  if (!result.success) {
    throw issueError(document, result.error.issues[0]);
  }

  const catalog = result.data;
  if (catalog.count !== catalog.vulnerabilities.length) {
    throw new ImportFormatError(
      document.file,
      null,
      `the catalog states count ${catalog.count} but lists ${catalog.vulnerabilities.length} vulnerabilities; the file may be truncated`,
    );
  }

  return {
    catalogVersion: catalog.catalogVersion,
    dateReleased: catalog.dateReleased,
    entries: catalog.vulnerabilities.map(toKevEntry),
  };
}

/** Maps a validated entry to the engine's shape. */
export function toKevEntry(input: KevEntryInput): KevEntry {
  return {
    cve: input.cveID,
    vendorProject: input.vendorProject,
    product: input.product,
    vulnerabilityName: input.vulnerabilityName,
    dateAdded: input.dateAdded,
    shortDescription: input.shortDescription,
    requiredAction: input.requiredAction,
    dueDate: input.dueDate,
    // The schema marks these optional, so a catalog may omit them.
    knownRansomwareCampaignUse: input.knownRansomwareCampaignUse ?? 'Unknown',
    notes: input.notes ?? '',
    cwes: input.cwes ?? [],
  };
}

/** Names the entry (index and CVE id, when readable) and the field of a schema issue. */
function issueError(document: JsonDocument, issue: z.core.$ZodIssue | undefined): ImportFormatError {
  if (issue === undefined) {
    return new ImportFormatError(document.file, null, 'the catalog does not match the KEV schema');
  }

  const [top, index] = issue.path;
  if (top !== 'vulnerabilities' || typeof index !== 'number') {
    return new ImportFormatError(document.file, null, describeIssue(issue, document.value, 0));
  }

  const cve = valueAt(document.value, ['vulnerabilities', index, 'cveID']);
  const entry = typeof cve === 'string' ? `${formatPath(['vulnerabilities', index])} (${cve})` : formatPath(['vulnerabilities', index]);
  const line = typeof cve === 'string' ? lineOfStringProperty(document.text, 'cveID', cve) : null;
  return new ImportFormatError(document.file, line, `${entry}: ${describeIssue(issue, document.value, 2)}`);
}
