/**
 * CPE 2.3 names in the formatted string binding of the CPE Naming
 * Specification 2.3 (NISTIR 7695): `cpe:2.3:` and then eleven attributes
 * separated by colons, such as `cpe:2.3:a:google:chrome:*:*:*:*:*:*:*:*`. A
 * backslash escapes the character after it, so a colon inside a value (`\:`)
 * does not end the attribute.
 */
import { InvalidCpeNameError } from './errors.js';

/** `a` application, `o` operating system, `h` hardware, `*` any, `-` not applicable. */
export type CpePart = 'a' | 'o' | 'h' | '*' | '-';

/**
 * The eleven attributes of a CPE 2.3 name as the formatted string writes them.
 * Escapes stay in place (`wp_maintenance_mode_\&_coming_soon`), `*` means any
 * value and `-` means not applicable.
 */
export interface CpeName {
  part: CpePart;
  vendor: string;
  product: string;
  version: string;
  update: string;
  edition: string;
  language: string;
  swEdition: string;
  targetSw: string;
  targetHw: string;
  other: string;
}

const PREFIX = 'cpe:2.3:';

/** Attribute names in binding order, spelled as in the specification, for error messages. */
const ATTRIBUTES = ['part', 'vendor', 'product', 'version', 'update', 'edition', 'language', 'sw_edition', 'target_sw', 'target_hw', 'other'] as const;

const PARTS: ReadonlySet<string> = new Set<CpePart>(['a', 'o', 'h', '*', '-']);

/** Characters a value may contain without a backslash. */
const UNQUOTED = /^[A-Za-z0-9._-]$/;

/** Characters a backslash may quote: printable ASCII that is neither a letter nor a digit. */
const QUOTABLE = /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/;

/** An RFC 5646 language tag as CPE allows it: a language and an optional region (`en`, `en-us`, `es-419`). */
const LANGUAGE = /^[a-z]{2,3}(?:\\?-(?:[a-z]{2}|\d{3}))?$/i;

/**
 * Splits a CPE 2.3 formatted string into its attributes and checks each one.
 *
 * @throws InvalidCpeNameError when the string does not start with `cpe:2.3:`
 *   or has other than eleven attributes after it. Also when an attribute is
 *   empty, contains a character that must be escaped or may not occur, ends in
 *   a lone backslash, or has a wildcard (`*`, `?`) other than at its start or
 *   end. Also for a part other than `a`, `o`, `h`, `*`, `-`, and for a language
 *   that is not a language tag.
 */
export function parseCpeName(text: string): CpeName {
  if (!text.startsWith(PREFIX)) {
    throw new InvalidCpeNameError(text, `it does not start with "${PREFIX}"`);
  }

  const values = splitAttributes(text);
  if (values.length !== ATTRIBUTES.length) {
    throw new InvalidCpeNameError(
      text,
      `it has ${values.length} ${values.length === 1 ? 'attribute' : 'attributes'} after "${PREFIX}", expected ${ATTRIBUTES.length} (${ATTRIBUTES.join(', ')})`,
    );
  }
  values.forEach((value, index) => checkValue(text, ATTRIBUTES[index]!, value));

  const [part, vendor, product, version, update, edition, language, swEdition, targetSw, targetHw, other] = values as [
    string, string, string, string, string, string, string, string, string, string, string,
  ];
  if (!PARTS.has(part)) {
    throw new InvalidCpeNameError(text, `the part attribute is "${part}"; expected a, o, h, * or -`);
  }
  if (language !== '*' && language !== '-' && !LANGUAGE.test(language)) {
    throw new InvalidCpeNameError(text, `the language attribute "${language}" is not a language tag such as en or en-us`);
  }

  return { part: part as CpePart, vendor, product, version, update, edition, language, swEdition, targetSw, targetHw, other };
}

/** Removes the escaping backslashes of an attribute value: `wp_maintenance_mode_\&_coming_soon` becomes `wp_maintenance_mode_&_coming_soon`. */
export function unescapeCpeValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Splits the text after the prefix on the colons no backslash escapes, keeping the escapes. */
function splitAttributes(text: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = PREFIX.length; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === ':') {
      values.push(current);
      current = '';
      continue;
    }

    current += char;
    if (char === '\\') {
      if (i + 1 === text.length) throw new InvalidCpeNameError(text, 'it ends with a backslash that escapes nothing');
      i += 1;
      current += text[i];
    }
  }
  values.push(current);
  return values;
}

function checkValue(text: string, attribute: string, value: string): void {
  if (value === '') {
    throw new InvalidCpeNameError(text, `the ${attribute} attribute is empty; write * for any value or - for not applicable`);
  }
  if (value === '*' || value === '-') return;

  for (let i = 0; i < value.length; i += 1) {
    const char = value[i]!;
    if (UNQUOTED.test(char)) continue;

    if (char === '\\') {
      const quoted = value[i + 1]!;
      if (!QUOTABLE.test(quoted)) {
        throw new InvalidCpeNameError(text, `the ${attribute} attribute "${value}" escapes "${quoted}"; only punctuation may follow a backslash`);
      }
      i += 1;
    } else if (char === '*' || char === '?') {
      checkWildcard(text, attribute, value, i);
    } else if (QUOTABLE.test(char)) {
      throw new InvalidCpeNameError(text, `the ${attribute} attribute "${value}" contains "${char}", which must be escaped with a backslash`);
    } else {
      const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new InvalidCpeNameError(text, `the ${attribute} attribute "${value}" contains U+${code}, which a CPE name may not contain`);
    }
  }
}

/**
 * Accepts an unescaped `*` only as the first or last character of a value, and
 * an unescaped `?` only in a run at either end (`??5`, `5.?`).
 */
function checkWildcard(text: string, attribute: string, value: string, index: number): void {
  const char = value[index]!;
  const atStart = char === '*' ? index === 0 : /^\?*$/.test(value.slice(0, index));
  const atEnd = char === '*' ? index === value.length - 1 : /^\?*$/.test(value.slice(index + 1));
  if (!atStart && !atEnd) {
    throw new InvalidCpeNameError(
      text,
      `the ${attribute} attribute "${value}" has the wildcard "${char}" inside it; a wildcard may only start or end a value, and a literal "${char}" is written "\\${char}"`,
    );
  }
}
