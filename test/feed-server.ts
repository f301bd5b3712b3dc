/**
 * Local HTTP servers on 127.0.0.1 that stand in for the public vulnerability
 * feeds in tests. One serves static files (CISA KEV, FIRST EPSS), with HTTP
 * validators and 304 responses when asked to. The other
 * emulates the NVD CVE API 2.0 over real NVD records, with the API's paging,
 * date range and header rules. Every request is recorded for assertions.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export type FeedHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface FeedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server on a free loopback port that records each request and passes it to `handler`. */
export async function startFeedServer(handler: FeedHandler): Promise<FeedServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request = { path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(request);
    Promise.resolve(handler(request, res)).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StaticFilesOptions {
  /**
   * Send `ETag` (from the file's size and modification time) and
   * `Last-Modified`, and respond 304 to a request whose `If-None-Match` lists
   * the current ETag or, without `If-None-Match`, whose `If-Modified-Since` is
   * not before the modification time. Off by default, like a server that sends
   * no validators.
   */
  validators?: boolean;
}

/** Serves files by URL path: `/kev.json` returns `files['/kev.json']`, and any other path gets 404. */
export function staticFiles(files: Record<string, string>, options: StaticFilesOptions = {}): FeedHandler {
  return async (request, response) => {
    const path = files[request.path];
    if (path === undefined) {
      response.statusCode = 404;
      response.end('not found');
      return;
    }

    const info = await stat(path);
    if (options.validators && notModified(request, info, response)) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.setHeader('content-length', info.size);
    createReadStream(path).pipe(response);
  };
}

/** Sets the validators of the file on the response and returns whether the request's copy is still current. */
function notModified(request: RecordedRequest, info: { size: number; mtime: Date }, response: ServerResponse): boolean {
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtime.getTime()).toString(16)}"`;
  // HTTP dates have whole seconds, so the comparison drops the milliseconds.
  const modifiedSeconds = Math.floor(info.mtime.getTime() / 1000);
  response.setHeader('etag', etag);
  response.setHeader('last-modified', new Date(modifiedSeconds * 1000).toUTCString());

  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return ifNoneMatch.split(',').some((tag) => tag.trim() === etag);

  const ifModifiedSince = Date.parse(request.headers['if-modified-since'] ?? '');
  return Number.isFinite(ifModifiedSince) && ifModifiedSince >= modifiedSeconds * 1000;
}

/** Reads every CVE object (the `cve` of each API result, or a bare record) from the JSON files in `folders`. */
export async function loadNvdCves(folders: string[]): Promise<{ id: string; lastModified: string }[]> {
  const cves: { id: string; lastModified: string }[] = [];
  for (const folder of folders) {
    const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
    for (const name of names) {
      const value = JSON.parse(await readFile(join(folder, name), 'utf8'));
      if (Array.isArray(value.vulnerabilities)) cves.push(...value.vulnerabilities.map((item: { cve: never }) => item.cve));
      else cves.push(value);
    }
  }
  return cves;
}

export interface NvdApiOptions {
  cves: { id: string; lastModified: string }[];
  /** When set, a request without this `apiKey` header gets 404, as NVD responds to an invalid key. */
  apiKey?: string;
  /** Status to respond with instead of the page, by 1-based request number, such as `{ 2: 503 }`. */
  failures?: Record<number, number>;
}

/**
 * Emulates `GET /rest/json/cves/2.0`: records sorted by id, filtered to
 * `lastModStartDate`..`lastModEndDate` (both inclusive) and paged by
 * `startIndex` and `resultsPerPage`. A request that breaks an API rule
 * (more than 2,000 per page, one date without the other, a range over 120
 * days, a date without an offset) gets 404 with the reason in a `message`
 * header, as NVD responds.
 */
export function nvdApi(options: NvdApiOptions): FeedHandler {
  let count = 0;
  const sorted = [...options.cves].sort((a, b) => a.id.localeCompare(b.id));

  return (request, response) => {
    count += 1;
    const failure = options.failures?.[count];
    if (failure !== undefined) return reject(response, failure, 'injected failure');
    if (request.path !== '/rest/json/cves/2.0') return reject(response, 404, 'unknown path');
    if (options.apiKey !== undefined && request.headers['apikey'] !== options.apiKey) return reject(response, 404, 'Invalid apiKey');

    const { query } = request;
    const startIndex = Number(query.get('startIndex') ?? '0');
    const resultsPerPage = Number(query.get('resultsPerPage') ?? '2000');
    if (!(resultsPerPage >= 1 && resultsPerPage <= 2000)) return reject(response, 404, 'resultsPerPage is out of range');

    const range = dateRange(query.get('lastModStartDate'), query.get('lastModEndDate'));
    if (typeof range === 'string') return reject(response, 404, range);

    const matching = sorted.filter((cve) => range === null || inRange(cve.lastModified, range));
    const page = matching.slice(startIndex, startIndex + resultsPerPage);
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        resultsPerPage: page.length,
        startIndex,
        totalResults: matching.length,
        format: 'NVD_CVE',
        version: '2.0',
        timestamp: new Date().toISOString().slice(0, 23),
        vulnerabilities: page.map((cve) => ({ cve })),
      }),
    );
  };
}

const OFFSET_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

function dateRange(start: string | null, end: string | null): { start: number; end: number } | null | string {
  if (start === null && end === null) return null;
  if (start === null || end === null) return 'both lastModStartDate and lastModEndDate are required';
  if (!OFFSET_DATE.test(start) || !OFFSET_DATE.test(end)) return 'dates must be extended ISO-8601 with an offset';

  const range = { start: Date.parse(start), end: Date.parse(end) };
  if (range.end - range.start > 120 * 24 * 60 * 60 * 1000) return 'the date range exceeds 120 days';
  return range;
}

/** NVD's `lastModified` values carry no offset; they are UTC. */
function inRange(lastModified: string, range: { start: number; end: number }): boolean {
  const at = Date.parse(`${lastModified}Z`);
  return at >= range.start && at <= range.end;
}

function reject(response: ServerResponse, status: number, message: string): void {
  response.statusCode = status;
  response.setHeader('message', message);
  response.end();
}
