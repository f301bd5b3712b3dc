/**
 * Reads a KEV catalog in either of CISA's forms. The form is detected from the
 * content, not the file name, because uploads and feed downloads carry no reliable name.
 */

import { readFile } from 'node:fs/promises';

import type { KevCatalog } from '../../domain/intel.js';
import { parseKevCsv } from './kev-csv.js';
import { type KevReadOptions, parseKevCatalog } from './kev.js';

export type KevFormat = 'json' | 'csv';

/**
 * Returns `json` when the first character other than white space and a byte
 * order mark is `{`, and `csv` otherwise.
 */
export function detectKevFormat(text: string): KevFormat {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  return start.startsWith('{') ? 'json' : 'csv';
}

/**
 * Reads a KEV catalog file in JSON or CSV form.
 *
 * @throws ImportFormatError as `readKevCatalog` or `readKevCsv` does for the detected form.
 */
export async function readKevFile(path: string, options: KevReadOptions = {}): Promise<{ format: KevFormat; catalog: KevCatalog }> {
  const text = await readFile(path, 'utf8');
  const file = options.fileName ?? path;
  const format = detectKevFormat(text);

  const catalog = format === 'json' ? parseKevCatalog(text, file) : parseKevCsv(text, file);
  return { format, catalog };
}
