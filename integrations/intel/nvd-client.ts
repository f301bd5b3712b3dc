/**
 * Client for the NVD CVE API 2.0 (`/rest/json/cves/2.0`). It pages with
 * `startIndex` and `resultsPerPage` and syncs changes by `lastModStartDate` and
 * `lastModEndDate` in windows of at most 120 days. It sends the API key in the
 * `apiKey` request header and keeps under NVD's rate limit. On 403, 429, 503 and
 * network errors it backs off and retries.
 *
 * Source for the limits: https://nvd.nist.gov/developers/start-here and
 * https://nvd.nist.gov/developers/vulnerabilities (at most 2,000 results per
 * page, at most 120 consecutive days per date range, API key in the request
 * header).
 */

import axios, { AxiosError, type AxiosResponse } from 'axios';

import { FeedFetchError } from '../../domain/errors.js';
import type { NvdRecord } from '../../domain/intel.js';
import { redactUrl } from './fetch-feed.js';
import { parseNvdRecords } from './nvd.js';

export const NVD_CVE_API_URL = 'https://services.nvd.nist.gov/rest/json/cves/2.0';

/** Largest `resultsPerPage` the CVE API accepts. */
export const MAX_RESULTS_PER_PAGE = 2000;

/** Longest `lastModStartDate`..`lastModEndDate` range the CVE API accepts, in days. */
export const MAX_WINDOW_DAYS = 120;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Requests allowed per rolling window. NVD's start-here page has stated 5 per
 * rolling 30 s without a key and 50 with one. The copy of that page opened for
 * this client states 10 and 100 per rolling 60 s, so the 30 s figures keep
 * under both versions.
 */
export const NVD_RATE_LIMITS = {
  withoutKey: { requests: 5, windowMs: 30_000 },
  withKey: { requests: 50, windowMs: 30_000 },
} as const;

/** Time source and sleep, injectable so tests need not wait out the rate limit. */
export interface NvdClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface NvdClientOptions {
  /** CVE API base URL. Default `NVD_CVE_API_URL`. */
  baseUrl?: string;
  /** NVD API key; unset means the lower rate limit. */
  apiKey?: string | undefined;
  /** Results per page, 1..2000. Default 2000. */
  resultsPerPage?: number;
  /** Overrides NVD's limit, for a mirror with its own. */
  rateLimit?: { requests: number; windowMs: number };
  /** Attempts per request before giving up, including the first. Default 6. */
  maxAttempts?: number;
  /** First back-off delay in ms, doubled on each retry up to `maxBackoffMs`. Default 6,000 (NVD's suggested pause between requests). */
  initialBackoffMs?: number;
  /** Maximum back-off delay in ms. Default 120,000. */
  maxBackoffMs?: number;
  /** Time allowed for one request, in ms. Default 120,000. */
  timeoutMs?: number;
  clock?: NvdClock;
  /** Called before each retry, for logging. */
  onRetry?: (retry: { attempt: number; delayMs: number; status: number | null; reason: string }) => void;
  signal?: AbortSignal;
}

/** One page of results: the records and the response body as received, for importing. */
export interface NvdPage {
  startIndex: number;
  totalResults: number;
  records: NvdRecord[];
  body: string;
}

export interface NvdWindow {
  start: Date;
  end: Date;
}

/** Query parameters of one request; dates are sent in NVD's extended ISO 8601 form. */
export interface NvdQuery {
  startIndex: number;
  lastModStartDate?: Date;
  lastModEndDate?: Date;
}

const systemClock: NvdClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Splits `start`..`end` into consecutive windows of at most 120 days. Each
 * window ends where the next starts, so a record modified on a boundary can be
 * returned twice but is never missed. Importing it twice is harmless, because
 * the import is an upsert.
 */
export function modificationWindows(start: Date, end: Date, maxDays = MAX_WINDOW_DAYS): NvdWindow[] {
  if (!(start.getTime() < end.getTime())) return [];

  const windows: NvdWindow[] = [];
  for (let from = start.getTime(); from < end.getTime(); from += maxDays * DAY_MS) {
    windows.push({ start: new Date(from), end: new Date(Math.min(from + maxDays * DAY_MS, end.getTime())) });
  }
  return windows;
}

/** Formats a date as NVD's documented example does: `2021-08-04T13:00:00.000+00:00`. */
export function nvdDate(date: Date): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}

export class NvdClient {
  private readonly baseUrl: string;
  private readonly resultsPerPage: number;
  private readonly limit: { requests: number; windowMs: number };
  private readonly clock: NvdClock;
  /** Start times of the requests inside the current rate-limit window, oldest first. */
  private readonly sent: number[] = [];

  constructor(private readonly options: NvdClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? NVD_CVE_API_URL;
    this.resultsPerPage = options.resultsPerPage ?? MAX_RESULTS_PER_PAGE;
    if (!Number.isInteger(this.resultsPerPage) || this.resultsPerPage < 1 || this.resultsPerPage > MAX_RESULTS_PER_PAGE) {
      throw new RangeError(`resultsPerPage must be an integer from 1 to ${MAX_RESULTS_PER_PAGE}, got ${this.resultsPerPage}`);
    }
    this.limit = options.rateLimit ?? (options.apiKey ? NVD_RATE_LIMITS.withKey : NVD_RATE_LIMITS.withoutKey);
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Yields every page of CVEs modified in `window`, in `startIndex` order.
   *
   * @throws FeedFetchError when a request still fails after the retries, or
   *   fails in a way a retry cannot fix (400, 404, an invalid body).
   */
  async *pagesModifiedIn(window: NvdWindow): AsyncGenerator<NvdPage> {
    let startIndex = 0;
    for (;;) {
      const page = await this.fetchPage({ startIndex, lastModStartDate: window.start, lastModEndDate: window.end });
      yield page;

      startIndex += page.records.length;
      // An empty page ends the loop even if totalResults promised more, so a shrinking result set cannot loop forever.
      if (page.records.length === 0 || startIndex >= page.totalResults) return;
    }
  }

  /** Fetches one page. @throws FeedFetchError as `pagesModifiedIn` does. */
  async fetchPage(query: NvdQuery): Promise<NvdPage> {
    const params = new URLSearchParams({ startIndex: String(query.startIndex), resultsPerPage: String(this.resultsPerPage) });
    if (query.lastModStartDate) params.set('lastModStartDate', nvdDate(query.lastModStartDate));
    if (query.lastModEndDate) params.set('lastModEndDate', nvdDate(query.lastModEndDate));
    const url = `${this.baseUrl}?${params}`;

    const response = await this.getWithRetries(url);
    return parsePage(redactUrl(url), response.data);
  }

  private async getWithRetries(url: string): Promise<AxiosResponse<string>> {
    const maxAttempts = this.options.maxAttempts ?? 6;
    for (let attempt = 1; ; attempt += 1) {
      await this.waitForSlot();
      const outcome = await this.send(url);
      if ('response' in outcome) return outcome.response;

      const { failure, retryAfterMs } = outcome;
      if (!failure.retryable || attempt >= maxAttempts) throw failure;

      const delayMs = Math.max(this.backoff(attempt), retryAfterMs ?? 0);
      this.options.onRetry?.({ attempt, delayMs, status: failure.status, reason: failure.reason });
      await this.clock.sleep(delayMs);
    }
  }

  private async send(url: string): Promise<{ response: AxiosResponse<string> } | { failure: FeedFetchError; retryAfterMs: number | null }> {
    let response: AxiosResponse<string>;
    try {
      response = await axios.get<string>(url, {
        responseType: 'text',
        // Keep the body as text: it is parsed with line numbers for errors and stored as received.
        transformResponse: (data: string) => data,
        headers: this.options.apiKey ? { apiKey: this.options.apiKey } : {},
        timeout: this.options.timeoutMs ?? 120_000,
        validateStatus: () => true,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
    } catch (error) {
      const reason = error instanceof AxiosError ? (error.code ?? error.message) : (error as Error).message;
      return { failure: new FeedFetchError(redactUrl(url), null, `the request failed: ${reason}`, true), retryAfterMs: null };
    }

    if (response.status === 200) return { response };

    // NVD puts the reason for a rejected request in a `message` response header.
    const message = typeof response.headers['message'] === 'string' ? `: ${response.headers['message']}` : '';
    const retryable = [403, 429, 503].includes(response.status) || response.status >= 500;
    return {
      failure: new FeedFetchError(redactUrl(url), response.status, `the NVD API responded with HTTP ${response.status}${message}`, retryable),
      retryAfterMs: retryAfter(response.headers['retry-after']),
    };
  }

  /** Waits until one more request fits the rolling window, then records its start. */
  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.sent.length > 0 && this.sent[0]! <= now - this.limit.windowMs) this.sent.shift();
      if (this.sent.length < this.limit.requests) {
        this.sent.push(now);
        return;
      }
      await this.clock.sleep(this.sent[0]! + this.limit.windowMs - now);
    }
  }

  private backoff(attempt: number): number {
    const initial = this.options.initialBackoffMs ?? 6_000;
    const max = this.options.maxBackoffMs ?? 120_000;
    return Math.min(max, initial * 2 ** (attempt - 1));
  }
}

/** Milliseconds from a `Retry-After` header given in seconds, or null. */
function retryAfter(header: unknown): number | null {
  const seconds = Number(header);
  return typeof header === 'string' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

function parsePage(url: string, body: string): NvdPage {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch (error) {
    throw new FeedFetchError(url, 200, `the body is not JSON: ${(error as Error).message}`, false);
  }

  const { startIndex, totalResults } = (envelope ?? {}) as { startIndex?: unknown; totalResults?: unknown };
  if (typeof startIndex !== 'number' || typeof totalResults !== 'number') {
    throw new FeedFetchError(url, 200, 'the body is not a CVE API 2.0 response: "startIndex" or "totalResults" is missing', false);
  }
  return { startIndex, totalResults, records: parseNvdRecords(body, url), body };
}
