/** Request bodies and query strings of the API, as zod schemas; the types come from them. */
import { z } from 'zod';
import { TAG_KEY_SOURCE, parseTagChanges } from '../domain/asset-tags.js';
import { decodeAssetCursor } from './asset-cursor.js';
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

/** An asset tag filter, `key:value`, with the key as asset tags allow it. */
const TAG = new RegExp(`^(${TAG_KEY_SOURCE}):(.+)$`);

/** Repeatable `tag=key:value` parameter: assets must carry every tag given. */
const tagFilter = oneOrMany
  .pipe(z.array(z.string().regex(TAG, 'must be key:value on an asset tag, such as site:berlin or criticality:1')))
  .transform((tags) =>
    tags.map((tag) => {
      const [, key = '', value = ''] = TAG.exec(tag) ?? [];
      return { key, value };
    }),
  );

const pageLimit = z.coerce
  .number({ error: 'must be a whole number from 1 to 500' })
  .int('must be a whole number from 1 to 500')
  .min(1, 'must be at least 1')
  .max(500, 'must be at most 500')
  .default(50);

/** Builds the `cursor` parameter of a paged listing, which decodes to the position the cursor carries. */
function pageCursor<T>(decode: (cursor: string) => T | null) {
  return z.string({ error: 'must be the nextCursor of an earlier page' }).transform((value, context) => {
    const position = decode(value);
    if (position === null) {
      context.issues.push({ code: 'custom', input: value, message: 'is not a cursor from this route: pass the nextCursor of an earlier page unchanged' });
      return z.NEVER;
    }
    return position;
  });
}

export const prioritizedFindingsQuery = z.object({
  tag: tagFilter.optional(),
  priority: oneOrMany
    .transform((values) => values.flatMap((value) => value.split(',')).map((value) => value.trim().toUpperCase()))
    .pipe(z.array(z.enum(['P1', 'P2', 'P3', 'P4'], { error: 'must be P1, P2, P3 or P4; repeat the parameter or separate values with commas' })))
    .optional(),
  kev: booleanFlag.optional(),
  slaBreached: booleanFlag.optional(),
  limit: pageLimit,
  cursor: pageCursor(decodeRankCursor).optional(),
});

export type PrioritizedFindingsQuery = z.infer<typeof prioritizedFindingsQuery>;

export const listAssetsQuery = z.object({
  host: z
    .string({ error: 'must be one host name, FQDN or IP address' })
    .trim()
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .optional(),
  tag: tagFilter.optional(),
  limit: pageLimit,
  cursor: pageCursor(decodeAssetCursor).optional(),
});

/**
 * Body of PATCH /api/assets/:assetId/tags: tags to set, and null for tags to
 * remove. Each invalid key is reported under its own path, with the allowed values.
 */
export const assetTagsBody = z
  .record(z.string(), z.unknown(), { error: 'must be a JSON object of tags, such as {"criticality": 1, "owner": null}' })
  .transform((input, context) => {
    if (Object.keys(input).length === 0) {
      context.issues.push({ code: 'custom', input, message: 'must set or remove at least one tag' });
      return z.NEVER;
    }

    const { changes, problems } = parseTagChanges(input);
    for (const problem of problems) {
      context.issues.push({ code: 'custom', input: input[problem.key], path: [problem.key], message: problem.message });
    }
    return problems.length > 0 ? z.NEVER : changes;
  });
