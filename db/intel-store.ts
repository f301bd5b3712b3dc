/**
 * Stores vulnerability intelligence: KEV entries, EPSS daily partitions and NVD
 * records. Each function runs inside the caller's transaction, so an import either
 * lands whole or leaves the database as it was. Large inputs go through COPY.
 */
import { Readable } from 'node:stream';
import type { CvssMetric, EpssFileInfo, KevCatalog, NvdRecord } from '../domain/intel.js';
import { epssDaysToDrop } from '../domain/epss-retention.js';
import type { Tx } from './client.js';
import { copyLine } from './copy-text.js';

export interface KevStoreResult {
  entries: number;
  added: number;
  removed: number;
}

/** Loads a whole catalog; entries missing from it are marked removed, never deleted. */
export async function storeKevCatalog(tx: Tx, catalog: KevCatalog): Promise<KevStoreResult> {
  await tx.query('CREATE TEMP TABLE kev_stage (doc jsonb NOT NULL) ON COMMIT DROP');
  await tx.copyFrom(
    'COPY kev_stage (doc) FROM STDIN',
    Readable.from(catalog.entries.map((entry) => copyLine([JSON.stringify(entry)]))),
  );

  const [{ count: before } = { count: '0' }] = await tx.query<{ count: string }>(
    'SELECT count(*) FROM vulnerabilities WHERE kev',
  );

  await tx.query(`
    INSERT INTO vulnerabilities AS v (cve, kev, kev_date_added, kev_due_date, kev_ransomware,
        kev_vendor_project, kev_product, kev_name, kev_required_action, kev_notes, kev_cwes,
        kev_removed_at, updated_at)
    SELECT doc->>'cve', true, (doc->>'dateAdded')::date, (doc->>'dueDate')::date,
        doc->>'knownRansomwareCampaignUse', doc->>'vendorProject', doc->>'product',
        doc->>'vulnerabilityName', doc->>'requiredAction', doc->>'notes',
        ARRAY(SELECT jsonb_array_elements_text(doc->'cwes')), NULL, now()
    FROM kev_stage
    ON CONFLICT (cve) DO UPDATE SET
        kev = true, kev_date_added = excluded.kev_date_added, kev_due_date = excluded.kev_due_date,
        kev_ransomware = excluded.kev_ransomware, kev_vendor_project = excluded.kev_vendor_project,
        kev_product = excluded.kev_product, kev_name = excluded.kev_name,
        kev_required_action = excluded.kev_required_action, kev_notes = excluded.kev_notes,
        kev_cwes = excluded.kev_cwes, kev_removed_at = NULL, updated_at = now()`);

  const removed = await tx.query(`
    UPDATE vulnerabilities SET kev = false, kev_removed_at = now(), updated_at = now()
    WHERE kev AND cve NOT IN (SELECT doc->>'cve' FROM kev_stage)
    RETURNING cve`);

  const [{ count: after } = { count: '0' }] = await tx.query<{ count: string }>(
    'SELECT count(*) FROM vulnerabilities WHERE kev',
  );

  return {
    entries: catalog.entries.length,
    added: Math.max(0, Number(after) - Number(before) + removed.length),
    removed: removed.length,
  };
}

export interface EpssLoad {
  info: EpssFileInfo & { scoreDate: string };
  /** Rows in COPY text format: `cve\tepss\tpercentile\n`. */
  rows: Readable;
  /** Rows written to `rows`; settles when the stream ends. */
  rowCount: Promise<number>;
  source: string;
  /** Days of daily history kept behind the newest day; older days thin to one per week. Default 90. */
  dailyHistoryDays?: number;
}

/** Default daily EPSS history, in days behind the newest score date. */
export const EPSS_DAILY_HISTORY_DAYS = 90;

/**
 * Copies one day's scores into that day's partition. A reload of the same day
 * replaces the partition whole; other days are untouched.
 */
export async function storeEpssDay(tx: Tx, load: EpssLoad): Promise<{ scoreDate: string; rows: number; prunedDays: number }> {
  const scoreDate = load.info.scoreDate;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(scoreDate)) throw new Error(`invalid EPSS score date: ${scoreDate}`);
  const partition = `epss_scores_${scoreDate.replaceAll('-', '')}`;

  await tx.query(`DROP TABLE IF EXISTS ${partition}`);
  // The CHECK constraint lets ATTACH skip its validation scan. Declared before
  // the COPY, it costs a comparison per row instead of a scan of the table.
  await tx.query(
    `CREATE TABLE ${partition} (LIKE epss_scores INCLUDING DEFAULTS, CONSTRAINT ${partition}_date CHECK (score_date = '${scoreDate}'))`,
  );
  await tx.query(`ALTER TABLE ${partition} ALTER COLUMN score_date SET DEFAULT '${scoreDate}'`);
  await tx.copyFrom(`COPY ${partition} (cve, epss, percentile) FROM STDIN`, load.rows);
  await tx.query(`ALTER TABLE ${partition} ADD PRIMARY KEY (cve)`);
  await tx.query(`ALTER TABLE epss_scores ATTACH PARTITION ${partition} FOR VALUES IN ('${scoreDate}')`);

  const rows = await load.rowCount;
  await tx.query(
    `INSERT INTO epss_files (score_date, model_version, row_count, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (score_date) DO UPDATE SET model_version = excluded.model_version,
       row_count = excluded.row_count, source = excluded.source, imported_at = now()`,
    [scoreDate, load.info.modelVersion, rows, load.source],
  );

  const prunedDays = await pruneEpssHistory(tx, load.dailyHistoryDays ?? EPSS_DAILY_HISTORY_DAYS);
  return { scoreDate, rows, prunedDays };
}

/** Detaches and drops the day partitions the retention rule no longer keeps. */
async function pruneEpssHistory(tx: Tx, dailyDays: number): Promise<number> {
  const files = await tx.query<{ score_date: string | Date }>('SELECT score_date FROM epss_files');
  const days = files.map((row) => (typeof row.score_date === 'string' ? row.score_date : row.score_date.toISOString().slice(0, 10)));

  const drop = epssDaysToDrop(days, dailyDays);
  for (const day of drop) {
    const partition = `epss_scores_${day.replaceAll('-', '')}`;
    await tx.query(`ALTER TABLE epss_scores DETACH PARTITION ${partition}`);
    await tx.query(`DROP TABLE ${partition}`);
    await tx.query('DELETE FROM epss_files WHERE score_date = $1', [day]);
  }
  return drop.length;
}

export interface NvdStoreRow {
  record: NvdRecord;
  /** The metric to score with (newest version, primary source first). */
  preferred: CvssMetric | null;
}

/**
 * Upserts NVD records and replaces the CPE matches of each CVE they name, so a
 * match a newer record dropped does not linger. KEV fields already stored are
 * left as they are. When the input names a CVE more than once, the record with
 * the newest `lastModified` wins, and among equals the later one.
 */
export async function storeNvdRecords(tx: Tx, rows: NvdStoreRow[]): Promise<{ records: number; rejected: number; cpeMatches: number }> {
  await tx.query('CREATE TEMP TABLE nvd_stage (position integer NOT NULL, doc jsonb NOT NULL) ON COMMIT DROP');
  await tx.copyFrom(
    'COPY nvd_stage (position, doc) FROM STDIN',
    Readable.from(rows.map(({ record, preferred }, position) => copyLine([String(position), JSON.stringify({ ...record, preferred })]))),
  );
  await tx.query(`
    CREATE TEMP TABLE nvd_latest ON COMMIT DROP AS
    SELECT DISTINCT ON (doc->>'cve') doc->>'cve' AS cve, doc FROM nvd_stage
    ORDER BY doc->>'cve', (doc->>'lastModified')::timestamp DESC, position DESC`);

  await tx.query(`
    INSERT INTO vulnerabilities AS v (cve, nvd_status, description, published, last_modified,
        cvss_score, cvss_version, cvss_vector, cvss_source, cwes, metrics, "references", updated_at)
    SELECT cve, doc->>'status', doc->>'description',
        (doc->>'published')::timestamp AT TIME ZONE 'UTC', (doc->>'lastModified')::timestamp AT TIME ZONE 'UTC',
        (doc->'preferred'->>'baseScore')::real, doc->'preferred'->>'version',
        doc->'preferred'->>'vector', doc->'preferred'->>'source',
        ARRAY(SELECT jsonb_array_elements_text(doc->'cwes')), doc->'metrics', doc->'references', now()
    FROM nvd_latest
    ON CONFLICT (cve) DO UPDATE SET
        nvd_status = excluded.nvd_status, description = excluded.description,
        published = excluded.published, last_modified = excluded.last_modified,
        cvss_score = excluded.cvss_score, cvss_version = excluded.cvss_version,
        cvss_vector = excluded.cvss_vector, cvss_source = excluded.cvss_source,
        cwes = excluded.cwes, metrics = excluded.metrics, "references" = excluded."references",
        updated_at = now()`);

  const cpeMatches = await replaceCpeMatches(tx);
  return {
    records: rows.length,
    rejected: rows.filter(({ record }) => record.status === 'Rejected').length,
    cpeMatches,
  };
}

/** Replaces the CPE matches of every CVE in `nvd_latest` with those of its staged record. */
async function replaceCpeMatches(tx: Tx): Promise<number> {
  await tx.query('DELETE FROM vulnerability_cpe_matches WHERE cve IN (SELECT cve FROM nvd_latest)');

  // WITH ORDINALITY numbers from 1, but the stored indexes count from 0 as JSON paths do.
  const [inserted] = await tx.query<{ count: string }>(`
    WITH inserted AS (
      INSERT INTO vulnerability_cpe_matches (cve, configuration_index, configuration_operator, configuration_negate,
          node_index, node_operator, node_negate, match_index, vulnerable, criteria, match_criteria_id,
          part, vendor, product, version, version_start_including, version_start_excluding,
          version_end_including, version_end_excluding)
      SELECT latest.cve, c.ordinality - 1, c.value->>'operator', (c.value->>'negate')::boolean,
          n.ordinality - 1, n.value->>'operator', (n.value->>'negate')::boolean,
          m.ordinality - 1, (m.value->>'vulnerable')::boolean, m.value->>'criteria', m.value->>'matchCriteriaId',
          m.value->'cpe'->>'part', m.value->'cpe'->>'vendor', m.value->'cpe'->>'product', m.value->'cpe'->>'version',
          m.value->'range'->>'startIncluding', m.value->'range'->>'startExcluding',
          m.value->'range'->>'endIncluding', m.value->'range'->>'endExcluding'
      FROM nvd_latest AS latest
      CROSS JOIN LATERAL jsonb_array_elements(latest.doc->'configurations') WITH ORDINALITY AS c(value, ordinality)
      CROSS JOIN LATERAL jsonb_array_elements(c.value->'nodes') WITH ORDINALITY AS n(value, ordinality)
      CROSS JOIN LATERAL jsonb_array_elements(n.value->'matches') WITH ORDINALITY AS m(value, ordinality)
      RETURNING 1)
    SELECT count(*) FROM inserted`);
  return Number(inserted?.count ?? 0);
}
