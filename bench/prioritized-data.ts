/**
 * Synthetic fleet for the prioritized-listing benchmark: assets and findings
 * generated inside PostgreSQL with generate_series, citing real CVE ids from the
 * real KEV catalog and EPSS file, so scores spread as they would on real data.
 */
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { sharedDataPath } from '../test/shared-data.js';

export interface FleetSize {
  assets: number;
  findingsPerAsset: number;
  /** Distinct CVEs the findings cite, all KEV entries among them. */
  cvePool: number;
}

/**
 * Scanner CVSS v3 scores with matching vectors, so SSVC reads a real vector: a
 * network RCE, a network information leak, a medium leak, a local privilege
 * escalation and a reflected XSS.
 */
const SCANNER_CVSS = `(VALUES
  (0, 9.8, 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
  (1, 7.5, 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'),
  (2, 5.3, 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'),
  (3, 7.8, 'CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'),
  (4, 6.1, 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')) AS cvss(k, score, vector)`;

/** Loads the real KEV and EPSS files, then generates the fleet. Returns the milliseconds it took. */
export async function generateFleet(database: Database, policy: Policy, size: FleetSize): Promise<number> {
  const started = Date.now();
  const logger = createLogger({ silent: true });
  const load = (kind: 'kev' | 'epss', path: string) =>
    importFile(database, kind, { path, fileName: path.split('/').pop()!, importedBy: 'bench' }, logger, policy);
  await load('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
  await load('epss', sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv'));

  // Every KEV CVE, then EPSS CVEs in a fixed pseudo-random order up to the pool
  // size. CREATE TABLE AS takes no bind parameters, so the integer is inlined.
  await database.query(
    `CREATE UNLOGGED TABLE bench_cves AS
     SELECT row_number() OVER (ORDER BY kev DESC, md5(cve)) - 1 AS n, cve
       FROM (SELECT cve, true AS kev FROM vulnerabilities WHERE kev
             UNION ALL
             SELECT e.cve, false FROM epss_scores e
              WHERE NOT EXISTS (SELECT 1 FROM vulnerabilities v WHERE v.cve = e.cve AND v.kev)) c
      ORDER BY kev DESC, md5(cve)
      LIMIT ${Math.trunc(size.cvePool)}`,
  );
  await database.query('CREATE UNIQUE INDEX ON bench_cves (n)');

  await database.query(
    `INSERT INTO assets (id, hostname, ip, tags)
     SELECT 'bench-asset-' || g, 'host' || g || '.bench.example', '10.' || (g / 65536) || '.' || (g / 256 % 256) || '.' || (g % 256),
            jsonb_build_object('site', 'site-' || (g % 10), 'owner', 'team-' || (g % 50), 'criticality', 1 + g % 4,
                               'exposure', (ARRAY['internet-facing', 'internal', 'isolated'])[1 + g % 3])
       FROM generate_series(1, $1::int) g`,
    [size.assets],
  );

  // Finding g sits on asset (g - 1) / perAsset + 1 with item (g - 1) % perAsset, so
  // the unique key holds. Its CVE and CVSS come from hashes of g.
  await database.query(
    `INSERT INTO findings (asset_id, scanner, item_id, port, protocol, item_name, severity, informational, cves,
                           cvss3_score, cvss3_vector, exploit_available, status, first_seen, last_seen)
     SELECT 'bench-asset-' || ((g - 1) / $2 + 1), 'nessus', (100000 + (g - 1) % $2)::text, 443, 'tcp',
            'Synthetic finding ' || c.cve, 3, false, ARRAY[c.cve], cvss.score, cvss.vector, g % 7 = 0, 'open',
            now() - make_interval(days => (g % 365)::int), now()
       FROM generate_series(1, $1::int) g
       JOIN bench_cves c ON c.n = (g::bigint * 2654435761) % $3
       JOIN ${SCANNER_CVSS} ON cvss.k = (g::bigint * 40503) % 5`,
    [size.assets * size.findingsPerAsset, size.findingsPerAsset, size.cvePool],
  );

  await database.query('ANALYZE assets');
  await database.query('ANALYZE findings');
  return Date.now() - started;
}
