/**
 * Upload routes for imports. The body is the raw file (any content type), streamed
 * to a temporary file under its own size limit, then parsed and stored in one
 * transaction. `?filename=` names the file in messages; EPSS takes `?scoreDate=`.
 * Every kind but `assets` is open to SOC analysts and patch operators.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../../config/logger.js';
import type { Policy } from '../../config/policy.js';
import type { Database } from '../../db/client.js';
import type { Role } from '../../db/keys.js';
import { principalOf, requireRole } from '../auth.js';
import { importFile, type ImportKind } from '../import-service.js';
import { ProblemError, invalidRequest } from '../problem.js';

/** Largest upload accepted, in bytes (1 GiB): real NVD and scanner exports run to hundreds of MB. */
export const UPLOAD_LIMIT_BYTES = 1024 * 1024 * 1024;

const uploadQuery = z.object({
  filename: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[^/\\]+$/, 'must be a file name without folders')
    .optional(),
  scoreDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
    .optional(),
});

const KINDS: ImportKind[] = ['kev', 'epss', 'nvd', 'cve5', 'osv', 'findings', 'attack', 'edr', 'assets'];

/**
 * Checks the role for the kind in the path; `admin` always passes. Asset tags
 * set criticality and exposure, which raise or lower every score on the asset,
 * so only patch operators import them, as only they may set them through
 * PATCH /api/assets.
 */
const requireImportRole: RequestHandler = (req, res, next) => {
  const roles: Role[] = req.params.kind === 'assets' ? ['patch_operator'] : ['soc_analyst', 'patch_operator'];
  requireRole(...roles)(req, res, next);
};

async function saveUpload(req: Request, dir: string): Promise<string> {
  const path = join(dir, 'upload');
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > UPLOAD_LIMIT_BYTES) {
        callback(new ProblemError(413, 'Payload too large', `Uploads are limited to ${UPLOAD_LIMIT_BYTES} bytes.`));
        return;
      }
      callback(null, chunk);
    },
  });
  await pipeline(req, limiter, createWriteStream(path));
  if (received === 0) {
    throw new ProblemError(400, 'Empty upload', 'The request body is empty; send the file as the body.', [
      { path: '(body)', message: 'empty file' },
    ]);
  }
  return path;
}

export function importRoutes(deps: { database: Database; logger: Logger; policy: Policy }): Router {
  const router = Router();

  router.post('/:kind', requireImportRole, async (req, res) => {
    const kind = req.params.kind as ImportKind;
    if (!KINDS.includes(kind)) {
      throw new ProblemError(404, 'Not found', `Unknown import kind "${req.params.kind}"; use one of: ${KINDS.join(', ')}.`);
    }
    const query = uploadQuery.safeParse(req.query);
    if (!query.success) throw invalidRequest(query.error, 'query string');

    const dir = await mkdtemp(join(tmpdir(), 'patchwarden-upload-'));
    try {
      const path = await saveUpload(req, dir);
      const result = await importFile(
        deps.database,
        kind,
        {
          path,
          fileName: query.data.filename ?? `${kind}-upload`,
          importedBy: principalOf(res).name,
          scoreDate: query.data.scoreDate,
        },
        deps.logger,
        deps.policy,
      );
      res.json(result);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  return router;
}
