/** Patch catalog and deployment capability. */

export interface PatchArtifact {
  id: string;
  title: string;
  artifact: string;
  digestSha256: string;
  signature: string | null;
  sizeBytes: number;
  rollbackSupported: boolean;
  cves: string[];
  solution: string | null;
}

export interface DeployTarget {
  assetId: string;
  hostname: string;
  ip: string | null;
}

export interface PatchCatalog {
  readonly name: string;
  /** Returns the patch that fixes the CVEs on this asset, or null when the vendor has none. */
  findPatch(input: { target: DeployTarget; cves: string[]; solution: string | null }): Promise<PatchArtifact | null>;
}

export interface DeployAdapter {
  readonly name: string;
  precheck(input: { target: DeployTarget; patch: PatchArtifact }): Promise<{ ok: boolean; detail: string }>;
  /**
   * Installs the patch. The adapter records `deploymentId` on the target, so a
   * repeated call with the same id reports `already-installed` and installs nothing.
   */
  install(input: { deploymentId: string; target: DeployTarget; patch: PatchArtifact }): Promise<{
    outcome: 'installed' | 'already-installed' | 'failed';
    detail: string;
  }>;
  validate(input: { deploymentId: string; target: DeployTarget; patch: PatchArtifact }): Promise<{ healthy: boolean; detail: string }>;
  /** Removes what the deployment installed; idempotent on `deploymentId`. */
  rollback(input: { deploymentId: string; target: DeployTarget; patch: PatchArtifact }): Promise<void>;
}
