/** Asset facts that the scoring rules read: how critical an asset is and how reachable. */

/** Tier 1 (most critical) to 4, as the CMDB and the asset tags grade assets. */
export type CriticalityTier = 1 | 2 | 3 | 4;

/** How far an asset can be reached from: the internet, the internal network, or neither. */
export type AssetExposure = 'internet-facing' | 'internal' | 'isolated';

export const ASSET_EXPOSURES: readonly AssetExposure[] = ['internet-facing', 'internal', 'isolated'];
