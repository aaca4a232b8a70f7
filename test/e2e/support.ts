import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../support/app.js';
import { adminQuery, withDatabase } from '../support/postgres.js';
import { loopbackFetch } from '../oauth/support.js';

/**
 * Browser tests (SPEC §10): a real server (`startServer`, what `npm start` runs) on a fresh PostgreSQL database with
 * the demo seeded explicitly, driven by the system's Chromium through playwright-core. Only with DATABASE_URL.
 */

export const SKIP_REASON = process.env.DATABASE_URL
  ? null
  : 'browser tests skipped: they need a real server on PostgreSQL (set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/orgonaut_e2e)';

export const DEMO_PASSWORD = 'orgonaut-demo';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts/screenshots');

// ---------------------------------------------------------------------------------------------------------------
// The server

export interface E2eServer {
  server: RunningServer;
  port: number;
  /** http://<slug>.localhost:<port> */
  origin(slug: string): string;
  close(): Promise<void>;
}

/**
 * startServer on a new database of DATABASE_URL's server (a copy of the run's migrated template when global setup
 * made one, else empty and migrated by start-up), demo seeded (`demo: true`, default tenant acme), free loopback port.
 * The database is dropped on close.
 */
export async function startE2eServer(): Promise<E2eServer> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const name = `orgonaut_e2e_${process.pid}_${Date.now().toString(36)}`;
  const template = inject('pgTemplate');
  await adminQuery(url, template ? `create database "${name}" template "${template}"` : `create database "${name}"`);
  let server: RunningServer;
  try {
    server = await startServer(
      testConfig({ databaseUrl: withDatabase(url, name), host: '127.0.0.1', port: 0, baseDomain: 'localhost', demo: true, defaultTenant: 'acme', logLevel: 'silent' }),
    );
  } catch (error) {
    await adminQuery(url, `drop database if exists "${name}" with (force)`).catch(() => {});
    throw error;
  }
  return {
    server,
    port: server.port,
    origin: (slug) => `http://${slug}.localhost:${server.port}`,
    close: async () => {
      await server.close();
      await adminQuery(url, `drop database if exists "${name}" with (force)`);
    },
  };
}

/** fetch to a `*.localhost` origin from Node (connects to 127.0.0.1, keeps the Host header, never follows redirects). */
export const hostFetch = loopbackFetch;

// ---------------------------------------------------------------------------------------------------------------
// The browser

export interface E2eBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Tenant hosts are <slug>.localhost: always this machine.
  '--host-resolver-rules=MAP *.localhost 127.0.0.1',
];

/** /usr/bin/chromium (never a downloaded browser) on a fresh temporary user-data-dir, removed on close. */
export async function launchBrowser(): Promise<E2eBrowser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-e2e-profile-'));
  const persistent = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const browser = persistent.browser();
  if (!browser) throw new Error('Chromium started without a browser handle');
  return {
    browser,
    close: async () => {
      await persistent.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A page that records what must never happen on our pages: console errors (CSP violations land there), uncaught
 * script errors, and HTML documents of the app served without `frame-ancestors 'none'`. Confirmation dialogs
 * (`data-confirm`) are accepted, as a person clicking OK would.
 */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Problems seen since the last `check`. */
  problems: string[];
  /** App pages (URLs) checked so far. */
  visited: string[];
}

/** Hosts whose /favicon.ico the browser asked for and got a 404 (reported, not failed). */
export const faviconMisses = new Set<string>();

export async function openPage(browser: Browser, appOrigins: (url: URL) => boolean, options: { clipboard?: string; bypassCSP?: boolean } = {}): Promise<WatchedPage> {
  // bypassCSP: for a test that injects its own script (axe); the app's CSP is checked by the other browser tests.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: options.bypassCSP ?? false });
  if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.clipboard });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);
  const watched: WatchedPage = { page, context, problems: [], visited: [] };
  const documents = new Set<string>();
  page.on('console', (message) => {
    if (message.type() !== 'error' || !appOrigins(new URL(page.url()))) return;
    // Chromium reports every non-2xx load as a console error. Error pages answer with their status on purpose
    // (a used invitation link is a 404 page), and the app serves no /favicon.ico: those are not page problems.
    if (message.text().startsWith('Failed to load resource')) {
      const resource = message.location().url;
      if (documents.has(resource)) return;
      if (resource && new URL(resource).pathname === '/favicon.ico') {
        faviconMisses.add(new URL(resource).host);
        return;
      }
      watched.problems.push(`console error on ${page.url()}: ${message.text()} (${resource})`);
      return;
    }
    watched.problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`script error on ${page.url()}: ${error.message}`));
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    documents.add(response.url());
    const url = new URL(response.url());
    if (!appOrigins(url)) return;
    const type = response.headers()['content-type'] ?? '';
    if (!type.startsWith('text/html')) return;
    const csp = response.headers()['content-security-policy'] ?? '';
    if (!/frame-ancestors 'none'/.test(csp)) watched.problems.push(`${url.pathname}: CSP without frame-ancestors 'none' (${csp || 'no CSP header'})`);
  });
  return watched;
}

/**
 * The checks every visited page of the app gets: a <main> landmark, an <h1>, no console or script errors and the
 * CSP header (recorded by the response listener). Returns the page's visible text.
 */
export async function checkPage(w: WatchedPage, label = ''): Promise<string> {
  const { page } = w;
  await page.waitForLoadState('load');
  const where = `${label || new URL(page.url()).pathname}`;
  expect(await page.locator('main').count(), `${where}: one <main> landmark`).toBe(1);
  expect(await page.locator('h1').count(), `${where}: an <h1>`).toBeGreaterThan(0);
  expect(w.problems, `${where}: no console errors, script errors or missing frame-ancestors`).toEqual([]);
  w.visited.push(new URL(page.url()).pathname);
  return page.locator('body').innerText();
}

/**
 * Saves a screenshot for people to look at (an artefact, asserted on nowhere). Chromium now and then answers
 * "Unable to capture screenshot" on a loaded machine: one more try after a frame, and then the test goes on without it.
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const take = () => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  try {
    await take();
  } catch (error) {
    if (!/Unable to capture screenshot/.test(String(error))) throw error;
    await page.waitForTimeout(100);
    await take().catch((again: unknown) => console.warn(`screenshot ${name} not saved: ${String(again).split('\n')[0]}`));
  }
}

/** Signs in through the tenant's sign-in form (labelled Email / Password, button "Sign in"). */
export async function signIn(w: WatchedPage, email: string, password = DEMO_PASSWORD): Promise<void> {
  const { page } = w;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/sign-in', { waitUntil: 'load' }), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** A server with the demo seeded, Chromium, and one page signed in as acme's owner (see `ownerSession`). */
export interface OwnerSession {
  server: E2eServer;
  chrome: E2eBrowser;
  /** http://acme.localhost:<port> */
  acme: string;
  /** The owner's page, watched (`openPage`) for anything only the app's own pages could do wrong. */
  w: WatchedPage;
  close(): Promise<void>;
}

/**
 * The set-up of the tests that look at pages as the owner of acme: `startE2eServer` and `launchBrowser` side by side,
 * then acme's sign-in form on one page (`clipboard`: that page may read and write acme's clipboard). What was
 * started is closed again if a later step fails.
 */
export async function ownerSession(options: { clipboard?: boolean } = {}): Promise<OwnerSession> {
  const [started, launched] = await Promise.allSettled([startE2eServer(), launchBrowser()]);
  const server = started.status === 'fulfilled' ? started.value : null;
  const chrome = launched.status === 'fulfilled' ? launched.value : null;
  let w: WatchedPage | null = null;
  const close = async () => {
    await w?.context.close().catch(() => {});
    await chrome?.close();
    await server?.close();
  };
  try {
    if (!server || !chrome) throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
    const acme = server.origin('acme');
    w = await openPage(chrome.browser, (url) => url.hostname.endsWith('.localhost') && url.port === String(server.port), options.clipboard ? { clipboard: acme } : {});
    await w.page.goto(`${acme}/sign-in`);
    await signIn(w, 'owner@acme.test');
    return { server, chrome, acme, w, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// An MCP client's loopback redirect receiver

export interface LoopbackReceiver {
  redirectUri: string;
  /** The query of the next request to /callback. */
  next(): Promise<URLSearchParams>;
  close(): Promise<void>;
}

export async function startLoopbackReceiver(): Promise<LoopbackReceiver> {
  const waiting: ((params: URLSearchParams) => void)[] = [];
  const received: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html lang="en"><title>Done</title><main><h1>You can close this window</h1></main></html>');
    const waiter = waiting.shift();
    if (waiter) waiter(url.searchParams);
    else received.push(url.searchParams);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    next: () => {
      const ready = received.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// MCP over plain JSON-RPC

/** The JSON-RPC message of a Streamable HTTP answer (plain JSON, or the first `data:` event of an SSE body). */
export async function rpcResult(response: Response): Promise<{ result?: Record<string, unknown>; error?: unknown }> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .find(Boolean);
    return JSON.parse(data ?? '{}');
  }
  return JSON.parse(text);
}

/** initialize then tools/list on `<origin>/mcp/orgonaut`, with the headers the MCP spec asks for. */
export async function mcpToolsList(origin: string, token: string): Promise<{ status: number; tools: string[]; wwwAuthenticate: string | null }> {
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    hostFetch(`${origin}/mcp/orgonaut`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...extra,
      },
      body: JSON.stringify(body),
    });
  const init = await post({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'orgonaut-e2e', version: '1.0.0' } },
  });
  if (init.status !== 200) return { status: init.status, tools: [], wwwAuthenticate: init.headers.get('www-authenticate') };
  const session = init.headers.get('mcp-session-id');
  await init.text();
  const headers: Record<string, string> = { 'mcp-protocol-version': '2025-06-18', ...(session ? { 'mcp-session-id': session } : {}) };
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
  const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers);
  if (list.status !== 200) return { status: list.status, tools: [], wwwAuthenticate: list.headers.get('www-authenticate') };
  const message = await rpcResult(list);
  const tools = ((message.result?.tools ?? []) as { name: string }[]).map((t) => t.name);
  return { status: list.status, tools, wwwAuthenticate: null };
}

/** Creates a planning scenario from Live on the Scenarios page, as a person does; the page is left on it. Its id. */
export async function createScenarioInBrowser(page: Page, origin: string, name: string): Promise<string> {
  await page.goto(`${origin}/scenarios`);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await Promise.all([page.waitForURL(/\/scenarios\/[0-9a-f-]{36}\?notice=created/), page.getByRole('button', { name: 'Create scenario' }).click()]);
  return /\/scenarios\/([0-9a-f-]{36})/.exec(page.url())![1]!;
}

/**
 * Picks, in a choice field of the change tray (a select, or — past a few dozen records — a typed field with one
 * suggestion list), the entry starting with `which`, or the `which`-th entry with a value (from 0); returns its label.
 */
export async function choose(form: Locator, label: string, which: string | number): Promise<string> {
  const field = form.getByLabel(label, { exact: true });
  const select = (await field.evaluate((e) => e.tagName)) === 'SELECT';
  const options = (
    select
      ? await field.locator('option').evaluateAll((all) => all.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })))
      : // Suggestions read "label", or "label — id" where two read alike.
        await field.evaluate((e) =>
          [...((e as HTMLInputElement).list?.options ?? [])].map((o) => ({ value: o.value, label: o.value.includes(' — ') ? o.value.slice(0, o.value.lastIndexOf(' — ')) : o.value })),
        )
  ).filter((o) => o.value);
  const option = typeof which === 'number' ? options[which] : options.find((o) => o.label.startsWith(which));
  if (!option) throw new Error(`${label}: no choice ${typeof which === 'number' ? `number ${which}` : `starting with ${which}`}`);
  if (select) await field.selectOption(option.value);
  else await field.fill(option.value);
  return option.label;
}
