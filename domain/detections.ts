/** EDR detections in the engine's terms, as the EDR export parsers return them. */

/** EDR products whose detection exports the engine reads, and `lab`, the simulated fleet's EDR. */
export type EdrVendor = 'crowdstrike' | 'microsoft-defender' | 'sentinelone' | 'lab';

/** One detection from an EDR export, with the ATT&CK techniques it names. */
export interface TechniqueDetection {
  vendor: EdrVendor;
  /** The vendor's detection or alert id, unique within the vendor. */
  detectionId: string;
  hostName: string | null;
  /** The vendor's agent or device id. */
  hostId: string | null;
  hostIp: string | null;
  /** Valid technique and sub-technique ids, such as `T1218` or `T1059.001`, without repeats. */
  techniqueIds: string[];
  detectedAt: Date;
}
