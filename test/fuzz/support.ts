import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import fc from 'fast-check';
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { issueApiToken } from '../../src/access/api-tokens.js';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities } from '../../src/access/policy.js';
import { hashToken } from '../../src/access/sessions.js';
import { findUserByEmail } from '../../src/access/users.js';
import { createApp, createRuntime, type Runtime } from '../../src/app.js';
import type { Database, Db } from '../../src/db/connection.js';
import { sessions } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/db/seed/demo.js';
import type { AppEnv } from '../../src/http/env.js';
import { createLogger } from '../../src/logger.js';
import { runningTaskCount, waitForRunningTasks } from '../../src/scenarios/tasks.js';
import { findTenantBySlug, type Tenant } from '../../src/tenancy/tenants.js';
import { testConfig } from '../support/app.js';
import { onPostgres, testDatabase } from '../support/db.js';

/**
 * Fuzzing support (SPEC §10: fuzz tests need a real server and run on PostgreSQL only): a real HTTP server on a
 * loopback port over this file's test database with the demo seeded explicitly, a raw HTTP client that sends any
 * bytes and headers, credentials of the demo owner (personal API token, browser session), a fingerprint of the
 * database to prove refused requests change nothing, and the checks every answer gets (no stack traces, no paths).
 */

export const SKIP_REASON = onPostgres
  ? null
  : 'fuzz tests skipped: they need a real server on PostgreSQL (SPEC §10); set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/orgonaut_fuzz';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEMO_PASSWORD = 'orgonaut-demo';
export const DEMO_OWNER = 'owner@acme.test';
/** The extra origin the fuzz server allows on the MCP endpoint (MCP_ALLOWED_ORIGINS). */
export const ALLOWED_ORIGIN = 'https://claude.ai';

/** Seeds of the fast-check runs: fixed by default (reproducible in CI), `FUZZ_SEED` to explore. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_260_728;
/** Multiplies every run count (`FUZZ_RUNS=5` for a longer local run). */
export const RUNS_FACTOR = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 1;
export const runs = (n: number) => Math.max(1, Math.round(n * RUNS_FACTOR));

// ---------------------------------------------------------------------------------------------------------------
// The server

export interface FuzzServer {
  runtime: Runtime;
  /** The app served (its routes list the form actions). */
  app: Hono<AppEnv>;
  database: Database;
  db: Db;
  port: number;
  acme: Tenant;
  /** `acme.localhost:<port>` */
  host: string;
  /** `http://acme.localhost:<port>` */
  origin: string;
  ownerId: string;
  /** Uncaught exceptions and unhandled rejections seen while the server ran. */
  crashes: string[];
  close(): Promise<void>;
}

/**
 * The app (`createApp`, what `npm start` serves) on 127.0.0.1 and a free port, over this file's test database with
 * the demo seeded. Rate limits of the API are raised so the fuzzer is not throttled into only ever seeing 429s.
 */
export async function startFuzzServer(): Promise<FuzzServer> {
  const database = await testDatabase();
  try {
    await seedDemo(database.db, { password: DEMO_PASSWORD });
    const acme = await findTenantBySlug(database.db, 'acme');
    const owner = await findUserByEmail(database.db, DEMO_OWNER);
    if (!acme || !owner) throw new Error('the demo seed did not create acme and its owner');
    const config = testConfig({
      host: '127.0.0.1',
      port: 0,
      baseDomain: 'localhost',
      defaultTenant: 'acme',
      mcpAllowedOrigins: [ALLOWED_ORIGIN],
      apiRateLimit: { default: { limit: 1_000_000, windowSeconds: 60 }, plans: {} },
      mcpRateLimit: { default: { limit: 1_000_000, windowSeconds: 60 }, plans: {} },
      mcpActionRateLimit: { default: { limit: 1_000_000, windowSeconds: 60 }, plans: {} },
    });
    const runtime = createRuntime(config, database, createLogger('silent'));
    const app = createApp(runtime);
    const fetch = app.fetch;

    const crashes: string[] = [];
    const onCrash = (error: unknown) => crashes.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const port = (server.address() as AddressInfo).port;
    return {
      runtime,
      app,
      database,
      db: database.db,
      port,
      acme,
      host: `acme.localhost:${port}`,
      origin: `http://acme.localhost:${port}`,
      ownerId: owner.id,
      crashes,
      close: async () => {
        agent.destroy();
        await waitForRunningTasks(30_000);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        process.off('uncaughtException', onCrash);
        process.off('unhandledRejection', onCrash);
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials

/** A personal API token of the demo owner with every ability the owner's role has on acme's plan. */
export async function ownerToken(server: FuzzServer, name = 'fuzz'): Promise<{ id: string; secret: string }> {
  const roleAbilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, server.acme.plan);
  const { token, secret } = await issueApiToken(server.db, { tenantId: server.acme.id, userId: server.ownerId, roleAbilities, name, abilities: [...roleAbilities] });
  return { id: token.id, secret };
}

export interface BrowserSession {
  cookie: string;
  csrf: string;
}

/** A signed-in session of the demo owner on acme's host, as the sign-in form makes it (cookie + CSRF token). */
export async function ownerSession(server: FuzzServer): Promise<BrowserSession> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await server.db.insert(sessions).values({ id: hashToken(token), userId: server.ownerId, tenantId: server.acme.id, csrfToken: csrf, expiresAt: new Date(Date.now() + 3_600_000) });
  return { cookie: `orgonaut_session=${token}`, csrf };
}

/** The double-submit cookie and field of the forms shown before sign-in (sign-in, invitations, password reset). */
export function preSessionForm(): BrowserSession {
  const csrf = randomBytes(24).toString('base64url');
  return { cookie: `orgonaut_form=${csrf}`, csrf };
}

// ---------------------------------------------------------------------------------------------------------------
// A raw HTTP client

export interface RawRequest {
  method: string;
  /** Path and query, sent as given (already encoded). */
  path: string;
  host: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length), in pieces. */
  chunked?: boolean;
}

export interface RawResponse {
  /** 0: the server closed the connection without an answer (only acceptable for bodies over a size cap). */
  status: number;
  headers: http.IncomingHttpHeaders;
  type: string;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const TIMEOUT_MS = 30_000;

/** Keep-alive sockets the server closed while idle in the pool and a request was retried on a new one. */
export const socketRetries: string[] = [];
const lastOnSocket = new WeakMap<object, string>();

/**
 * Sends a request over a socket to the server and reads the whole answer (fails on a hang). A request that finds its
 * pooled keep-alive socket closed by the server is retried once on a new connection, as HTTP clients do.
 */
export async function send(port: number, request: RawRequest): Promise<RawResponse> {
  try {
    return await sendOnce(port, request, agent);
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error;
    socketRetries.push(`${error.previous} → ${request.method} ${request.path}`);
    return sendOnce(port, request, false);
  }
}

class StaleSocket extends Error {
  constructor(readonly previous: string) {
    super('stale keep-alive socket');
  }
}

function sendOnce(port: number, request: RawRequest, via: http.Agent | false): Promise<RawResponse> {
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body ? Buffer.from(request.body) : undefined;
  const headers: Record<string, string> = { host: request.host, ...request.headers };
  if (body && !request.chunked) headers['content-length'] = String(body.length);
  if (body && request.chunked) headers['transfer-encoding'] = 'chunked';
  const label = `${request.method} ${request.path.slice(0, 80)} (${body?.length ?? 0} bytes${request.chunked ? ', chunked' : ''})`;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent: via }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, headers: res.headers, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('socket', (socket) => {
      const previous = lastOnSocket.get(socket);
      lastOnSocket.set(socket, label);
      (req as unknown as { previousOnSocket?: string }).previousOnSocket = previous;
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms: ${label}`)));
    // The server may answer (413) and close before the whole body is written: the answer is what counts. A
    // connection dropped without an answer is reported as status 0 for the caller to judge.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        reject(new StaleSocket((req as unknown as { previousOnSocket?: string }).previousOnSocket ?? '?'));
      } else if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, headers: {}, type: '', body: '' });
      else reject(error);
    });
    if (body && request.chunked) {
      const piece = Math.max(1, Math.ceil(body.length / 4));
      for (let at = 0; at < body.length; at += piece) req.write(body.subarray(at, at + piece));
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** `GET /healthz` answers 200: the process is alive and serving. */
export async function healthy(server: FuzzServer): Promise<boolean> {
  const answer = await send(server.port, { method: 'GET', path: '/healthz', host: `127.0.0.1:${server.port}` });
  return answer.status === 200 && answer.body.includes('"ok"');
}

// ---------------------------------------------------------------------------------------------------------------
// What an answer must never contain

/**
 * A reason the body leaks internals (a stack frame, a path of the server's files), or null. `sent` is what the
 * request carried: an accepted write echoing back a file URL the fuzzer wrote into a field is not a leak.
 */
export function leak(body: string, sent: { path?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): string | null {
  if (body.includes('\n    at ') || /^\s*at .+\((?:file:|\/|node:)[^)]*:\d+:\d+\)\s*$/m.test(body)) return 'a stack trace';
  if (body.includes(ROOT)) return `a path of the server (${ROOT})`;
  if (/node_modules[\\/]/.test(body)) return 'a node_modules path';
  // A file URL of a module (a stack frame's, an import's): not any file:/// text, which stored user data may hold.
  const moduleUrl = /file:\/\/\/[^\s"'<>]+\.(?:ts|tsx|js|mjs|cjs)\b/.exec(body)?.[0];
  if (moduleUrl && !echoes(sent, moduleUrl)) return 'a file URL of a module';
  return null;
}

function echoes(sent: { path?: string; headers?: Record<string, string>; body?: string | Uint8Array }, text: string): boolean {
  const body = sent.body === undefined ? '' : typeof sent.body === 'string' ? sent.body : Buffer.from(sent.body).toString('utf8');
  // A form body decoded leniently (URLSearchParams replaces malformed escapes rather than throwing).
  const form = [...new URLSearchParams(body)].flat().join('\n');
  return [sent.path ?? '', JSON.stringify(sent.headers ?? {}), body, form].some((part) => part.includes(text));
}

// ---------------------------------------------------------------------------------------------------------------
// Proving that a refused request changed nothing

/** Columns that change on reads by design (last use of a token or session, last sign-in, a run's heartbeat). */
const VOLATILE_COLUMNS = ['last_used_at', 'last_seen_at', 'last_login_at', 'heartbeat_at'];
/**
 * Tables left out: counters of rate limits (every attempt counts, refused or not, by design) and the OAuth
 * provider's store (not fuzzed here). Audit rows of sign-in attempts and of refused password changes (a wrong
 * current password) are left out too: the security log records those guesses on purpose (SPEC §3).
 */
const SKIPPED_TABLES = new Set(['rate_limits', 'oauth_store']);

let tables: { name: string; volatile: string[] }[] | null = null;

/**
 * Per table of the database: the row count and an order-independent sum of 64-bit row hashes (volatile columns left
 * out). One statement, ~10 ms on the demo database.
 */
export async function fingerprint(db: Db): Promise<Map<string, string>> {
  if (!tables) {
    const volatileList = VOLATILE_COLUMNS.map((c) => `'${c}'`).join(', ');
    const result = await db.execute(
      sql.raw(`
        select c.table_name, array_agg(c.column_name::text) filter (where c.column_name in (${volatileList})) as volatile
        from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        group by c.table_name order by c.table_name`),
    );
    tables = (result as unknown as { rows: { table_name: string; volatile: string[] | null }[] }).rows
      .filter((r) => !SKIPPED_TABLES.has(r.table_name))
      .map((r) => ({ name: r.table_name, volatile: r.volatile ?? [] }));
  }
  const parts = tables.map(({ name, volatile }) => {
    const row = volatile.length ? `(to_jsonb(t) - '{${volatile.join(',')}}'::text[])::text` : 't::text';
    const where =
      name === 'audit_events' ? `where not (t.category = 'security' and (t.entity_type = 'sign_in' or t.action = 'password_change_refused'))` : '';
    return `select '${name}' as t, count(*)::text || ':' || coalesce(sum(hashtextextended(${row}, 0)::numeric), 0)::text as f from "${name}" t ${where}`;
  });
  const result = await db.execute(sql.raw(parts.join(' union all ')));
  return new Map((result as unknown as { rows: { t: string; f: string }[] }).rows.map((r) => [r.t, r.f]));
}

/** Tables whose rows differ between two fingerprints. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((table) => before.get(table) !== after.get(table));
}

/**
 * Waits until accepted work has settled: background tasks (promotion, restore, imports) finished and two
 * fingerprints in a row agree. Returns the settled fingerprint.
 */
export async function settle(db: Db): Promise<Map<string, string>> {
  let previous = await fingerprint(db);
  for (let i = 0; i < 100; i++) {
    if (runningTaskCount() > 0) await waitForRunningTasks(30_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await fingerprint(db);
    if (changedTables(previous, next).length === 0 && runningTaskCount() === 0) return next;
    previous = next;
  }
  return previous;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

/** Strings that have broken servers before: SQL, traversal, markup, format strings, NUL and other control characters. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  "'",
  '"',
  "' OR '1'='1",
  "'; DROP TABLE actors; --",
  '1; select pg_sleep(10)',
  '$1',
  '%s%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '..\\..\\windows\\win.ini',
  '/dev/zero',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  'a\u0000b',
  '\u0000',
  '\u0007\u0008\u001b[31m',
  '\r\n\r\nX-Injected: 1',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0635\u0648\u0631\u0629',
  '\u200b\u200d\ufeff',
  '\u{1F469}\u200d\u{1F469}\u200d\u{1F467}',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  '-1',
  '0x7fffffffffffffff',
  '99999999999999999999999999',
  '1e309',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31T23:59:59.999Z',
  'null',
  'undefined',
  'true',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '%',
  '%00',
  '%E0%A4%A',
];

/** Control characters only. */
const controlString = fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 16 }).map((codes) => String.fromCharCode(...codes));
/** Lone and reversed surrogates and other odd code units. */
const oddUnits = fc.string({ unit: fc.integer({ min: 0xd700, max: 0xe000 }).map((c) => String.fromCharCode(c)), maxLength: 8 });

/** Any string, weighted towards the hostile ones; `long` allows strings up to 200,000 characters. */
export function hostileString(options: { long?: boolean } = {}): fc.Arbitrary<string> {
  const arbitraries: fc.Arbitrary<string>[] = [
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom(...HOSTILE_STRINGS),
    controlString,
    oddUnits,
    fc.uuid(),
  ];
  if (options.long) arbitraries.push(fc.integer({ min: 1_000, max: 200_000 }).chain((n) => fc.constantFrom('x', 'é', '\u{1F600}', "'", '\u0000').map((c) => c.repeat(n))));
  return fc.oneof(...arbitraries);
}

/** Numbers that break arithmetic and integer columns. */
export const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 53, 2 ** 63, -(2 ** 63), 1e21, 123456789.123456789),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value (bounded), with hostile strings and numbers inside. */
export function hostileJson(maxDepth = 4): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      hostileString(),
      hostileNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.oneof(hostileString(), fc.constantFrom('__proto__', 'constructor', 'id', 'name', 'op')), tie('value'), { maxKeys: 5 }),
    ),
  })).value;
}

/** JSON text nested `depth` levels deep: arrays, objects or a mix. */
export const deepJsonText = fc
  .record({ depth: fc.integer({ min: 100, max: 10_000 }), kind: fc.constantFrom('array', 'object', 'mixed') })
  .map(({ depth, kind }) => {
    if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
    if (kind === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    let open = '';
    let close = '';
    for (let i = 0; i < depth; i++) {
      if (i % 2) {
        open += '[';
        close = ']' + close;
      } else {
        open += '{"k":';
        close = '}' + close;
      }
    }
    return `${open}0${close}`;
  });

/** Text that is not JSON: truncated or corrupted JSON, random bytes, other formats. */
export const notJsonText = fc.oneof(
  fc.json().map((text) => text.slice(0, Math.max(0, text.length - 1 - (text.length % 3)))).filter((t) => !isJson(t)),
  fc.constantFrom('{', '[', '{"jsonrpc":"2.0",', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '{"a":01}', '\u0000', '\ufeff{}', '<xml/>', 'a=1&b=2', '{"a":"\\ud800"', '{"a":"\\x41"}'),
  fc.string({ unit: 'binary', maxLength: 200 }).filter((t) => !isJson(t)),
);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Arbitrary bytes, sometimes valid UTF-8, sometimes not. */
export const randomBytesArb = fc.uint8Array({ maxLength: 2_000 });

/** A header value Node's client will send (tab, visible ASCII, Latin-1). */
export const headerValue = fc.string({
  unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)),
  maxLength: 120,
});

/** Counts of what a fuzz run sent and saw, for the report. */
export class Tally {
  readonly byStatus = new Map<number, number>();
  cases = 0;
  accepted = 0;
  fingerprints = 0;

  record(status: number): void {
    this.cases++;
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  summary(): string {
    const statuses = [...this.byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ');
    return `${this.cases} requests (${statuses}); ${this.accepted} accepted mutations; ${this.fingerprints} database fingerprints`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values shaped by a JSON Schema (MCP tool inputs, OpenAPI bodies and parameters)

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
};

export interface SchemaValues {
  /** Real ids of the tenant (and others'), so some values reach past "not found". */
  ids: readonly string[];
  /** Resolves `#/components/schemas/…` references. */
  resolve?: (ref: string) => JsonSchema | undefined;
}

const DATES = fc.oneof(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2026-06-01', '2026-02-30', '2026-13-01', '0000-01-01', '99999-01-01', '2026-6-1', '2026-06-01T00:00:00Z'),
);

/**
 * Mostly well-typed values for a schema (hostile strings where strings go, extreme numbers, real ids where ids go,
 * every enum value), sometimes a value of another type, so a fuzz case gets past validation often enough to reach
 * the services.
 */
export function fromSchema(schema: JsonSchema | undefined, values: SchemaValues, depth = 0): fc.Arbitrary<unknown> {
  const wrong = hostileJson(2);
  if (!schema || depth > 6) return wrong;
  if (schema.$ref) return fromSchema(values.resolve?.(schema.$ref), values, depth + 1);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => fromSchema(v, values, depth + 1)));
  if (schema.allOf?.length) return fromSchema(Object.assign({}, ...schema.allOf.map((s) => (s.$ref ? values.resolve?.(s.$ref) : s))), values, depth + 1);
  const right = rightValue(schema, values, depth);
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function rightValue(schema: JsonSchema, values: SchemaValues, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.oneof(fc.constantFrom(...schema.enum), hostileString());
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const ids = values.ids.length ? fc.constantFrom(...values.ids) : fc.uuid();
  switch (type) {
    case 'string':
      if (schema.format === 'date' || String(schema.pattern ?? '').includes('\\d{4}')) return fc.oneof(DATES, hostileString());
      if (schema.format === 'date-time') return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileString());
      return fc.oneof({ weight: 2, arbitrary: ids }, { weight: 3, arbitrary: hostileString() }, { weight: 1, arbitrary: hostileString({ long: true }) });
    case 'integer':
    case 'number': {
      const low = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const high = typeof schema.maximum === 'number' ? schema.maximum : 1000;
      return fc.oneof(fc.integer({ min: Math.ceil(low), max: Math.floor(Math.max(low, high)) }), hostileNumber);
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.oneof(
        { weight: 5, arbitrary: fc.array(fromSchema(schema.items, values, depth + 1), { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.integer({ min: 101, max: 20_000 }).map((n) => Array.from({ length: n }, () => 0)) },
      );
    case 'object':
    default: {
      const properties = schema.properties ?? {};
      const keys = Object.keys(properties);
      if (!keys.length) return fc.dictionary(hostileString(), hostileJson(2), { maxKeys: 3 });
      const known = fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(properties[k], values, depth + 1)])), { requiredKeys: [] });
      const extra = fc.dictionary(hostileString(), hostileJson(1), { maxKeys: 2 });
      return fc.tuple(known, extra, fc.boolean()).map(([k, e, withExtra]) => (withExtra ? { ...e, ...k } : k));
    }
  }
}

/** Shows `value` in fast-check's counterexamples as `text` (bodies of a megabyte would drown the report). */
export function displayed<T extends object>(value: T, text: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => text, enumerable: false });
  return value;
}

/** A string cut to `max` characters for a message, with its length. */
export function clip(text: string | Uint8Array, max = 400): string {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}… (${s.length} chars)` : JSON.stringify(s);
}

/**
 * encodeURIComponent that never throws: a lone surrogate (which it refuses) is sent as the bytes of its CESU-8 form,
 * i.e. invalid UTF-8 in the URL — exactly the kind of input to send.
 */
export function encodeLoosely(value: string): string {
  return value.replace(/[\ud800-\udfff]|[^\ud800-\udfff]+/g, (part) =>
    part.length === 1 && /[\ud800-\udfff]/.test(part)
      ? Buffer.from([0xe0 | (part.charCodeAt(0) >> 12), 0x80 | ((part.charCodeAt(0) >> 6) & 0x3f), 0x80 | (part.charCodeAt(0) & 0x3f)]).toString('hex').replace(/(..)/g, '%$1').toUpperCase()
      : encodeURIComponent(part),
  );
}
