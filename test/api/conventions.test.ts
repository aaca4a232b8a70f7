import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Role } from '../../src/access/bundles.js';
import type { RateLimit } from '../../src/http/rate-limit.js';
import { curlExample } from '../../src/api/v1/docs-page.js';
import { DeltaSchema } from '../../src/api/v1/scenario-schemas.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Conventions every /api/v1 route follows (SPEC §7): weak ETags on GET answers with 304 for If-None-Match, RateLimit
 * headers per principal with a 429 problem past the limit, and the reference — /docs/api.json with an example and
 * the required abilities on every operation, and the /docs/api page rendered from it.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let limited: TestApp;
const HOST = 'apiconv.localhost';
const { units } = fixtureIds('api-conventions');
const LIMIT: RateLimit = { limit: 5, windowSeconds: 3600 };
const tokens: Partial<Record<Role, string>> = {};

const tokenFor = (role: Role) => memberToken(database, tenant, role);

const get = (path: string, role: Role = 'owner', options: RequestOptions = {}, through = app) =>
  through.request(path, { host: HOST, token: tokens[role], ...options });

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiconv', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-conventions'));
  app = testApp(database);
  // The API's rate limit is configurable (ORGONAUT_API_RATE_LIMIT); this app allows 5 requests per credential an hour.
  limited = testApp(database, { apiRateLimit: { default: LIMIT, plans: {} } });
  for (const role of ['owner', 'manager', 'viewer', 'member'] as const) tokens[role] = await tokenFor(role);
});
afterAll(() => database?.close());

describe('ETags and conditional GETs', () => {
  it('tags every JSON GET answer weakly, and answers If-None-Match with 304 and no body', async () => {
    for (const path of ['/api/v1/org-units', `/api/v1/org-units/${units.P}`, '/api/v1/org-units/tree', '/api/v1/me', '/api/v1/reports/roster', '/api/v1/department-types']) {
      const first = await get(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.get('etag');
      expect(etag, path).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
      expect(first.headers.get('cache-control'), path).toBe('private, no-store');
      expect(first.headers.get('vary'), path).toContain('Authorization');
      const again = await get(path);
      expect(again.headers.get('etag'), path).toBe(etag);

      const notModified = await get(path, 'owner', { headers: { 'if-none-match': etag! } });
      expect(notModified.status, path).toBe(304);
      expect(await notModified.text(), path).toBe('');
      expect(notModified.headers.get('etag'), path).toBe(etag);
      expect(notModified.headers.get('ratelimit'), path).toMatch(/^"requests";r=\d+;t=\d+$/);

      // Weak comparison, lists and `*` (RFC 9110 §13.1.2); a different tag gets the full body.
      for (const header of [etag!.slice(2), `"nope", ${etag}`, '*']) {
        expect((await get(path, 'owner', { headers: { 'if-none-match': header } })).status, `${path} ${header}`).toBe(304);
      }
      expect((await get(path, 'owner', { headers: { 'if-none-match': 'W/"something-else"' } })).status, path).toBe(200);
    }
  });

  it('changes the tag when the resource changes, and differs where the credential sees different fields', async () => {
    const before = (await get('/api/v1/department-types')).headers.get('etag');
    const created = await get('/api/v1/department-types', 'owner', { json: { name: 'Revenue' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBeNull();
    const after = await get('/api/v1/department-types', 'owner', { headers: { 'if-none-match': before! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);

    const ownerTag = (await get('/api/v1/positions')).headers.get('etag');
    const viewer = await get('/api/v1/positions', 'viewer', { headers: { 'if-none-match': ownerTag! } });
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('etag')).not.toBe(ownerTag);
  });

  it('sends no ETag with problems', async () => {
    const problem = await get('/api/v1/compensations', 'viewer');
    expect(problem.status).toBe(403);
    expect(problem.headers.get('etag')).toBeNull();
    const missing = await get(`/api/v1/org-units/${units.P.replace(/.$/, '0')}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
  });
});

describe('rate limits per principal', () => {
  it('counts down in RateLimit on every answer, then refuses with a 429 problem and Retry-After', async () => {
    const nowSeconds = Date.now() / 1000;
    const untilBoundary = LIMIT.windowSeconds - (nowSeconds % LIMIT.windowSeconds);
    if (untilBoundary < 20) await new Promise((resolve) => setTimeout(resolve, (untilBoundary + 1) * 1000));

    const seen: string[] = [];
    const answers = [
      await get('/api/v1/org-units', 'member', {}, limited),
      await get('/api/v1/compensations', 'member', {}, limited), // a 403 counts and carries the header too
      await get('/api/v1/scenarios', 'member', { json: { name: 'Counted' } }, limited),
      await get('/api/v1/org-units/not-there', 'member', {}, limited),
      await get('/api/v1/me', 'member', {}, limited),
    ];
    for (const answer of answers) seen.push(answer.headers.get('ratelimit') ?? 'none');
    expect(answers.map((a) => a.status)).toEqual([200, 403, 201, 404, 200]);
    expect(seen.map((h) => /;r=(\d+)/.exec(h)?.[1])).toEqual(['4', '3', '2', '1', '0']);
    for (const header of seen) expect(header).toMatch(/^"requests";r=\d;t=\d+$/);

    const refused = await get('/api/v1/org-units', 'member', {}, limited);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    // Limits slide: the next request passes once enough of this window's five have slid out of the last hour —
    // 1 + ⌈5 × (1 − e / 3600)⌉ ≤ 5 from e = 720 s into the next window.
    const windowEnd = Math.ceil(Date.now() / 1000 / LIMIT.windowSeconds) * LIMIT.windowSeconds;
    expect(Math.abs(Date.now() / 1000 + retryAfter - (windowEnd + 720))).toBeLessThanOrEqual(2);
    expect(refused.headers.get('ratelimit')).toBe(`"requests";r=0;t=${retryAfter}`);
    expect(refused.headers.get('ratelimit-policy')).toMatch(/^"requests";q=5;w=\d+$/);
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 429, code: 'rate_limited', limit: 5, window_seconds: 3600, retry_after: retryAfter });
    expect(String(body.detail)).toContain('5 requests every 3600 seconds');
    expect(String(body.fix)).toContain('Retry-After');

    // Writes are refused too, and nothing is written.
    const write = await get('/api/v1/scenarios', 'member', { json: { name: 'Not counted' } }, limited);
    expect(write.status).toBe(429);
    const names = ((await (await get('/api/v1/scenarios?limit=500')).json()) as { data: { name: string }[] }).data.map((s) => s.name);
    expect(names).toContain('Counted');
    expect(names).not.toContain('Not counted');

    // Another credential has its own budget.
    const viewer = await get('/api/v1/org-units', 'viewer', {}, limited);
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('ratelimit')).toMatch(/^"requests";r=4;/);
  });

  it('allows 600 requests a minute by default', async () => {
    const answer = await get('/api/v1/me', 'manager');
    expect(answer.headers.get('ratelimit-policy')).toMatch(/^"requests";q=600;w=\d+$/);
    expect(answer.headers.get('ratelimit')).toMatch(/^"requests";r=\d+;t=\d+$/);
  });

  it('leaves unauthenticated requests to the 401 (no principal to count)', async () => {
    const anonymous = await app.request('/api/v1/org-units', { host: HOST });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('ratelimit')).toBeNull();
  });
});

describe('the reference: /docs/api.json and /docs/api', () => {
  let doc: any;
  const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
    );

  beforeAll(async () => {
    doc = await (await app.request('/docs/api.json', { host: HOST })).json();
  });

  it('documents the new routes with the abilities they need', () => {
    const needs = (key: string) => operations().find((o) => o.key === key)?.op['x-required-abilities'];
    expect(needs('GET /api/v1/currencies')).toEqual(['costs.read']);
    expect(needs('GET /api/v1/department-types')).toEqual(['org-units.read']);
    expect(needs('POST /api/v1/department-types')).toEqual(['settings.manage']);
    expect(needs('GET /api/v1/team-types')).toEqual(['teams.read']);
    expect(needs('POST /api/v1/team-types')).toEqual(['settings.manage']);
    expect(needs('GET /api/v1/reports/roster')).toEqual(['actors.read', 'placements.read']);
    expect(needs('GET /api/v1/reports/org-unit-metrics')).toEqual(['org-units.read', 'org-metrics.read']);
    expect(needs('GET /api/v1/reports/spans')).toEqual(['org-metrics.read', 'actors.read']);
    expect(needs('GET /api/v1/lineage')).toEqual(['scenarios.read']);
    expect(needs('GET /api/v1/activity')).toEqual(['activity.read']);
    for (const { key, op } of operations()) {
      for (const ability of op['x-required-abilities'] ?? []) expect(ALL_ABILITIES, key).toContain(ability);
      if (op['x-required-abilities']?.length) expect(op.responses['403'], key).toBeTruthy();
      if (op.security.length) expect(op.responses['429'], key).toBeTruthy(); // every request with a credential is counted
    }
    expect(doc.info.description).toContain('RateLimit');
    expect(doc.info.description).toContain('ETag');
  });

  it('gives every operation an example: its success body, its request body and its path parameters', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(40);
    for (const { key, op } of ops) {
      const [status, success] = Object.entries(op.responses as Record<string, any>).find(([s]) => s.startsWith('2'))!;
      expect(success.content['application/json'].example, `${key} ${status}`).toBeDefined();
      const body = op.requestBody?.content?.['application/json'];
      if (body) expect(body.example, `${key} request`).toBeDefined();
      for (const p of (op.parameters ?? []).filter((p: any) => p.in === 'path')) expect(p.example ?? p.schema?.example, `${key} ${p.name}`).toBeDefined();
    }
    const byKey = (key: string) => ops.find((o) => o.key === key)!.op;
    expect(byKey('POST /api/v1/scenarios/{id}/changes').requestBody.content['application/json'].example.changes[0]).toMatchObject({ op: 'rename_org_unit' });
    const roster = byKey('GET /api/v1/reports/roster').responses['200'].content['application/json'].example;
    expect(roster).toMatchObject({ data: [{ display_name: expect.any(String), placements: [{ is_primary: true }] }], next_cursor: null });
    const tree = byKey('GET /api/v1/org-units/tree').responses['200'].content['application/json'].example;
    expect(tree.data.roots[0].children).toEqual([]); // a recursive schema is cut, not expanded forever
  });

  it('gives examples a reader can trust: no placeholders, no record that is its own manager, open records open', () => {
    const byKey = (key: string) => operations().find((o) => o.key === key)!.op;
    const example = (key: string) => byKey(key).responses['200'].content['application/json'].example;
    const placeholders: string[] = [];
    const walk = (value: unknown, where: string) => {
      if (value === 'string') placeholders.push(where);
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) (k === 'key' ? placeholders.push(`${where}.key`) : walk(v, `${where}.${k}`));
    };
    // The import and integration examples are their own family's (not yet held to this).
    for (const { key, op } of operations()) if (!/\/(imports|integrations)/.test(key)) walk(op.responses['200']?.content?.['application/json']?.example, key);
    expect(placeholders).toEqual([]);

    const actor = example('GET /api/v1/actors/{id}').data;
    expect(actor.manager.id).not.toBe(actor.id);
    expect(actor.manager.display_name).not.toBe(actor.display_name);
    expect(actor.direct_reports[0].id).not.toBe(actor.id);
    expect(actor.placements[0]).toMatchObject({ actor_id: actor.id, valid_to: null });
    expect(actor.primary_org_unit_id).toBe(actor.placements[0].org_unit_id);
    expect(actor.valid_to).toBeNull();
    const scenario = example('GET /api/v1/scenarios/{id}').data;
    expect(scenario).toMatchObject({ state: 'active', archived_at: null, promoted_at: null });
    const delta = example('GET /api/v1/scenarios/{id}/delta').data;
    expect(DeltaSchema.safeParse(delta).success).toBe(true);
    expect(delta.against.kind).toBe('live');
    expect(Object.keys(delta.families)).not.toContain('key');
    // REST readers are not sent to MCP tools.
    expect(JSON.stringify(doc)).not.toMatch(/capability[._]explain/);
  });

  it('shows curl calls that work as written: a file upload sends the file, the signed webhook no bearer token', () => {
    const curl = (key: string) => {
      const { path, method, op } = operations().find((o) => o.key === key)!;
      return curlExample('http://acme.localhost:3000', method, path, op);
    };
    expect(curl('POST /api/v1/imports')).toMatch(/-H "Authorization: Bearer \$ORGONAUT_TOKEN" \\\n {2}-F 'file=@people\.csv'$/);
    const webhook = curl('POST /api/v1/integrations/bamboohr/webhook/{tenant}');
    expect(webhook).not.toContain('Authorization');
    expect(webhook).toMatch(/-H 'x-bamboohr-signature: /i);
    expect(curl('POST /api/v1/scenarios')).toContain(`-H 'Content-Type: application/json'`);
    for (const { key, path, method, op } of operations()) {
      if (!key.includes('/webhook/')) expect(curlExample('http://x', method, path, op), key).toContain('Authorization: Bearer');
    }
  });

  it('serves a readable reference page built from the document, without inline script or style', async () => {
    const response = await app.request('/docs/api', { host: HOST, headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('<title>REST API reference · Orgonaut</title>');
    expect(html).toContain('href="/docs/api.json"');
    for (const { path, method, op } of operations()) {
      expect(html, path).toContain(`<code>${path}</code>`);
      expect(html).toContain(`id="${`${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-+$/, '').toLowerCase()}"`);
      for (const ability of op['x-required-abilities'] ?? []) expect(html).toContain(`<span class="badge ok">${ability}</span>`);
    }
    // Each error with the problem it answers: the 403 of a route names the ability it needs.
    expect(html).toContain('&quot;code&quot;: &quot;missing_ability&quot;');
    expect(html).toContain('&quot;ability&quot;: &quot;activity.read&quot;');
    expect(html).toContain('<strong>429</strong> Rate limited');
    expect(html).toContain('curl &#39;http://apiconv.localhost/api/v1/reports/roster?org_unit_id=');
    expect(html).toContain('Authorization: Bearer $ORGONAUT_TOKEN');
    expect(html).toContain('&quot;op&quot;: &quot;rename_org_unit&quot;');
    // Examples are shaded blocks (app.css pre.mono), not a stripe of inline-code background behind each line.
    expect(html).toContain('<pre class="mono">curl ');
    expect(html).not.toContain('<pre><code>');
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/<style/);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attributes, content] of scripts) {
      expect(attributes).toMatch(/src="\/static\//);
      expect(content).toBe('');
    }
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
  });

  it('shows on the page the headers each response declares: Link on a list, ETag after a scenario write, Retry-After and RateLimit on a 429', async () => {
    const html = await (await app.request('/docs/api', { host: HOST, headers: { accept: 'text/html' } })).text();
    const cardOf = (method: string, path: string) => {
      const id = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-+$/, '').toLowerCase();
      const start = html.indexOf(`<section class="card" id="${id}"`);
      expect(start, id).toBeGreaterThan(-1);
      return html.slice(start, html.indexOf('</section>', start));
    };
    let declared = 0;
    for (const { path, method, op } of operations()) {
      const card = cardOf(method, path);
      for (const response of Object.values(op.responses as Record<string, { headers?: Record<string, unknown> }>)) {
        for (const name of Object.keys(response.headers ?? {})) {
          declared++;
          expect(card, `${method} ${path} ${name}`).toContain(`<code class="name">${name}</code>`);
        }
      }
    }
    expect(declared).toBeGreaterThan(50);
    const list = cardOf('get', '/api/v1/actors');
    expect(list).toContain('<th scope="col">Response header</th>');
    expect(list).toContain('rel=&quot;next&quot;');
    expect(list).toContain('<code class="name">Retry-After</code>');
    expect(list).toContain('<code class="name">RateLimit-Policy</code>');
  });

  it('is served on the central host too, without a credential', async () => {
    const response = await app.request('/docs/api', { host: 'app.localhost' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Base URL: <code>http://app.localhost</code>');
  });
});

describe('methods and paths', () => {
  it('answers a method a route does not take with 405, its Allow header and a problem; an unknown path with 404', async () => {
    const wrong = await get('/api/v1/org-units', 'owner', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(await wrong.json()).toMatchObject({ status: 405, code: 'method_not_allowed', detail: expect.stringContaining('DELETE') });
    const withId = await get(`/api/v1/org-units/${units.P}`, 'owner', { method: 'PUT', json: {} });
    expect(withId.status).toBe(405);
    const nowhere = await get('/api/v1/no-such-thing', 'owner', { method: 'DELETE' });
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ status: 404 });
  });

  it('refuses a query parameter a route does not take, naming it; takes every one the reference documents', async () => {
    const misspelt = await get('/api/v1/department-types?search=ops');
    expect(misspelt.status).toBe(400);
    expect(await misspelt.json()).toMatchObject({ code: 'invalid_input', field: 'search', detail: expect.stringContaining('it takes limit, cursor, q') });
    const hostile = await get(`/api/v1/actors?${encodeURIComponent('<script>'.repeat(50))}=1`);
    expect(hostile.status).toBe(400);
    const problem = (await hostile.json()) as { field: string; detail: string };
    expect(problem.field).toBe('query');
    expect(problem.detail).not.toContain('<script>');
    const doc = (await (await get('/docs/api.json')).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!item.get || path.includes('/webhook/')) continue;
      const url = path.replace('{id}', units.P).replace('{row}', '1');
      const unknown = await get(`${url}?not_a_parameter=1`);
      expect(unknown.status, path).toBe(400);
      expect(((await unknown.json()) as { field: string }).field, path).toBe('not_a_parameter');
      for (const parameter of (item.get.parameters ?? []).filter((p) => p.in === 'query')) {
        const answer = await get(`${url}?${parameter.name}=x`);
        const body = answer.status === 400 ? ((await answer.json()) as { detail: string }) : null;
        expect(body?.detail ?? '', `${path} ${parameter.name}`).not.toContain('is not a parameter');
      }
    }
  });

  it('treats a blank query parameter as absent on every list route: ?limit= is the default page, as a blank cursor or filter is', async () => {
    const doc = (await (await get('/docs/api.json')).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, { headers?: Record<string, unknown> }> }>> };
    const lists = Object.entries(doc.paths).filter(([, item]) => item.get?.responses['200']?.headers?.Link);
    expect(lists.length).toBeGreaterThan(15);
    for (const [path, item] of lists) {
      const url = path.replace('{id}', units.P);
      const plain = await get(url);
      const names = (item.get!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      expect(names, path).toContain('limit');
      for (const name of names) {
        const blank = await get(`${url}?${name}=`);
        expect(blank.status, `${path}?${name}=`).toBe(plain.status);
      }
      if (plain.status !== 200) continue;
      const blankLimit = await get(`${url}?limit=&cursor=`);
      expect(blankLimit.status, path).toBe(200);
      expect(((await blankLimit.json()) as { data: unknown[] }).data.length, path).toBe(((await plain.json()) as { data: unknown[] }).data.length);
    }
  });

  it('says how to put it right in every problem the REST layer itself sends: 415, unreadable JSON, 413, 404, 405, 429', async () => {
    const once = testApp(database, { apiRateLimit: { default: { limit: 1, windowSeconds: 3600 }, plans: {} } });
    await get('/api/v1/me', 'manager', {}, once);
    const post = (headers: Record<string, string>, body: string) =>
      app.app.request('/api/v1/scenarios', { method: 'POST', headers: { host: HOST, authorization: `Bearer ${tokens.owner}`, ...headers }, body });
    const cases: [number, Response, RegExp][] = [
      [415, await post({ 'content-type': 'text/plain' }, 'Reorg'), /Content-Type: application\/json/],
      [400, await post({ 'content-type': 'application/json' }, '{"name": '), /"body"/],
      [413, await post({ 'content-type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(1_100_000) })), /smaller/],
      [404, await get('/api/v1/nothing-like-any-route'), /\/docs\/api/],
      [405, await get('/api/v1/org-units', 'owner', { method: 'DELETE' }), /Use GET, HEAD/],
      [429, await get('/api/v1/me', 'manager', {}, once), /Retry-After/],
    ];
    for (const [status, answer, fix] of cases) {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type'), String(status)).toContain('application/problem+json');
      const problem = (await answer.json()) as { fix?: string; detail: string };
      expect(problem.fix, String(status)).toMatch(fix);
      expect(problem.fix, String(status)).not.toBe(problem.detail);
    }
  });

  it('tells a refused token what to do: every 401 problem has a fix, as the reference promises, for each reason', async () => {
    const other = await buildTenant(database, { slug: `apiconv-other-${Date.now()}`, plan: 'business' });
    const revoked = await tokenFor('viewer');
    const [own] = ((await (await get('/api/v1/tokens', 'viewer', { token: revoked })).json()) as { data: { id: string }[] }).data;
    expect((await get(`/api/v1/tokens/${own!.id}`, 'viewer', { token: revoked, method: 'DELETE' })).status).toBe(200);
    const expiresAt = new Date(Date.now() + 1500);
    const expired = await memberToken(database, tenant, 'viewer', { expiresAt });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() - Date.now()) + 20));
    const cases: [string, string, RegExp][] = [
      ['orgo_pat_' + 'x'.repeat(43), 'not valid', /create a new one/],
      [await memberToken(database, other, 'owner'), 'another tenant', /X-Tenant|tenant it was created in/],
      [revoked, 'revoked', /Create a new token/],
      [expired, 'expired', /Create a new token/],
      ['orgo_pat_short', 'not copied whole', /whole token/],
      ['eyJhbGciOi.oauth.token', 'OAuth access tokens', /personal API token/],
    ];
    const { example } = (await (await app.request('/docs/api.json', { host: HOST })).json()).paths['/api/v1/me'].get.responses['401'].content['application/problem+json'];
    expect(example.fix).toBeTruthy();
    for (const [token, reason, fix] of cases) {
      const answer = await get('/api/v1/me', 'viewer', { token });
      expect(answer.status, reason).toBe(401);
      const problem = (await answer.json()) as { code: string; detail: string; fix?: string };
      expect(problem.code, reason).toBe('invalid_token');
      expect(problem.detail, reason).toContain(reason);
      expect(problem.fix, reason).toMatch(fix);
    }
  });

  it('tells a token sent to the central host how to name its organisation: X-Tenant missing, or a slug no organisation has', async () => {
    const central = (headers: Record<string, string> = {}) => get('/api/v1/me', 'viewer', { host: 'app.localhost', headers });
    const missing = await central();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ detail: expect.stringContaining('X-Tenant'), fix: expect.stringContaining('X-Tenant: <slug>') });
    const unknown = await central({ 'x-tenant': 'no-such-organisation' });
    expect(unknown.status).toBe(404);
    const problem = (await unknown.json()) as { detail: string; fix: string };
    expect(problem.detail).toBe('No organisation has the slug named in X-Tenant.');
    // Not "the slug of this address's organisation": the central host has none.
    expect(problem.fix).toMatch(/Check the slug/);
    expect((await central({ 'x-tenant': tenant.slug })).status).toBe(200);
    // A tenant host still gives one answer for another organisation's slug and for none.
    const elsewhere = (await (await get('/api/v1/me', 'viewer', { headers: { 'x-tenant': 'no-such-organisation' } })).json()) as { detail: string };
    expect(elsewhere.detail).toBe('The organisation named in X-Tenant is not served at this address.');
  });

  it('refuses a type name the tenant has, naming the type that has it and what to do, as the reference shows', async () => {
    const created = await get('/api/v1/team-types', 'owner', { json: { name: 'Guild' } });
    expect(created.status).toBe(201);
    const { id } = ((await created.json()) as { data: { id: string } }).data;
    const again = await get('/api/v1/team-types', 'owner', { json: { name: ' guild ' } });
    expect(again.status).toBe(409);
    const problem = (await again.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'conflict', detail: 'A team type named "Guild" already exists.', fix: expect.stringMatching(/existing type/), existing_type: { id, name: 'Guild' } });
    const doc = await (await app.request('/docs/api.json', { host: HOST })).json();
    const example = doc.paths['/api/v1/team-types'].post.responses['409'].content['application/problem+json'].example;
    expect(Object.keys(example).sort()).toEqual(Object.keys(problem).sort());
  });

  it('does not tell a GET with a trailing slash that GET is not allowed: a 404 naming the path without it', async () => {
    const slash = await get('/api/v1/org-units/');
    expect(slash.status).toBe(404);
    expect(slash.headers.get('allow')).toBeNull();
    expect(await slash.json()).toMatchObject({ status: 404, code: 'not_found', fix: 'Drop the trailing slash: /api/v1/org-units.' });
  });

  it('answers a misspelt route with a 404 problem naming the route it was probably meant to be', async () => {
    const cases: [string, RequestOptions, string][] = [
      ['/api/v1/task', {}, 'Did you mean GET /api/v1/tasks? Every route is listed at /docs/api.'],
      [`/api/v1/scenarios/${units.P}/delt`, {}, `Did you mean GET /api/v1/scenarios/${units.P}/delta? Every route is listed at /docs/api.`],
      ['/api/v1/snapshot', { method: 'POST', json: {} }, 'Did you mean POST /api/v1/snapshots? Every route is listed at /docs/api.'],
      ['/api/v1/nothing-like-any-route', {}, 'Every route is listed at /docs/api.'],
    ];
    for (const [path, options, fix] of cases) {
      const answer = await get(path, 'owner', options);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type'), path).toContain('application/problem+json');
      expect(await answer.json(), path).toMatchObject({ status: 404, code: 'not_found', detail: 'There is no API route at this address.', fix });
    }
  });
});
