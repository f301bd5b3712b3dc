/**
 * Sync positions of incremental feeds (the NVD CVE API): the end of the last
 * window that was imported whole, so the next sync resumes there, also after
 * a worker crash in the middle of a sync.
 */
import type { Database } from './client.js';

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
