/** Shared pieces of the benchmarks: timing, a scratch database, a results table. */
import { performance } from 'node:perf_hooks';
import { createTestDatabase, type TestDatabase } from '../test/postgres.js';

export interface BenchResult {
  name: string;
  /** Label of the ratio, e.g. "import / bare COPY". */
  ratioLabel: string;
  measured: number;
  baseline: number;
  unit: string;
  goal: string;
  /** True when the ratio meets the goal. */
  met: boolean;
}

export async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Best of `runs`: the least disturbed measurement on a shared machine. */
export async function bestOf(runs: number, work: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i += 1) best = Math.min(best, await timeIt(work));
  return best;
}

export async function withDatabase<T>(work: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase();
  try {
    return await work(db);
  } finally {
    await db.drop();
  }
}

export function printResults(results: BenchResult[]): void {
  for (const result of results) {
    const ratio = result.measured / result.baseline;
    console.log(
      `${result.name}: ${result.ratioLabel} = ${ratio.toFixed(2)} (${result.measured.toFixed(1)} ${result.unit} / ${result.baseline.toFixed(1)} ${result.unit}); goal ${result.goal}: ${result.met ? 'met' : 'NOT met'}`,
    );
  }
}
