/**
 * Shared steps of the JSON feed parsers (KEV, NVD): read and parse the text,
 * and turn a zod issue into an `ImportFormatError` that names the line, the
 * record and the field.
 */

import { readFile } from 'node:fs/promises';

import type { z } from 'zod';

import { ImportFormatError } from '../../domain/errors.js';

/** A JSON document together with its text, kept to find line numbers for errors. */
export interface JsonDocument {
  file: string;
  text: string;
  value: unknown;
}

/** Reads a UTF-8 JSON file. `file` is the name used in error messages. */
export async function readJsonDocument(path: string, file: string): Promise<JsonDocument> {
  const text = await readFile(path, 'utf8');
  return parseJsonDocument(text, file);
}

/**
 * Parses JSON text. A syntax error becomes an `ImportFormatError` at the line
 * V8 reports the error at, or at the last line when the input ends early.
 */
export function parseJsonDocument(text: string, file: string): JsonDocument {
  // JSON.parse rejects a byte order mark, which some editors and exports add.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;

  if (body.trim() === '') {
    throw new ImportFormatError(file, 1, 'the file is empty');
  }
  const wrong = describeWrongContent(body);
  if (wrong !== null) {
    throw new ImportFormatError(file, 1, `the file is ${wrong.what}, not JSON; ${wrong.hint}`);
  }

  try {
    return { file, text: body, value: JSON.parse(body) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;

    throw new ImportFormatError(file, syntaxErrorLine(body, error.message), `invalid JSON: ${error.message}`);
  }
}

/**
 * Names what a file is when it is plainly not the text an import expects: a ZIP
 * archive, gzip data or an XML document, each recognized by its first bytes.
 * Returns null for anything else, which the parser then checks.
 */
export function describeWrongContent(text: string): { what: string; hint: string } | null {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('PK\u0003\u0004')) {
    return { what: 'a ZIP archive', hint: 'extract it and import the files inside' };
  }
  // Read as UTF-8, the gzip magic bytes 1f 8b become U+001F and a replacement character.
  if (start.startsWith('\u001F\uFFFD')) {
    return { what: 'gzip-compressed data', hint: 'decompress it first, for example with gunzip' };
  }
  if (start.startsWith('<')) {
    return { what: 'an XML document (it starts with "<")', hint: 'scanner reports such as .nessus files are imported as findings' };
  }
  return null;
}

/**
 * Finds the line of a JSON.parse error. V8 gives "at position N" for some errors.
 * For an unexpected token it quotes the text around it instead
 * (`Unexpected token 'x', "...b": x}" is not valid JSON`), so the line is found by
 * locating that text and the token's first occurrence in it. A token character that
 * also occurs earlier in the quoted text can point a line too early.
 */
function syntaxErrorLine(body: string, message: string): number {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return lineAt(body, Number(position));

  const quoted = /"(?:\.\.\.)?([\s\S]+?)"(?:\.\.\.)? is not valid JSON/.exec(message)?.[1];
  const contextOffset = quoted === undefined ? -1 : body.indexOf(quoted);
  if (contextOffset === -1) return lineAt(body, body.length);

  const token = /Unexpected token '([\s\S])'/.exec(message)?.[1];
  const tokenOffset = token === undefined ? -1 : quoted!.indexOf(token);
  return lineAt(body, contextOffset + Math.max(tokenOffset, 0));
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
  }
  return line;
}

/** Line of the first `"key": "value"` pair in the text, or null when it does not occur. */
export function lineOfStringProperty(text: string, key: string, value: string): number | null {
  const pattern = new RegExp(`"${escapeRegExp(key)}"\\s*:\\s*"${escapeRegExp(value)}"`);
  const match = pattern.exec(text);
  return match === null ? null : lineAt(text, match.index);
}

/**
 * Describes a zod issue as `required field "dueDate" is missing` or
 * `field "cvssData.baseScore" is invalid: <zod message>`. The field path starts
 * at index `start` of the issue path, below the record the caller names.
 */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown, start: number): string {
  const relativePath = issue.path.slice(start);
  if (relativePath.length === 0) {
    return `the value is invalid: ${issue.message}`;
  }

  const field = formatPath(relativePath);
  const value = valueAt(root, issue.path);

  if (value === undefined && issue.code === 'invalid_type') {
    return `required field "${field}" is missing`;
  }
  return `field "${field}" is invalid: ${issue.message}`;
}

/**
 * Builds the error for a record that fails its schema. The message names the
 * record by its path in the file (or `rootName` at the top) and its `id`, and
 * the line is that of the record's `"id"` property when the id is readable.
 */
export function recordIssueError(
  document: JsonDocument,
  input: unknown,
  at: readonly (string | number)[],
  issue: z.core.$ZodIssue | undefined,
  names: { rootName: string; schemaName: string },
): ImportFormatError {
  const id = valueAt(input, ['id']);
  const where = at.length === 0 ? names.rootName : formatPath(at);
  const record = typeof id === 'string' ? `${where} (${id})` : where;
  const line = typeof id === 'string' ? lineOfStringProperty(document.text, 'id', id) : null;
  const reason = issue === undefined ? `does not match the ${names.schemaName}` : describeIssue(issue, input, 0);
  return new ImportFormatError(document.file, line, `${record}: ${reason}`);
}

/** True for a JSON object, false for arrays and primitives. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Formats a path as `vulnerabilities[3].cve.id`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
    } else {
      out += out === '' ? String(key) : `.${String(key)}`;
    }
  }
  return out === '' ? '(root)' : out;
}

/** Follows a path into parsed JSON, returning undefined when any step is absent. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
