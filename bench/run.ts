/**
 * `npm run bench`: runs each benchmark and prints its ratio against a baseline
 * measured in the same run on the same machine. Needs what the tests need
 * (PostgreSQL, psql, the shared data files). Name benchmarks to run only those.
 */
import { benchEpss } from './epss.bench.js';
import { printResults, type BenchResult } from './harness.js';
import { benchNessus } from './nessus.bench.js';
import { benchPrioritized } from './prioritized.bench.js';

const benches: Record<string, () => Promise<BenchResult[]>> = {
  epss: async () => [await benchEpss()],
  nessus: benchNessus,
  prioritized: benchPrioritized,
};

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(benches);

for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  printResults(await bench());
}
process.exit(0);
