/** Request bodies and query strings of the API, as zod schemas; the types come from them. */
import { z } from 'zod';
import { decodeRankCursor } from './rank-cursor.js';

export const cveId = z
  .string({ error: 'must be a CVE id string such as "CVE-2024-3400"' })
  .trim()
  .toUpperCase()
  .regex(/^CVE-\d{4}-\d{4,}$/, 'must be a CVE id such as "CVE-2024-3400"');

export const ticketSource = z.enum(['servicenow', 'jira', 'api'], {
  error: 'must be one of "servicenow", "jira", "api"',
});

export const createIncidentBody = z
  .object(
    {
      source: ticketSource,
      ticketId: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
      title: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
      cves: z
        .array(cveId, { error: 'must be an array of CVE ids' })
        .min(1, 'must name at least one CVE')
        .max(500, 'must name at most 500 CVEs'),
      reportedBy: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty'),
      assetHints: z.array(z.string().trim().min(1, 'must not be empty')).max(1000).optional(),
    },
    { error: 'must be a JSON object' },
  )
  .strict();

export type CreateIncidentBody = z.infer<typeof createIncidentBody>;

export const listIncidentsQuery = z.object({
  status: z
    .enum(['enriching', 'scoping', 'planning', 'remediating', 'closing', 'completed', 'cancelled', 'failed', 'open', 'closed'])
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const exceptionDecisionBody = z
  .object(
    {
      decision: z.enum(['approve', 'deny'], { error: 'must be "approve" or "deny"' }),
      comment: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty: say why').max(2000),
    },
    { error: 'must be a JSON object' },
  )
  .strict();

export const listExceptionsQuery = z.object({
  status: z.enum(['pending', 'approved', 'denied']).optional(),
});

export const createKeyBody = z
  .object(
    {
      principal: z.string().trim().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'must be 1-100 letters, digits or . _ @ -'),
      roles: z
        .array(z.enum(['soc_analyst', 'patch_operator', 'approver', 'change_manager', 'auditor', 'admin']))
        .min(1, 'must name at least one role'),
    },
    { error: 'must be a JSON object' },
  )
  .strict();

/** One value or a repeated query parameter, as the simple query parser gives it, as a list. */
const oneOrMany = z
  .union([z.string(), z.array(z.string())], { error: 'must be a string' })
  .transform((value) => (Array.isArray(value) ? value : [value]));

const booleanFlag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((value) => value === 'true');

/** Asset tag keys: letters, digits, `_` and `-`, as the CMDB tags use them. */
const TAG = /^([A-Za-z][A-Za-z0-9_-]{0,63}):(.+)$/;

export const prioritizedFindingsQuery = z.object({
  tag: oneOrMany
    .pipe(z.array(z.string().regex(TAG, 'must be key:value on an asset tag, such as site:berlin or criticality:1')))
    .transform((tags) =>
      tags.map((tag) => {
        const [, key = '', value = ''] = TAG.exec(tag) ?? [];
        return { key, value };
      }),
    )
    .optional(),
  priority: oneOrMany
    .transform((values) => values.flatMap((value) => value.split(',')).map((value) => value.trim().toUpperCase()))
    .pipe(z.array(z.enum(['P1', 'P2', 'P3', 'P4'], { error: 'must be P1, P2, P3 or P4; repeat the parameter or separate values with commas' })))
    .optional(),
  kev: booleanFlag.optional(),
  slaBreached: booleanFlag.optional(),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 500' })
    .int('must be a whole number from 1 to 500')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(50),
  cursor: z
    .string({ error: 'must be the nextCursor of an earlier page' })
    .transform((value, context) => {
      const position = decodeRankCursor(value);
      if (position === null) {
        context.issues.push({ code: 'custom', input: value, message: 'is not a cursor from this route: pass the nextCursor of an earlier page unchanged' });
        return z.NEVER;
      }
      return position;
    })
    .optional(),
});

export type PrioritizedFindingsQuery = z.infer<typeof prioritizedFindingsQuery>;
