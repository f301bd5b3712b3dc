/**
 * Parser for SentinelOne activity records (`GET /web/api/v2.1/activities`), in
 * the API's camelCase or in the lower-case keys SIEM pipelines such as Panther
 * write. An activity that carries a `threatId`, or a `data.alertId` (alert
 * activities from custom rules), is a detection. Other activities (agent scans,
 * logins) are skipped.
 *
 * NOTE: activity records name no ATT&CK technique, so every detection read here
 * has an empty technique list and adds no sighting. The threat indicators that
 * carry MITRE techniques are not part of this layout.
 */

import {
  type DetectionFields,
  type EdrDocument,
  type EdrRecord,
  TechniqueTally,
  collectDetections,
  objectField,
  presentText,
  requiredText,
  requiredTime,
} from './export-input.js';
import type { DetectionExport } from './types.js';

/** Reads `name` in camelCase, or in lower case as SIEM exports store it. */
function field(object: Record<string, unknown>, name: string): unknown {
  return object[name] ?? object[name.toLowerCase()];
}

/** Tells whether a record has the fields of an activity. */
export function isSentinelOneActivity(value: Record<string, unknown>): boolean {
  return field(value, 'activityType') !== undefined && field(value, 'accountId') !== undefined;
}

/**
 * Reads activity records.
 *
 * @throws ImportFormatError when a detection activity has no readable time.
 */
export function parseSentinelOneActivities(document: EdrDocument): DetectionExport {
  return collectDetections(document, 'sentinelone-activities', 'sentinelone', (record) => readActivity(document, record));
}

function readActivity(document: EdrDocument, record: EdrRecord): DetectionFields | null {
  const { value } = record;
  const data = objectField(value.data);
  const threatId = presentText(field(value, 'threatId'));
  const alertId = presentText(field(data, 'alertId'));
  if (threatId === null && alertId === null) return null;

  return {
    detectionId: requiredText(document, record, [
      ['threatId', threatId],
      ['data.alertId', alertId],
    ]),
    hostName: presentText(field(data, 'computerName')),
    hostId: presentText(field(value, 'agentId')),
    hostIp: presentText(field(data, 'agentIpv4')),
    techniques: new TechniqueTally(document, record),
    detectedAt: requiredTime(document, record, [
      ['data.detectedAt', field(data, 'detectedAt')],
      ['createdAt', field(value, 'createdAt')],
    ]),
  };
}
