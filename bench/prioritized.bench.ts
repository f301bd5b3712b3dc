/**
 * GET /api/findings/prioritized over 1,000,000 scored findings on 100,000 assets:
 * p95 latency of the route (first pages, deep cursor pages, filters) against p95
 * of a bare indexed `SELECT ... ORDER BY score DESC, finding_id DESC LIMIT 50`
 * on the same table, with the same cursor positions and no filters or joins.
 * Both run over loopback from this process: the route through HTTP, the bare
 * query through the pg pool.
 */
import { performance } from 'node:perf_hooks';
import { encodeRankCursor } from '../api/rank-cursor.js';
import { parsePolicy } from '../config/policy.js';
import type { Database } from '../db/client.js';
import { rescoreFindings } from '../db/finding-scores.js';
import { type PrioritizedFilter, type RankPosition, listPrioritizedFindings } from '../db/prioritized-findings.js';
import { startTestApp } from '../test/app-server.js';
import { withDatabase, type BenchResult } from './harness.js';
import { generateFleet } from './prioritized-data.js';

const FLEET = { assets: 100_000, findingsPerAsset: 10, cvePool: 20_000 };
const REQUESTS = 200;
const PAGE = 50;
/** Rows skipped before the deep cursor pages start. */
const DEPTHS = [10_000, 250_000, 500_000, 900_000];
/** Absolute p95 goal of the route, in milliseconds. */
const P95_GOAL_MS = 200;

interface Probe {
  name: string;
  query: string;
  /** The same filter as `query`, for the listing query without HTTP. */
  filter: PrioritizedFilter;
  /** Cursor position for the bare query, or null for a first page. */
  after: RankPosition | null;
}

export async function benchPrioritized(): Promise<BenchResult[]> {
  const policy = parsePolicy({});

  return withDatabase(async ({ database }) => {
    const setupMs = await generateFleet(database, policy, FLEET);
    const rescoreStarted = Date.now();
    const rescored = await rescoreFindings(database, policy);
    const rescoreMs = Date.now() - rescoreStarted;
    const unchangedStarted = Date.now();
    await rescoreFindings(database, policy);
    const unchangedMs = Date.now() - unchangedStarted;
    await database.query('VACUUM ANALYZE finding_scores');
    console.log(
      `prioritized: generated ${FLEET.assets * FLEET.findingsPerAsset} findings in ${seconds(setupMs)}; ` +
        `scored ${rescored.scored} in ${seconds(rescoreMs)}; rescored them unchanged in ${seconds(unchangedMs)}`,
    );

    const probes = await buildProbes(database);
    const app = await startTestApp(database, policy);
    try {
      const route = await measure(probes, async (probe) => {
        const response = await app.api.send('GET', `/api/findings/prioritized?${probe.query}`);
        if (response.status !== 200) throw new Error(`${probe.name}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
      });
      const bare = await measure(probes, (probe) => bareSelect(database, probe.after));
      // Not a goal: shows how much of the gap is the listing query and how much is HTTP.
      const direct = await measure(probes, (probe) =>
        listPrioritizedFindings(database, probe.filter, { limit: PAGE, after: probe.after, now: new Date() }),
      );

      printBreakdown(route.byProbe, direct.byProbe, bare.byProbe);
      console.log(`  all probes: route p95 ${route.p95.toFixed(1)} ms, listing query p95 ${direct.p95.toFixed(1)} ms, bare p95 ${bare.p95.toFixed(1)} ms`);
      const ratio = route.p95 / bare.p95;
      return [
        {
          name: `Prioritized findings, ${REQUESTS} requests over 1,000,000 findings`,
          ratioLabel: 'route p95 / bare indexed SELECT p95',
          measured: route.p95,
          baseline: bare.p95,
          unit: 'ms',
          goal: '<= 2',
          met: ratio <= 2,
        },
        {
          name: 'Prioritized findings, absolute p95',
          ratioLabel: `route p95 / ${P95_GOAL_MS} ms`,
          measured: route.p95,
          baseline: P95_GOAL_MS,
          unit: 'ms',
          goal: '< 1',
          met: route.p95 < P95_GOAL_MS,
        },
      ];
    } finally {
      await app.close();
    }
  });
}

/** First pages, deep cursor pages and filters, in the mix the requests cycle through. */
async function buildProbes(database: Database): Promise<Probe[]> {
  const none: PrioritizedFilter = { tags: [], priorities: [] };
  const probes: Probe[] = [
    { name: 'first page', query: `limit=${PAGE}`, filter: none, after: null },
    { name: 'priority=P1', query: `priority=P1&limit=${PAGE}`, filter: { ...none, priorities: ['P1'] }, after: null },
    { name: 'priority=P4', query: `priority=P4&limit=${PAGE}`, filter: { ...none, priorities: ['P4'] }, after: null },
    { name: 'kev=true', query: `kev=true&limit=${PAGE}`, filter: { ...none, kev: true }, after: null },
    { name: 'slaBreached=true', query: `slaBreached=true&limit=${PAGE}`, filter: { ...none, slaBreached: true }, after: null },
    {
      name: 'tag=site:site-3',
      query: `tag=site:site-3&limit=${PAGE}`,
      filter: { ...none, tags: [{ key: 'site', value: 'site-3' }] },
      after: null,
    },
    {
      name: 'tag=owner:team-7&priority=P2,P3',
      query: `tag=owner:team-7&priority=P2,P3&limit=${PAGE}`,
      filter: { tags: [{ key: 'owner', value: 'team-7' }], priorities: ['P2', 'P3'] },
      after: null,
    },
  ];

  for (const depth of DEPTHS) {
    const [row] = await database.query<{ score: string; finding_id: string }>(
      `SELECT score::text AS score, finding_id FROM finding_scores ORDER BY score DESC, finding_id DESC OFFSET $1 LIMIT 1`,
      [depth],
    );
    if (row === undefined) throw new Error(`fewer than ${depth} scored findings`);
    const after = { score: row.score, findingId: Number(row.finding_id) };
    probes.push({ name: `cursor at row ${depth}`, query: `limit=${PAGE}&cursor=${encodeRankCursor(after)}`, filter: none, after });
  }
  return probes;
}

async function bareSelect(database: Database, after: RankPosition | null): Promise<void> {
  if (after === null) {
    await database.query(`SELECT finding_id, score FROM finding_scores ORDER BY score DESC, finding_id DESC LIMIT ${PAGE}`);
    return;
  }
  await database.query(
    `SELECT finding_id, score FROM finding_scores WHERE (score, finding_id) < ($1::numeric, $2::bigint)
      ORDER BY score DESC, finding_id DESC LIMIT ${PAGE}`,
    [after.score, after.findingId],
  );
}

interface Measurement {
  p95: number;
  byProbe: Map<string, number[]>;
}

/** Runs each probe once to warm up, then `REQUESTS` timed runs cycling through the probes. */
async function measure(probes: Probe[], work: (probe: Probe) => Promise<unknown>): Promise<Measurement> {
  for (const probe of probes) await work(probe);

  const all: number[] = [];
  const byProbe = new Map<string, number[]>();
  for (let i = 0; i < REQUESTS; i += 1) {
    const probe = probes[i % probes.length]!;
    const start = performance.now();
    await work(probe);
    const elapsed = performance.now() - start;
    all.push(elapsed);
    byProbe.set(probe.name, [...(byProbe.get(probe.name) ?? []), elapsed]);
  }
  return { p95: percentile(all, 0.95), byProbe };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Nearest-rank percentile. */
function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
}

function printBreakdown(route: Map<string, number[]>, direct: Map<string, number[]>, bare: Map<string, number[]>): void {
  const p95 = (times: number[] | undefined) => percentile(times ?? [0], 0.95).toFixed(1);
  for (const [name, times] of route) {
    console.log(`  ${name}: route p95 ${p95(times)} ms, listing query p95 ${p95(direct.get(name))} ms, bare p95 ${p95(bare.get(name))} ms`);
  }
}
