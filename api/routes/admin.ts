/** API keys (admin) and audit log verification (auditor). */
import { Router } from 'express';
import { verifyAuditChain } from '../../db/audit.js';
import type { Database } from '../../db/client.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../../db/keys.js';
import { principalOf, requireRole } from '../auth.js';
import { ProblemError, invalidRequest } from '../problem.js';
import { createKeyBody } from '../schemas.js';

export function keyRoutes(database: Database): Router {
  const router = Router();
  router.use(requireRole('admin'));

  router.post('/', async (req, res) => {
    const parsed = createKeyBody.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error);
    const created = await createApiKey(database, { ...parsed.data, createdBy: principalOf(res).name });
    res.status(201).json({ id: created.id, key: created.key, principal: created.principal.name, roles: created.principal.roles });
  });

  router.get('/', async (_req, res) => {
    res.json({ keys: await listApiKeys(database) });
  });

  router.delete('/:keyId', async (req, res) => {
    const revoked = await revokeApiKey(database, { id: req.params.keyId, revokedBy: principalOf(res).name });
    if (!revoked) throw new ProblemError(404, 'Not found', `No active API key ${req.params.keyId}; see GET /api/keys.`);
    res.status(204).end();
  });

  return router;
}

export function auditRoutes(database: Database): Router {
  const router = Router();

  router.get('/verify', requireRole('auditor'), async (_req, res) => {
    const result = await verifyAuditChain(database);
    res.json(result);
  });

  return router;
}
