/**
 * Errors the engine raises on purpose. Each carries the ids a handler needs. The
 * API maps them to problem+json in one place, and activities turn the permanent
 * ones into non-retryable Temporal failures whose `type` is the class name.
 */

/**
 * Thrown by an import parser when a file is not in the expected format or not
 * well-formed: unknown format, invalid XML or CSV, a forbidden DTD entity
 * declaration, bytes invalid in the declared encoding, a value out of range.
 */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';

  constructor(
    /** The file as the user named it. */
    readonly file: string,
    /** 1-based line, when known. */
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

/**
 * Thrown by `parseCvssVector` when a CVSS vector string is malformed: an unknown
 * version prefix, a part that is not `METRIC:VALUE`, an unknown metric or value, a
 * metric given twice, or a base metric missing.
 */
export class InvalidCvssVectorError extends Error {
  override readonly name = 'InvalidCvssVectorError';

  constructor(
    /** The vector string as received. */
    readonly vector: string,
    readonly reason: string,
  ) {
    super(`invalid CVSS vector "${vector}": ${reason}`);
  }
}

/**
 * Thrown when a vulnerability feed cannot be downloaded or read. The causes are
 * an HTTP status other than 200, a network error or timeout, a body over the
 * size limit, a `file://` path that does not exist, and a URL scheme other than
 * `file`, `http` and `https`. `status` is null when no response arrived.
 */
export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';

  constructor(
    /** The feed URL with any user name and password removed. */
    readonly url: string,
    readonly status: number | null,
    readonly reason: string,
    /** False when asking again cannot help (a 404, an unsupported scheme, a body over the limit). */
    readonly retryable: boolean,
  ) {
    super(`feed ${url}: ${reason}`);
  }
}

/**
 * Thrown by `parseCpeName` when a string is not a CPE 2.3 formatted string.
 * The prefix may be other than `cpe:2.3:`, or the count of attributes other
 * than eleven. An attribute may be empty, or name an unknown part or language.
 * A character may need escaping or be forbidden, a backslash may end the
 * string, or a wildcard may sit inside a value.
 */
export class InvalidCpeNameError extends Error {
  override readonly name = 'InvalidCpeNameError';

  constructor(
    /** The string as received. */
    readonly cpeName: string,
    readonly reason: string,
  ) {
    super(`invalid CPE 2.3 name "${cpeName}": ${reason}`);
  }
}
