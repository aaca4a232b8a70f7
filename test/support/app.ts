import type { Hono } from 'hono';
import { createApp, createRuntime, type Runtime } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import type { AppEnv } from '../../src/http/env.js';
import { createLogger } from '../../src/logger.js';

export interface TestApp {
  app: Hono<AppEnv>;
  runtime: Runtime;
  /** A request through the app in-process, with the tenant's Host header (no socket). */
  request(path: string, options?: RequestOptions): Promise<Response>;
}

export interface RequestOptions {
  host?: string;
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  json?: unknown;
  /** Fields of a form post; pairs when a name repeats (several `record` fields). */
  form?: Record<string, string> | [string, string][];
  cookie?: string;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), logLevel: 'silent', ...overrides };
}

export function testApp(database: Database, overrides: Partial<Config> = {}): TestApp {
  const runtime = createRuntime(testConfig(overrides), database, createLogger('silent'));
  const app = createApp(runtime);
  return {
    app,
    runtime,
    request: async (path, options = {}) => app.request(path, toRequestInit(options)),
  };
}

export function toRequestInit(options: RequestOptions): RequestInit {
  const headers: Record<string, string> = { host: options.host ?? 'localhost', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  return { method: options.method ?? (body ? 'POST' : 'GET'), headers, body };
}

/** `name=value` pairs of the Set-Cookie headers of a response, ready to send back. */
export function cookiesOf(response: Response, previous = ''): string {
  const jar = new Map(previous.split('; ').filter(Boolean).map((p) => p.split('=') as [string, string]));
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const [name, value] = pair!.split('=');
    if (value === '' || /max-age=0/i.test(header)) jar.delete(name!);
    else jar.set(name!, value!);
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
}

/** A page's text, scripts, styles and tags dropped and spaces folded, to assert on what a person reads. */
export function pageText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ');
}

/** The value of a hidden input in an HTML page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page`);
  return match[1]!.replaceAll('&amp;', '&');
}

/**
 * Signs in through the sign-in form, as a browser does (the form's CSRF field and cookie, then the post from the
 * host's origin); returns the cookie header to send back. Throws when the form does not sign the user in.
 */
export async function signInThroughForm(app: TestApp, host: string, email: string, password: string, returnTo = '/live'): Promise<string> {
  const page = await app.request('/sign-in', { host, headers: { accept: 'text/html' } });
  const cookie = cookiesOf(page);
  const response = await app.request('/sign-in', {
    host,
    cookie,
    headers: { origin: `http://${host}` },
    form: { csrf: hiddenField(await page.text(), 'csrf'), return_to: returnTo, email, password },
  });
  if (response.status !== 303) throw new Error(`signing ${email} in on ${host} answered HTTP ${response.status}, not 303`);
  return cookiesOf(response, cookie);
}
