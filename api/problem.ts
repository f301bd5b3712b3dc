/**
 * Errors as RFC 9457 `application/problem+json`, mapped in one place. No stack
 * trace ever leaves the process, whatever NODE_ENV is.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { ImportFormatError } from '../domain/errors.js';
import type { Logger } from '../config/logger.js';

export interface FieldError {
  path: string;
  message: string;
}

/** An error with the HTTP status and the text the caller should see. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function sendProblem(res: Response, problem: ProblemError): void {
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
      ...problem.extra,
    });
}

/** Turns zod issues into `{ path, message }` with dotted paths (`cves.0`). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
}

export function invalidRequest(error: z.ZodError, what = 'request body'): ProblemError {
  const errors = fieldErrors(error);
  const fields = errors.map((entry) => entry.path).join(', ');
  return new ProblemError(400, 'Invalid request', `The ${what} has invalid fields: ${fields}.`, errors);
}

/**
 * Parses a query string with `schema`, rejecting any parameter the schema does
 * not name: a misspelt filter would otherwise widen a listing without a word.
 *
 * @throws ProblemError 400 naming each unknown parameter or invalid field.
 */
export function parseQuery<T extends z.ZodObject>(schema: T, query: Record<string, unknown>): z.output<T> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(query).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ProblemError(
      400,
      'Invalid request',
      `Unknown query parameter ${unknown.join(', ')}; use ${known.join(', ')}.`,
      unknown.map((name) => ({ path: name, message: 'is not a parameter of this route' })),
    );
  }

  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidRequest(parsed.error, 'query string');
  return parsed.data;
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Returns the app's last middleware, which turns every thrown error into problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof ProblemError) {
      sendProblem(res, error);
      return;
    }

    const parserError = error as BodyParserError;
    if (parserError?.type === 'entity.too.large') {
      sendProblem(res, new ProblemError(413, 'Payload too large', `The request body is over the limit of ${parserError.limit} bytes.`));
      return;
    }
    if (parserError?.type === 'entity.parse.failed') {
      sendProblem(res, new ProblemError(400, 'Invalid JSON', 'The request body is not valid JSON.', [{ path: '(body)', message: 'invalid JSON' }]));
      return;
    }
    if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
      sendProblem(res, new ProblemError(415, 'Unsupported encoding', 'Send the body as UTF-8 JSON.'));
      return;
    }
    if (error instanceof ImportFormatError) {
      sendProblem(
        res,
        new ProblemError(422, 'Import rejected', error.message, [{ path: 'file', message: error.reason }], {
          file: error.file,
          line: error.line,
        }),
      );
      return;
    }

    logger.error('request failed', { method: req.method, path: req.path, error: String((error as Error)?.stack ?? error) });
    sendProblem(res, new ProblemError(500, 'Internal error', 'The server failed to handle the request; the error is in its log.'));
  };
}
