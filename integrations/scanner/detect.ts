/**
 * Detects a scanner export's format from the first bytes of its content, so an
 * upload reaches the right parser regardless of its file name. Each format is a
 * row of `FORMAT_RULES`, and a new format needs only a new row.
 */

import { open } from 'node:fs/promises';

import { ImportFormatError } from '../../domain/errors.js';

/** Formats the engine has a parser for, or `unknown`. */
export type ScannerFormat = 'nessus-v2' | 'unknown';

/** Bytes read from the start of a file, enough for the prolog of every format in the table. */
export const DETECT_HEAD_BYTES = 8192;

/** Start of a file, as the format rules test it. */
export interface FileHead {
  /** The first bytes decoded as latin1, so no byte sequence can fail to decode. */
  text: string;
  /** Name of the first element after the XML prolog, or null when the head contains none. */
  rootElement: string | null;
  /** 1-based line of that element's start tag. */
  rootLine: number | null;
}

/** A format the rule recognizes, or the reason a recognized but unsupported format is rejected. */
type FormatRule =
  | { matches: (head: FileHead) => boolean; format: Exclude<ScannerFormat, 'unknown'> }
  | { matches: (head: FileHead) => boolean; reject: string };

const LEGACY_NESSUS_REASON =
  'this is a Nessus v1 report (root element <NessusClientData>), which is not supported; export the scan from Nessus again as a .nessus v2 file';

/** Rules checked in order. The first match wins. */
const FORMAT_RULES: readonly FormatRule[] = [
  { matches: (head) => head.rootElement === 'NessusClientData_v2', format: 'nessus-v2' },
  { matches: (head) => head.rootElement === 'NessusClientData', reject: LEGACY_NESSUS_REASON },
];

export interface DetectOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/**
 * Detects the format of a scanner file from its first `DETECT_HEAD_BYTES` bytes.
 *
 * @throws ImportFormatError for a recognized format that is not supported
 *   (Nessus v1), naming the line of its root element.
 */
export async function detectScannerFormat(path: string, options: DetectOptions = {}): Promise<ScannerFormat> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(DETECT_HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, DETECT_HEAD_BYTES, 0);
    return detectScannerFormatFromHead(buffer.subarray(0, bytesRead), options.fileName ?? path);
  } finally {
    await handle.close();
  }
}

/**
 * Detects the format from bytes already in memory (the start of an upload).
 *
 * @throws ImportFormatError as `detectScannerFormat` does.
 */
export function detectScannerFormatFromHead(bytes: Uint8Array, file: string): ScannerFormat {
  const head = readHead(bytes);

  for (const rule of FORMAT_RULES) {
    if (!rule.matches(head)) continue;
    if ('reject' in rule) {
      throw new ImportFormatError(file, head.rootLine, rule.reject);
    }
    return rule.format;
  }
  return 'unknown';
}

/** Builds the error a parser raises when it meets a Nessus v1 root element. */
export function legacyNessusError(file: string, line: number | null): ImportFormatError {
  return new ImportFormatError(file, line, LEGACY_NESSUS_REASON);
}

function readHead(bytes: Uint8Array): FileHead {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // A UTF-8 byte order mark reads as these three latin1 characters.
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);

  const root = findRootElement(text);
  if (root === null) return { text, rootElement: null, rootLine: null };

  const rootLine = text.slice(0, root.offset).split('\n').length;
  return { text, rootElement: root.name, rootLine };
}

/**
 * Skips the XML prolog (declaration, processing instructions, comments, a
 * DOCTYPE with or without an internal subset, whitespace) and returns the first
 * start tag's name and offset.
 */
function findRootElement(text: string): { name: string; offset: number } | null {
  let at = 0;
  while (at < text.length) {
    const next = text.slice(at);
    const space = /^\s+/.exec(next);
    if (space !== null) {
      at += space[0].length;
      continue;
    }

    const skipped = prologItemLength(next);
    if (skipped === null) return null;
    if (skipped > 0) {
      at += skipped;
      continue;
    }

    const tag = /^<([A-Za-z_][\w.:-]*)/.exec(next);
    return tag?.[1] === undefined ? null : { name: tag[1], offset: at };
  }
  return null;
}

/** Length of the prolog item at the start of `text`, 0 when none starts there, null when it is cut off. */
function prologItemLength(text: string): number | null {
  const endOf = (terminator: string): number | null => {
    const end = text.indexOf(terminator);
    return end === -1 ? null : end + terminator.length;
  };

  if (text.startsWith('<?')) return endOf('?>');
  if (text.startsWith('<!--')) return endOf('-->');
  if (text.startsWith('<!DOCTYPE')) {
    // An internal subset contains declarations ending in '>', so the DOCTYPE ends at ']>'.
    const hasSubset = /^<!DOCTYPE[^[>]*\[/.test(text);
    const end = hasSubset ? /\]\s*>/.exec(text) : /^[^>]*>/.exec(text);
    return end === null ? null : end.index + end[0].length;
  }
  return 0;
}
