/** CMDB capability: what the organisation records about an asset beyond scans. */

export interface CmdbAssetContext {
  /** A change freeze forbids patching now; such assets go to the exception path. */
  changeFreeze: boolean;
  /** Tier 1 (most critical) to 4. */
  criticality: number;
  owner: string | null;
}

export interface CmdbAdapter {
  readonly name: string;
  assetContext(input: { assetId: string; hostname: string; ip: string | null }): Promise<CmdbAssetContext>;
}
