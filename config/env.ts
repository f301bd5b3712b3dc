/**
 * Connections and paths from the environment, validated once at start-up.
 * Behaviour lives in the policy file (`PATCHWARDEN_POLICY`), not here.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

export const envSchema = z.object({
  /** Postgres connection string; unset means embedded PGlite under the data folder. */
  DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
  /** Temporal frontend `host:port`; unset means `npm start` runs a local dev server. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Address the API binds to; default loopback only. Containers set `0.0.0.0`. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** API port; default 3000. */
  PORT: port.default(3000),
  /** Dev server gRPC port (default 7233) and Web UI port (default 8233) for `npm start`. */
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** JSON policy file; unset means the built-in defaults. */
  PATCHWARDEN_POLICY: z.string().min(1).optional(),
  /** Folder for PGlite, the dev server's SQLite file and the admin key; default `.data`. */
  PATCHWARDEN_DATA_DIR: z.string().min(1).default('.data'),
  /** Admin API key to install at start; unset means one is generated on first start. */
  PATCHWARDEN_ADMIN_KEY: z.string().min(20, 'must be at least 20 characters').optional(),
  /** `1` lets the SDK download the Temporal CLI when none is installed. */
  PATCHWARDEN_TEMPORAL_DOWNLOAD: z.enum(['0', '1']).default('0'),
  /** NVD API key for the NVD sync (`feeds.nvd` in the policy); unset means NVD's lower rate limit. */
  NVD_API_KEY: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid environment:\n  ${problems.join('\n  ')}`);
}
