/**
 * Qualys conventions shared by the Qualys parsers (VM XML, scan XML, WAS XML,
 * the report and VMDR CSVs): severity levels and detection types, the
 * `8.1 (AV:N/...)` score form, and the HTML inside knowledge base texts.
 */

import type { ScannerSeverity } from '../../domain/findings.js';
import { type SourceLocation, failAt, parseCve, parseScore, presentValue } from './finding-values.js';
import { type XmlElement, childText } from './xml-stream.js';

/**
 * Qualys severity levels 1-5 mapped to 0..4. Qualys names them 1 minimal,
 * 2 medium, 3 serious, 4 critical, 5 urgent, and describes levels 1 and 2 as
 * information an intruder can use rather than a way in, so they share "low".
 * A confirmed or potential vulnerability is never informational, whatever its
 * level, because it must enter the SLA clock.
 */
const LEVELS: readonly ScannerSeverity[] = [1, 1, 2, 3, 4];

/**
 * Detection types that are information gathered rather than a vulnerability:
 * `Ig` (VM XML and report CSV), `Info` and `Information` (VMDR CSV), and the
 * scan XML's INFO and SERVICE sections.
 */
const INFORMATION_TYPES = new Set(['ig', 'info', 'information', 'information gathered', 'service']);

/**
 * Maps a Qualys severity level (1-5) and detection type to 0..4. Information
 * gathered is 0; a confirmed (`Vuln`) or potential (`Practice`) vulnerability
 * takes its level from `LEVELS`.
 *
 * @throws ImportFormatError when the level is not 1 to 5.
 */
export function qualysSeverity(level: string | null, type: string | null, location: SourceLocation): ScannerSeverity {
  const text = level?.trim() ?? '';
  if (!/^[1-5]$/.test(text)) {
    throw failAt(location, `invalid Qualys severity "${text}"; expected a level from 1 to 5`);
  }
  if (INFORMATION_TYPES.has(type?.trim().toLowerCase() ?? '')) return 0;
  return LEVELS[Number(text) - 1] ?? 1;
}

/** True for the detection status Qualys gives a vulnerability that is no longer present. */
export function isFixedStatus(status: string | null): boolean {
  return status?.trim().toLowerCase() === 'fixed';
}

/**
 * Splits Qualys's `9.3 (AV:N/AC:M/Au:N/C:C/I:C/A:C)` into score and vector. A
 * bare score has no vector.
 *
 * @throws ImportFormatError when the score is not a CVSS score from 0 to 10.
 */
export function qualysScore(text: string | null, name: string, location: SourceLocation): { score: number | null; vector: string | null } {
  const value = presentValue(text);
  if (value === null) return { score: null, vector: null };

  const match = /^(\S+)\s*(?:\(([^)]*)\))?$/.exec(value);
  return {
    score: parseScore(match?.[1] ?? value, name, location),
    vector: presentValue(match?.[2]),
  };
}

/**
 * Turns the HTML of Qualys knowledge base texts (THREAT, SOLUTION) into plain
 * text: line breaks for `<BR>` and `<P>`, link text kept, other tags dropped,
 * the common entities decoded.
 */
export function qualysHtmlToText(html: string | null): string | null {
  const value = presentValue(html);
  if (value === null) return null;

  const text = value
    .replace(/<\s*(?:br|p|li)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? null : text;
}

/** Reads a knowledge base entry's `CVE_ID_LIST/CVE_ID/ID` values. */
export function qualysListedCves(entry: XmlElement, file: string): string[] {
  return listItems(entry, 'CVE_ID_LIST', 'CVE_ID').map((cve) => parseCve(childText(cve, 'ID') ?? '', { file, line: cve.line }));
}

/** Reads a knowledge base entry's `VENDOR_REFERENCE_LIST/VENDOR_REFERENCE/ID` values: the vendor's advisory or patch ids. */
export function qualysVendorReferences(entry: XmlElement): string[] {
  return listItems(entry, 'VENDOR_REFERENCE_LIST', 'VENDOR_REFERENCE')
    .map((reference) => childText(reference, 'ID'))
    .filter((id): id is string => id !== null);
}

/** True when the entry's `CORRELATION` names a known exploit (`EXPLOITABILITY`), not only malware. */
export function qualysHasExploit(entry: XmlElement): boolean {
  const correlation = entry.children.find((child) => child.name === 'CORRELATION');
  return correlation?.children.some((child) => child.name === 'EXPLOITABILITY') ?? false;
}

/** Returns the `item` children of the first `list` child. */
export function listItems(element: XmlElement, list: string, item: string): XmlElement[] {
  return element.children.find((child) => child.name === list)?.children.filter((child) => child.name === item) ?? [];
}
