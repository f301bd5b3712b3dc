/**
 * Exception routes. A decision goes to the exception workflow's `decide` update,
 * whose validator checks roles and segregation of duties again, so a rejected
 * decision never enters the workflow history.
 */
import { Router } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Database } from '../../db/client.js';
import { findException, listExceptions } from '../../db/exceptions.js';
import { principalOf, requireRole } from '../auth.js';
import { ProblemError, invalidRequest } from '../problem.js';
import { exceptionDecisionBody, listExceptionsQuery } from '../schemas.js';
import type { WorkflowGateway } from '../workflow-gateway.js';

export function exceptionRoutes(deps: { database: Database; workflows: WorkflowGateway }): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const parsed = listExceptionsQuery.safeParse(req.query);
    if (!parsed.success) throw invalidRequest(parsed.error, 'query string');
    res.json({ exceptions: await listExceptions(deps.database, parsed.data) });
  });

  router.post('/:exceptionId/decision', requireRole('approver'), async (req, res) => {
    const parsed = exceptionDecisionBody.safeParse(req.body);
    if (!parsed.success) throw invalidRequest(parsed.error);
    const principal = principalOf(res);

    const exception = await findException(deps.database, req.params.exceptionId as string);
    if (!exception) {
      throw new ProblemError(404, 'Not found', `No exception ${req.params.exceptionId}; list them with GET /api/exceptions (CLI: patchwarden exceptions list).`);
    }
    if (exception.requestedBy === principal.name) {
      throw new ProblemError(
        403,
        'Segregation of duties',
        `${principal.name} requested exception ${exception.id} and cannot decide it; another approver must.`,
      );
    }
    if (exception.state !== 'pending') {
      throw new ProblemError(409, 'Already decided', `Exception ${exception.id} is already ${exception.state}.`);
    }

    try {
      const state = await deps.workflows.decideException(exception.workflowId, {
        ...parsed.data,
        principal: principal.name,
        roles: principal.roles,
      });
      res.json(state);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new ProblemError(409, 'Decision rejected', error.cause?.message ?? error.message);
      }
      if (error instanceof WorkflowNotFoundError) {
        throw new ProblemError(409, 'Exception closed', `The workflow of exception ${exception.id} is no longer running.`);
      }
      throw error;
    }
  });

  return router;
}
