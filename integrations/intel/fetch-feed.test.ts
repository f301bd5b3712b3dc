import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FeedFetchError } from '../../domain/errors.js';
import { type FeedServer, startFeedServer, staticFiles } from '../../test/feed-server.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { fetchFeed, redactUrl } from './fetch-feed.js';

const kevPath = sharedDataPath('intel', 'kev', 'known_exploited_vulnerabilities.json');
// 1257565 bytes: `stat -c %s known_exploited_vulnerabilities.json`
const KEV_BYTES = 1_257_565;

let server: FeedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<FeedFetchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof FeedFetchError)) throw new Error(`expected a FeedFetchError, got ${String(error)}`);
  return error;
}

describe('fetchFeed', () => {
  it('downloads over http', async () => {
    server = await startFeedServer(staticFiles({ '/feeds/known_exploited_vulnerabilities.json': kevPath }));

    const feed = await fetchFeed({ url: `${server.url}/feeds/known_exploited_vulnerabilities.json` });

    expect(feed.fileName).toBe('known_exploited_vulnerabilities.json');
    expect(feed.bytes).toBe(KEV_BYTES);
    expect((await readFile(feed.path)).equals(await readFile(kevPath))).toBe(true);
    await feed.cleanup();
    expect(existsSync(dirname(feed.path))).toBe(false);
  });

  it('sends extra headers', async () => {
    server = await startFeedServer(staticFiles({ '/kev.json': kevPath }));

    const feed = await fetchFeed({ url: `${server.url}/kev.json`, headers: { 'x-feed-token': 'abc' } });
    await feed.cleanup();

    expect(server.requests[0]?.headers['x-feed-token']).toBe('abc');
  });

  it('rejects a declared size over the limit', async () => {
    server = await startFeedServer(staticFiles({ '/kev.json': kevPath }));

    const error = await failure(fetchFeed({ url: `${server.url}/kev.json`, maxBytes: 1000 }));

    expect(error.reason).toMatch(/larger than the limit of 1000 bytes/);
    expect(error.retryable).toBe(false);
  });

  it('stops a chunked body at the limit', async () => {
    server = await startFeedServer((_request, response) => {
      // No content-length: the limit must apply while streaming.
      response.write('x'.repeat(800));
      response.end('y'.repeat(800));
    });

    const error = await failure(fetchFeed({ url: `${server.url}/big.csv`, maxBytes: 1000 }));

    expect(error.reason).toMatch(/larger than the limit/);
  });

  it('reports a 404 as permanent', async () => {
    server = await startFeedServer(staticFiles({}));

    const error = await failure(fetchFeed({ url: `${server.url}/missing.json` }));

    expect(error.status).toBe(404);
    expect(error.retryable).toBe(false);
  });

  it('reports a 503 as retryable', async () => {
    server = await startFeedServer((_request, response) => {
      response.statusCode = 503;
      response.end();
    });

    const error = await failure(fetchFeed({ url: `${server.url}/kev.json` }));

    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('drops credentials from errors', async () => {
    server = await startFeedServer(staticFiles({}));
    const url = new URL(`${server.url}/missing.json`);
    url.username = 'feeduser';
    url.password = 's3cret';

    const error = await failure(fetchFeed({ url: url.toString() }));

    expect(error.message).not.toMatch(/s3cret/);
    expect(error.url).toBe(`${server.url}/missing.json`);
  });

  it('reads a file URL in place', async () => {
    const feed = await fetchFeed({ url: pathToFileURL(kevPath).toString() });

    expect(feed.path).toBe(kevPath);
    expect(feed.bytes).toBe(KEV_BYTES);
    await feed.cleanup();
    expect(existsSync(kevPath)).toBe(true);
  });

  it('reports a missing file', async () => {
    const error = await failure(fetchFeed({ url: pathToFileURL(`${kevPath}.missing`).toString() }));

    expect(error.reason).toBe('cannot read the file: ENOENT');
    expect(error.retryable).toBe(false);
  });

  it('rejects other schemes', async () => {
    const error = await failure(fetchFeed({ url: 'ftp://127.0.0.1/kev.json' }));

    expect(error.reason).toMatch(/^unsupported scheme "ftp:"/);
  });
});

describe('fetchFeed conditional', () => {
  let scratch: string;
  let copy: string;

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'pw-fetch-feed-'));
    copy = join(scratch, 'kev.json');
    await copyFile(kevPath, copy);
    server = await startFeedServer(staticFiles({ '/kev.json': copy }, { validators: true }));
  });

  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('returns the validators of a download', async () => {
    const feed = await fetchFeed({ url: `${server!.url}/kev.json`, since: null });
    await feed?.cleanup();
    const modified = new Date((await stat(copy)).mtime);
    modified.setUTCMilliseconds(0);

    expect(feed?.validators.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(feed?.validators.lastModified).toBe(modified.toUTCString());
    expect(server!.requests[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('returns null on 304', async () => {
    const first = await fetchFeed({ url: `${server!.url}/kev.json`, since: null });
    await first?.cleanup();

    const second = await fetchFeed({ url: `${server!.url}/kev.json`, since: first!.validators });

    expect(second).toBeNull();
    expect(server!.requests[1]?.headers['if-none-match']).toBe(first!.validators.etag);
    expect(server!.requests[1]?.headers['if-modified-since']).toBe(first!.validators.lastModified);
  });

  it('downloads a changed file', async () => {
    const first = await fetchFeed({ url: `${server!.url}/kev.json`, since: null });
    await first?.cleanup();
    await utimes(copy, new Date(), new Date(Date.now() + 60_000));

    const second = await fetchFeed({ url: `${server!.url}/kev.json`, since: first!.validators });
    await second?.cleanup();

    expect(second?.bytes).toBe(KEV_BYTES);
    expect(second?.validators.etag).not.toBe(first!.validators.etag);
  });

  it('sends If-Modified-Since alone', async () => {
    const first = await fetchFeed({ url: `${server!.url}/kev.json`, since: null });
    await first?.cleanup();

    const second = await fetchFeed({ url: `${server!.url}/kev.json`, since: { etag: null, lastModified: first!.validators.lastModified } });

    expect(second).toBeNull();
    expect(server!.requests[1]?.headers['if-none-match']).toBeUndefined();
  });

  it('rejects a 304 to a plain request', async () => {
    await server!.close();
    server = await startFeedServer((_request, response) => {
      response.statusCode = 304;
      response.end();
    });

    const error = await failure(fetchFeed({ url: `${server.url}/kev.json`, since: null }));

    expect(error.status).toBe(304);
  });

  it('reads a file URL without validators', async () => {
    const feed = await fetchFeed({ url: pathToFileURL(copy).toString(), since: { etag: '"old"', lastModified: null } });

    expect(feed?.path).toBe(copy);
    expect(feed?.validators).toEqual({ etag: null, lastModified: null });
  });
});

describe('redactUrl', () => {
  it('removes user and password', () => {
    expect(redactUrl('https://user:pw@feeds.example.invalid/kev.json?x=1')).toBe('https://feeds.example.invalid/kev.json?x=1');
  });
});
