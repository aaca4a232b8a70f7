import net from 'node:net';
import fc from 'fast-check';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actors, orgUnits, scenarios } from '../../src/db/schema/index.js';
import { CATALOG } from '../../src/mcp/catalog.js';
import { MAX_BODY_BYTES } from '../../src/mcp/http-guards.js';
import { PROMPTS } from '../../src/mcp/prompts.js';
import { RESOURCE_TEMPLATES, STATIC_RESOURCES } from '../../src/mcp/resources.js';
import { inputJsonSchema } from '../../src/mcp/schema-json.js';
import { findTenantBySlug } from '../../src/tenancy/tenants.js';
import {
  changedTables,
  clip,
  deepJsonText,
  displayed,
  fingerprint,
  FUZZ_SEED,
  fromSchema,
  headerValue,
  healthy,
  hostileJson,
  hostileString,
  leak,
  notJsonText,
  randomBytesArb,
  runs,
  send,
  settle,
  socketRetries,
  SKIP_REASON,
  startFuzzServer,
  ownerToken,
  Tally,
  type FuzzServer,
  type JsonSchema,
  type RawResponse,
} from './support.js';

/**
 * Hostile input to the MCP endpoint (SPEC §5, issue "Operations and hardening" §5), through a real server on a
 * loopback port with the demo owner's personal token and `X-Tenant`: bytes that are not JSON, JSON-RPC envelopes
 * with wrong types, batches, unknown methods, tools/call with any name and any arguments (hostile strings, real ids
 * of this and another tenant), deep nesting (100–10,000 levels), huge arrays, bodies over the cap (declared and
 * chunked), wrong and missing headers of both protocol eras (Accept, Content-Type, MCP-Protocol-Version,
 * Mcp-Method/Mcp-Name mismatches, Origin), other HTTP methods, and malformed HTTP on a bare socket.
 *
 * Every answer: status < 500, no stack trace or server path, errors as JSON-RPC errors (or `isError` results).
 * After every family the process still answers /healthz, nothing crashed, and the database is unchanged unless a
 * governed action tool accepted a call (checked call by call for those tools: a refused one changes nothing).
 *
 * PostgreSQL only (SPEC §10). Fixed seed (`FUZZ_SEED` to explore, `FUZZ_RUNS=<factor>` for longer runs).
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

const PATH = '/mcp/orgonaut';
const MODERN = '2026-07-28';
const LEGACY = ['2025-06-18', '2025-11-25'] as const;
const META = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };
const METHODS = [
  'initialize',
  'notifications/initialized',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'server/discover',
  'completion/complete',
  'logging/setLevel',
  'resources/subscribe',
  'notifications/cancelled',
  'sampling/createMessage',
  'tasks/get',
];
const TOOL_NAMES = CATALOG.tools.flatMap((t) => [t.name, t.name.replaceAll('.', '_')]);
const ACTION_TOOLS = new Set(CATALOG.tools.filter((t) => t.name.startsWith('scenario.action.')).map((t) => t.name));

/** One request to the endpoint. `mayWrite`: a call of a governed action tool (checked for changes call by call). */
interface McpCase {
  family: string;
  body: string | Uint8Array;
  headers: Record<string, string>;
  method?: string;
  chunked?: boolean;
  mayWrite?: boolean;
}

/** Over the endpoint's size cap: the only requests the server may answer by closing the connection. */
const overCap = (c: McpCase) => Buffer.byteLength(c.body) > MAX_BODY_BYTES;

describe.skipIf(SKIP_REASON !== null)('fuzzing the MCP endpoint', () => {
  let server: FuzzServer;
  let token: string;
  let ids: string[] = [];
  let uris: string[] = [];
  let baseline: Map<string, string>;
  const tally = new Tally();
  const started = Date.now();

  beforeAll(async () => {
    server = await startFuzzServer();
    token = (await ownerToken(server)).secret;
    // The first use of a token is in the security log (by design): make it before the baseline.
    expect((await post({ family: 'warm-up', body: JSON.stringify(envelope(MODERN, 'tools/list', {})), headers: eraHeaders(MODERN, 'tools/list') })).status).toBe(200);
    const db = server.db;
    const initech = (await findTenantBySlug(db, 'initech'))!;
    const ours = await db.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.tenantId, server.acme.id));
    const theirs = await db.select({ id: scenarios.id }).from(scenarios).where(eq(scenarios.tenantId, initech.id));
    const units = await db.select({ id: orgUnits.id }).from(orgUnits).where(eq(orgUnits.tenantId, server.acme.id)).limit(5);
    const people = await db.select({ id: actors.id }).from(actors).where(and(eq(actors.tenantId, server.acme.id))).limit(5);
    const otherUnits = await db.select({ id: orgUnits.id }).from(orgUnits).where(eq(orgUnits.tenantId, initech.id)).limit(2);
    ids = [...ours, ...theirs, ...units, ...people, ...otherUnits].map((r) => r.id);
    uris = [
      ...STATIC_RESOURCES.map((r) => r.uri),
      ...RESOURCE_TEMPLATES.flatMap((t) => ids.slice(0, 6).map((id) => t.uriTemplate.replace('{id}', id))),
    ];
    baseline = await fingerprint(db);
    tally.fingerprints++;
  }, 120_000);

  afterAll(async () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.info(`[fuzz:mcp] ${tally.summary()}; ${seconds} s; seed ${FUZZ_SEED}`);
    if (socketRetries.length) console.info(`[fuzz:mcp] ${socketRetries.length} requests retried on a new connection after the server closed a kept-alive one:\n  ${socketRetries.slice(0, 20).join('\n  ')}`);
    await server?.close();
  }, 60_000);

  // -------------------------------------------------------------------------------------------------------------
  // Sending and judging

  function post(c: McpCase): Promise<RawResponse> {
    return send(server.port, {
      method: c.method ?? 'POST',
      path: PATH,
      host: server.host,
      headers: { authorization: `Bearer ${token}`, 'x-tenant': 'acme', ...c.headers },
      body: c.body,
      chunked: c.chunked,
    });
  }

  /** JSON-RPC messages of a 200 answer: a JSON body (one message or a batch) or the `data:` lines of an SSE stream. */
  function messagesOf(answer: RawResponse): unknown[] {
    if (answer.type.startsWith('text/event-stream')) {
      return answer.body
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .filter(Boolean)
        .map((data) => JSON.parse(data) as unknown);
    }
    const parsed = JSON.parse(answer.body) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  }

  function expectRpcError(error: unknown, where: string) {
    expect(error, where).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    expect(Number.isInteger((error as { code: number }).code), where).toBe(true);
  }

  /** The checks every answer gets; returns whether a governed action was carried out (a result that is no error). */
  function judge(c: McpCase, answer: RawResponse): boolean {
    tally.record(answer.status);
    const where = `${c.family}: HTTP ${answer.status} ${answer.type} ${clip(answer.body, 300)}`;
    if (answer.status === 0) {
      // A body over the cap may be refused by closing the connection; anything else must be answered.
      expect(overCap(c), `${c.family}: the connection was closed without an answer`).toBe(true);
      return false;
    }
    expect(answer.status, where).toBeLessThan(500);
    expect(answer.status >= 300 && answer.status < 400, `${where}: never a redirect on the MCP path`).toBe(false);
    expect(leak(answer.body, c), where).toBeNull();
    if (answer.status >= 400) {
      let body: { jsonrpc?: unknown; error?: unknown };
      try {
        body = JSON.parse(answer.body) as typeof body;
      } catch {
        throw new Error(`${where}: an error answer that is not JSON`);
      }
      expectRpcError(body.error, where);
      return false;
    }
    if (answer.status === 202 || answer.status === 204) {
      expect(answer.body, where).toBe('');
      return false;
    }
    expect(answer.status, where).toBe(200);
    let carriedOut = false;
    for (const message of messagesOf(answer) as { jsonrpc?: unknown; result?: { isError?: boolean; content?: unknown }; error?: unknown }[]) {
      expect(message.jsonrpc, where).toBe('2.0');
      expect('result' in message || 'error' in message, where).toBe(true);
      if ('error' in message) expectRpcError(message.error, where);
      else if (message.result?.isError) expect(Array.isArray(message.result.content), where).toBe(true);
      else if (c.mayWrite) carriedOut = true;
    }
    return carriedOut;
  }

  /**
   * Sends a case and judges it. A call of a governed action tool is checked on its own: refused → the database is
   * as before; carried out → the new state (after its work settles) is the baseline for what follows.
   */
  async function run(c: McpCase): Promise<void> {
    const answer = await post(c);
    const carriedOut = judge(c, answer);
    if (!c.mayWrite) return;
    if (carriedOut) {
      tally.accepted++;
      baseline = await settle(server.db);
      return;
    }
    const after = await fingerprint(server.db);
    tally.fingerprints++;
    expect(changedTables(baseline, after), `${c.family}: a refused action changed the database`).toEqual([]);
  }

  /** Runs a family of cases; then the server is healthy, nothing crashed, and refused requests changed nothing. */
  async function family(name: string, arbitrary: fc.Arbitrary<McpCase>, numRuns: number): Promise<void> {
    const shown = arbitrary.map((c) => displayed(c, `${c.method ?? 'POST'} ${JSON.stringify(c.headers)} ${c.chunked ? 'chunked ' : ''}${clip(c.body)}`));
    await fc.assert(
      fc.asyncProperty(shown, (c) => run(c)),
      { numRuns: runs(numRuns), seed: FUZZ_SEED + name.length * 7919, endOnFailure: !process.env.FUZZ_SHRINK },
    );
    expect(await healthy(server), `${name}: /healthz after the family`).toBe(true);
    expect(server.crashes, `${name}: uncaught errors in the server`).toEqual([]);
    const after = await fingerprint(server.db);
    tally.fingerprints++;
    expect(changedTables(baseline, after), `${name}: refused requests changed the database`).toEqual([]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Arbitraries

  const era = fc.constantFrom<string>(MODERN, ...LEGACY);
  const accept = fc.constantFrom('application/json, text/event-stream', 'application/json', 'text/event-stream, application/json');

  /** Headers a well-behaved client of the era sends for `method` (and `name` on 2026-07-28). */
  function eraHeaders(version: string, method: unknown, name?: unknown): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (version === MODERN) {
      headers['mcp-protocol-version'] = MODERN;
      if (typeof method === 'string' && /^[\x20-\x7e]*$/.test(method)) headers['mcp-method'] = method;
      if (typeof name === 'string' && /^[\x20-\x7e]*$/.test(name) && name.length < 500) headers['mcp-name'] = name;
    } else if (method !== 'initialize') {
      headers['mcp-protocol-version'] = version;
    }
    return headers;
  }

  /** A JSON-RPC request of the era: 2026-07-28 requests carry `_meta`. */
  function envelope(version: string, method: unknown, params: unknown, id: unknown = 1): Record<string, unknown> {
    const withMeta =
      version === MODERN && typeof params === 'object' && params !== null && !Array.isArray(params) ? { ...params, _meta: { ...META, ...((params as { _meta?: object })._meta ?? {}) } } : params;
    const body: Record<string, unknown> = { jsonrpc: '2.0', id, method };
    if (withMeta !== undefined) body.params = withMeta;
    return body;
  }

  const argumentsFor = (name: string): fc.Arbitrary<unknown> => {
    const tool = CATALOG.find(name);
    const shaped = tool ? fromSchema(inputJsonSchema(tool.inputSchema) as JsonSchema, { ids }) : hostileJson(3);
    return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 5 }) }, { weight: 1, arbitrary: hostileJson(3) });
  };

  const toolName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TOOL_NAMES) }, { weight: 1, arbitrary: hostileString() }, {
    weight: 1,
    arbitrary: fc.constantFrom(...TOOL_NAMES).map((n) => ` ${n.toUpperCase()} `),
  });

  // -------------------------------------------------------------------------------------------------------------
  // The families

  it('survives bytes that are not JSON-RPC (random bytes, truncated and corrupted JSON)', async () => {
    const arbitrary = fc
      .record({ version: era, body: fc.oneof(randomBytesArb, notJsonText, fc.json()) })
      .map(({ version, body }): McpCase => ({ family: 'not JSON-RPC', body, headers: eraHeaders(version, 'tools/list') }));
    await family('not JSON-RPC', arbitrary, 250);
  });

  it('survives JSON-RPC envelopes with wrong types for jsonrpc, id, method and params', async () => {
    const arbitrary = fc
      .record({
        version: era,
        jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.constant(2), fc.constant(null), hostileJson(1)),
        id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double(), fc.boolean(), hostileJson(2)),
        method: fc.oneof(fc.constantFrom(...METHODS), hostileString(), fc.integer(), fc.constant(null), hostileJson(2)),
        params: fc.oneof(hostileJson(3), fc.anything({ maxDepth: 3, maxKeys: 5 })),
        omit: fc.subarray(['jsonrpc', 'id', 'method', 'params']),
      })
      .map(({ version, jsonrpc, id, method, params, omit }): McpCase => {
        const body: Record<string, unknown> = { jsonrpc, id, method, params };
        for (const key of omit) delete body[key];
        return { family: 'wrong types', body: JSON.stringify(body), headers: eraHeaders(version, method) };
      });
    await family('wrong types', arbitrary, 300);
  });

  it('survives batches (empty, mixed, of notifications and of requests)', async () => {
    const member = fc.oneof(
      fc.record({ method: fc.constantFrom(...METHODS), params: hostileJson(2) }).map(({ method, params }) => envelope(MODERN, method, params)),
      hostileJson(2),
      fc.constantFrom(...METHODS).map((method) => ({ jsonrpc: '2.0', method })),
    );
    const arbitrary = fc
      .record({ version: era, batch: fc.array(member, { maxLength: 6 }) })
      .map(({ version, batch }): McpCase => ({ family: 'batches', body: JSON.stringify(batch), headers: eraHeaders(version, 'tools/list') }));
    await family('batches', arbitrary, 150);
  });

  it('survives unknown methods and notifications in both eras', async () => {
    const arbitrary = fc
      .record({ version: era, method: hostileString(), params: fc.option(hostileJson(2)), notification: fc.boolean() })
      .map(({ version, method, params, notification }): McpCase => {
        const body = envelope(version, method, params ?? {});
        if (notification) delete body.id;
        return { family: 'unknown methods', body: JSON.stringify(body), headers: eraHeaders(version, method) };
      });
    await family('unknown methods', arbitrary, 200);
  });

  it('survives tools/call with any name and any arguments, resources/read of any URI and prompts/get of any prompt', async () => {
    const call = fc
      .record({ version: era, name: toolName, meta: fc.option(hostileJson(2), { freq: 8 }), id: fc.nat() })
      .chain(({ version, name, meta, id }) =>
        argumentsFor(name).map((args): McpCase => {
          const params: Record<string, unknown> = { name, arguments: args };
          if (meta !== null) params._meta = meta;
          const body = envelope(version, 'tools/call', params, id);
          const tool = CATALOG.find(name);
          return { family: 'tools/call', body: JSON.stringify(body), headers: eraHeaders(version, 'tools/call', name), mayWrite: Boolean(tool && ACTION_TOOLS.has(tool.name)) };
        }),
      );
    const read = fc
      .record({ version: era, uri: fc.oneof(fc.constantFrom(...uris), hostileString(), fc.webUrl(), hostileString().map((s) => `orgonaut://org-units/${s}`)) })
      .map(({ version, uri }): McpCase => ({ family: 'resources/read', body: JSON.stringify(envelope(version, 'resources/read', { uri })), headers: eraHeaders(version, 'resources/read', uri) }));
    const prompt = fc
      .record({ version: era, name: fc.oneof(fc.constantFrom(...PROMPTS.map((p) => p.name)), hostileString()), args: fc.option(hostileJson(2)) })
      .map(({ version, name, args }): McpCase => ({
        family: 'prompts/get',
        body: JSON.stringify(envelope(version, 'prompts/get', args === null ? { name } : { name, arguments: args })),
        headers: eraHeaders(version, 'prompts/get', name),
      }));
    await family('tools/call', fc.oneof({ weight: 6, arbitrary: call }, { weight: 1, arbitrary: read }, { weight: 1, arbitrary: prompt }), 700);
  });

  it('refuses deeply nested payloads (100–10,000 levels) wherever the nesting is', async () => {
    const arbitrary = fc
      .record({ version: era, deep: deepJsonText, where: fc.constantFrom('arguments', 'params', 'id', 'top', 'meta') })
      .map(({ version, deep, where }): McpCase => {
        const meta = version === MODERN ? `"_meta":${JSON.stringify(META)},` : '';
        const body = {
          arguments: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{${meta}"name":"org_summary","arguments":{"scenario_id":${deep}}}}`,
          params: `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":${deep}}`,
          id: `{"jsonrpc":"2.0","id":${deep},"method":"tools/list"}`,
          top: deep,
          meta: `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":${deep}}}`,
        }[where];
        return { family: 'deep nesting', body, headers: eraHeaders(version, where === 'arguments' ? 'tools/call' : 'tools/list', where === 'arguments' ? 'org_summary' : undefined) };
      });
    await family('deep nesting', arbitrary, 60);
  });

  it('answers huge arrays under the cap, and refuses bodies over it (declared or chunked) with 413', async () => {
    const arbitrary = fc
      .record({
        version: era,
        size: fc.oneof(fc.integer({ min: 1_000, max: 200_000 }), fc.integer({ min: MAX_BODY_BYTES + 1, max: 3 * MAX_BODY_BYTES })),
        shape: fc.constantFrom('array', 'string', 'keys'),
        chunked: fc.boolean(),
      })
      .map(({ version, size, shape, chunked }): McpCase => {
        const value =
          shape === 'array' ? `[${'0,'.repeat(Math.floor(size / 2))}0]` : shape === 'string' ? JSON.stringify('y'.repeat(size)) : `{${Array.from({ length: Math.floor(size / 12) }, (_, i) => `"k${i}":1`).join(',')}}`;
        const meta = version === MODERN ? `"_meta":${JSON.stringify(META)},` : '';
        const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{${meta}"name":"search","arguments":{"query":"a","extra":${value}}}}`;
        return { family: 'huge', body, headers: eraHeaders(version, 'tools/call', 'search'), chunked };
      });
    let dropped = 0;
    const shown = arbitrary.map((c) => displayed(c, `${c.chunked ? 'chunked' : 'declared'} body of ${Buffer.byteLength(c.body)} bytes: ${clip(c.body, 200)}`));
    await fc.assert(
      fc.asyncProperty(shown, async (c) => {
        const answer = await post(c);
        judge(c, answer);
        if (answer.status === 0) dropped++;
        else if (overCap(c)) expect(answer.status, `${c.chunked ? 'chunked' : 'declared'} body of ${Buffer.byteLength(c.body)} bytes`).toBe(413);
      }),
      { numRuns: runs(40), seed: FUZZ_SEED, endOnFailure: true },
    );
    if (dropped) console.info(`[fuzz:mcp] ${dropped} bodies over the cap were refused by closing the connection instead of a 413`);
    expect(await healthy(server)).toBe(true);
    expect(changedTables(baseline, await fingerprint(server.db))).toEqual([]);
  });

  it('survives wrong and missing headers of both eras (Accept, Content-Type, MCP-Protocol-Version, Mcp-Method/Mcp-Name, Origin)', async () => {
    const origin = fc.oneof(
      fc.constantFrom('null', 'https://evil.example', 'http://acme.localhost', 'http://initech.localhost:1', 'file://', 'http://[::1]', '*', ''),
      fc.webUrl(),
      headerValue,
    );
    const arbitrary = fc
      .record({
        version: era,
        method: fc.constantFrom('tools/list', 'tools/call', 'initialize', 'server/discover', 'resources/read', 'prompts/get', 'ping'),
        name: fc.constantFrom(...TOOL_NAMES.slice(0, 8)),
        accept: fc.option(fc.oneof(accept, fc.constantFrom('text/html', '*/*', 'application/xml', 'application/json;q=0', ''), headerValue)),
        contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=utf-16', ''), headerValue)),
        version_header: fc.option(fc.oneof(fc.constantFrom(MODERN, ...LEGACY, '2024-11-05', '2099-01-01', 'latest', ''), headerValue)),
        mcpMethod: fc.option(fc.oneof(fc.constantFrom(...METHODS), headerValue)),
        mcpName: fc.option(fc.oneof(fc.constantFrom(...TOOL_NAMES), headerValue)),
        origin: fc.option(origin),
        drop: fc.subarray(['accept', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name']),
      })
      .map((r): McpCase => {
        const params = r.method === 'tools/call' ? { name: r.name, arguments: {} } : r.method === 'initialize' ? { protocolVersion: r.version, capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } : r.method === 'resources/read' ? { uri: 'orgonaut://tenant' } : r.method === 'prompts/get' ? { name: 'org-review' } : {};
        const headers = eraHeaders(r.version, r.method, r.method === 'tools/call' ? r.name : undefined);
        if (r.accept !== null) headers.accept = r.accept;
        if (r.contentType !== null) headers['content-type'] = r.contentType;
        if (r.version_header !== null) headers['mcp-protocol-version'] = r.version_header;
        if (r.mcpMethod !== null) headers['mcp-method'] = r.mcpMethod;
        if (r.mcpName !== null) headers['mcp-name'] = r.mcpName;
        if (r.origin !== null) headers.origin = r.origin;
        for (const name of r.drop) delete headers[name];
        return { family: 'headers', body: JSON.stringify(envelope(r.version, r.method, params)), headers };
      });
    await family('headers', arbitrary, 400);
  });

  it('answers other HTTP methods with 405, whatever they carry', async () => {
    const arbitrary = fc
      .record({ method: fc.constantFrom('GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS'), body: fc.option(fc.oneof(fc.json(), randomBytesArb)), version: era })
      .map(({ method, body, version }): McpCase => ({ family: 'HTTP methods', method, body: method === 'GET' && body !== null ? '' : (body ?? ''), headers: eraHeaders(version, 'tools/list') }));
    await family('HTTP methods', arbitrary, 60);
  });

  it('survives malformed HTTP on a bare socket (bad request lines, header bytes, oversized headers)', async () => {
    const lines = fc.oneof(
      randomBytesArb.map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(
        'POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nContent-Length: -1\r\n\r\n',
        'POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nContent-Length: 99999999999999999999\r\n\r\n{}',
        'POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
        'POST /mcp/orgonaut HTTP/9.9\r\nHost: acme.localhost\r\n\r\n',
        'POST  /mcp/orgonaut  HTTP/1.1\r\n\r\n',
        'POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nX: \u0000\r\n\r\n',
        `POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
        'POST /mcp/orgonaut HTTP/1.1\r\nHost: acme.localhost\r\nContent-Length: 10\r\n\r\n{"a"',
      ).map((text) => Buffer.from(text, 'latin1')),
    );
    let socketCases = 0;
    await fc.assert(
      fc.asyncProperty(lines, async (bytes) => {
        socketCases++;
        const status = await rawSocket(server.port, bytes);
        if (status !== null) expect(status, bytes.toString('latin1').slice(0, 120)).toBeLessThan(500);
      }),
      { numRuns: runs(60), seed: FUZZ_SEED, endOnFailure: true },
    );
    tally.cases += socketCases;
    expect(await healthy(server)).toBe(true);
    expect(server.crashes).toEqual([]);
  });

  it('still serves a well-formed session afterwards, with the database as it was', async () => {
    const list = await post({ family: 'after', body: JSON.stringify(envelope(MODERN, 'tools/list', {})), headers: eraHeaders(MODERN, 'tools/list') });
    expect(list.status).toBe(200);
    expect(list.body).toContain('org_summary');
    expect(changedTables(baseline, await fingerprint(server.db))).toEqual([]);
  });
});

/** Writes raw bytes to the server and returns the status of its answer, or null if it closed without one. */
function rawSocket(port: number, bytes: Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(statusOf(received));
    }, 3_000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (/\r\n\r\n/.test(received)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(statusOf(received));
      }
    });
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(statusOf(received));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(statusOf(received));
    });
    socket.on('connect', () => socket.end(bytes));
    socket.on('timeout', () => reject(new Error('socket timeout')));
  });
}

function statusOf(received: string): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
  return match ? Number(match[1]) : null;
}
