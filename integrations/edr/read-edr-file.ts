/**
 * Reads an EDR detection export of any layout this folder parses. The layout is
 * detected from the content, because uploads carry no reliable file name: an
 * OData response (`value`) contains Defender API alerts, and otherwise the first
 * record's fields name the vendor.
 */

import { readFile } from 'node:fs/promises';

import { isCrowdStrikeRecord, parseCrowdStrikeDetections } from './crowdstrike-detections.js';
import { isDefenderApiAlert, isDefenderHuntingRecord, parseDefenderApiAlerts, parseDefenderHunting } from './defender-alerts.js';
import { type EdrDocument, parseEdrDocument, recordError } from './export-input.js';
import { isSentinelOneActivity, parseSentinelOneActivities } from './sentinelone-activities.js';
import type { DetectionExport } from './types.js';

/** Layouts in the order they are tried on the first record. */
const LAYOUTS: readonly { matches: (value: Record<string, unknown>) => boolean; parse: (document: EdrDocument) => DetectionExport }[] = [
  { matches: isDefenderApiAlert, parse: parseDefenderApiAlerts },
  { matches: isDefenderHuntingRecord, parse: parseDefenderHunting },
  { matches: isSentinelOneActivity, parse: parseSentinelOneActivities },
  { matches: isCrowdStrikeRecord, parse: parseCrowdStrikeDetections },
];

const EXPECTED =
  'expected CrowdStrike Falcon detection events, a Defender for Endpoint alerts API response, ' +
  'Defender XDR advanced hunting records or SentinelOne activities';

/**
 * Parses export text. A file with no records (`[]`, or an OData response with
 * an empty `value`) is valid and has the format `empty`.
 *
 * @throws ImportFormatError for an empty file, invalid JSON, a first record of
 *   no known layout, or a malformed detection (see each parser).
 */
export function parseEdrExport(text: string, file: string): DetectionExport {
  const document = parseEdrDocument(text, file);
  const [first] = document.records;
  if (first === undefined) return { format: 'empty', events: 0, detections: [], skipped: 0, namesWithoutId: 0 };

  const layout = LAYOUTS.find((candidate) => candidate.matches(first.value));
  if (layout === undefined) throw recordError(document, first, null, `not a detection export this importer reads: ${EXPECTED}`);
  return layout.parse(document);
}

/**
 * Reads an export file.
 *
 * @throws ImportFormatError as `parseEdrExport` does.
 */
export async function readEdrFile(path: string, options: { fileName?: string } = {}): Promise<DetectionExport> {
  const text = await readFile(path, 'utf8');
  return parseEdrExport(text, options.fileName ?? path);
}
