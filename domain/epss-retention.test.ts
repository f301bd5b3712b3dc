import { describe, expect, it } from 'vitest';
import { epssDaysToDrop } from './epss-retention.js';

function daysBack(newest: string, count: number): string[] {
  const start = new Date(`${newest}T00:00:00Z`).getTime();
  return Array.from({ length: count }, (_, i) => new Date(start - i * 86_400_000).toISOString().slice(0, 10));
}

describe('epssDaysToDrop', () => {
  it('keeps every day inside the window', () => {
    expect(epssDaysToDrop(daysBack('2026-12-04', 90), 90)).toEqual([]);
  });

  it('keeps one day per older week', () => {
    const days = daysBack('2026-12-04', 200);
    const dropped = new Set(epssDaysToDrop(days, 90));
    const kept = days.filter((day) => !dropped.has(day));
    const older = kept.filter((day) => day < '2026-09-05');

    // 110 older days span 16 or 17 ISO weeks; one survivor each.
    expect(older.length).toBeGreaterThanOrEqual(16);
    expect(older.length).toBeLessThanOrEqual(17);
  });

  it('keeps the newest day of an older week', () => {
    // 2026-06-01 is a Monday; 2026-06-07 the Sunday of that week.
    const days = ['2026-12-04', '2026-06-01', '2026-06-03', '2026-06-07'];

    expect(epssDaysToDrop(days, 90)).toEqual(['2026-06-01', '2026-06-03']);
  });

  it('returns nothing for no days', () => {
    expect(epssDaysToDrop([], 90)).toEqual([]);
  });
});
