/**
 * Imports: parse a file with its integration parser and store it in one
 * transaction, with an `imports` row and an audit row, so a failed import leaves
 * the database as it was and a finished one can be traced. The same transaction
 * rescores the open findings the file can change, so stored scores never lag
 * behind the data. A scan rescores its hosts' findings. KEV and NVD rescore the
 * findings naming a CVE the file wrote, and EPSS rescores every finding. An EDR
 * export rescores the findings whose CVEs map to a technique it names, and
 * ATT&CK mappings the findings naming a mapped CVE. A CMDB tags file rescores
 * the findings of the assets whose tags it changed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Database, Tx } from '../db/client.js';
import { storeAssetTagRecords } from '../db/asset-tags.js';
import { appendAudit } from '../db/audit.js';
import { cvesWrittenInTransaction } from '../db/cve-intel.js';
import { clearFeedValidators } from '../db/feed-cursors.js';
import { rescoreFindings, type RescoreResult } from '../db/finding-scores.js';
import { storeScan, type ScanStoreResult } from '../db/findings-store.js';
import { storeCve5Records, storeOsvAdvisories } from '../db/advisory-store.js';
import { cvesMappedToTechniques, storeAttackMappings } from '../db/attack-store.js';
import { storeEpssDay, storeKevCatalog, storeNvdRecords } from '../db/intel-store.js';
import { storeEdrSightings } from '../db/technique-sightings.js';
import { describeHostKey } from '../domain/asset-tags.js';
import { FALLBACK_TECHNIQUE_IDS, parentTechnique } from '../domain/attack.js';
import { ImportFormatError } from '../domain/errors.js';
import { parseDuration } from '../domain/sla.js';
import { readAttackMappingFile } from '../integrations/attack/read-mapping-file.js';
import { type AssetTagsFile, readAssetTagsCsv } from '../integrations/cmdb/tags-csv.js';
import { readEdrFile } from '../integrations/edr/read-edr-file.js';
import type { DetectionExport } from '../integrations/edr/types.js';
import { epssCopyStream } from '../integrations/intel/epss-copy.js';
import { readCve5Record } from '../integrations/intel/cve5.js';
import { readKevFile } from '../integrations/intel/kev-file.js';
import { preferredCvss, readNvdRecords } from '../integrations/intel/nvd.js';
import { readOsvFile } from '../integrations/intel/osv.js';
import { openScannerFile } from '../integrations/scanner/open-scan.js';
import type { Logger } from '../config/logger.js';
import { parsePolicy } from '../config/policy.js';
import type { FindingScoringPolicy } from '../domain/finding-score.js';

export type ImportKind = 'kev' | 'epss' | 'nvd' | 'cve5' | 'osv' | 'findings' | 'attack' | 'edr' | 'assets';

export interface ImportRequest {
  /** Path of the uploaded bytes on disk. */
  path: string;
  /** The name the user gave the file, used in messages. */
  fileName: string;
  importedBy: string;
  /** EPSS only: score date for files that do not state one. */
  scoreDate?: string | undefined;
}

export interface ImportResult {
  kind: ImportKind;
  file: string;
  sha256: string;
  counts: Record<string, number | string>;
  /** Notes on parts of the file that were not stored, such as CMDB rows naming no known asset. Absent when there are none. */
  messages?: string[];
}

/** Scoring settings for callers that pass none: those of an empty policy file. */
const DEFAULT_POLICY = parsePolicy({});

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function recordImport(tx: Tx, kind: ImportKind, request: ImportRequest, sha256: string, stored: StoredImport, counts: Record<string, number | string>): Promise<void> {
  const numeric = Object.fromEntries(Object.entries(counts).filter(([, value]) => typeof value === 'number'));
  await tx.query('INSERT INTO imports (kind, source, sha256, counts, imported_by) VALUES ($1, $2, $3, $4, $5)', [
    kind,
    request.fileName,
    sha256,
    JSON.stringify(numeric),
    request.importedBy,
  ]);
  await appendAudit(tx, {
    actor: request.importedBy,
    action: `import.${kind}`,
    entityType: 'import',
    entityId: request.fileName,
    details: { sha256, ...counts, ...(stored.messages === undefined ? {} : { messages: stored.messages }), ...stored.auditDetails },
  });
}

export async function importFile(
  database: Database,
  kind: ImportKind,
  request: ImportRequest,
  logger: Logger,
  scoring: FindingScoringPolicy = DEFAULT_POLICY,
): Promise<ImportResult> {
  const started = Date.now();
  logger.info('import started', { kind, file: request.fileName, importedBy: request.importedBy });
  // Hashing reads the file a second time; it runs while the import reads the
  // first, so a large feed does not wait for it.
  const hashing = sha256File(request.path);
  hashing.catch(() => {});

  let counts: Record<string, number | string>;
  let messages: string[] | undefined;
  let sha256 = '';
  try {
    counts = await database.transaction(async (tx) => {
      const stored = await runImport(tx, kind, request, logger, scoring);
      const { assetIds, cves } = stored;
      const rescored = await rescoreFindings(tx, scoring, { ...(assetIds === null ? {} : { assetIds }), ...(cves === undefined ? {} : { cves }) });
      const result = { ...stored.counts, ...rescoreCounts(rescored) };
      sha256 = await hashing;
      await recordImport(tx, kind, request, sha256, stored, result);
      messages = stored.messages;
      return result;
    });
  } catch (error) {
    // The transaction rolled back, so nothing of this file is stored.
    logger.warn('import rejected, nothing stored', { kind, file: request.fileName, importedBy: request.importedBy, error: (error as Error).message });
    throw error;
  }

  logger.info('import finished', { kind, file: request.fileName, sha256, ms: Date.now() - started, ...counts });
  return { kind, file: request.fileName, sha256, counts, ...(messages === undefined ? {} : { messages }) };
}

/** Names the counts of a rescore as import results and the asset routes report them. */
export function rescoreCounts(result: RescoreResult): { findingsScored: number; scoresChanged: number; scoresRemoved: number } {
  return { findingsScored: result.scored, scoresChanged: result.changed, scoresRemoved: result.removed };
}

interface StoredImport {
  counts: Record<string, number | string>;
  /** Assets whose findings the import changed, or null when it can change any finding's score. */
  assetIds: string[] | null;
  /** CVEs whose intel the import changed, when it changed the scores of only the findings that name them. */
  cves?: string[];
  /** Notes for the caller, also kept in the audit row. */
  messages?: string[];
  /** Details for the audit row beyond the counts. */
  auditDetails?: Record<string, unknown>;
}

async function runImport(tx: Tx, kind: ImportKind, request: ImportRequest, logger: Logger, scoring: FindingScoringPolicy): Promise<StoredImport> {
  switch (kind) {
    case 'kev': {
      // JSON or CSV, detected from the content.
      const { format, catalog } = await readKevFile(request.path, { fileName: request.fileName });
      await clearFeedValidators(tx, 'kev');
      const stored = await storeKevCatalog(tx, catalog);
      const counts: Record<string, number | string> = { format, ...stored };
      // Only the JSON form states a catalog version.
      if (catalog.catalogVersion !== null) counts['catalogVersion'] = catalog.catalogVersion;
      return { counts, assetIds: null, cves: await cvesWrittenInTransaction(tx) };
    }
    case 'epss': {
      const copy = await epssCopyStream(request.path, {
        fileName: request.fileName,
        ...(request.scoreDate ? { scoreDate: request.scoreDate } : {}),
        onProgress: (rows) => logger.info('import progress', { kind, file: request.fileName, rows }),
      });
      const scoreDate = copy.info.scoreDate;
      if (!scoreDate) {
        throw new ImportFormatError(
          request.fileName,
          null,
          'the file states no score date and its name holds no YYYY-MM-DD date; pass the date (--epss-date or ?scoreDate=)',
        );
      }
      await clearFeedValidators(tx, 'epss');
      const stored = await storeEpssDay(tx, { info: { ...copy.info, scoreDate }, rows: copy.rows, rowCount: copy.count, source: request.fileName });
      return { counts: { modelVersion: copy.info.modelVersion ?? 'unknown', ...stored }, assetIds: null };
    }
    case 'nvd': {
      const records = await readNvdRecords(request.path, { fileName: request.fileName });
      const stored = await storeNvdRecords(tx, records.map((record) => ({ record, preferred: preferredCvss(record) })));
      return { counts: { ...stored }, assetIds: null, cves: await cvesWrittenInTransaction(tx) };
    }
    case 'cve5': {
      const record = await readCve5Record(request.path, { fileName: request.fileName });
      const stored = await storeCve5Records(tx, [record], request.fileName);
      return { counts: { cve: record.cve, ...stored }, assetIds: null, cves: await cvesWrittenInTransaction(tx) };
    }
    case 'osv': {
      // Advisories do not enter the score, so no finding needs rescoring.
      const file = await readOsvFile(request.path, { fileName: request.fileName });
      const stored = await storeOsvAdvisories(tx, file.advisories, request.fileName);
      return { counts: { layout: file.layout, records: file.records, ...stored }, assetIds: [] };
    }
    case 'findings': {
      const scan = await openScannerFile(request.path, { fileName: request.fileName });
      const assetIds: string[] = [];
      const stored: ScanStoreResult = await storeScan(tx, scan.scanner, scan.reports, {
        seenAt: new Date(),
        onHost: (hosts, assetId) => {
          assetIds.push(assetId);
          if (hosts % 100 === 0) logger.info('import progress', { kind, file: request.fileName, hosts });
        },
      });
      return { counts: { format: scan.format, ...stored }, assetIds };
    }
    case 'attack': {
      // A CVE's techniques decide whether a sighting raises its findings, so the
      // findings naming a mapped CVE are rescored.
      const file = await readAttackMappingFile(request.path, { fileName: request.fileName });
      const stored = await storeAttackMappings(tx, file.mappings);
      const counts: Record<string, number | string> = { format: file.format, ...stored, rejected: file.rejected };
      if (file.rejectedExamples.length > 0) {
        const more = file.rejected - file.rejectedExamples.length;
        counts['rejectedCells'] = file.rejectedExamples.join('; ') + (more > 0 ? `; and ${more} more` : '');
      }
      return { counts, assetIds: null, cves: [...new Set(file.mappings.map((mapping) => mapping.cve))] };
    }
    case 'edr': {
      const file = await readEdrFile(request.path, { fileName: request.fileName });
      return storeEdrExport(tx, file, scoring.attack.sightingWindow, (hosts) => {
        if (hosts % 100 === 0) logger.info('import progress', { kind, file: request.fileName, hosts });
      });
    }
    case 'assets': {
      const file = await readAssetTagsCsv(request.path, { fileName: request.fileName });
      return storeAssetTagsFile(tx, file);
    }
  }
}

/**
 * Unmatched rows listed by line in the result and the audit row. A CMDB export
 * usually lists far more hosts than the scans have reported, so the list is cut
 * here and the `unmatchedRows` count covers the rest.
 */
const MAX_LISTED_UNMATCHED = 100;

/**
 * Sets the tags of each CMDB row on the asset it names and rescores the assets
 * whose tags changed. A row naming no known asset is reported, not stored:
 * assets come from scans, and a CMDB file creates none. The audit row keeps the
 * before and after values of every change.
 */
async function storeAssetTagsFile(tx: Tx, file: AssetTagsFile): Promise<StoredImport> {
  const stored = await storeAssetTagRecords(tx, file.records);
  const { unmatched } = stored;

  const messages: string[] = [];
  if (unmatched.length > 0) {
    messages.push(`${unmatched.length} rows name no known asset and were skipped; assets come from scans, and a CMDB import creates none`);
    for (const record of unmatched.slice(0, MAX_LISTED_UNMATCHED)) messages.push(`line ${record.line}: no asset matches ${describeHostKey(record.host)}`);
    if (unmatched.length > MAX_LISTED_UNMATCHED) messages.push(`and ${unmatched.length - MAX_LISTED_UNMATCHED} more rows that match no asset`);
  }

  return {
    counts: {
      rows: file.records.length,
      tagColumns: file.tagKeys.length,
      assetsMatched: stored.assetsMatched,
      assetsChanged: stored.changedAssetIds.length,
      unmatchedRows: unmatched.length,
    },
    assetIds: stored.changedAssetIds,
    ...(messages.length > 0 ? { messages } : {}),
    // NOTE: every change is kept, so the audit row of a first import from a
    // large CMDB grows with the number of assets it tags.
    auditDetails: { changes: stored.changes },
  };
}

/**
 * Stores an EDR export's technique sightings and names the findings to rescore.
 * A technique that a fallback rule can pick may raise a CVE without mappings,
 * which no query on `attack_mappings` finds, so such a sighting rescores every finding.
 */
async function storeEdrExport(tx: Tx, file: DetectionExport, window: string, onHost: (hostsDone: number) => void): Promise<StoredImport> {
  const stored = await storeEdrSightings(tx, file.detections, { onHost });
  const techniqueIds = [...new Set(file.detections.flatMap((detection) => detection.techniqueIds))];
  // Old detections are stored too but raise nothing, so the report counts the recent ones.
  const since = Date.now() - parseDuration(window, 'attack.sightingWindow');
  const recent = file.detections.filter((detection) => detection.techniqueIds.length > 0 && detection.detectedAt.getTime() >= since);

  const counts = {
    format: file.format,
    events: file.events,
    detections: file.detections.length,
    skipped: file.skipped,
    withoutTechniques: file.detections.filter((detection) => detection.techniqueIds.length === 0).length,
    namesWithoutId: file.namesWithoutId,
    techniques: techniqueIds.length,
    sightings: stored.sightings,
    sightingsAdded: stored.added,
    sightingsOnAssets: stored.onAssets,
    detectionsWithinWindow: recent.length,
    window,
  };

  const fallbackParents = new Set(FALLBACK_TECHNIQUE_IDS);
  if (techniqueIds.some((id) => fallbackParents.has(parentTechnique(id)))) return { counts, assetIds: null };
  return { counts, assetIds: null, cves: await cvesMappedToTechniques(tx, techniqueIds) };
}
