/**
 * EPSS retention: every day within the daily window of the newest day is kept, and
 * before it one day per ISO week (the newest day that week). A year of history then
 * costs about 90 + 40 partitions instead of 365, and trends stay visible.
 */

/** Returns the Monday (UTC) of the ISO week a `YYYY-MM-DD` day falls in. */
function weekStart(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - sinceMonday);
  return date.toISOString().slice(0, 10);
}

/**
 * Lists the score dates to drop from `days` (any order, `YYYY-MM-DD`), keeping every
 * day within `dailyDays` days of the newest one and the newest day of each older week.
 */
export function epssDaysToDrop(days: readonly string[], dailyDays: number): string[] {
  if (days.length === 0) return [];
  const sorted = [...days].sort();
  const newest = new Date(`${sorted[sorted.length - 1]}T00:00:00Z`).getTime();
  const cutoff = newest - dailyDays * 86_400_000;

  const keptWeeks = new Set<string>();
  const drop: string[] = [];
  // Newest first, so the first day seen in an older week is the one kept.
  for (const day of sorted.reverse()) {
    if (new Date(`${day}T00:00:00Z`).getTime() >= cutoff) continue;
    const week = weekStart(day);
    if (keptWeeks.has(week)) drop.push(day);
    else keptWeeks.add(week);
  }
  return drop.sort();
}
