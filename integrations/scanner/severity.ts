/**
 * Severity scales shared by several vendors, mapped to the engine's 0..4
 * (0 informational, 1 low, 2 medium, 3 high, 4 critical). Vendor-specific
 * scales (Qualys levels 1-5) sit in that vendor's parser.
 */

import type { ScannerSeverity } from '../../domain/findings.js';
import { type SourceLocation, failAt } from './finding-values.js';

/**
 * Risk names as Nessus, Tenable and Greenbone write them, in any letter case.
 * "None", "Info" and Greenbone's "Log" all mean an informational result.
 */
const RISK_NAMES = new Map<string, ScannerSeverity>([
  ['none', 0],
  ['info', 0],
  ['informational', 0],
  ['log', 0],
  ['low', 1],
  ['medium', 2],
  ['moderate', 2],
  ['high', 3],
  ['critical', 4],
]);

/**
 * Maps a CVSS base score (or a vendor score on the same 0-10 scale) to the
 * qualitative ratings of the CVSS v3.1 specification (FIRST, section 5):
 * 0.0 none, 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.
 */
export function severityFromScore(score: number): ScannerSeverity {
  if (score === 0) return 0;
  if (score < 4) return 1;
  if (score < 7) return 2;
  if (score < 9) return 3;
  return 4;
}

/** Maps a risk name (`None`, `Info`, `Low`, `Medium`, `High`, `Critical`, `Log`) to 0..4. */
export function severityFromRiskName(text: string, name: string, location: SourceLocation): ScannerSeverity {
  const severity = RISK_NAMES.get(text.trim().toLowerCase());
  if (severity === undefined) {
    throw failAt(location, `invalid ${name} "${text.trim()}"; expected None, Info, Low, Medium, High or Critical`);
  }
  return severity;
}

/** Maps Tenable's numeric severity `0`..`4` or a risk name to 0..4. */
export function severityFromNumberOrName(text: string, name: string, location: SourceLocation): ScannerSeverity {
  const value = text.trim();
  if (/^[0-4]$/.test(value)) return Number(value) as ScannerSeverity;
  return severityFromRiskName(value, name, location);
}
