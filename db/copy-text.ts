/** Helpers for PostgreSQL COPY text format (tab-separated, `\N` for null). */

/** Escapes one value for COPY text format: backslash, tab, newline and carriage return. */
export function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (char) => {
    switch (char) {
      case '\\':
        return '\\\\';
      case '\t':
        return '\\t';
      case '\n':
        return '\\n';
      default:
        return '\\r';
    }
  });
}

/** Formats values as one COPY text line. */
export function copyLine(values: (string | number | boolean | null)[]): string {
  return values.map(copyValue).join('\t') + '\n';
}
