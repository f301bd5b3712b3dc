/**
 * The CLI's HTTP client for the Patchwarden API. It reads PATCHWARDEN_URL
 * (default the local stack) and PATCHWARDEN_API_KEY (default the key `start`
 * saved in `<data>/admin.key`), and turns problem+json responses into clear errors.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import axios, { AxiosError, type AxiosInstance } from 'axios';

export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    /** HTTP status of the API response behind the error, when there was one. */
    readonly status: number | null = null,
    /** True when no response came back from the API, so a further request would fail the same way. */
    readonly apiUnreachable = false,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  url?: string | undefined;
  apiKey?: string | undefined;
  dataDir?: string | undefined;
}

function resolveKey(options: ApiClientOptions): string {
  const key = options.apiKey ?? process.env.PATCHWARDEN_API_KEY;
  // Set but empty is almost always an unset shell variable; falling back to the
  // admin key then would act as admin without the user noticing.
  if (key === '') throw new CliError('PATCHWARDEN_API_KEY is set but empty; give it a key, or unset it to use the admin key in .data/admin.key.');
  if (key) return key;
  const file = join(options.dataDir ?? process.env.PATCHWARDEN_DATA_DIR ?? '.data', 'admin.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError(`No API key: set PATCHWARDEN_API_KEY, or run \`patchwarden start\` here first so ${file} exists.`);
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

function describe(error: unknown, baseURL: string): CliError {
  if (error instanceof AxiosError) {
    if (!error.response) {
      return new CliError(
        `Cannot reach the Patchwarden API at ${baseURL} (${error.code ?? error.message}); is \`patchwarden start\` running? Set PATCHWARDEN_URL to use another address.`,
        null,
        true,
      );
    }
    const problem = error.response.data as Problem;
    const detail = problem?.detail ?? '';
    const lines = [`${error.response.status} ${problem?.title ?? error.response.statusText}: ${detail}`.trim()];
    for (const field of problem?.errors ?? []) {
      if (!detail.includes(field.message)) lines.push(`  ${field.path}: ${field.message}`);
    }
    if (error.response.status === 401) lines.push(`  (key from ${keySource()})`);
    return new CliError(lines.join('\n'), error.response.status);
  }
  return new CliError((error as Error).message);
}

function keySource(): string {
  return process.env.PATCHWARDEN_API_KEY ? 'PATCHWARDEN_API_KEY' : `${process.env.PATCHWARDEN_DATA_DIR ?? '.data'}/admin.key`;
}

function resolveUrl(options: ApiClientOptions): string {
  const url = options.url ?? process.env.PATCHWARDEN_URL ?? 'http://127.0.0.1:3000';
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new CliError(`PATCHWARDEN_URL "${url}" is not an http:// or https:// URL; use e.g. http://127.0.0.1:3000.`);
  }
  return url;
}

export class ApiClient {
  private readonly http: AxiosInstance;

  constructor(options: ApiClientOptions = {}) {
    const baseURL = resolveUrl(options);
    this.http = axios.create({
      baseURL,
      headers: { authorization: `Bearer ${resolveKey(options)}` },
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      // Imports of large files take a while on the server; nothing else should.
      timeout: 30 * 60 * 1000,
    });
  }

  async request<T>(method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: unknown, params?: Record<string, string>): Promise<T> {
    try {
      const response = await this.http.request<T>({ method, url: path, data: body, params });
      return response.data;
    } catch (error) {
      throw describe(error, this.http.defaults.baseURL!);
    }
  }

  /** Streams a file to an upload route, printing progress to stderr for files over 5 MB. */
  async upload<T>(path: string, file: string, params: Record<string, string> = {}): Promise<T> {
    if (!existsSync(file)) throw new CliError(`${file}: file not found`);
    const stats = statSync(file);
    if (stats.isDirectory()) throw new CliError(`${file} is a folder; give the files inside it`);
    const size = stats.size;
    let lastPercent = -10;
    try {
      const response = await this.http.post<T>(path, createReadStream(file), {
        params: { filename: basename(file), ...params },
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        onUploadProgress: (event) => {
          if (size < 5 * 1024 * 1024) return;
          const percent = Math.floor(((event.loaded ?? 0) / size) * 100);
          if (percent >= lastPercent + 10) {
            lastPercent = percent;
            process.stderr.write(`  uploading ${basename(file)}: ${percent}%\n`);
          }
        },
      });
      return response.data;
    } catch (error) {
      throw describe(error, this.http.defaults.baseURL!);
    }
  }
}
