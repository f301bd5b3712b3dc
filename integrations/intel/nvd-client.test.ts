import { afterEach, describe, expect, it } from 'vitest';

import { FeedFetchError } from '../../domain/errors.js';
import { type FeedServer, loadNvdCves, nvdApi, startFeedServer } from '../../test/feed-server.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { MAX_WINDOW_DAYS, type NvdClock, NvdClient, modificationWindows, nvdDate } from './nvd-client.js';

const NVD_FOLDERS = [sharedDataPath('intel', 'nvd'), sharedDataPath('intel', 'nvd', 'fkie-cad')];
const DAY_MS = 24 * 60 * 60 * 1000;

/** Returns a clock whose sleep moves time forward at once, so rate-limit and back-off waits take no real time. */
function fakeClock(start = Date.parse('2026-07-01T00:00:00Z')): NvdClock & { sleeps: number[]; time: number } {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

let server: FeedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startNvd(options: Omit<Parameters<typeof nvdApi>[0], 'cves'> = {}) {
  const cves = await loadNvdCves(NVD_FOLDERS);
  server = await startFeedServer(nvdApi({ cves, ...options }));
  return { cves, baseUrl: `${server.url}/rest/json/cves/2.0`, server };
}

async function collect(client: NvdClient, start: Date, end: Date) {
  const ids: string[] = [];
  for (const window of modificationWindows(start, end)) {
    for await (const page of client.pagesModifiedIn(window)) ids.push(...page.records.map((record) => record.cve));
  }
  return ids;
}

describe('modificationWindows', () => {
  it('splits at 120 days', () => {
    const windows = modificationWindows(new Date('2024-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z'));

    // 2024 is a leap year: 365 days make three full windows and one of 5 days.
    expect(windows).toHaveLength(4);
    expect(windows[0]?.end.toISOString()).toBe('2024-04-30T00:00:00.000Z');
    expect(windows[3]?.start.toISOString()).toBe('2024-12-26T00:00:00.000Z');
    expect(windows[3]?.end.toISOString()).toBe('2024-12-31T00:00:00.000Z');
    for (const window of windows) expect(window.end.getTime() - window.start.getTime()).toBeLessThanOrEqual(MAX_WINDOW_DAYS * DAY_MS);
  });

  it('returns nothing for an empty range', () => {
    const at = new Date('2024-01-01T00:00:00Z');

    expect(modificationWindows(at, at)).toEqual([]);
  });
});

describe('nvdDate', () => {
  it('uses an explicit offset', () => {
    expect(nvdDate(new Date('2021-08-04T13:00:00Z'))).toBe('2021-08-04T13:00:00.000+00:00');
  });
});

describe('NvdClient', () => {
  it('syncs every real record once', async () => {
    const { cves, baseUrl } = await startNvd();
    const client = new NvdClient({ baseUrl, resultsPerPage: 10, clock: fakeClock() });

    // The records were last modified between 2023-06-12 and 2026-06-17.
    const ids = await collect(client, new Date('2023-01-01T00:00:00Z'), new Date('2026-07-01T00:00:00Z'));

    // 49: 38 + 1 + 1 + 1 records in the API responses and 8 fkie-cad records, all distinct
    // (python3: json.load each file, count vulnerabilities[] or 1).
    expect(cves).toHaveLength(49);
    expect(ids).toHaveLength(49);
    expect(new Set(ids).size).toBe(49);
  });

  it('pages by startIndex', async () => {
    const { baseUrl, server } = await startNvd();
    const client = new NvdClient({ baseUrl, resultsPerPage: 10, clock: fakeClock() });

    // All 38 records of the real page were last modified on 2023-10-18.
    await collect(client, new Date('2023-10-18T00:00:00Z'), new Date('2023-10-19T00:00:00Z'));

    expect(server.requests.map((request) => request.query.get('startIndex'))).toEqual(['0', '10', '20', '30']);
    expect(server.requests.every((request) => request.query.get('resultsPerPage') === '10')).toBe(true);
  });

  it('sends the window dates', async () => {
    const { baseUrl, server } = await startNvd();
    const client = new NvdClient({ baseUrl, clock: fakeClock() });

    await collect(client, new Date('2024-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z'));

    expect(server.requests.map((request) => request.query.get('lastModStartDate'))).toEqual([
      '2024-01-01T00:00:00.000+00:00',
      '2024-04-30T00:00:00.000+00:00',
      '2024-08-28T00:00:00.000+00:00',
      '2024-12-26T00:00:00.000+00:00',
    ]);
    expect(server.requests[3]?.query.get('lastModEndDate')).toBe('2024-12-31T00:00:00.000+00:00');
    expect(server.requests[0]?.query.get('resultsPerPage')).toBe('2000');
  });

  it('sends the apiKey header', async () => {
    const { baseUrl, server } = await startNvd({ apiKey: 'test-key-0001' });
    const client = new NvdClient({ baseUrl, apiKey: 'test-key-0001', clock: fakeClock() });

    const page = await client.fetchPage({ startIndex: 0 });

    expect(page.totalResults).toBe(49);
    expect(server.requests[0]?.headers['apikey']).toBe('test-key-0001');
  });

  it('sends no apiKey without a key', async () => {
    const { baseUrl, server } = await startNvd();
    const client = new NvdClient({ baseUrl, clock: fakeClock() });

    await client.fetchPage({ startIndex: 0 });

    expect(server.requests[0]?.headers['apikey']).toBeUndefined();
  });

  it('keeps 5 requests per 30 s without a key', async () => {
    const { baseUrl } = await startNvd();
    const clock = fakeClock();
    const client = new NvdClient({ baseUrl, resultsPerPage: 1, clock });
    const sentAt: number[] = [];
    server!.requests.length = 0;

    for (let index = 0; index < 12; index += 1) {
      await client.fetchPage({ startIndex: index });
      sentAt.push(clock.now());
    }

    // Requests 6 and 11 each wait for the oldest of the previous five to leave the window.
    expect(clock.sleeps).toEqual([30_000, 30_000]);
    for (let index = 5; index < sentAt.length; index += 1) {
      expect(sentAt[index]! - sentAt[index - 5]!).toBeGreaterThanOrEqual(30_000);
    }
  });

  it('allows 50 requests per 30 s with a key', async () => {
    const { baseUrl } = await startNvd({ apiKey: 'test-key-0001' });
    const clock = fakeClock();
    const client = new NvdClient({ baseUrl, apiKey: 'test-key-0001', resultsPerPage: 1, clock });

    for (let index = 0; index < 51; index += 1) await client.fetchPage({ startIndex: index % 49 });

    expect(clock.sleeps).toEqual([30_000]);
  });

  it('backs off on 503 and 403', async () => {
    const { baseUrl, server } = await startNvd({ failures: { 1: 503, 2: 403 } });
    const clock = fakeClock();
    const retries: (number | null)[] = [];
    const client = new NvdClient({ baseUrl, clock, onRetry: (retry) => retries.push(retry.status) });

    const page = await client.fetchPage({ startIndex: 0 });

    expect(page.records).toHaveLength(49);
    expect(retries).toEqual([503, 403]);
    // Back-off doubles from 6 s.
    expect(clock.sleeps).toEqual([6_000, 12_000]);
    expect(server.requests).toHaveLength(3);
  });

  it('counts retries against the limit', async () => {
    const { baseUrl } = await startNvd({ failures: { 1: 503, 2: 503, 3: 503, 4: 503, 5: 503 } });
    const clock = fakeClock();
    const client = new NvdClient({ baseUrl, clock, initialBackoffMs: 1_000, maxBackoffMs: 1_000, maxAttempts: 6 });

    await client.fetchPage({ startIndex: 0 });

    // Five failed attempts one second apart fill the window, so the sixth waits until 30 s after the first.
    expect(clock.sleeps).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 25_000]);
  });

  it('gives up after the last attempt', async () => {
    const { baseUrl, server } = await startNvd({ failures: { 1: 503, 2: 503, 3: 503 } });
    const client = new NvdClient({ baseUrl, clock: fakeClock(), maxAttempts: 3 });

    const error = await client.fetchPage({ startIndex: 0 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FeedFetchError);
    expect((error as FeedFetchError).status).toBe(503);
    expect((error as FeedFetchError).retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('honours Retry-After', async () => {
    let first = true;
    server = await startFeedServer((_request, response) => {
      if (first) {
        first = false;
        response.statusCode = 503;
        response.setHeader('retry-after', '45');
        response.end();
        return;
      }
      response.end(JSON.stringify({ resultsPerPage: 0, startIndex: 0, totalResults: 0, vulnerabilities: [] }));
    });
    const clock = fakeClock();
    const client = new NvdClient({ baseUrl: `${server.url}/rest/json/cves/2.0`, clock });

    await client.fetchPage({ startIndex: 0 });

    expect(clock.sleeps).toEqual([45_000]);
  });

  it('retries a network error', async () => {
    let first = true;
    server = await startFeedServer((_request, response) => {
      if (first) {
        first = false;
        response.socket?.destroy();
        return;
      }
      response.end(JSON.stringify({ resultsPerPage: 0, startIndex: 0, totalResults: 0, vulnerabilities: [] }));
    });
    const clock = fakeClock();
    const client = new NvdClient({ baseUrl: `${server.url}/rest/json/cves/2.0`, clock });

    const page = await client.fetchPage({ startIndex: 0 });

    expect(page.totalResults).toBe(0);
    expect(clock.sleeps).toEqual([6_000]);
  });

  it('fails at once on 404', async () => {
    const { baseUrl, server } = await startNvd({ apiKey: 'right-key' });
    const client = new NvdClient({ baseUrl, apiKey: 'wrong-key', clock: fakeClock() });

    const error = await client.fetchPage({ startIndex: 0 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FeedFetchError);
    expect((error as FeedFetchError).retryable).toBe(false);
    expect((error as FeedFetchError).reason).toBe('the NVD API responded with HTTP 404: Invalid apiKey');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects more than 2,000 per page', () => {
    expect(() => new NvdClient({ resultsPerPage: 2001 })).toThrow(RangeError);
  });
});
