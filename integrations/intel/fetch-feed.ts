/**
 * Gets a vulnerability feed file from where the policy points. A `file://` URL
 * is read in place. An `http://` or `https://` URL is streamed to a temporary
 * file under a size limit, so a large feed never sits in memory. Given the
 * validators of the copy imported last, the request is conditional, and a 304
 * response means there is nothing new to import.
 */

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

import axios, { AxiosError } from 'axios';

import { FeedFetchError } from '../../domain/errors.js';
import type { FeedValidators } from '../../domain/intel.js';

/** Default size limit in bytes (1 GiB), the same as the API's upload limit. */
export const DEFAULT_FEED_LIMIT_BYTES = 1024 * 1024 * 1024;

export interface FetchFeedOptions {
  url: string;
  /** Largest body accepted, in bytes. Default `DEFAULT_FEED_LIMIT_BYTES`. */
  maxBytes?: number;
  /** Time allowed for the whole download, in milliseconds. Default 10 minutes. */
  timeoutMs?: number;
  /** Extra request headers for http(s), such as an API key. */
  headers?: Record<string, string>;
  /** Aborts the download, for an activity that is cancelled. */
  signal?: AbortSignal;
}

export interface ConditionalFetchOptions extends FetchFeedOptions {
  /**
   * Validators of the copy imported last, sent as `If-None-Match` and
   * `If-Modified-Since`. Null makes the request unconditional. A `file://` URL
   * ignores them and is always read.
   */
  since: FeedValidators | null;
}

export interface FeedFile {
  /** Local path of the feed's bytes. */
  path: string;
  /** The URL's last path segment, for messages and for a date in the name (EPSS). */
  fileName: string;
  bytes: number;
  /** `ETag` and `Last-Modified` of the response; both null for a `file://` URL. */
  validators: FeedValidators;
  /** Removes the temporary copy. Does nothing for a `file://` URL. */
  cleanup(): Promise<void>;
}

/**
 * Returns the feed as a local file. With `since`, returns null instead when the
 * server responds 304 Not Modified to the conditional request.
 *
 * @throws FeedFetchError when the URL's scheme is not `file`, `http` or
 *   `https`, the file or server does not deliver it with status 200 (or 304 to
 *   a conditional request), the body is larger than `maxBytes`, or the download
 *   times out.
 */
export async function fetchFeed(options: ConditionalFetchOptions): Promise<FeedFile | null>;
export async function fetchFeed(options: FetchFeedOptions): Promise<FeedFile>;
export async function fetchFeed(options: FetchFeedOptions & { since?: FeedValidators | null }): Promise<FeedFile | null> {
  const url = parseFeedUrl(options.url);
  const maxBytes = options.maxBytes ?? DEFAULT_FEED_LIMIT_BYTES;

  if (url.protocol === 'file:') return readLocalFeed(url, maxBytes);
  return downloadFeed(url, { ...options, maxBytes, since: options.since ?? null });
}

/** Returns the file name a download of `url` gets: the last segment of its path, or `feed` when the path has none. */
export function feedFileName(url: string): string {
  return basename(decodeURIComponent(new URL(url).pathname)) || 'feed';
}

/** Returns the URL without user name and password, for messages and logs. */
export function redactUrl(url: URL | string): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}

function parseFeedUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FeedFetchError(text, null, 'not a valid URL; give a file://, http:// or https:// URL', false);
  }
  if (!['file:', 'http:', 'https:'].includes(url.protocol)) {
    throw new FeedFetchError(redactUrl(url), null, `unsupported scheme "${url.protocol}"; use file://, http:// or https://`, false);
  }
  return url;
}

async function readLocalFeed(url: URL, maxBytes: number): Promise<FeedFile> {
  const path = fileURLToPath(url);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new FeedFetchError(url.toString(), null, `cannot read the file: ${error.code ?? error.message}`, error.code !== 'ENOENT');
  });
  if (!info.isFile()) {
    throw new FeedFetchError(url.toString(), null, 'the path is not a regular file', false);
  }
  if (info.size > maxBytes) {
    throw new FeedFetchError(url.toString(), null, `the file has ${info.size} bytes, more than the limit of ${maxBytes}`, false);
  }
  const validators = { etag: null, lastModified: null };
  return { path, fileName: basename(path), bytes: info.size, validators, cleanup: async () => undefined };
}

type DownloadOptions = ConditionalFetchOptions & { maxBytes: number };

async function downloadFeed(url: URL, options: DownloadOptions): Promise<FeedFile | null> {
  const displayUrl = redactUrl(url);
  const fileName = feedFileName(url.toString());
  const dir = await mkdtemp(join(tmpdir(), 'patchwarden-feed-'));
  const path = join(dir, fileName);
  const cleanup = () => rm(dir, { recursive: true, force: true });

  try {
    const download = await streamToFile(url, displayUrl, path, options);
    if (download === null) {
      await cleanup();
      return null;
    }
    return { path, fileName, bytes: download.bytes, validators: download.validators, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Headers that make the request conditional on the feed having changed since `since`. */
function conditionalHeaders(since: FeedValidators | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (since?.etag) headers['if-none-match'] = since.etag;
  if (since?.lastModified) headers['if-modified-since'] = since.lastModified;
  return headers;
}

/** Streams the body to `path`, or returns null for a 304 response to a conditional request. */
async function streamToFile(
  url: URL,
  displayUrl: string,
  path: string,
  options: DownloadOptions,
): Promise<{ bytes: number; validators: FeedValidators } | null> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10 * 60 * 1000);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  const conditional = conditionalHeaders(options.since);

  let response;
  try {
    response = await axios.get<NodeJS.ReadableStream>(url.toString(), {
      responseType: 'stream',
      headers: { ...options.headers, ...conditional },
      signal,
      maxRedirects: 5,
      validateStatus: () => true,
    });
  } catch (error) {
    throw networkError(displayUrl, error);
  }

  const body = response.data as NodeJS.ReadableStream & { destroy(): void };
  if (response.status === 304 && Object.keys(conditional).length > 0) {
    body.destroy();
    return null;
  }
  if (response.status !== 200) {
    body.destroy();
    // Feed servers use 403, 429 and 5xx for "try again later". Other statuses will not change on a retry.
    const retryable = response.status === 403 || response.status === 429 || response.status >= 500;
    throw new FeedFetchError(displayUrl, response.status, `the server responded with HTTP ${response.status}`, retryable);
  }

  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    body.destroy();
    throw tooLarge(displayUrl, options.maxBytes);
  }

  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > options.maxBytes ? tooLarge(displayUrl, options.maxBytes) : null, chunk);
    },
  });
  try {
    await pipeline(body, limiter, createWriteStream(path));
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    throw networkError(displayUrl, error);
  }
  return { bytes: received, validators: responseValidators(response.headers) };
}

function responseValidators(headers: Record<string, unknown>): FeedValidators {
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  return { etag: text(headers['etag']), lastModified: text(headers['last-modified']) };
}

function tooLarge(url: string, maxBytes: number): FeedFetchError {
  return new FeedFetchError(url, 200, `the body is larger than the limit of ${maxBytes} bytes; raise the limit or use a smaller feed file`, false);
}

function networkError(url: string, error: unknown): FeedFetchError {
  const code = error instanceof AxiosError ? (error.code ?? error.message) : (error as Error).message;
  return new FeedFetchError(url, null, `the download failed: ${code}`, true);
}
