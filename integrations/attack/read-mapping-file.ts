/**
 * Opens an ATT&CK mapping file of either CTID format: a Mappings Explorer KEV
 * file is a JSON object, and anything else is read as the attack_to_cve CSV.
 */
import { open } from 'node:fs/promises';
import type { AttackMapping } from '../../domain/attack.js';
import { readCtidAttackToCveCsv } from './ctid-csv.js';
import { readMappingsExplorerKev } from './mappings-explorer.js';

export interface AttackMappingFile {
  format: 'ctid-attack-to-cve-csv' | 'ctid-mappings-explorer-kev';
  mappings: AttackMapping[];
  /** Cells (CSV) or mapping objects (JSON) that named no valid technique. */
  rejected: number;
  /** Line, CVE, column and value of the first rejected CSV cells, for the import's report; empty for JSON. */
  rejectedExamples: string[];
}

/** Rejected cells named in a report; the count covers the rest. */
const REJECTED_EXAMPLES = 10;

/**
 * Reads the file in the format its first character shows.
 *
 * @throws ImportFormatError as the CSV or JSON parser does.
 */
export async function readAttackMappingFile(path: string, options: { fileName?: string } = {}): Promise<AttackMappingFile> {
  const fileName = options.fileName ?? path;

  if ((await firstCharacter(path)) === '{') {
    const result = await readMappingsExplorerKev(path, { fileName });
    return { format: 'ctid-mappings-explorer-kev', mappings: result.mappings, rejected: result.unmapped, rejectedExamples: [] };
  }
  const result = await readCtidAttackToCveCsv(path, { fileName });
  return {
    format: 'ctid-attack-to-cve-csv',
    mappings: result.mappings,
    rejected: result.rejected.length,
    rejectedExamples: result.rejected.slice(0, REJECTED_EXAMPLES).map((cell) => `line ${cell.line} ${cell.cve} ${cell.column}: "${cell.value}"`),
  };
}

/** Returns the first character that is not white space or a byte order mark, or '' for an empty file. */
async function firstCharacter(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^[\uFEFF\s]+/, '').charAt(0);
  } finally {
    await handle.close();
  }
}
