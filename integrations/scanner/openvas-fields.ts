/**
 * Greenbone (OpenVAS, GVM) conventions shared by the XML and CSV parsers:
 * result severities, port fields and CVE scanner results.
 */

import type { ScannerSeverity } from '../../domain/findings.js';
import { CVE_ID, type SourceLocation, failAt, parsePort, parseScore, presentValue } from './finding-values.js';
import { HOST_LEVEL_PORT, HOST_LEVEL_PROTOCOL } from './host-findings.js';
import { severityFromRiskName, severityFromScore } from './severity.js';

/**
 * Maps a result's severity score (0.0-10.0, CVSS based) to 0..4 with the CVSS
 * v3.1 rating bands, so that 9.0 and above is critical even where the report's
 * own classes stop at High. Greenbone marks results that are no vulnerability
 * with negative scores (-1 false positive, -2 debug, -3 error). Those give
 * null and the caller drops them, so an override to false positive closes the
 * finding. Without a score the threat name (Log, Low, Medium, High, Critical)
 * is used.
 *
 * @throws ImportFormatError when neither is a valid value.
 */
export function greenboneSeverity(
  score: string | null,
  threat: string | null,
  location: SourceLocation,
  scoreName = 'severity',
): ScannerSeverity | null {
  const value = presentValue(score);
  if (value !== null && /^-\d+(?:\.\d+)?$/.test(value)) return null;

  const number = parseScore(value, scoreName, location);
  if (number !== null) return severityFromScore(number);

  if (threat === null) throw failAt(location, 'the result has neither a severity score nor a threat level');
  if (threat.trim().toLowerCase() === 'false positive') return null;
  return severityFromRiskName(threat, 'threat', location);
}

/**
 * Splits a Greenbone port field: `80/tcp` is port 80 over tcp, `general/tcp`
 * and `general/icmp` are host-level results (port 0), and an empty field is a
 * host-level result over tcp.
 *
 * @throws ImportFormatError for a numeric part that is not a valid port.
 */
export function greenbonePort(text: string | null, location: SourceLocation): { port: number; protocol: string } {
  const value = presentValue(text);
  if (value === null) return { port: HOST_LEVEL_PORT, protocol: HOST_LEVEL_PROTOCOL };

  const [portPart = '', protocol] = value.split('/');
  const port = /^\d+$/.test(portPart) ? parsePort(portPart, location) : HOST_LEVEL_PORT;
  return { port, protocol: presentValue(protocol) ?? HOST_LEVEL_PROTOCOL };
}

/**
 * Returns the OID as a CVE when it is one: Greenbone's CVE scanner reports each
 * result under the CVE id itself instead of an NVT OID, with no separate CVE list.
 */
export function cveFromOid(oid: string): string[] {
  return CVE_ID.test(oid) ? [oid] : [];
}

/**
 * Joins the hard-wrapped lines of Greenbone texts (NVT summary, solution),
 * which break near 80 columns and indent continuation lines, and keeps blank
 * lines as paragraph breaks. Null for an empty text.
 */
export function unwrapGreenboneText(text: string | null | undefined): string | null {
  const value = presentValue(text);
  if (value === null) return null;

  return value
    .split(/\n[ \t]*\n\s*/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' '))
    .join('\n\n');
}
