/**
 * The Express app. Every route but `/healthz` needs an API key; every error leaves
 * as problem+json through one handler.
 */
import express from 'express';
import type { Logger } from '../config/logger.js';
import type { Policy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { authenticate } from './auth.js';
import { ProblemError, problemHandler } from './problem.js';
import { auditRoutes, keyRoutes } from './routes/admin.js';
import { assetRoutes } from './routes/assets.js';
import { exceptionRoutes } from './routes/exceptions.js';
import { findingRoutes } from './routes/findings.js';
import { importRoutes } from './routes/imports.js';
import { incidentRoutes } from './routes/incidents.js';
import { vulnerabilityRoutes } from './routes/vulnerabilities.js';
import type { WorkflowGateway } from './workflow-gateway.js';

export interface AppDeps {
  database: Database;
  workflows: WorkflowGateway;
  policy: Policy;
  logger: Logger;
}

/** JSON bodies larger than this are rejected with 413; uploads have their own limit. */
const JSON_LIMIT = '1mb';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', async (_req, res) => {
    await deps.database.query('SELECT 1');
    res.json({ status: 'ok', database: deps.database.kind });
  });

  // Uploads are raw bodies: mount them before the JSON parser so it never buffers a file.
  app.use('/api/imports', authenticate(deps.database), importRoutes(deps));

  const json = express.json({ limit: JSON_LIMIT, strict: false, type: () => true });
  app.use('/api', authenticate(deps.database), json);
  app.use('/api', (req, _res, next) => {
    // express.json leaves `req.body` undefined without a body; a POST or PATCH must carry an object.
    if ((req.method === 'POST' || req.method === 'PATCH') && (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))) {
      next(
        new ProblemError(400, 'Invalid request', 'The request body must be a JSON object.', [
          { path: '(body)', message: 'must be a JSON object' },
        ]),
      );
      return;
    }
    next();
  });

  app.use('/api/incidents', incidentRoutes(deps));
  app.use('/api/exceptions', exceptionRoutes(deps));
  app.use('/api/findings', findingRoutes(deps));
  app.use('/api/assets', assetRoutes(deps));
  app.use('/api/vulnerabilities', vulnerabilityRoutes(deps));
  app.use('/api/keys', keyRoutes(deps.database));
  app.use('/api/audit', auditRoutes(deps.database));

  app.use((req, _res, next) => {
    next(new ProblemError(404, 'Not found', `No route for ${req.method} ${req.path}.`));
  });
  app.use(problemHandler(deps.logger));
  return app;
}
