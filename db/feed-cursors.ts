/**
 * Sync positions of feeds. For an incremental feed (the NVD CVE API), the end
 * of the last window that was imported whole, so the next sync resumes there,
 * also after a worker crash in the middle of a sync. For a feed downloaded
 * whole (KEV, EPSS), the HTTP validators of the copy imported last.
 */
import type { FeedValidators } from '../domain/intel.js';
import type { Database } from './client.js';
import type { Queryable } from './cve-intel.js';

/** Returns the end of the last synced window, or null before the first sync. */
export async function readFeedCursor(database: Database, feed: string): Promise<Date | null> {
  const [row] = await database.query<{ synced_until: Date }>('SELECT synced_until FROM feed_cursors WHERE feed = $1', [feed]);
  return row === undefined ? null : new Date(row.synced_until);
}

/** Moves the cursor forward; an older position than the stored one is ignored. */
export async function writeFeedCursor(database: Database, feed: string, syncedUntil: Date): Promise<void> {
  await database.query(
    `INSERT INTO feed_cursors (feed, synced_until, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (feed) DO UPDATE SET synced_until = excluded.synced_until, updated_at = now()
     WHERE excluded.synced_until > feed_cursors.synced_until`,
    [feed, syncedUntil.toISOString()],
  );
}

/**
 * Returns the validators of the copy of `feed` imported last, or null when none
 * are stored or they came from another URL than `url`.
 */
export async function readFeedValidators(database: Database, feed: string, url: string): Promise<FeedValidators | null> {
  const [row] = await database.query<{ url: string | null; etag: string | null; last_modified: string | null }>(
    'SELECT url, etag, last_modified FROM feed_cursors WHERE feed = $1',
    [feed],
  );
  if (row === undefined || row.url !== url) return null;
  if (row.etag === null && row.last_modified === null) return null;
  return { etag: row.etag, lastModified: row.last_modified };
}

/**
 * Stores the validators of the copy of `feed` just imported from `url`, and
 * the time of the import as `synced_until`. Call it only after the import
 * committed, so a failed import is downloaded again on the next run.
 */
export async function writeFeedValidators(database: Database, feed: string, url: string, validators: FeedValidators): Promise<void> {
  await database.query(
    `INSERT INTO feed_cursors (feed, synced_until, url, etag, last_modified, updated_at) VALUES ($1, now(), $2, $3, $4, now())
     ON CONFLICT (feed) DO UPDATE SET synced_until = now(), url = excluded.url, etag = excluded.etag,
       last_modified = excluded.last_modified, updated_at = now()`,
    [feed, url, validators.etag, validators.lastModified],
  );
}

/**
 * Forgets the validators of `feed`, so the next refresh downloads it in full.
 * Every KEV and EPSS import calls it in its transaction: after a file imported
 * by hand, a 304 for the feed would otherwise keep that file in place. The
 * refresh stores the new validators after its own import commits.
 */
export async function clearFeedValidators(database: Queryable, feed: string): Promise<void> {
  await database.query('UPDATE feed_cursors SET etag = NULL, last_modified = NULL WHERE feed = $1', [feed]);
}
