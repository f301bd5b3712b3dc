/**
 * Parsers for Microsoft Defender alerts in two layouts:
 *
 * - the Defender for Endpoint alerts API v1 (`GET /api/alerts`), an OData
 *   response whose `value` lists alerts with `id`, `machineId`,
 *   `computerDnsName`, `alertCreationTime` and `mitreTechniques`;
 * - Defender XDR advanced hunting records as the streaming API writes them
 *   (`category` `AdvancedHunting-AlertInfo` or `AdvancedHunting-AlertEvidence`,
 *   columns under `properties`), or the same columns at the top level as a
 *   hunting query returns them. `AttackTechniques` lists entries such as
 *   `Regsvr32 (T1218.010)`, as a JSON array or as JSON text of one.
 *
 * An alert of either layout is one detection. Both use the vendor name
 * `microsoft-defender`, because an endpoint alert keeps its id in XDR.
 */

import { isJsonObject } from '../intel/json-input.js';
import {
  type DetectionFields,
  type EdrDocument,
  type EdrRecord,
  TechniqueTally,
  collectDetections,
  objectField,
  presentText,
  recordError,
  requiredText,
  requiredTime,
} from './export-input.js';
import type { DetectionExport } from './types.js';

/** Hunting tables whose rows belong to an alert. Rows of other tables are skipped. */
const ALERT_CATEGORIES = new Set(['AdvancedHunting-AlertInfo', 'AdvancedHunting-AlertEvidence']);

/** Tells whether a record has the fields of an endpoint alert of the API. */
export function isDefenderApiAlert(value: Record<string, unknown>): boolean {
  return 'alertCreationTime' in value && 'id' in value;
}

/** Tells whether a record is an advanced hunting row, streamed or returned by a query. */
export function isDefenderHuntingRecord(value: Record<string, unknown>): boolean {
  const category = typeof value.category === 'string' ? value.category : '';
  return category.startsWith('AdvancedHunting-') || ('AlertId' in value && 'AttackTechniques' in value);
}

/**
 * Reads an alerts API response.
 *
 * @throws ImportFormatError when an alert lacks `id` or `alertCreationTime`,
 *   or `mitreTechniques` is not an array of technique ids.
 */
export function parseDefenderApiAlerts(document: EdrDocument): DetectionExport {
  return collectDetections(document, 'defender-alerts-api', 'microsoft-defender', (record) => {
    const { value } = record;
    const techniques = new TechniqueTally(document, record);
    const listed = value.mitreTechniques ?? [];
    if (!Array.isArray(listed)) throw recordError(document, record, 'mitreTechniques', 'expected an array of technique ids');
    listed.forEach((id, index) => techniques.addId(`mitreTechniques[${index}]`, id));

    return {
      detectionId: requiredText(document, record, [['id', value.id]]),
      hostName: presentText(value.computerDnsName),
      hostId: presentText(value.machineId),
      hostIp: null,
      techniques,
      detectedAt: requiredTime(document, record, [['alertCreationTime', value.alertCreationTime]]),
    };
  });
}

/**
 * Reads advanced hunting records.
 *
 * @throws ImportFormatError when an alert row lacks `AlertId` or a time, or
 *   `AttackTechniques` is neither an array nor JSON text of one.
 */
export function parseDefenderHunting(document: EdrDocument): DetectionExport {
  return collectDetections(document, 'defender-xdr-hunting', 'microsoft-defender', (record) => readHuntingRow(document, record));
}

function readHuntingRow(document: EdrDocument, record: EdrRecord): DetectionFields | null {
  const { value } = record;
  const streamed = isJsonObject(value.properties);
  const row = streamed ? objectField(value.properties) : value;
  const prefix = streamed ? 'properties.' : '';

  const category = presentText(value.category);
  const isAlertRow = category === null ? 'AlertId' in row : ALERT_CATEGORIES.has(category);
  if (!isAlertRow) return null;

  const techniques = new TechniqueTally(document, record);
  for (const entry of attackTechniqueEntries(document, record, `${prefix}AttackTechniques`, row.AttackTechniques)) techniques.addText(entry);

  return {
    detectionId: requiredText(document, record, [[`${prefix}AlertId`, row.AlertId]]),
    hostName: presentText(row.DeviceName),
    hostId: presentText(row.DeviceId),
    hostIp: null,
    techniques,
    detectedAt: requiredTime(document, record, [
      [`${prefix}Timestamp`, row.Timestamp],
      ['time', value.time],
    ]),
  };
}

/** Returns the entries of `AttackTechniques`, which the streaming API writes as JSON text of an array. */
function attackTechniqueEntries(document: EdrDocument, record: EdrRecord, field: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const text = presentText(value);
  if (text === null) return [];

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw recordError(document, record, field, `expected a JSON array of techniques, found ${JSON.stringify(text)}`);
  }
  if (!Array.isArray(parsed)) throw recordError(document, record, field, `expected a JSON array of techniques, found ${JSON.stringify(text)}`);
  return parsed;
}
