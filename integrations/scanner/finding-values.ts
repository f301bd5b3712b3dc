/**
 * Value parsers shared by the scanner parsers: CVE ids, ports, CVSS scores,
 * dates and addresses as vendors write them. Each takes the place the value came
 * from, so an invalid value fails with the file, line and field.
 */

import { isIP } from 'node:net';

import { ImportFormatError } from '../../domain/errors.js';

/** Options every scanner parser takes. */
export interface ScanReadOptions {
  /** File name used in error messages. Defaults to the path. */
  fileName?: string;
}

/** Source position of a value: the file as the user named it and its 1-based line. */
export interface SourceLocation {
  file: string;
  line: number | null;
}

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

const SCORE = /^\d{1,2}(?:\.\d+)?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Values vendors write in place of an empty cell. */
const PLACEHOLDERS = new Set(['', 'n/a', 'na', 'none', '-', "'-", 'null']);

/** Returns the trimmed text, or null for an empty cell or a placeholder such as `N/A` or `'-`. */
export function presentValue(text: string | null | undefined): string | null {
  const value = text?.trim() ?? '';
  return PLACEHOLDERS.has(value.toLowerCase()) ? null : value;
}

export function failAt(location: SourceLocation, reason: string): ImportFormatError {
  return new ImportFormatError(location.file, location.line, reason);
}

/** Validates one CVE id. */
export function parseCve(text: string, location: SourceLocation): string {
  const cve = text.trim();
  if (!CVE_ID.test(cve)) {
    throw failAt(location, `malformed CVE id "${cve}"; expected CVE-YYYY-NNNN`);
  }
  return cve;
}

/** Splits a list such as `CVE-2013-2566,CVE-2015-2808` or `CVE-1, CVE-2` and validates each id. */
export function parseCveList(text: string | null, location: SourceLocation): string[] {
  const value = presentValue(text);
  if (value === null) return [];

  const cves = value
    .split(/[\s,;]+/)
    .filter((part) => part !== '')
    .map((part) => parseCve(part, location));
  return [...new Set(cves)];
}

export function parsePort(text: string, location: SourceLocation): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw failAt(location, `invalid port "${text}"; expected 0 to 65535`);
  }
  return port;
}

/** Parses a CVSS score from 0 to 10; null for an empty cell. */
export function parseScore(text: string | null, name: string, location: SourceLocation): number | null {
  const value = presentValue(text);
  if (value === null) return null;
  // Nexpose writes a zero-impact CVSS v2 score as -0.0, which is zero.
  if (/^-0(?:\.0+)?$/.test(value)) return 0;

  const score = Number(value);
  if (!SCORE.test(value) || score > 10) {
    throw failAt(location, `invalid ${name} "${value}"; expected a CVSS score from 0 to 10`);
  }
  return score;
}

/**
 * Normalizes a vendor date to `YYYY-MM-DD`, keeping the calendar date as
 * written (no time zone conversion). Accepted forms: `2019/03/12`, `2019-03-12`
 * with or without a time, `03/12/2019` (US order, as Qualys writes it),
 * `Mar 12, 2019` and `12 Mar 2019` with or without a time. Null for an empty cell.
 */
export function parseVendorDate(text: string | null, name: string, location: SourceLocation): string | null {
  const value = presentValue(text);
  if (value === null) return null;

  const date = readDate(value);
  if (date === null) {
    throw failAt(location, `invalid ${name} "${value}"; expected a date such as 2019-03-12, 2019/03/12, 03/12/2019 or Mar 12, 2019`);
  }
  return date;
}

function readDate(value: string): string | null {
  const isoLike = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:[T ]|$)/.exec(value);
  if (isoLike !== null) return checkedDate(isoLike[1], isoLike[2], isoLike[3]);

  const usOrder = /^(\d{2})\/(\d{2})\/(\d{4})(?:\s|$)/.exec(value);
  if (usOrder !== null) return checkedDate(usOrder[3], usOrder[1], usOrder[2]);

  const monthFirst = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4})(?:\s|$)/.exec(value);
  if (monthFirst !== null) return checkedDate(monthFirst[3], monthNumber(monthFirst[1]), monthFirst[2]);

  const dayFirst = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})(?:\s|$)/.exec(value);
  if (dayFirst !== null) return checkedDate(dayFirst[3], monthNumber(dayFirst[2]), dayFirst[1]);

  return null;
}

function monthNumber(name: string | undefined): string | undefined {
  const index = MONTHS.indexOf(name?.toLowerCase() ?? '');
  return index === -1 ? undefined : String(index + 1);
}

function checkedDate(year: string | undefined, month: string | undefined, day: string | undefined): string | null {
  if (year === undefined || month === undefined || day === undefined) return null;

  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  // Date.parse accepts 2019-02-31 by rolling over, so the round trip catches impossible days.
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso;
}

/**
 * Returns the first IPv4 or IPv6 address in a list such as `10.0.0.20,10.0.0.21`,
 * or null when the text contains none. A value that is not an address (an
 * anonymized `192.168.1.1001`, a host name) gives null, not an error, because
 * the host is still identified by its name.
 */
export function firstIpAddress(text: string | null | undefined): string | null {
  const value = presentValue(text);
  if (value === null) return null;

  const address = value.split(/[\s,;]+/).find((part) => isIP(part) !== 0);
  return address ?? null;
}

/** Splits a comma or space separated list and drops placeholders and repeats. */
export function splitList(text: string | null | undefined): string[] {
  const value = presentValue(text);
  if (value === null) return [];

  const parts = value
    .split(/[\s,;]+/)
    .map((part) => presentValue(part))
    .filter((part): part is string => part !== null);
  return [...new Set(parts)];
}

/** Reads a yes/no cell: `Yes`, `TRUE`, `true` and `1` are true, anything else (including empty) is false. */
export function isYes(text: string | null | undefined): boolean {
  return ['yes', 'true', '1'].includes(text?.trim().toLowerCase() ?? '');
}
