import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { UsageError } from '../args.js';
import { ApiProblem, namedByOption, NetworkError, NotSignedIn, SignInExpired, type ProblemBody } from './errors.js';
import { PACKAGE_VERSION } from '../../util/version.js';

/**
 * The CLI's HTTP client (node:http/https, no dependencies). Names under `localhost` (`acme.localhost`) are resolved
 * to 127.0.0.1 here, because Node's resolver cannot, while the Host header keeps the tenant's name.
 */

const TIMEOUT_MS = 30_000;

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Text, or the bytes of a file (uploads are sent as they are, never re-encoded). */
  body?: string | Uint8Array;
  timeoutMs?: number;
}

/** `acme.orgonaut.co` → `https://acme.orgonaut.co`; loopback names default to http; no path, no trailing slash. */
export function normalizeHost(input: string): string {
  const raw = input.trim();
  const loopback = /^(localhost|[^/:]+\.localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/i.test(raw);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${loopback ? 'http' : 'https'}://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--host "${input}" is not a URL such as https://acme.orgonaut.co`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--host must be an http or https URL (got ${url.protocol})`);
  if (url.username || url.password || url.search || url.hash) throw new UsageError('--host takes only a scheme, a host name and a port');
  return url.origin;
}

const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

function isLocalhostName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

export function httpRequest(url: URL, options: HttpOptions = {}): Promise<HttpAnswer> {
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'user-agent': `orgonaut-cli/${PACKAGE_VERSION} (node ${process.versions.node})`, ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method: options.method ?? 'GET', headers, ...(isLocalhostName(url.hostname) ? { lookup: loopbackLookup } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => reject(networkError(url, error)));
      },
    );
    request.setTimeout(options.timeoutMs ?? TIMEOUT_MS, () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => reject(networkError(url, error)));
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

function networkError(url: URL, error: Error & { code?: string }): NetworkError {
  const where = url.origin;
  switch (error.code) {
    case 'ECONNREFUSED':
      return new NetworkError(`cannot reach ${where}: connection refused. Is the server running, and is --host right?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(`cannot reach ${where}: the host name does not resolve. Check --host.`);
    case 'ETIMEDOUT':
      return new NetworkError(`cannot reach ${where}: no answer within ${TIMEOUT_MS / 1000} s. Check your network and --host.`);
    default:
      return new NetworkError(`cannot reach ${where}: ${error.message}${error.code ? ` (${error.code})` : ''}.`);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}

/** A REST client for one host and credential: JSON in and out, errors as CLI errors with their exit codes. */
export class ApiClient {
  constructor(
    readonly host: string,
    private readonly token: string,
    private readonly tenant: string | null = null,
    /** When the token expires, if known (stored at sign-in): a refusal after it says the sign-in expired. */
    private readonly expiresAt: string | null = null,
  ) {}

  /** The client of a stored sign-in. */
  static of(login: { host: string; token: string; tenant: string; expires_at?: string | null }): ApiClient {
    return new ApiClient(login.host, login.token, login.tenant, login.expires_at ?? null);
  }

  /** A read; a 400 about one of `query`'s parameters names the option it came from (see namedByOption). */
  async get<T = any>(path: string, query?: Query): Promise<T> {
    try {
      return await this.call<T>('GET', withQuery(path, query));
    } catch (error) {
      throw namedByOption(error, query ?? {});
    }
  }

  post<T = any>(path: string, body?: unknown): Promise<T> {
    return this.call<T>('POST', path, body ?? {});
  }

  patch<T = any>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  delete<T = any>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  /** POSTs a file's bytes as the request body (e.g. `text/csv` to /api/v1/imports). */
  async upload<T = any>(path: string, bytes: Uint8Array, contentType: string, query?: Query): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.token}`, 'content-type': contentType };
    if (this.tenant) headers['x-tenant'] = this.tenant;
    const answer = await httpRequest(new URL(withQuery(path, query), this.host), { method: 'POST', headers, body: bytes, timeoutMs: 5 * 60_000 });
    return this.parse<T>(answer);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.token}` };
    if (this.tenant) headers['x-tenant'] = this.tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      const answer = await httpRequest(new URL(path, this.host), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      // A read over the rate limit is tried again when Retry-After says (twice at most, a minute at most): a script
      // walking many pages or records need not handle 429 itself. A write is never sent twice.
      const wait = Number(answer.headers['retry-after']);
      if (method !== 'GET' || answer.status !== 429 || attempt > 2 || !(wait >= 0 && wait <= 60)) return this.parse<T>(answer);
      process.stderr.write(`orgonaut: rate limited by ${this.host}; trying again in ${wait} s.\n`);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }

  /** The answer's body, or its error; a token refused once its stored expiry has passed (or as expired) is a SignInExpired. */
  private parse<T>(answer: HttpAnswer): T {
    try {
      return parseAnswer<T>(this.host, answer);
    } catch (error) {
      const lapsed = this.expiresAt !== null && Date.parse(this.expiresAt) <= Date.now();
      if (error instanceof NotSignedIn && (lapsed || /\bhas expired\b/i.test(error.reason ?? ''))) {
        throw new SignInExpired(`${this.tenant ?? 'your tenant'} on ${this.host}`, lapsed ? this.expiresAt : null, error.reason);
      }
      throw error;
    }
  }
}

export function parseAnswer<T>(host: string, answer: HttpAnswer): T {
  let json: unknown = null;
  const type = String(answer.headers['content-type'] ?? '');
  if (answer.text && type.includes('json')) {
    try {
      json = JSON.parse(answer.text);
    } catch {
      json = null;
    }
  }
  if (answer.status >= 200 && answer.status < 300) return json as T;
  const problem: ProblemBody = json && typeof json === 'object' ? (json as ProblemBody) : { detail: `${host} answered HTTP ${answer.status}${type.includes('html') ? ' (a web page, not the API: check --host)' : ''}` };
  if (answer.status === 401) {
    const reason = (problem.detail ?? 'the credential was refused').replace(/\.$/, '');
    throw new NotSignedIn(`not signed in to ${host}: ${reason}. Run "orgonaut auth login" to sign in again.`, reason);
  }
  throw new ApiProblem(answer.status, problem);
}
