/** A small HTTP client for tests against an app listening on loopback. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export interface TestResponse<T = any> {
  status: number;
  contentType: string;
  body: T;
}

export class TestApi {
  constructor(
    readonly baseUrl: string,
    private readonly key: string | null,
  ) {}

  as(key: string | null): TestApi {
    return new TestApi(this.baseUrl, key);
  }

  async send<T = any>(method: string, path: string, body?: unknown, options: { raw?: string | Buffer; contentType?: string } = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = {};
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    let payload: string | Uint8Array | undefined;
    if (options.raw !== undefined) {
      payload = typeof options.raw === 'string' ? options.raw : new Uint8Array(options.raw);
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }

    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload as BodyInit | undefined });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text for the assertion message.
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: parsed as T };
  }

  async upload<T = any>(kind: string, file: string, params: Record<string, string> = {}): Promise<TestResponse<T>> {
    const query = new URLSearchParams({ filename: basename(file), ...params });
    return this.send<T>('POST', `/api/imports/${kind}?${query}`, undefined, {
      raw: await readFile(file),
      contentType: 'application/octet-stream',
    });
  }
}
