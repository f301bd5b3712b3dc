/** EDR capability in the engine's terms: detections on hosts, and host containment. */

import type { EdrVendor, TechniqueDetection } from '../../domain/detections.js';

export interface EdrHost {
  assetId: string;
  hostname: string;
  ip: string | null;
}

export interface EdrDetection {
  assetId: string;
  detectionId: string;
  /** `critical`, `high`, `medium` or `low`. */
  severity: string;
  description: string;
  /** ATT&CK technique ids the EDR attributes to the detection, such as `T1190`; empty when it names none. */
  techniqueIds: string[];
  /** When the EDR detected it, ISO 8601. */
  detectedAt: string;
}

export interface EdrAdapter {
  /** Adapter name shown in audit rows and output, and the vendor of the technique sightings its detections record. */
  readonly name: EdrVendor;
  /** Returns open detections of `minSeverity` or higher on the hosts. */
  listDetections(input: { hosts: EdrHost[]; minSeverity: 'high' | 'critical' }): Promise<EdrDetection[]>;
  /** Network-contains the host; idempotent on `requestId`. */
  containHost(input: { requestId: string; host: EdrHost }): Promise<{ containmentId: string }>;
  isContained(input: { requestId: string; host: EdrHost }): Promise<boolean>;
}

/** Export layouts `readEdrFile` recognizes by content. */
export type EdrExportFormat =
  | 'crowdstrike-falcon-events'
  | 'defender-alerts-api'
  | 'defender-xdr-hunting'
  | 'sentinelone-activities'
  | 'empty';

/** Result of parsing one export file. */
export interface DetectionExport {
  format: EdrExportFormat;
  /** Records in the file: array elements, JSON lines or alerts of an API response. */
  events: number;
  detections: TechniqueDetection[];
  /** Records that are not detections, such as audit events or agent scans. */
  skipped: number;
  /** Technique names given without an id (`User Execution`), which no mapping can match. */
  namesWithoutId: number;
}
