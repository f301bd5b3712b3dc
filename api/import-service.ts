/**
 * Imports: parse a file with its integration parser and store it in one
 * transaction, with an `imports` row and an audit row, so a failed import leaves
 * the database as it was and a finished one can be traced.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Database, Tx } from '../db/client.js';
import { appendAudit } from '../db/audit.js';
import { storeScan, type ScanStoreResult } from '../db/findings-store.js';
import { storeEpssDay, storeKevCatalog, storeNvdRecords } from '../db/intel-store.js';
import { ImportFormatError } from '../domain/errors.js';
import { epssCopyStream } from '../integrations/intel/epss-copy.js';
import { readKevCatalog } from '../integrations/intel/kev.js';
import { preferredCvss, readNvdRecords } from '../integrations/intel/nvd.js';
import { openScannerFile } from '../integrations/scanner/open-scan.js';
import type { Logger } from '../config/logger.js';

export type ImportKind = 'kev' | 'epss' | 'nvd' | 'findings';

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
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function recordImport(tx: Tx, kind: ImportKind, request: ImportRequest, sha256: string, counts: Record<string, number | string>): Promise<void> {
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
    details: { sha256, ...counts },
  });
}

export async function importFile(database: Database, kind: ImportKind, request: ImportRequest, logger: Logger): Promise<ImportResult> {
  const sha256 = await sha256File(request.path);
  const started = Date.now();
  logger.info('import started', { kind, file: request.fileName, sha256, importedBy: request.importedBy });

  const counts = await database.transaction(async (tx) => {
    const result = await runImport(tx, kind, request, logger);
    await recordImport(tx, kind, request, sha256, result);
    return result;
  });

  logger.info('import finished', { kind, file: request.fileName, ms: Date.now() - started, ...counts });
  return { kind, file: request.fileName, sha256, counts };
}

async function runImport(tx: Tx, kind: ImportKind, request: ImportRequest, logger: Logger): Promise<Record<string, number | string>> {
  switch (kind) {
    case 'kev': {
      const catalog = await readKevCatalog(request.path, { fileName: request.fileName });
      const stored = await storeKevCatalog(tx, catalog);
      return { catalogVersion: catalog.catalogVersion ?? 'unknown', ...stored };
    }
    case 'epss': {
      const copy = await epssCopyStream(request.path, { fileName: request.fileName, ...(request.scoreDate ? { scoreDate: request.scoreDate } : {}) });
      const scoreDate = copy.info.scoreDate;
      if (!scoreDate) {
        throw new ImportFormatError(
          request.fileName,
          null,
          'the file states no score date and its name holds no YYYY-MM-DD date; pass the date (--epss-date or ?scoreDate=)',
        );
      }
      const stored = await storeEpssDay(tx, { info: { ...copy.info, scoreDate }, rows: copy.rows, rowCount: copy.count, source: request.fileName });
      return { modelVersion: copy.info.modelVersion ?? 'unknown', ...stored };
    }
    case 'nvd': {
      const records = await readNvdRecords(request.path, { fileName: request.fileName });
      const stored = await storeNvdRecords(tx, records.map((record) => ({ record, preferred: preferredCvss(record) })));
      return { ...stored };
    }
    case 'findings': {
      const scan = await openScannerFile(request.path, { fileName: request.fileName });
      const stored: ScanStoreResult = await storeScan(tx, scan.scanner, scan.reports, {
        seenAt: new Date(),
        onHost: (hosts) => {
          if (hosts % 100 === 0) logger.info('import progress', { kind, file: request.fileName, hosts });
        },
      });
      return { format: scan.format, ...stored };
    }
  }
}
