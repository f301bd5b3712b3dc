/** EDR capability in the engine's terms: detections on hosts, and host containment. */

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
}

export interface EdrAdapter {
  /** Adapter name shown in audit rows and output, e.g. `lab`, `crowdstrike`. */
  readonly name: string;
  /** Returns open detections of `minSeverity` or higher on the hosts. */
  listDetections(input: { hosts: EdrHost[]; minSeverity: 'high' | 'critical' }): Promise<EdrDetection[]>;
  /** Network-contains the host; idempotent on `requestId`. */
  containHost(input: { requestId: string; host: EdrHost }): Promise<{ containmentId: string }>;
  isContained(input: { requestId: string; host: EdrHost }): Promise<boolean>;
}
