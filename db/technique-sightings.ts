/**
 * ATT&CK techniques seen in the fleet. EDR imports store one row per vendor,
 * detection and technique in `technique_sightings`. Incidents count as sightings
 * too, but they are derived when read rather than stored: each technique of a
 * CVE of an incident counts from the incident's creation. Deriving them
 * keeps them in step with mappings imported after the incident opened, and no
 * incident code has to write sightings.
 */
import { type FallbackTechnique, type TechniqueSighting, fallbackTechniques, parentTechnique } from '../domain/attack.js';
import type { TechniqueDetection } from '../domain/detections.js';
import { InvalidCvssVectorError } from '../domain/errors.js';
import { assetContextFromTags } from '../domain/finding-context.js';
import { parseDuration } from '../domain/sla.js';
import type { Tx } from './client.js';
import type { Queryable } from './cve-intel.js';
import { matchAsset } from './findings-store.js';

export interface StoreSightingsResult {
  /** Distinct (vendor, detection, technique) sightings in the export. */
  sightings: number;
  /** Sightings not stored before. */
  added: number;
  /** Sightings whose host matched an asset. */
  onAssets: number;
}

interface SightingRow {
  techniqueId: string;
  vendor: string;
  detectionId: string;
  assetId: string | null;
  hostName: string | null;
  hostId: string | null;
  hostIp: string | null;
  seenAt: string;
}

/**
 * Stores a sighting per detection and technique. A detection's host is matched
 * to an asset by host name or IP address as scans match hosts (`matchAsset`).
 * A sighting already stored keeps its row, but gains the asset when the new
 * record names a host that matches one and the stored row has none. This
 * happens when Defender XDR sends an alert's AlertInfo row, which names no
 * device, before its AlertEvidence row. `onHost` is called after each distinct
 * host is matched, with the number matched so far.
 */
export async function storeEdrSightings(
  tx: Tx,
  detections: readonly TechniqueDetection[],
  options: { onHost?: (hostsDone: number) => void } = {},
): Promise<StoreSightingsResult> {
  const rows = await sightingRows(tx, detections, options.onHost);
  if (rows.length === 0) return { sightings: 0, added: 0, onAssets: 0 };

  const written = await tx.query<{ inserted: boolean }>(
    `INSERT INTO technique_sightings (technique_id, source, vendor, detection_id, asset_id, host_name, host_id, host_ip, seen_at)
     SELECT r."techniqueId", 'edr', r.vendor, r."detectionId", r."assetId", r."hostName", r."hostId", r."hostIp", r."seenAt"
       FROM jsonb_to_recordset($1::jsonb) AS r("techniqueId" text, vendor text, "detectionId" text, "assetId" text,
            "hostName" text, "hostId" text, "hostIp" text, "seenAt" timestamptz)
     ON CONFLICT (vendor, detection_id, technique_id) DO UPDATE SET
        asset_id = excluded.asset_id, host_name = excluded.host_name, host_id = excluded.host_id, host_ip = excluded.host_ip
      WHERE technique_sightings.asset_id IS NULL AND excluded.asset_id IS NOT NULL
     -- xmax is 0 only in a row version that an INSERT created, which tells inserts from updates.
     RETURNING (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );

  return {
    sightings: rows.length,
    added: written.filter((row) => row.inserted).length,
    onAssets: rows.filter((row) => row.assetId !== null).length,
  };
}

/**
 * Builds one row per vendor, detection and technique. Records of the same
 * detection merge into the earliest time and the first host that matched an
 * asset, because one INSERT may not update a row twice.
 */
async function sightingRows(tx: Tx, detections: readonly TechniqueDetection[], onHost?: (hostsDone: number) => void): Promise<SightingRow[]> {
  const assets = new Map<string, string | null>();
  const rows = new Map<string, SightingRow>();

  for (const detection of detections) {
    if (detection.techniqueIds.length === 0) continue;

    const hostKey = `${detection.hostName ?? ''}|${detection.hostIp ?? ''}`;
    if (!assets.has(hostKey)) {
      const host = { scannerAssetId: null, fqdn: detection.hostName, ip: detection.hostIp, name: detection.hostName ?? '' };
      assets.set(hostKey, await matchAsset(tx, host));
      onHost?.(assets.size);
    }
    const assetId = assets.get(hostKey) ?? null;

    for (const techniqueId of detection.techniqueIds) {
      const key = JSON.stringify([detection.vendor, detection.detectionId, techniqueId]);
      const row: SightingRow = {
        techniqueId,
        vendor: detection.vendor,
        detectionId: detection.detectionId,
        assetId,
        hostName: detection.hostName,
        hostId: detection.hostId,
        hostIp: detection.hostIp,
        seenAt: detection.detectedAt.toISOString(),
      };
      rows.set(key, mergeRows(rows.get(key), row));
    }
  }
  return [...rows.values()];
}

function mergeRows(earlier: SightingRow | undefined, later: SightingRow): SightingRow {
  if (earlier === undefined) return later;

  const host = earlier.assetId === null && later.assetId !== null ? later : earlier;
  const seenAt = earlier.seenAt <= later.seenAt ? earlier.seenAt : later.seenAt;
  return { ...host, seenAt };
}

export interface SightingQuery {
  /** End of the window. Sightings dated after it count too, as `raiseForObservedTechniques` counts them. */
  now: Date;
  /** Look-back period as a duration string, such as `'30 days'`. */
  window: string;
  /** Return only sightings of these techniques, their parents and sub-techniques. Default: all. */
  techniqueIds?: readonly string[];
}

/**
 * Returns the sightings within the window, newest first: stored EDR sightings,
 * and for each incident opened within it, one per technique of each of its
 * CVEs. A CVE's techniques are its CTID mappings, or, for a CVE without any,
 * the fallback rules applied to its CVSS vector and the exposure of each asset
 * the incident covers (internal when it covers none yet).
 *
 * @throws TypeError for an invalid window.
 */
export async function loadTechniqueSightings(database: Queryable, query: SightingQuery): Promise<TechniqueSighting[]> {
  const since = new Date(query.now.getTime() - parseDuration(query.window, 'technique sighting window'));
  const parents = query.techniqueIds === undefined ? null : [...new Set(query.techniqueIds.map(parentTechnique))];
  const stored = await mappedSightings(database, since, parents);
  const fallback = await fallbackIncidentSightings(database, since, parents);
  return [...stored, ...fallback].sort(
    (a, b) => b.seenAt.getTime() - a.seenAt.getTime() || a.id.localeCompare(b.id) || a.techniqueId.localeCompare(b.techniqueId),
  );
}

/** EDR sightings, and the mapped techniques of incident CVEs. */
async function mappedSightings(database: Queryable, since: Date, parents: string[] | null): Promise<TechniqueSighting[]> {
  const rows = await database.query<{ technique_id: string; seen_at: Date; kind: TechniqueSighting['kind']; id: string }>(
    `SELECT technique_id, seen_at, CASE source WHEN 'edr' THEN 'edr-detection' ELSE 'incident' END AS kind,
            detection_id || ' (' || vendor || ')' AS id
       FROM technique_sightings
      WHERE seen_at >= $1 AND ($2::text[] IS NULL OR split_part(technique_id, '.', 1) = ANY($2))
     UNION
     SELECT m.technique_id, i.created_at, 'incident', i.id
       FROM incidents i
      CROSS JOIN LATERAL unnest(i.cves) AS c(cve)
       JOIN attack_mappings m ON m.cve = c.cve
      WHERE i.created_at >= $1 AND ($2::text[] IS NULL OR split_part(m.technique_id, '.', 1) = ANY($2))
      ORDER BY seen_at DESC, id, technique_id`,
    [since, parents],
  );
  return rows.map((row) => ({ techniqueId: row.technique_id, seenAt: row.seen_at, kind: row.kind, id: row.id }));
}

/**
 * Returns the fallback techniques of incident CVEs that no CTID mapping covers. The
 * vector is NVD's preferred one, else one a scanner reported for the CVE.
 */
async function fallbackIncidentSightings(database: Queryable, since: Date, parents: string[] | null): Promise<TechniqueSighting[]> {
  const rows = await database.query<{ id: string; created_at: Date; cve: string; vector: string | null; asset_tags: Record<string, unknown>[] }>(
    `SELECT i.id, i.created_at, c.cve,
            coalesce(v.cvss_vector,
                     (SELECT coalesce(f.cvss3_vector, f.cvss2_vector) FROM findings f
                       WHERE f.cves @> ARRAY[c.cve] AND coalesce(f.cvss3_vector, f.cvss2_vector) IS NOT NULL
                       ORDER BY f.id LIMIT 1)) AS vector,
            coalesce((SELECT jsonb_agg(a.tags ORDER BY a.id) FROM incident_assets ia JOIN assets a ON a.id = ia.asset_id
                       WHERE ia.incident_id = i.id), '[]'::jsonb) AS asset_tags
       FROM incidents i
      CROSS JOIN LATERAL unnest(i.cves) AS c(cve)
       LEFT JOIN vulnerabilities v ON v.cve = c.cve
      WHERE i.created_at >= $1 AND NOT EXISTS (SELECT 1 FROM attack_mappings m WHERE m.cve = c.cve)`,
    [since],
  );

  const sightings = new Map<string, TechniqueSighting>();
  for (const row of rows) {
    if (row.vector === null) continue;
    const exposures = row.asset_tags.length === 0 ? [null] : row.asset_tags.map((tags) => assetContextFromTags(tags).exposure);
    for (const exposure of exposures) {
      let techniques: FallbackTechnique[];
      try {
        techniques = fallbackTechniques({ cve: row.cve, cvssVector: row.vector, exposure });
      } catch (error) {
        // A vector no rule can read picks no technique, as it does for a finding.
        if (error instanceof InvalidCvssVectorError) continue;
        throw error;
      }
      for (const { techniqueId } of techniques) {
        if (parents !== null && !parents.includes(parentTechnique(techniqueId))) continue;
        sightings.set(`${row.id} ${techniqueId}`, { techniqueId, seenAt: new Date(row.created_at), kind: 'incident', id: row.id });
      }
    }
  }
  return [...sightings.values()];
}
