/** WAF/IPS capability: temporary virtual patches in front of an asset. */

export interface WafAdapter {
  readonly name: string;
  /** Puts a virtual patch for the CVEs in front of the asset; idempotent on `mitigationId`. */
  applyVirtualPatch(input: { mitigationId: string; assetId: string; hostname: string; cves: string[] }): Promise<{ ruleIds: string[] }>;
}
