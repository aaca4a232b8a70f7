import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app.js';
import type { Database } from '../../src/db/connection.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';
import { testConfig, toRequestInit } from '../support/app.js';
import { loopbackFetch } from '../oauth/support.js';

let database: Database;
const lines: string[] = [];
let app: ReturnType<typeof createApp>;
let secret: string;

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await buildTenant(database, { slug: 'obsacme', plan: 'business' });
  const owner = await buildMember(database, tenant, 'owner');
  secret = await tokenOf(database, tenant, owner, 'owner', { name: 'obs', abilities: ['org-units.read', 'costs.read', 'mcp.access'] });
  const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
  const runtime = createRuntime(testConfig({ metricsToken: 'metrics-secret-token' }), database, pino({ level: 'info' }, sink));
  app = createApp(runtime);
});
afterAll(() => database?.close());

describe('observability', () => {
  it('logs one JSON line per request with tenant and principal kind, never the token', async () => {
    const response = await app.request('/api/v1/me', toRequestInit({ host: 'obsacme.localhost', token: secret }));
    expect(response.status).toBe(200);
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.path === '/api/v1/me');
    expect(line).toMatchObject({ method: 'GET', status: 200, tenant: 'obsacme', principal: 'api_token', msg: 'request' });
    expect(typeof line!.requestId).toBe('string');
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('never logs the single-use token of an invitation or password-reset link', async () => {
    for (const path of ['/invitations/invite-secret-in-path', '/password-reset/reset-secret-in-path']) {
      await app.request(path, toRequestInit({ host: 'obsacme.localhost' }));
    }
    const paths = lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => l.path);
    expect(paths).toEqual(expect.arrayContaining(['/invitations/[redacted]', '/password-reset/[redacted]']));
    expect(lines.join('\n')).not.toMatch(/invite-secret-in-path|reset-secret-in-path/);
  });

  it('logs answered health probes and metrics scrapes at debug only, so they do not flood the log', async () => {
    expect((await app.request('/healthz', toRequestInit({ host: '10.0.0.5' }))).status).toBe(200);
    expect((await app.request('/readyz', toRequestInit({ host: '10.0.0.5' }))).status).toBe(200);
    expect((await app.request('/metrics', toRequestInit({ host: '10.0.0.5', token: 'metrics-secret-token' }))).status).toBe(200);
    const paths = lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => l.path);
    expect(paths).not.toContain('/healthz');
    expect(paths).not.toContain('/readyz');
    expect(paths.filter((p) => p === '/metrics')).toEqual([]);
    // A refused scrape is still logged.
    await app.request('/metrics', toRequestInit({ host: '10.0.0.5' }));
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.path === '/metrics' && l.status === 404)).toHaveLength(1);
  });

  it('logs and counts the status the OAuth server really answered (it writes to the Node response itself)', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    try {
      const port = (server.address() as AddressInfo).port;
      const answer = await loopbackFetch(`http://obsacme.localhost:${port}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=not-a-code&redirect_uri=http://127.0.0.1/cb&client_id=nobody',
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.path === '/oauth/token');
      expect(line).toMatchObject({ method: 'POST', status: answer.status, tenant: 'obsacme' });
      const text = await (await app.request('/metrics', toRequestInit({ host: 'anything.example', token: 'metrics-secret-token' }))).text();
      expect(text).toMatch(/orgonaut_http_requests_total\{method="POST",route="\/oauth\/token",status="4xx"\} 1/);
      expect(text).not.toMatch(/route="\/oauth\/token",status="2xx"/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('serves Prometheus metrics only with the metrics token (or from loopback)', async () => {
    expect((await app.request('/metrics', toRequestInit({ host: 'obsacme.localhost' }))).status).toBe(404);
    expect((await app.request('/metrics', toRequestInit({ host: 'obsacme.localhost', token: 'wrong-token-of-same-len' }))).status).toBe(404);
    await app.request('/api/v1/me', toRequestInit({ host: 'obsacme.localhost', token: 'orgo_pat_' + 'x'.repeat(43) }));
    const response = await app.request('/metrics', toRequestInit({ host: 'anything.example', token: 'metrics-secret-token' }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/orgonaut_http_requests_total\{method="GET",route="\/api\/v1\/me",status="2xx"\} \d+/);
    expect(text).toMatch(/orgonaut_http_request_duration_seconds_bucket\{route="\/api\/v1\/me",le="\+Inf"\} \d+/);
    expect(text).toMatch(/orgonaut_auth_failures_total\{reason="unknown_token",surface="rest"\} \d+/);
    expect(text).not.toContain(secret);
  });
  it('counts MCP tool calls by tool and outcome, with their latency, and logs the tool but never its arguments', async () => {
    const call = (id: number, name: string, args: Record<string, unknown>) =>
      app.request('/mcp/orgonaut', {
        method: 'POST',
        headers: { host: 'obsacme.localhost', authorization: `Bearer ${secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
      });
    // The answers are streamed: each is read to its end, as a client does.
    for (const [id, name, args] of [[1, 'org_summary', {}], [2, 'org_units_get', { org_unit_id: 'secret-argument-value' }]] as const) {
      const answer = await call(id, name, args);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain(`"id":${id}`);
    }
    const text = await (await app.request('/metrics', toRequestInit({ host: 'anything.example', token: 'metrics-secret-token' }))).text();
    expect(text).toMatch(/orgonaut_mcp_tool_calls_total\{outcome="ok",tool="org.summary"\} [1-9]/);
    expect(text).toMatch(/orgonaut_mcp_tool_calls_total\{outcome="(not_found|invalid_input)",tool="org.units.get"\} [1-9]/);
    expect(text).toMatch(/orgonaut_mcp_tool_duration_seconds_count\{tool="org.summary"\} [1-9]/);
    // The request line names the method and tool for a 2025 client too (it sends no Mcp-Method header). Its answer is
    // streamed, so the line is written as the stream begins and the tool's outcome follows in a line of its own.
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLines = parsed.filter((l) => l.msg === 'request' && l.path === '/mcp/orgonaut');
    expect(requestLines.map((l) => [l.mcpMethod, l.mcpName])).toEqual(expect.arrayContaining([['tools/call', 'org_summary'], ['tools/call', 'org_units_get']]));
    const outcomes = parsed.filter((l) => l.msg === 'mcp tool call').map((l) => [l.mcpTool, l.mcpOutcome, l.mcpError]);
    expect(outcomes).toEqual(expect.arrayContaining([['org.summary', 'ok', undefined], ['org.units.get', 'error', expect.stringMatching(/^(not_found|invalid_input)$/)]]));

    // A 2026-07-28 client gets one JSON answer: one line per request says the call and how it ended (HTTP 200 either way).
    lines.length = 0;
    const modern = await app.request('/mcp/orgonaut', {
      method: 'POST',
      headers: {
        host: 'obsacme.localhost',
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'org_units_get',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: {
          name: 'org_units_get',
          arguments: { org_unit_id: 'secret-argument-value' },
          _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} },
        },
      }),
    });
    expect(modern.status, await modern.clone().text()).toBe(200);
    await modern.text();
    const modernLines = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(modernLines.filter((l) => l.msg === 'mcp tool call')).toEqual([]);
    const line = modernLines.find((l) => l.msg === 'request' && l.path === '/mcp/orgonaut')!;
    expect([line.status, line.mcpName, line.mcpTool, line.mcpOutcome]).toEqual([200, 'org_units_get', 'org.units.get', 'error']);
    expect(line.mcpError).toMatch(/^(not_found|invalid_input)$/);
    expect(lines.join('\n')).not.toContain('secret-argument-value');
  });
});
