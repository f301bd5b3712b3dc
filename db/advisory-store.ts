/**
 * Stores CVE JSON 5 records (with CISA's ADP SSVC and KEV listing) and OSV
 * advisories. Each function runs inside the caller's transaction and stages its
 * rows with COPY, as the other intel stores do.
 */
import { Readable } from 'node:stream';
import { newestCvssMetric } from '../domain/cvss-vector.js';
import type { Cve5Record, OsvAdvisory } from '../domain/intel.js';
import type { Tx } from './client.js';
import { copyLine } from './copy-text.js';

export interface Cve5StoreResult {
  records: number;
  /** Records whose ADP container contains SSVC decision points or a KEV listing. */
  ssvc: number;
  /** Rejected records, counted and not stored. */
  rejected: number;
}

/**
 * Stores the ADP SSVC values and KEV listing of each published record in
 * `vulnerability_ssvc`, replacing what an earlier record stored. In
 * `vulnerabilities` the record only fills gaps (description, CWEs, CVSS), so
 * values from an NVD import stay: NVD's analysis is the engine's primary source.
 */
export async function storeCve5Records(tx: Tx, records: Cve5Record[], source: string): Promise<Cve5StoreResult> {
  const published = records.filter((record) => record.state === 'PUBLISHED');

  await tx.query('CREATE TEMP TABLE cve5_stage (doc jsonb NOT NULL) ON COMMIT DROP');
  await tx.copyFrom(
    'COPY cve5_stage (doc) FROM STDIN',
    Readable.from(published.map((record) => copyLine([JSON.stringify({ ...record, preferred: newestCvssMetric(record.metrics) })]))),
  );

  await tx.query(`
    INSERT INTO vulnerabilities AS v (cve, description, published, cvss_score, cvss_version,
        cvss_vector, cvss_source, cwes, metrics, updated_at)
    SELECT DISTINCT ON (doc->>'cve') doc->>'cve', NULLIF(doc->>'description', ''),
        (doc->>'datePublished')::timestamptz,
        (doc->'preferred'->>'baseScore')::real, doc->'preferred'->>'version',
        doc->'preferred'->>'vector', doc->'preferred'->>'source',
        ARRAY(SELECT jsonb_array_elements_text(doc->'cwes')), doc->'metrics', now()
    FROM cve5_stage
    ORDER BY doc->>'cve'
    ON CONFLICT (cve) DO UPDATE SET
        description = COALESCE(v.description, excluded.description),
        published = COALESCE(v.published, excluded.published),
        cvss_score = COALESCE(v.cvss_score, excluded.cvss_score),
        cvss_version = CASE WHEN v.cvss_score IS NULL THEN excluded.cvss_version ELSE v.cvss_version END,
        cvss_vector = CASE WHEN v.cvss_score IS NULL THEN excluded.cvss_vector ELSE v.cvss_vector END,
        cvss_source = CASE WHEN v.cvss_score IS NULL THEN excluded.cvss_source ELSE v.cvss_source END,
        cwes = CASE WHEN cardinality(v.cwes) > 0 THEN v.cwes ELSE excluded.cwes END,
        metrics = COALESCE(v.metrics, excluded.metrics),
        updated_at = now()`);

  const ssvc = await tx.query(
    `INSERT INTO vulnerability_ssvc (cve, exploitation, automatable, technical_impact, ssvc_version,
        ssvc_role, assessed_at, kev_date_added, kev_reference, metrics, record_updated_at, source, updated_at)
    SELECT DISTINCT ON (doc->>'cve') doc->>'cve', doc->'ssvc'->>'exploitation', doc->'ssvc'->>'automatable',
        doc->'ssvc'->>'technicalImpact', doc->'ssvc'->>'version', doc->'ssvc'->>'role',
        (doc->'ssvc'->>'assessedAt')::timestamptz, (doc->'kev'->>'dateAdded')::date, doc->'kev'->>'reference',
        doc->'metrics', (doc->>'dateUpdated')::timestamptz, $1, now()
    FROM cve5_stage
    WHERE jsonb_typeof(doc->'ssvc') = 'object' OR jsonb_typeof(doc->'kev') = 'object'
    ORDER BY doc->>'cve'
    ON CONFLICT (cve) DO UPDATE SET
        exploitation = excluded.exploitation, automatable = excluded.automatable,
        technical_impact = excluded.technical_impact, ssvc_version = excluded.ssvc_version,
        ssvc_role = excluded.ssvc_role, assessed_at = excluded.assessed_at,
        kev_date_added = excluded.kev_date_added, kev_reference = excluded.kev_reference,
        metrics = excluded.metrics, record_updated_at = excluded.record_updated_at,
        source = excluded.source, updated_at = now()
    RETURNING cve`,
    [source],
  );

  return { records: records.length, ssvc: ssvc.length, rejected: records.length - published.length };
}

export interface OsvStoreResult {
  /** Distinct advisories in the input. */
  advisories: number;
  /** Advisories inserted or replaced; an advisory older than the stored one is skipped. */
  stored: number;
}

/** Upserts OSV advisories by id, keeping whichever version has the later `modified` time. */
export async function storeOsvAdvisories(tx: Tx, advisories: OsvAdvisory[], source: string): Promise<OsvStoreResult> {
  await tx.query('CREATE TEMP TABLE osv_stage (doc jsonb NOT NULL) ON COMMIT DROP');
  await tx.copyFrom('COPY osv_stage (doc) FROM STDIN', Readable.from(advisories.map((advisory) => copyLine([JSON.stringify(advisory)]))));

  const stored = await tx.query(
    `INSERT INTO osv_advisories AS o (id, modified, published, withdrawn, summary, aliases, cves,
        affected, severity, source, updated_at)
    SELECT doc->>'id', (doc->>'modified')::timestamptz, (doc->>'published')::timestamptz,
        (doc->>'withdrawn')::timestamptz, doc->>'summary',
        ARRAY(SELECT jsonb_array_elements_text(doc->'aliases')),
        ARRAY(SELECT jsonb_array_elements_text(doc->'cves')),
        doc->'affected', doc->'severity', $1, now()
    FROM osv_stage
    ON CONFLICT (id) DO UPDATE SET
        modified = excluded.modified, published = excluded.published, withdrawn = excluded.withdrawn,
        summary = excluded.summary, aliases = excluded.aliases, cves = excluded.cves,
        affected = excluded.affected, severity = excluded.severity, source = excluded.source,
        updated_at = now()
    WHERE excluded.modified >= o.modified
    RETURNING id`,
    [source],
  );

  return { advisories: advisories.length, stored: stored.length };
}
