import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { teamTypes } from '../../src/db/schema/index.js';
import { MAX_REQUEST_BYTES } from '../../src/http/limits.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { stringifyWellFormed } from '../../src/util/unicode.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken } from '../support/factories.js';

/**
 * Request limits at the boundary (src/http/limits.ts, src/mcp/http-guards.ts): bodies over 1 MiB, JSON nested too
 * deep and text that is not Unicode (an unpaired surrogate written as an escape, which PostgreSQL cannot store) are
 * refused with a clear 400/413, and nothing is written.
 */
let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
const HOST = 'limits.localhost';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'limits', plan: 'business' });
  app = testApp(database);
  token = await memberToken(database, tenant, 'owner');
});
afterAll(() => database?.close());

const post = (path: string, body: string, contentType = 'application/json') =>
  app.app.request(path, { method: 'POST', headers: { host: HOST, authorization: `Bearer ${token}`, 'content-type': contentType }, body });

async function teamTypeNames(): Promise<string[]> {
  return (await database.db.select({ name: teamTypes.name }).from(teamTypes).where(eq(teamTypes.tenantId, tenant.id))).map((r) => r.name);
}

describe('request limits', () => {
  it('refuses a JSON body with an unpaired surrogate as a 400 naming the body, and stores nothing', async () => {
    const before = await teamTypeNames();
    const answer = await post('/api/v1/team-types', '{"name":"Platform \\ud834"}');
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(await answer.json())).toContain('not valid Unicode');
    expect(await teamTypeNames()).toEqual(before);
    // A surrogate pair written as escapes is a character like any other.
    const paired = await post('/api/v1/team-types', '{"name":"Platform \\ud834\\udd1e"}');
    expect(paired.status).toBe(201);
    expect(await teamTypeNames()).toContain('Platform \u{1d11e}');
  });

  it('refuses a NUL character in a JSON body, a form body or a query string with a 400, and stores nothing', async () => {
    const before = await teamTypeNames();
    const json = await post('/api/v1/team-types', '{"name":"a\\u0000b"}');
    expect(json.status).toBe(400);
    expect(JSON.stringify(await json.json())).toContain('NUL character');
    const query = await app.app.request('/api/v1/org-units?search=a%00b', { headers: { host: HOST, authorization: `Bearer ${token}` } });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { field: string }).field).toBe('query');
    const form = await post('/api/v1/team-types', 'name=a%00b', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(400);
    expect(await teamTypeNames()).toEqual(before);
  });

  it('reads an empty body sent as JSON as {}: an optional body is absent, a required one names its missing field', async () => {
    const created = (await (await post('/api/v1/scenarios', JSON.stringify({ name: 'Empty body plan' }))).json()) as { data: { id: string } };
    // A bodiless POST as curl, fetch and many SDKs send it: the Content-Type, and nothing (or blanks) after it.
    for (const body of ['', ' \n']) {
      const archived = await post(`/api/v1/scenarios/${created.data.id}/archive`, body);
      expect(archived.status, await archived.clone().text()).toBe(200);
      expect(((await archived.json()) as { data: { state: string } }).data.state).toBe('archived');
      expect((await post(`/api/v1/scenarios/${created.data.id}/unarchive`, body)).status).toBe(200);
    }
    const noBodyAtAll = await app.app.request(`/api/v1/scenarios/${created.data.id}/archive`, {
      method: 'POST',
      headers: { host: HOST, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(noBodyAtAll.status).toBe(200);
    const before = await teamTypeNames();
    const required = await post('/api/v1/team-types', '');
    expect(required.status).toBe(400);
    const problem = (await required.json()) as { detail: string; errors?: { field: string }[] };
    expect(JSON.stringify(problem)).not.toContain('not valid JSON');
    expect(JSON.stringify(problem)).toContain('name');
    expect(await teamTypeNames()).toEqual(before);
    // Text that is not JSON is still told so.
    expect(JSON.stringify(await (await post('/api/v1/team-types', 'name=x')).json())).toContain('not valid JSON');
  });

  it('refuses a body over the limit with 413 and JSON nested too deep with 400', async () => {
    const big = await post('/api/v1/team-types', JSON.stringify({ name: 'x'.repeat(MAX_REQUEST_BYTES) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('payload_too_large');
    const deep = await post('/api/v1/team-types', `${'['.repeat(100)}${']'.repeat(100)}`);
    expect(deep.status).toBe(400);
    expect(JSON.stringify(await deep.json())).toContain('nested more than 64 levels');
  });

  it('answers a 413 with the headers of the route’s other answers: RateLimit, X-Request-Id, no-store, problem+json, security headers', async () => {
    const names = (answer: Response) => [...answer.headers.keys()].sort();
    const bad = await post('/api/v1/team-types', '{"name":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { instance: string }).instance).toBe(`urn:request:${bad.headers.get('x-request-id')}`);
    for (const big of [
      await post('/api/v1/team-types', JSON.stringify({ name: 'x'.repeat(MAX_REQUEST_BYTES) })),
      // Refused on its declared length, unread.
      await app.app.request('/api/v1/team-types', {
        method: 'POST',
        headers: { host: HOST, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(MAX_REQUEST_BYTES + 1) },
        body: '{}',
      }),
    ]) {
      expect(big.status).toBe(413);
      expect(names(big)).toEqual(names(bad));
      expect(big.headers.get('ratelimit')).toMatch(/^"requests";r=\d+;t=\d+$/);
      expect(big.headers.get('ratelimit-policy')).toBe(bad.headers.get('ratelimit-policy'));
      expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(big.headers.get('cache-control')).toBe('no-store');
      expect(big.headers.get('x-content-type-options')).toBe('nosniff');
      // The request id the problem's instance names is the answer's X-Request-Id, as on every other answer.
      expect(big.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
      expect(((await big.json()) as { instance: string }).instance).toBe(`urn:request:${big.headers.get('x-request-id')}`);
    }
    // A request without a token is told to authenticate, whatever its size.
    const anonymous = await app.app.request('/api/v1/team-types', {
      method: 'POST',
      headers: { host: HOST, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(MAX_REQUEST_BYTES) }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('answers an MCP request with an unpaired surrogate or a NUL with a JSON-RPC invalid-params error', async () => {
    const answer = await app.app.request('/mcp/orgonaut', {
      method: 'POST',
      headers: { host: HOST, authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"org_search","arguments":{"query":"\\udd34"}}}',
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { id: number; error: { code: number; message: string } };
    expect(body).toMatchObject({ id: 7, error: { code: -32602 } });
    expect(body.error.message).toContain('not valid Unicode');
    const nul = await app.app.request('/mcp/orgonaut', {
      method: 'POST',
      headers: { host: HOST, authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"org_search","arguments":{"query":"a\\u0000"}}}',
    });
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { error: { message: string } }).error.message).toContain('NUL character');
  });

  it('serialises records for PostgreSQL with unpaired surrogates replaced, and others untouched', () => {
    expect(stringifyWellFormed({ a: 'x\ud834y', b: ['\udd1e'], c: 'ok \u{1d11e}' })).toBe(JSON.stringify({ a: 'x\ufffdy', b: ['\ufffd'], c: 'ok \u{1d11e}' }));
    expect(stringifyWellFormed({ path: 'C:\\ud834' })).toBe(JSON.stringify({ path: 'C:\\ud834' }));
    expect(stringifyWellFormed({ name: 'a\u0000b' })).toBe(JSON.stringify({ name: 'a\ufffdb' }));
  });
});
