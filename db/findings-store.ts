/**
 * Stores scanner results: matches each scanned host to an asset, upserts its
 * findings, and keeps their lifecycle. A host that is in the file has its findings
 * from the same scanner product closed when the file no longer reports them, and
 * reopened when they return. Hosts absent from the file are left alone.
 */
import { randomUUID } from 'node:crypto';
import type { ScannedHost, ScannedHostReport, ScannerProduct } from '../domain/findings.js';
import type { Tx } from './client.js';

export interface ScanStoreResult {
  hosts: number;
  assetsCreated: number;
  findings: number;
  informational: number;
  cves: number;
  fixed: number;
  reopened: number;
}

/**
 * Finds the asset a host belongs to, in one statement. Precedence: the
 * scanner's own asset id, then FQDN, then IP address, then the host name as
 * reported. Each value must match exactly, and the oldest asset wins a tie.
 * Scans and EDR imports share it, so both name the same asset.
 */
export async function matchAsset(tx: Tx, host: Pick<ScannedHost, 'scannerAssetId' | 'fqdn' | 'ip' | 'name'>): Promise<string | null> {
  const [row] = await tx.query<{ id: string }>(
    `SELECT id FROM assets
      WHERE scanner_asset_id = $1 OR fqdn = $2 OR ip = $3 OR hostname = $4
      ORDER BY CASE WHEN scanner_asset_id = $1 THEN 0 WHEN fqdn = $2 THEN 1 WHEN ip = $3 THEN 2 ELSE 3 END, first_seen
      LIMIT 1`,
    [host.scannerAssetId || null, host.fqdn || null, host.ip || null, host.name || null],
  );
  return row?.id ?? null;
}

async function upsertAsset(tx: Tx, host: ScannedHost, seenAt: Date): Promise<{ id: string; created: boolean }> {
  const existing = await matchAsset(tx, host);
  const hostname = host.fqdn ?? host.netbiosName ?? host.name;

  if (existing) {
    await tx.query(
      `UPDATE assets SET fqdn = coalesce($2, fqdn), ip = coalesce($3, ip), netbios_name = coalesce($4, netbios_name),
         os = coalesce($5, os), mac_address = coalesce($6, mac_address),
         scanner_asset_id = coalesce($7, scanner_asset_id), last_seen = greatest(last_seen, $8)
       WHERE id = $1`,
      [existing, host.fqdn, host.ip, host.netbiosName, host.os, host.macAddress, host.scannerAssetId, seenAt],
    );
    return { id: existing, created: false };
  }

  const id = `asset-${randomUUID()}`;
  await tx.query(
    `INSERT INTO assets (id, hostname, fqdn, ip, netbios_name, os, mac_address, scanner_asset_id, first_seen, last_seen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
    [id, hostname, host.fqdn, host.ip, host.netbiosName, host.os, host.macAddress, host.scannerAssetId, seenAt],
  );
  return { id, created: true };
}

/**
 * Upserts one host's findings and closes the ones it no longer reports, in one
 * statement. Its parts see the table as it was before the statement, so the
 * reopened count reads the old statuses, and the update, which touches only
 * findings absent from the file, never meets a row the insert changed.
 */
async function storeHostFindings(
  tx: Tx,
  assetId: string,
  report: ScannedHostReport,
  seenAt: Date,
): Promise<{ fixed: number; reopened: number }> {
  const rows = report.findings.map((finding) => ({
    ...finding,
    fixedVersions: finding.fixedVersions ?? [],
    patchIds: finding.patchIds ?? [],
  }));

  const [counts] = await tx.query<{ reopened: string; fixed: string }>(
    `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r("itemId" text, port int,
          protocol text, "itemName" text, "serviceName" text, severity smallint, informational boolean,
          cves jsonb, "cvss3BaseScore" real, "cvss3Vector" text, "cvss2BaseScore" real, "cvss2Vector" text,
          synopsis text, solution text, "patchPublicationDate" text, "fixedVersions" jsonb, "patchIds" jsonb,
          "exploitAvailable" boolean)
     ),
     reopened AS (
       SELECT count(*) AS n FROM findings f
         JOIN r ON f.item_id = r."itemId" AND f.port = r.port AND f.protocol = r.protocol
        WHERE f.asset_id = $2 AND f.scanner = $3 AND f.status = 'fixed'
     ),
     upserted AS (
       INSERT INTO findings (asset_id, scanner, item_id, port, protocol, item_name, service_name, severity,
          informational, cves, cvss3_score, cvss3_vector, cvss2_score, cvss2_vector, synopsis, solution,
          patch_publication_date, fixed_versions, patch_ids, exploit_available, status, first_seen, last_seen, fixed_at)
       SELECT $2, $3, r."itemId", r.port, r.protocol, r."itemName", r."serviceName", r.severity,
          r.informational, ARRAY(SELECT jsonb_array_elements_text(r.cves)), r."cvss3BaseScore", r."cvss3Vector",
          r."cvss2BaseScore", r."cvss2Vector", r.synopsis, r.solution, r."patchPublicationDate"::date,
          ARRAY(SELECT jsonb_array_elements_text(r."fixedVersions")), ARRAY(SELECT jsonb_array_elements_text(r."patchIds")),
          r."exploitAvailable", 'open', $4, $4, NULL
       FROM r
       ON CONFLICT (asset_id, scanner, item_id, port, protocol) DO UPDATE SET
          item_name = excluded.item_name, service_name = excluded.service_name, severity = excluded.severity,
          informational = excluded.informational, cves = excluded.cves, cvss3_score = excluded.cvss3_score,
          cvss3_vector = excluded.cvss3_vector, cvss2_score = excluded.cvss2_score,
          cvss2_vector = excluded.cvss2_vector, synopsis = excluded.synopsis, solution = excluded.solution,
          patch_publication_date = excluded.patch_publication_date, fixed_versions = excluded.fixed_versions,
          patch_ids = excluded.patch_ids, exploit_available = excluded.exploit_available, status = 'open', fixed_at = NULL,
          last_seen = greatest(findings.last_seen, excluded.last_seen)
       RETURNING 1
     ),
     fixed AS (
       UPDATE findings f SET status = 'fixed', fixed_at = $4
        WHERE f.asset_id = $2 AND f.scanner = $3 AND f.status = 'open'
          AND NOT EXISTS (SELECT 1 FROM r WHERE r."itemId" = f.item_id AND r.port = f.port AND r.protocol = f.protocol)
       RETURNING 1
     )
     SELECT (SELECT n FROM reopened) AS reopened, (SELECT count(*) FROM fixed) AS fixed, (SELECT count(*) FROM upserted) AS upserted`,
    [JSON.stringify(rows), assetId, report.scanner, seenAt],
  );

  return { fixed: Number(counts?.fixed ?? 0), reopened: Number(counts?.reopened ?? 0) };
}

/**
 * Stores every host report of one file. `onHost` is called after each host with
 * the count so far (for progress output) and the host's asset id.
 */
export async function storeScan(
  tx: Tx,
  scanner: ScannerProduct,
  reports: AsyncIterable<ScannedHostReport>,
  options: { seenAt: Date; onHost?: (hostsDone: number, assetId: string) => void },
): Promise<ScanStoreResult> {
  const result: ScanStoreResult = { hosts: 0, assetsCreated: 0, findings: 0, informational: 0, cves: 0, fixed: 0, reopened: 0 };
  const cves = new Set<string>();

  const storeHost = async (report: ScannedHostReport): Promise<void> => {
    const asset = await upsertAsset(tx, report.host, options.seenAt);
    const lifecycle = await storeHostFindings(tx, asset.id, report, options.seenAt);

    result.hosts += 1;
    result.assetsCreated += asset.created ? 1 : 0;
    result.findings += report.findings.length;
    result.informational += report.findings.filter((finding) => finding.informational).length;
    result.fixed += lifecycle.fixed;
    result.reopened += lifecycle.reopened;
    for (const finding of report.findings) for (const cve of finding.cves) cves.add(cve);
    options.onHost?.(result.hosts, asset.id);
  };

  // One host is stored while the parser reads the next, so the database and
  // the XML parsing run side by side. At most one host waits in memory.
  let storing: Promise<void> = Promise.resolve();
  try {
    for await (const report of reports) {
      if (report.scanner !== scanner) throw new Error(`scan report from ${report.scanner} in a ${scanner} import`);
      await storing;
      storing = storeHost(report);
      // The next turn awaits it. This handler only keeps a failure from being
      // reported as unhandled while the parser works.
      storing.catch(() => {});
    }
    await storing;
  } finally {
    // A parse error leaves the last host's statements running on the
    // transaction's connection. Waiting for them lets the rollback follow.
    await storing.catch(() => {});
  }

  result.cves = cves.size;
  return result;
}
