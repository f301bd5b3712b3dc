/**
 * API key authentication and role checks. Keys come as `Authorization: Bearer
 * <key>`; the principal and roles they map to travel on `res.locals.principal`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Database } from '../db/client.js';
import { findPrincipalByKey, type Principal, type Role } from '../db/keys.js';
import { ProblemError } from './problem.js';

export function authenticate(database: Database): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (!header) {
      next(new ProblemError(401, 'Unauthorized', 'Missing API key: send "Authorization: Bearer <key>".'));
      return;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      next(new ProblemError(401, 'Unauthorized', 'Malformed Authorization header: expected "Bearer <key>".'));
      return;
    }
    const principal = await findPrincipalByKey(database, match[1]!);
    if (!principal) {
      next(new ProblemError(401, 'Unauthorized', 'Invalid or revoked API key.'));
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Allows the request when the principal has any of the roles; `admin` always passes. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (principal.roles.includes('admin') || roles.some((role) => principal.roles.includes(role))) {
      next();
      return;
    }
    next(
      new ProblemError(
        403,
        'Forbidden',
        `Principal ${principal.name} lacks the role for this action; one of: ${roles.join(', ')}, or admin.`,
      ),
    );
  };
}
