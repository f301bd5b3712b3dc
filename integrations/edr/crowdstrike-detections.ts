/**
 * Parser for CrowdStrike Falcon detection exports. It reads three layouts:
 *
 * - detection summary events of the Event Streams API (`{ metadata, event }`,
 *   `metadata.eventType` `EppDetectionSummaryEvent` or `DetectionSummaryEvent`),
 *   and the same event flat, with `ExternalApiType` `Event_EppDetectionSummaryEvent`;
 * - Falcon Data Replicator rows (`{ aid, fdr_event_type, event }`);
 * - detection entities of the Detects and Alerts APIs (`detection_id` or
 *   `composite_id`, a `device` object and techniques per `behaviors[]` entry).
 *
 * Other events (authentication audit events, other FDR event types) are skipped.
 * Techniques come from `TechniqueId`, or from `Technique` when it contains an id.
 * A `Technique` that contains only a name (`User Execution`) counts as a name
 * without an id.
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

/** Event types of a detection summary: Event Streams names, then the `ExternalApiType` and FDR name. */
const DETECTION_EVENT_TYPES = new Set(['EppDetectionSummaryEvent', 'DetectionSummaryEvent', 'Event_EppDetectionSummaryEvent']);

/** Tells whether a record has the fields of a Falcon event or detection entity. */
export function isCrowdStrikeRecord(value: Record<string, unknown>): boolean {
  const metadata = objectField(value.metadata);
  return (
    'ExternalApiType' in value ||
    'fdr_event_type' in value ||
    'CompositeId' in value ||
    typeof metadata.customerIDString === 'string' ||
    (isDetectionEntity(value) && typeof value.device === 'object')
  );
}

/**
 * Reads a Falcon export that `parseEdrDocument` split into records.
 *
 * @throws ImportFormatError when a detection lacks an id or a time, has an
 *   unreadable time, or a technique id field contains something other than an id.
 */
export function parseCrowdStrikeDetections(document: EdrDocument): DetectionExport {
  return collectDetections(document, 'crowdstrike-falcon-events', 'crowdstrike', (record) =>
    isDetectionEntity(record.value) ? readEntity(document, record) : readEvent(document, record),
  );
}

function isDetectionEntity(value: Record<string, unknown>): boolean {
  return 'detection_id' in value || 'composite_id' in value;
}

function readEvent(document: EdrDocument, record: EdrRecord): DetectionFields | null {
  const { value } = record;
  const metadata = objectField(value.metadata);
  const nested = typeof value.event === 'object' && value.event !== null;
  const event = nested ? objectField(value.event) : value;
  const prefix = nested ? 'event.' : '';

  const eventType = presentText(metadata.eventType) ?? presentText(value.fdr_event_type) ?? presentText(event.ExternalApiType);
  if (eventType === null || !DETECTION_EVENT_TYPES.has(eventType)) return null;

  const techniques = new TechniqueTally(document, record);
  techniques.addPair(`${prefix}TechniqueId`, event.TechniqueId, event.Technique);

  return {
    detectionId: requiredText(document, record, [
      [`${prefix}CompositeId`, event.CompositeId],
      [`${prefix}DetectId`, event.DetectId],
    ]),
    hostName: presentText(event.Hostname) ?? presentText(event.ComputerName) ?? presentText(value.Hostname),
    hostId: presentText(event.AgentIdString) ?? presentText(event.SensorId) ?? presentText(value.aid),
    hostIp: presentText(event.LocalIP),
    techniques,
    detectedAt: requiredTime(document, record, [
      [`${prefix}UTCTimestamp`, event.UTCTimestamp],
      [`${prefix}timestamp`, event.timestamp],
      ['metadata.eventCreationTime', metadata.eventCreationTime],
      ['timestamp', value.timestamp],
    ]),
  };
}

function readEntity(document: EdrDocument, record: EdrRecord): DetectionFields {
  const { value } = record;
  const device = objectField(value.device);

  const techniques = new TechniqueTally(document, record);
  techniques.addPair('technique_id', value.technique_id, value.technique);
  const behaviors = Array.isArray(value.behaviors) ? value.behaviors : [];
  behaviors.forEach((behavior, index) => {
    const fields = objectField(behavior);
    techniques.addPair(`behaviors[${index}].technique_id`, fields.technique_id, fields.technique);
  });

  return {
    detectionId: requiredText(document, record, [
      ['composite_id', value.composite_id],
      ['detection_id', value.detection_id],
    ]),
    hostName: presentText(device.hostname),
    hostId: presentText(device.device_id),
    hostIp: presentText(device.local_ip),
    techniques,
    detectedAt: requiredTime(document, record, [
      ['created_timestamp', value.created_timestamp],
      ['first_behavior', value.first_behavior],
      ['timestamp', value.timestamp],
    ]),
  };
}
