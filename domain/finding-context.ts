/**
 * Finding facts that scoring reads besides CVE intel: the asset's criticality
 * and exposure from its tags, and the CVSS the scanner reported.
 */
import { ASSET_EXPOSURES, type AssetExposure, type CriticalityTier } from './asset-context.js';
import type { CvssMetric, CvssVersion } from './intel.js';

/** Criticality and exposure of an asset, with whether each came from a tag or the default. */
export interface AssetScoringContext {
  criticality: CriticalityTier;
  criticalitySource: 'tag' | 'default';
  exposure: AssetExposure;
  exposureSource: 'tag' | 'default';
}

/**
 * Tier and exposure used when an asset has no usable tag: the middle of the
 * range, so a gap in CMDB data neither hides a finding nor raises it to the top.
 */
export const DEFAULT_CRITICALITY: CriticalityTier = 2;
export const DEFAULT_EXPOSURE: AssetExposure = 'internal';

/** Reads `criticality` (1 to 4, as a number or a digit string) and `exposure` from asset tags. */
export function assetContextFromTags(tags: Readonly<Record<string, unknown>>): AssetScoringContext {
  const rawTier = typeof tags.criticality === 'string' ? Number(tags.criticality.trim()) : tags.criticality;
  const tier = rawTier === 1 || rawTier === 2 || rawTier === 3 || rawTier === 4 ? rawTier : null;
  const exposure = ASSET_EXPOSURES.find((value) => value === tags.exposure) ?? null;

  return {
    criticality: tier ?? DEFAULT_CRITICALITY,
    criticalitySource: tier === null ? 'default' : 'tag',
    exposure: exposure ?? DEFAULT_EXPOSURE,
    exposureSource: exposure === null ? 'default' : 'tag',
  };
}

/** CVSS v3 and v2 as a scanner reports them on a finding. */
export interface ScannerCvss {
  cvss3Score: number | null;
  cvss3Vector: string | null;
  cvss2Score: number | null;
  cvss2Vector: string | null;
}

/**
 * Turns a finding's scanner CVSS into metrics that name the scanner as their
 * source. A v3 vector without a readable `CVSS:3.x/` prefix counts as 3.0.
 */
export function scannerCvssMetrics(cvss: ScannerCvss, scanner: string): CvssMetric[] {
  const metrics: CvssMetric[] = [];
  if (cvss.cvss3Score !== null) {
    const version: CvssVersion = cvss.cvss3Vector?.startsWith('CVSS:3.1/') ? '3.1' : '3.0';
    metrics.push({ version, baseScore: cvss.cvss3Score, vector: cvss.cvss3Vector ?? '', source: scanner, type: 'Scanner' });
  }
  if (cvss.cvss2Score !== null) {
    metrics.push({ version: '2.0', baseScore: cvss.cvss2Score, vector: cvss.cvss2Vector ?? '', source: scanner, type: 'Scanner' });
  }
  return metrics;
}
