/**
 * Parser for the KEV mapping files of the CTID Mappings Explorer
 * (center-for-threat-informed-defense/mappings-explorer, under `mappings/kev/`),
 * one file per ATT&CK domain such as enterprise or mobile. A file contains
 * `metadata` and a `mapping_objects` array, each object linking one CVE
 * (`capability_id`) to one technique (`attack_object_id`, `attack_object_name`)
 * with a `mapping_type`. Fields the parser does not use (comments, references,
 * capability groups) are ignored.
 */

import { z } from 'zod';

import { type AttackMapping, type AttackMappingType, TECHNIQUE_ID } from '../../domain/attack.js';
import { ImportFormatError } from '../../domain/errors.js';
import {
  type JsonDocument,
  describeIssue,
  formatPath,
  parseJsonDocument,
  readJsonDocument,
  valueAt,
} from '../intel/json-input.js';

const mappingTypeSchema = z.enum(['exploitation_technique', 'primary_impact', 'secondary_impact', 'uncategorized']);

const MAPPING_TYPES: Record<z.infer<typeof mappingTypeSchema>, AttackMappingType> = {
  exploitation_technique: 'exploitation-technique',
  primary_impact: 'primary-impact',
  secondary_impact: 'secondary-impact',
  uncategorized: 'uncategorized',
};

const mappingObjectSchema = z.looseObject({
  capability_id: z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected a CVE id such as CVE-2024-3400'),
  mapping_type: mappingTypeSchema,
  attack_object_id: z.string().regex(TECHNIQUE_ID, 'expected an ATT&CK technique id such as T1190').nullable(),
  attack_object_name: z.string().nullish(),
});

const mappingFileSchema = z.looseObject({
  metadata: z.looseObject({
    technology_domain: z.string(),
    attack_version: z.string(),
    mapping_framework: z.string(),
    mapping_framework_version: z.string(),
  }),
  mapping_objects: z.array(mappingObjectSchema),
});

export interface MappingsExplorerResult {
  /** ATT&CK domain of the file, such as `enterprise` or `mobile`. */
  attackDomain: string;
  /** ATT&CK version the techniques belong to, such as `16.1`. */
  attackVersion: string;
  /** Release of the KEV catalog that was mapped, as the file writes it (`07/28/2025`). */
  kevVersion: string;
  mappings: AttackMapping[];
  /** Number of mapping objects without a technique id. */
  unmapped: number;
}

export interface MappingsExplorerReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/**
 * Reads a Mappings Explorer KEV mapping file.
 *
 * @throws ImportFormatError as `parseMappingsExplorerKev` does.
 */
export async function readMappingsExplorerKev(
  path: string,
  options: MappingsExplorerReadOptions = {},
): Promise<MappingsExplorerResult> {
  const document = await readJsonDocument(path, options.fileName ?? path);
  return parseMappingsDocument(document);
}

/**
 * Parses mapping JSON text that is already in memory, such as an upload.
 *
 * @throws ImportFormatError when the text is not JSON, a required field is
 *   missing or invalid, or the file maps a framework other than KEV.
 */
export function parseMappingsExplorerKev(text: string, file: string): MappingsExplorerResult {
  return parseMappingsDocument(parseJsonDocument(text, file));
}

function parseMappingsDocument(document: JsonDocument): MappingsExplorerResult {
  const result = mappingFileSchema.safeParse(document.value);
  if (!result.success) throw issueError(document, result.error.issues[0]);

  const { metadata } = result.data;
  if (metadata.mapping_framework !== 'kev') {
    throw new ImportFormatError(
      document.file,
      null,
      `the file maps the "${metadata.mapping_framework}" framework, expected "kev": only the KEV mappings name CVEs`,
    );
  }

  const mappings: AttackMapping[] = [];
  let unmapped = 0;
  for (const object of result.data.mapping_objects) {
    if (object.attack_object_id === null) {
      unmapped += 1;
      continue;
    }

    const mapping: AttackMapping = {
      cve: object.capability_id,
      techniqueId: object.attack_object_id,
      mappingType: MAPPING_TYPES[object.mapping_type],
      source: 'ctid-mappings-explorer',
    };
    if (object.attack_object_name) mapping.techniqueName = object.attack_object_name;
    mappings.push(mapping);
  }

  return {
    attackDomain: metadata.technology_domain,
    attackVersion: metadata.attack_version,
    kevVersion: metadata.mapping_framework_version,
    mappings,
    unmapped,
  };
}

/** Names the mapping object (index and CVE, when readable) and the field of a schema issue. */
function issueError(document: JsonDocument, issue: z.core.$ZodIssue | undefined): ImportFormatError {
  if (issue === undefined) {
    return new ImportFormatError(document.file, null, 'the file does not match the Mappings Explorer format');
  }

  const [top, index] = issue.path;
  if (top !== 'mapping_objects' || typeof index !== 'number') {
    return new ImportFormatError(document.file, null, describeIssue(issue, document.value, 0));
  }

  const cve = valueAt(document.value, ['mapping_objects', index, 'capability_id']);
  const where = formatPath(['mapping_objects', index]);
  const entry = typeof cve === 'string' ? `${where} (${cve})` : where;
  return new ImportFormatError(document.file, null, `${entry}: ${describeIssue(issue, document.value, 2)}`);
}
