import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oauth from 'oauth4webapi';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import { ensureUser, setMembership } from '../../src/access/users.js';
import { openPostgres, type Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { createTenant, findTenantBySlug, type Tenant } from '../../src/tenancy/tenants.js';
import { loopbackFetch } from '../oauth/support.js';
import { tokenOf } from '../support/factories.js';
import { freePort, readyStatus } from '../support/ports.js';
import { adminQuery, withDatabase } from '../support/postgres.js';

/**
 * Operations tests (SPEC §10 "operations and hardening"): real server processes (`node --import tsx src/main.ts
 * serve`, one process each, so a signal reaches the server itself) on a database of their own on DATABASE_URL's
 * PostgreSQL server. Skipped, with the reason printed, without DATABASE_URL.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PG_URL = process.env.DATABASE_URL ?? null;

/** Prints why a file is skipped (once, at collection) and returns whether it runs. */
export function runsOnPostgres(file: string, what: string): boolean {
  if (!PG_URL) console.log(`${file}: skipped — ${what} need real server processes on PostgreSQL (set DATABASE_URL)`);
  return PG_URL !== null;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Databases

export interface OpsDatabase {
  name: string;
  url: string;
  /** A pool of the test's own on this database (opened on first use; closed by `closePool` and `drop`). */
  open(): Promise<Database>;
  closePool(): Promise<void>;
  /** A copy of this database as it is now (nobody may be connected to it: close the pool, stop the servers). */
  copy(label: string): Promise<OpsDatabase>;
  drop(): Promise<void>;
}

/**
 * A new database on DATABASE_URL's server: a copy of the run's migrated template (`fromTemplate`, the default), or
 * empty, so that the servers migrate it on start (under their advisory lock).
 */
export async function createDatabase(label: string, options: { fromTemplate?: boolean; template?: string } = {}): Promise<OpsDatabase> {
  if (!PG_URL) throw new Error('DATABASE_URL is not set');
  const template = options.template ?? (options.fromTemplate === false ? undefined : inject('pgTemplate'));
  const name = `orgonaut_ops_${label.slice(0, 20)}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(PG_URL, template ? `create database "${name}" template "${template}"` : `create database "${name}"`);
  return databaseHandle(name);
}

function databaseHandle(name: string): OpsDatabase {
  const url = withDatabase(PG_URL!, name);
  let pool: Promise<Database> | null = null;
  const handle: OpsDatabase = {
    name,
    url,
    open: () => (pool ??= openPostgres(url, { max: 4 })),
    closePool: async () => {
      const p = pool;
      pool = null;
      if (p) await (await p).close();
    },
    copy: async (label) => {
      await handle.closePool();
      return createDatabase(label, { template: name });
    },
    drop: async () => {
      await handle.closePool().catch(() => {});
      await adminQuery(PG_URL!, `drop database if exists "${name}" with (force)`);
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------------------------
// Server processes

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process ended. */
  at: number;
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<Exit>;
  running(): boolean;
  signal(name: NodeJS.Signals): void;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolved once the process is gone. */
  stop(graceMs?: number): Promise<Exit>;
}

/** The children's environment: ours without any Orgonaut, database or listener variable, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'PORT' || key === 'HOST' || key.startsWith('ORGONAUT_') || key.startsWith('MCP_')) continue;
    env[key] = value;
  }
  // Rate limits out of the way: these tests drive one credential hard on purpose (test/mcp/rate-limits.test.ts and
  // test/api/conventions.test.ts test the limits).
  const unlimited = '1000000/60';
  return { ...env, ORGONAUT_LOG_LEVEL: 'warn', ORGONAUT_API_RATE_LIMIT: unlimited, ORGONAUT_MCP_RATE_LIMIT: unlimited, ORGONAUT_MCP_ACTION_RATE_LIMIT: unlimited, ...extra };
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** `orgonaut serve` on the database `url`; resolves once GET /readyz answers 200 (rejects with its output if it ends first). */
export async function startServer(url: string, env: Record<string, string> = {}, timeoutMs = 90_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: childEnv({ DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  void exited.then(() => started.delete(child));
  const running = () => child.exitCode === null && child.signalCode === null;
  const server: ServerProcess = {
    child,
    pid: child.pid!,
    port,
    output: () => output,
    exited,
    running,
    signal: (name) => {
      if (running()) child.kill(name);
    },
    kill: () => {
      server.signal('SIGKILL');
      return exited;
    },
    stop: (graceMs = 20_000) => {
      server.signal('SIGTERM');
      const timer = setTimeout(() => server.signal('SIGKILL'), graceMs);
      return exited.finally(() => clearTimeout(timer));
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    if ((await readyStatus(port)) === 200) return server;
    await sleep(50);
  }
  await server.kill();
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s:\n${output}`);
}

/**
 * The server processes a test file starts on its database (`database()`, read when one starts): `start()` one more,
 * `killAll()` (in afterAll) every one of them.
 */
export function serversOn(database: () => OpsDatabase) {
  const servers: ServerProcess[] = [];
  return {
    start: async (): Promise<ServerProcess> => {
      const server = await startServer(database().url);
      servers.push(server);
      return server;
    },
    killAll: async (): Promise<void> => {
      await Promise.all(servers.map((s) => s.kill()));
    },
  };
}

/**
 * Waits until the server's event loop is free (start-up warms the largest organisations up in the background, in
 * long synchronous stretches): GET /healthz answers within 30 ms five times in a row.
 */
export async function settled(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quick = 0;
  while (quick < 5) {
    if (Date.now() > deadline) throw new Error(`the server on :${port} stayed busy`);
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    await response.arrayBuffer();
    quick = performance.now() - started < 30 ? quick + 1 : 0;
    await sleep(50);
  }
}

/** Runs the orgonaut command (an admin command) to its end. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Requests to one instance behind a shared public host

/**
 * fetch for `*.localhost` URLs sent to the instance listening on `port` whatever the URL's port: the URL's host
 * stays the Host header, as behind a load balancer that spreads one public host over several instances.
 */
export function via(port: number): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return (input, init = {}) => loopbackFetch(input, init, { port });
}

/** oauth4webapi options sending every request to the instance on `port` (a getter: switch instances per call). */
export function oauthVia(port: () => number) {
  return {
    [oauth.customFetch]: (url: string, init: RequestInit) => loopbackFetch(url, init, { port: port() }),
    [oauth.allowInsecureRequests]: true,
  } as const;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A JSON request to `origin` + `pathname` on the instance `port`, with a bearer token. */
export async function api(port: number, origin: string, method: string, pathname: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await loopbackFetch(
    `${origin}${pathname}`,
    {
      method,
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    },
    { port },
  );
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

// ---------------------------------------------------------------------------------------------------------------
// MCP over plain JSON-RPC (2025-06-18, stateless: any instance can answer any request)

export const MCP_PROTOCOL = '2025-06-18';

export interface RpcAnswer {
  status: number;
  headers: Headers;
  result?: any;
  error?: any;
  text: string;
}

/** One JSON-RPC message to `<origin>/mcp/orgonaut` on the instance `port`. */
export async function mcp(port: number, origin: string, token: string, message: Record<string, unknown>, initialized = true): Promise<RpcAnswer> {
  const response = await loopbackFetch(
    `${origin}/mcp/orgonaut`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(initialized ? { 'mcp-protocol-version': MCP_PROTOCOL } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...message }),
    },
    { port },
  );
  const text = await response.text();
  let data = text;
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    data =
      text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .find(Boolean) ?? '';
  }
  let parsed: { result?: unknown; error?: unknown } = {};
  try {
    parsed = data ? JSON.parse(data) : {};
  } catch {
    parsed = {};
  }
  return { status: response.status, headers: response.headers, result: parsed.result, error: parsed.error, text };
}

export function initializeMessage(id: number) {
  return { id, method: 'initialize', params: { protocolVersion: MCP_PROTOCOL, capabilities: {}, clientInfo: { name: 'orgonaut-ops-test', version: '1.0.0' } } };
}

/** tools/call on the instance `port`; fails the test unless it answered 200 with a result that is not an error. */
export async function callTool(port: number, origin: string, token: string, name: string, args: Record<string, unknown> = {}, id = 1): Promise<any> {
  const answer = await mcp(port, origin, token, { id, method: 'tools/call', params: { name, arguments: args } });
  expect(answer.status, `${name} on :${port}: ${answer.text.slice(0, 500)}`).toBe(200);
  expect(answer.error, `${name} on :${port}: ${answer.text.slice(0, 500)}`).toBeUndefined();
  expect(answer.result?.isError, `${name} on :${port}: ${answer.text.slice(0, 1000)}`).not.toBe(true);
  return answer.result.structuredContent;
}

// ---------------------------------------------------------------------------------------------------------------
// Tenants, members and tokens (written directly, before or beside the servers)

export const PASSWORD = 'correct horse battery';

export interface SeededTenant {
  tenant: Tenant;
  userId: string;
  email: string;
  /** A personal API token with every ability of an owner on the tenant's plan. */
  token: string;
}

/** An enterprise tenant with an organisation of `actors` and an owner who can sign in ({@link PASSWORD}). */
export async function seedTenant(database: Database, slug: string, actors: number, plan: 'business' | 'enterprise' = 'enterprise'): Promise<SeededTenant> {
  const tenant = (await findTenantBySlug(database.db, slug)) ?? (await createTenant(database.db, { slug, name: `Ops ${slug}`, plan, reportingCurrency: 'EUR' }));
  if (actors > 0) await seedOrganisation(database.db, tenant, { actors, seed: slug });
  const member = await ownerOf(database, tenant, `owner@${slug}.test`);
  return { tenant: (await findTenantBySlug(database.db, slug))!, ...member };
}

export async function ownerOf(database: Database, tenant: Tenant, email: string): Promise<{ userId: string; email: string; token: string }> {
  const user = await ensureUser(database.db, { email, name: 'Ops Owner', password: PASSWORD });
  await setMembership(database.db, tenant.id, user.id, 'owner');
  return { userId: user.id, email, token: await tokenOf(database, tenant, user, 'owner', { name: 'ops test' }) };
}

/** A service context for the tenant's owner (scenario set-up done directly). */
export function ownerContext(database: Database, tenant: Tenant, userId: string, graphs: unknown) {
  const abilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, tenant.plan);
  const principal: Principal = { kind: 'session', userId, tenantId: tenant.id, role: 'owner', abilities, roleAbilities: abilities };
  return { db: database.db, tenant, principal, graphs } as never;
}

/**
 * A planning scenario of the seeded tenant changing the FTE of `changes` actors (batches of 2,000, written
 * directly): promoting it writes that many Live records, which takes a while on a large organisation.
 */
export async function bigScenario(database: Database, seeded: SeededTenant, name: string, changes: number, fte = 0.37): Promise<string> {
  const graphs = new GraphStore(database.db);
  const ctx = ownerContext(database, seeded.tenant, seeded.userId, graphs);
  const scenario = await createScenario(ctx, { name });
  const live = await graphs.live(seeded.tenant.id);
  const ids = [...live.graph.actors.keys()].sort().slice(0, changes);
  for (let i = 0; i < ids.length; i += 2_000) {
    await applyBatch(ctx, scenario.id, ids.slice(i, i + 2_000).map((id) => ({ op: 'set_fte', actor_id: id, fte })));
  }
  return scenario.id;
}

/**
 * What Live must be after promoting each scenario: the promotions run to their end on a copy of the database
 * (nobody may be connected to `base`), whose checksums are returned; the copy is dropped.
 */
export async function liveAfterPromotions(base: OpsDatabase, promotions: { seeded: SeededTenant; scenarioId: string }[]): Promise<LiveChecksum[]> {
  const copy = await base.copy('reference');
  try {
    const database = await copy.open();
    const checksums: LiveChecksum[] = [];
    for (const { seeded, scenarioId } of promotions) {
      const ctx = ownerContext(database, seeded.tenant, seeded.userId, new GraphStore(database.db));
      const task = await (await promoteScenario(ctx, scenarioId)).done;
      expect(task.status, JSON.stringify(task)).toBe('succeeded');
      checksums.push(await liveChecksum(copy.url, seeded.tenant.id));
    }
    return checksums;
  } finally {
    await copy.drop();
  }
}

export async function liveAfterPromotion(base: OpsDatabase, seeded: SeededTenant, scenarioId: string): Promise<LiveChecksum> {
  return (await liveAfterPromotions(base, [{ seeded, scenarioId }]))[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// What a crash may not leave half-done

const FAMILY_TABLES = ['org_units', 'departments', 'teams', 'actors', 'reporting_lines', 'placements', 'positions', 'compensations'] as const;

export interface LiveChecksum {
  version: number;
  /** Per family: current rows and a hash of their full contents (every column, version columns included). */
  families: Record<string, string>;
}

/** Live of a tenant as stored: its version and every family's current rows, hashed. */
export async function liveChecksum(url: string, tenantId: string): Promise<LiveChecksum> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const families: Record<string, string> = {};
    for (const table of FAMILY_TABLES) {
      const { rows } = await client.query(
        `select count(*)::int as n, coalesce(md5(string_agg(h, '' order by h)), '') as hash
           from (select md5(t::text) as h from "${table}" t where tenant_id = $1 and version_to is null) rows`,
        [tenantId],
      );
      families[table] = `${rows[0].n}:${rows[0].hash}`;
    }
    const { rows } = await client.query('select live_version::int as v from tenants where id = $1', [tenantId]);
    return { version: rows[0].v, families };
  } finally {
    await client.end();
  }
}

/** One query on `url` (a client of its own). */
export async function query<T = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A browser for one public host spread over instances

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/**
 * Cookies per host (with paths), form posts with the Origin a browser sends, redirects followed on the public
 * host; each request goes to the instance `port()` names at the time.
 */
export class InstanceBrowser {
  private readonly jars = new Map<string, StoredCookie[]>();

  constructor(
    private readonly publicPort: number,
    public port: () => number,
  ) {}

  async request(url: string, form?: Record<string, string>): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = (this.jars.get(target.host) ?? [])
      .filter((c) => c.path === '/' || target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    if (cookie) headers.cookie = cookie;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = target.origin;
    }
    const response = await loopbackFetch(target, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form).toString() : undefined }, { port: this.port() });
    const jar = this.jars.get(target.host) ?? [];
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((s) => s.trim());
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      const cookiePath = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      const rest = jar.filter((c) => !(c.name === name && c.path === cookiePath));
      if (!expired && value !== '') rest.push({ name, value, path: cookiePath });
      jar.splice(0, jar.length, ...rest);
    }
    this.jars.set(target.host, jar);
    return response;
  }

  /** Follows redirects on the public host; returns the last page, or the URL it left for. */
  async follow(url: string, form?: Record<string, string>): Promise<{ response: Response; url: string; left?: URL }> {
    let response = await this.request(url, form);
    let current = url;
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get('location')!, current);
      if (!(next.hostname.endsWith('localhost') && next.port === String(this.publicPort))) return { response, url: current, left: next };
      current = next.href;
      response = await this.request(current);
    }
    return { response, url: current };
  }
}

/** The value of a hidden field of an HTML page. */
export function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no field ${name} in page:\n${html.slice(0, 2000)}`);
  return match[1]!.replaceAll('&amp;', '&');
}

function formAction(html: string): string {
  const match = /<form method="post" action="([^"]*)"/.exec(html);
  if (!match) throw new Error(`no form in page:\n${html.slice(0, 2000)}`);
  return match[1]!.replaceAll('&amp;', '&');
}

export const REDIRECT_URI = 'https://claude.ai/api/mcp/auth_callback';

/**
 * The browser part of an authorization: authorize → (sign in) → (consent: Allow) → the redirect with the code,
 * every page on the instance the browser currently points at.
 */
export async function authorizeInBrowser(
  browser: InstanceBrowser,
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  credentials: { email: string; password: string },
): Promise<{ params: URLSearchParams; verifier: string }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  })) {
    url.searchParams.set(k, v);
  }
  let page = await browser.follow(url.href);
  for (let step = 0; step < 4 && !page.left; step++) {
    const html = await page.response.text();
    expect(page.response.status, html.slice(0, 1000)).toBe(200);
    const action = new URL(formAction(html), page.url).href;
    if (/name="password"/.test(html)) {
      page = await browser.follow(action, { email: credentials.email, password: credentials.password, csrf: field(html, 'csrf'), return_to: field(html, 'return_to') });
    } else {
      page = await browser.follow(action, { csrf: field(html, 'csrf'), decision: 'allow' });
    }
  }
  expect(page.left?.href.startsWith(REDIRECT_URI), `authorization ended at ${page.url}`).toBe(true);
  return { params: oauth.validateAuthResponse(as, client, page.left!, state), verifier };
}

/** Metadata discovery and dynamic registration of a public client, on the instance `port`. */
export async function registerPublicClient(origin: string, port: number, name: string): Promise<{ as: oauth.AuthorizationServer; client: oauth.Client }> {
  const options = oauthVia(() => port);
  const issuer = new URL(`${origin}/mcp/orgonaut`);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }));
  const client = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(
      as,
      { client_name: name, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
      options,
    ),
  );
  return { as, client };
}

/** The raw refresh grant (no processing): status and JSON body, sent to the instance `port`. */
export async function refreshRaw(as: oauth.AuthorizationServer, client: oauth.Client, refreshToken: string, port: number): Promise<{ status: number; body: any }> {
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, oauthVia(() => port));
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** A raw HTTP/1.1 connection attempt: true when the port accepts connections. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** An http.request whose body the caller writes (to keep a request in flight as long as it likes). */
export function openRequest(port: number, host: string, method: string, pathname: string, headers: Record<string, string>) {
  const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers: { host, ...headers } });
  const response = new Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders; at: number }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers, at: performance.now() }));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  response.catch(() => {});
  return { req, response };
}
