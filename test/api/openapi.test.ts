import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from '@hono/zod-openapi';
import type { Database } from '../../src/db/connection.js';
import { tenantCurrencies } from '../../src/db/schema/index.js';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Role } from '../../src/access/bundles.js';
import { itemEnvelope, listEnvelope, ProblemSchema } from '../../src/api/schemas.js';
import {
  ActorDetailSchema,
  ActorSchema,
  CompensationSchema,
  OrgMetricsSchema,
  OrgTreeSchema,
  OrgUnitDetailSchema,
  OrgUnitSchema,
  PlacementSchema,
  PositionSchema,
  ReportingLineSchema,
  UnitWithMetricsSchema,
} from '../../src/api/v1/org-schemas.js';
import { BatchOutcomeSchema, ChangeSchema, DeltaSchema, ScenarioDetailSchema, ScenarioSchema, TaskSchema } from '../../src/api/v1/scenario-schemas.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** The OpenAPI 3.1 document (SPEC §7) is complete, and real responses match the schemas it is generated from. */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let doc: any;
const HOST = 'apidoc.localhost';
const { id, units } = fixtureIds('api-doc');
const tokens: Partial<Record<Role, string>> = {};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Routes of the identity work (test/access covers them); GET /api/v1/tokens declares no 400 for `all` yet. */
const IDENTITY = new Set(['GET /api/v1/tokens', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/{id}', 'GET /api/v1/me']);
/** Reference lists, their creation and edits, the activity log and the role bundles: no organisation view (`scenario_id`/`as_of`) to declare. */
const NOT_ORG_READS = new Set(['GET /api/v1/currencies', 'GET /api/v1/department-types', 'POST /api/v1/department-types', 'GET /api/v1/team-types', 'POST /api/v1/team-types', 'PATCH /api/v1/department-types/{id}', 'DELETE /api/v1/department-types/{id}', 'PATCH /api/v1/team-types/{id}', 'DELETE /api/v1/team-types/{id}', 'GET /api/v1/activity', 'GET /api/v1/roles', 'PUT /api/v1/roles/{role}', 'POST /api/v1/roles/{role}/reset']);
/** Imports and the HRIS integration are not org reads, and the BambooHR webhook is signed, not bearer-authenticated (test/imports). */
const IMPORTS = /^\w+ \/api\/v1\/(imports|integrations)/;
const SIGNED = 'POST /api/v1/integrations/bamboohr/webhook/{tenant}';
/** Lists served whole (next_cursor always null): a user's tokens, the five role bundles. */
const UNPAGED = new Set(['GET /api/v1/tokens', 'GET /api/v1/roles']);

async function call(path: string, role: Role = 'owner', options: RequestOptions = {}) {
  const response = await app.request(path, { host: HOST, token: tokens[role], ...options });
  return { status: response.status, body: (await response.json()) as any, type: response.headers.get('content-type') };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apidoc', plan: 'enterprise' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 }]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-doc'));
  app = testApp(database);
  for (const role of ['owner', 'viewer'] as const) {
    tokens[role] = await memberToken(database, tenant, role);
  }
  const response = await app.request('/docs/api.json', { host: HOST });
  expect(response.status).toBe(200);
  doc = await response.json();
});
afterAll(() => database?.close());

/** The JSON schema of an operation's 200 response, a named one resolved. */
function successSchema(op: any): any {
  const schema = op.responses['200']?.content?.['application/json']?.schema;
  return schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
}

/** A task once it has finished (succeeded or failed). */
async function settledTask(taskId: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const task = (await call(`/api/v1/tasks/${taskId}`)).body.data;
    if (task.finished_at) return task;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${taskId} did not finish`);
}

function operations(): { key: string; path: string; method: string; op: any }[] {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}

describe('/docs/api.json', () => {
  it('is an OpenAPI 3.1.0 document for this host with a bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Orgonaut REST API', version: expect.any(String) });
    expect(doc.servers).toEqual([{ url: 'http://apidoc.localhost', description: 'This host' }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every route it serves', () => {
    const keys = operations().map((o) => o.key);
    for (const key of [
      'GET /api/v1/org-units', 'GET /api/v1/org-units/tree', 'GET /api/v1/org-units/{id}', 'GET /api/v1/departments', 'GET /api/v1/teams',
      'GET /api/v1/actors', 'GET /api/v1/actors/{id}', 'GET /api/v1/reporting-lines', 'GET /api/v1/placements', 'GET /api/v1/positions',
      'GET /api/v1/compensations', 'GET /api/v1/org-metrics', 'GET /api/v1/scenarios', 'POST /api/v1/scenarios', 'GET /api/v1/scenarios/{id}',
      'GET /api/v1/scenarios/{id}/delta', 'GET /api/v1/scenarios/{id}/changes', 'POST /api/v1/scenarios/{id}/changes',
      'POST /api/v1/scenarios/{id}/submit', 'POST /api/v1/scenarios/{id}/withdraw', 'POST /api/v1/scenarios/{id}/archive', 'POST /api/v1/scenarios/{id}/unarchive',
      'POST /api/v1/scenarios/{id}/promote', 'GET /api/v1/tasks', 'GET /api/v1/tasks/{id}', 'GET /api/v1/scenarios/{id}/tasks', 'GET /api/v1/snapshots',
      'POST /api/v1/snapshots', 'POST /api/v1/snapshots/{id}/restore', 'GET /api/v1/currencies', 'GET /api/v1/department-types',
      'POST /api/v1/department-types', 'GET /api/v1/team-types', 'POST /api/v1/team-types', 'PATCH /api/v1/department-types/{id}',
      'DELETE /api/v1/department-types/{id}', 'PATCH /api/v1/team-types/{id}', 'DELETE /api/v1/team-types/{id}', 'GET /api/v1/reports/roster',
      'GET /api/v1/reports/org-unit-metrics', 'GET /api/v1/reports/spans', 'GET /api/v1/lineage', 'GET /api/v1/activity',
    ]) {
      expect(keys).toContain(key);
    }
  });

  it('gives every operation a summary, tags, bearer security, a JSON success and problem errors', () => {
    for (const { key, op } of operations()) {
      expect(typeof op.summary === 'string' && op.summary.length > 5, key).toBe(true);
      expect(op.tags?.length, key).toBeGreaterThan(0);
      expect(op.security, key).toEqual(key === SIGNED ? [] : [{ bearer: [] }]);
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(success.length, key).toBe(1);
      expect(op.responses[success[0]!].content['application/json'].schema, key).toBeTruthy();
      expect(op.responses['401']?.content['application/problem+json'].schema, key).toEqual({ $ref: '#/components/schemas/Problem' });
      // If-None-Match (every GET's) is never refused: a stale or odd tag is answered in full.
      const refusable = (op.parameters ?? []).filter((p: { name: string }) => p.name !== 'If-None-Match');
      if ((refusable.length || op.requestBody) && !IDENTITY.has(key)) expect(op.responses['400'] ?? op.responses['404'], key).toBeTruthy();
    }
  });

  it('names the abilities each route needs (x-required-abilities), known abilities only; none only where any credential will do', () => {
    // Any signed-in credential: who am I, one's own tokens (all=true needs members.manage, checked by the route).
    const free = new Set(['GET /api/v1/me', 'GET /api/v1/tokens', 'DELETE /api/v1/tokens/{id}']);
    for (const { key, op } of operations()) {
      const abilities = op['x-required-abilities'];
      if (key === SIGNED) {
        expect(abilities, key).toBeUndefined(); // signed by the HRIS, not a credential of the tenant
        continue;
      }
      expect(Array.isArray(abilities), key).toBe(true);
      expect(abilities.length > 0, key).toBe(!free.has(key));
      for (const ability of abilities) expect(ALL_ABILITIES, key).toContain(ability);
      if (abilities.length) expect(op.responses['403'], key).toBeTruthy();
    }
    const needs = (key: string) => operations().find((o) => o.key === key)!.op['x-required-abilities'];
    expect(needs('GET /api/v1/compensations')).toEqual(['costs.read', 'actors.read']);
    expect(needs('POST /api/v1/scenarios/{id}/promote')).toEqual(['scenarios.promote']);
    expect(needs('POST /api/v1/snapshots/{id}/restore')).toEqual(['snapshots.restore']);
    expect(needs('GET /api/v1/teams')).toEqual(['teams.read']);
  });

  it('says what every operation does beyond its summary', () => {
    const bare: string[] = [];
    for (const { key, op } of operations()) {
      const said = typeof op.description === 'string' && op.description.length > 40 && !op.description.startsWith('Pass `scenario_id`');
      if (!said) bare.push(key);
    }
    expect(bare).toEqual([]);
  });

  it('documents every error as a problem with an example, and the rate limit (429, Retry-After) on every bearer route', () => {
    for (const { key, op } of operations()) {
      if (key !== SIGNED) {
        expect(op.responses['429']?.headers?.['Retry-After'], key).toBeTruthy();
        expect(op.responses['429'].content['application/problem+json'].example, key).toMatchObject({ status: 429, code: 'rate_limited', retry_after: expect.any(Number) });
      }
      for (const [status, response] of Object.entries(op.responses as Record<string, any>).filter(([s]) => /^[45]/.test(s))) {
        const media = response.content?.['application/problem+json'];
        expect(media?.schema, `${key} ${status}`).toEqual({ $ref: '#/components/schemas/Problem' });
        const example = media.example;
        expect(ProblemSchema.safeParse(example).success, `${key} ${status}`).toBe(true);
        expect(example.status, `${key} ${status}`).toBe(Number(status));
        expect(example.detail, `${key} ${status}`).toMatch(/^\S/);
        if (status === '403' && op['x-required-abilities']?.length) expect(op['x-required-abilities'], key).toContain(example.ability);
      }
    }
  });

  it('shows the problems routes really answer with', async () => {
    const example = (key: string, status: number) => operations().find((o) => o.key === key)!.op.responses[status].content['application/problem+json'].example;
    const sameBut = (real: any, documented: any) => expect({ ...real, instance: 'x' }).toEqual({ ...documented, instance: 'x' });
    const ID = example('GET /api/v1/actors/{id}', 404).id;
    sameBut((await call(`/api/v1/actors/${ID}`)).body, example('GET /api/v1/actors/{id}', 404));
    sameBut((await call('/api/v1/org-units?colour=red')).body, example('GET /api/v1/org-units', 400));
    sameBut((await call('/api/v1/team-types', 'owner', { json: {} })).body, example('POST /api/v1/team-types', 400));
    sameBut((await call(`/api/v1/snapshots/${ID}/restore?colour=red`, 'owner', { method: 'POST' })).body, example('POST /api/v1/snapshots/{id}/restore', 400));
    sameBut((await call('/api/v1/compensations', 'viewer')).body, example('GET /api/v1/compensations', 403));
    const anonymous = await app.request('/api/v1/teams', { host: HOST });
    sameBut(await anonymous.json(), example('GET /api/v1/teams', 401));
  });

  it('documents the 413 of an oversized body and the 415 of a body not sent as JSON on the writes that answer them, as they answer', async () => {
    const jsonWrites = operations().filter(({ op }) => op.requestBody?.content?.['application/json']);
    expect(jsonWrites.map(({ key }) => key)).toEqual(expect.arrayContaining(['POST /api/v1/scenarios', 'POST /api/v1/scenarios/{id}/changes', 'POST /api/v1/tokens']));
    for (const { key, op } of jsonWrites) {
      expect(op.responses['413']?.content['application/problem+json'].example, key).toMatchObject({ code: 'payload_too_large', limit_bytes: expect.any(Number) });
      expect(op.responses['415']?.content['application/problem+json'].example, key).toMatchObject({ code: 'unsupported_media_type' });
    }
    // The CSV upload keeps its own: a file over its limit, a body neither multipart nor CSV.
    expect(operations().find(({ key }) => key === 'POST /api/v1/imports')!.op.responses['413'].content['application/problem+json'].example.code).toBe('file_too_large');
    const example = (status: number) => operations().find((o) => o.key === 'POST /api/v1/scenarios')!.op.responses[status].content['application/problem+json'].example;
    const post = (type: string, body: string) => app.app.request('/api/v1/scenarios', { method: 'POST', headers: { host: HOST, authorization: `Bearer ${tokens.owner}`, 'content-type': type }, body });
    const tooLarge = await post('application/json', JSON.stringify({ name: 'x'.repeat(1_100_000) }));
    const notJson = await post('text/plain', 'Reorg');
    for (const [answer, status] of [[tooLarge, 413], [notJson, 415]] as const) {
      expect(answer.status).toBe(status);
      expect({ ...((await answer.json()) as object), instance: 'x' }).toEqual({ ...example(status), instance: 'x' });
    }
  });

  it('declares path parameters, scenario_id and as_of on every org read, and no duplicate parameters', () => {
    for (const { key, path, op } of operations()) {
      const params: { name: string; in: string; required?: boolean; schema: unknown }[] = op.parameters ?? [];
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(params.find((p) => p.name === name && p.in === 'path'), `${key} ${name}`).toMatchObject({ required: true });
      }
      expect(new Set(params.map((p) => `${p.in}:${p.name}`)).size, key).toBe(params.length);
      for (const p of params) expect(p.schema, `${key} ${p.name}`).toBeTruthy();
      const orgRead = op['x-required-abilities']?.some((a: string) => !['scenarios.read', 'scenarios.write', 'scenarios.promote', 'snapshots.restore', 'api-tokens.create'].includes(a));
      if (orgRead && !NOT_ORG_READS.has(key) && !IMPORTS.test(key)) {
        const query = params.filter((p) => p.in === 'query').map((p) => p.name);
        expect(query, key).toEqual(expect.arrayContaining(['scenario_id', 'as_of']));
      }
      if (op.responses['200']?.content['application/json'].schema.properties?.next_cursor && !UNPAGED.has(key)) {
        expect(params.map((p) => p.name), key).toEqual(expect.arrayContaining(['limit', 'cursor']));
      }
    }
  });

  it('declares Location on every 201 and 202 but those that make nothing with an address of its own', () => {
    // Types (no route reads one type), a token (its secret is shown once; it is listed, not read by id), an HRIS sync
    // (several runs) and the webhook's acknowledgement send no Location.
    const without = new Set(['POST /api/v1/team-types', 'POST /api/v1/department-types', 'POST /api/v1/tokens', 'POST /api/v1/integrations/hris/sync', SIGNED]);
    const missing: string[] = [];
    for (const { key, op } of operations()) {
      for (const status of ['201', '202']) {
        if (!op.responses[status]) continue;
        const declared = Object.keys(op.responses[status].headers ?? {}).includes('Location');
        if (declared === without.has(key)) missing.push(`${key} ${status}: Location ${declared ? 'declared' : 'not declared'}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declares the Link header (one component) on the 200 of every paginated list', () => {
    expect(doc.components.headers.Link).toMatchObject({ schema: { type: 'string' }, description: expect.stringContaining('rel="next"') });
    const paged = operations().filter(({ key, op }) => !UNPAGED.has(key) && successSchema(op)?.properties?.next_cursor);
    expect(paged.length).toBeGreaterThan(20);
    // Beside the ETag every GET's 200 declares (test/api/conditional-get-docs.test.ts).
    for (const { key, op } of paged) expect(op.responses['200'].headers, key).toEqual({ Link: { $ref: '#/components/headers/Link' }, ETag: { $ref: '#/components/headers/ETag' } });
  });

  it('resolves every $ref, and keeps null on nullable named schemas', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of new Set(refs)) expect(doc.components.schemas[ref], ref).toBeTruthy();
    const orNull = { anyOf: [{ $ref: '#/components/schemas/UnitMetrics' }, { type: 'null' }] };
    expect(doc.components.schemas.OrgTreeNode.properties.metrics).toMatchObject(orNull);
    expect(doc.components.schemas.OrgTree.properties.total).toMatchObject(orNull);
    expect(doc.components.schemas.ApplyChanges.properties.changes.items).toEqual({ $ref: '#/components/schemas/ChangeCommand' });
    expect(doc.components.schemas.ChangeCommand.properties.op.enum).toContain('set_compensation');
  });

  it('lets null through every nullable enum (an enum without null refuses it, whatever the type says)', () => {
    const wrong: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const s = node as { type?: unknown; enum?: unknown[]; nullable?: boolean };
      const nullable = (Array.isArray(s.type) && s.type.includes('null')) || s.nullable === true;
      if (nullable && Array.isArray(s.enum) && !s.enum.includes(null)) wrong.push(at);
      for (const [key, child] of Object.entries(node)) walk(child, `${at}.${key}`);
    };
    walk(doc.components, 'components');
    walk(doc.paths, 'paths');
    expect(wrong).toEqual([]);
    expect(doc.components.schemas.ImportRow.properties.resolution.enum).toContain(null);
    expect(doc.components.schemas.ImportRow.properties.outcome.enum).toContain(null);
    expect(doc.components.schemas.ImportColumnMapping.properties.field.enum).toContain(null);
  });

  it('is served without a credential, on the central host too', async () => {
    const central = await app.request('/docs/api.json', { host: 'app.localhost' });
    expect(central.status).toBe(200);
    expect(((await central.json()) as { servers: { url: string }[] }).servers[0]!.url).toBe('http://app.localhost');
  });
});

describe('real responses match the declared schemas', () => {
  /** Parses with the route's schema and checks nothing was stripped: every field sent is declared. */
  function conforms(schema: z.ZodType, body: unknown, label: string) {
    const parsed = schema.safeParse(body);
    expect(parsed.success ? null : parsed.error.issues, label).toBeNull();
    expect(parsed.data, label).toEqual(body);
  }

  it('for the org reads, as an owner and as a viewer', async () => {
    const cases: [string, z.ZodType][] = [
      [`/api/v1/org-units?as_of=${AS_OF}`, listEnvelope(OrgUnitSchema)],
      ['/api/v1/org-units/tree', itemEnvelope(OrgTreeSchema)],
      ['/api/v1/org-units/tree?depth=1&type=company,team', itemEnvelope(OrgTreeSchema)],
      [`/api/v1/org-units/${units.P}`, itemEnvelope(OrgUnitDetailSchema)],
      [`/api/v1/org-units/${units.E}`, itemEnvelope(OrgUnitDetailSchema)],
      ['/api/v1/departments', listEnvelope(UnitWithMetricsSchema)],
      ['/api/v1/teams', listEnvelope(UnitWithMetricsSchema)],
      ['/api/v1/actors?include_inactive=true', listEnvelope(ActorSchema)],
      [`/api/v1/actors/${id('eng_head')}`, itemEnvelope(ActorDetailSchema)],
      [`/api/v1/actors/${id('bot')}`, itemEnvelope(ActorDetailSchema)],
      ['/api/v1/reporting-lines?include_inactive=true', listEnvelope(ReportingLineSchema)],
      ['/api/v1/placements', listEnvelope(PlacementSchema)],
      ['/api/v1/positions?include_inactive=true', listEnvelope(PositionSchema)],
      [`/api/v1/org-metrics?org_unit_id=${units.S}`, itemEnvelope(OrgMetricsSchema)],
      ['/api/v1/org-metrics', itemEnvelope(OrgMetricsSchema)],
    ];
    for (const role of ['owner', 'viewer'] as const) {
      for (const [path, schema] of cases) {
        const { status, body } = await call(path, role);
        expect(status, `${role} ${path}`).toBe(200);
        conforms(schema, body, `${role} ${path}`);
      }
    }
    conforms(listEnvelope(CompensationSchema), (await call('/api/v1/compensations?limit=3')).body, 'compensations');
    const problem = await call('/api/v1/compensations', 'viewer');
    expect(problem.status).toBe(403);
    expect(problem.type).toContain('application/problem+json');
    conforms(ProblemSchema, problem.body, 'problem');
  });

  it('in their headers: a page of every list sends only headers every answer carries or its 200 declares (Link)', async () => {
    const common = new Set((await app.request('/api/v1/me', { host: HOST, token: tokens.owner })).headers.keys());
    const paged = operations().filter(({ key, path, op }) => key.startsWith('GET ') && !path.includes('{') && successSchema(op)?.properties?.next_cursor);
    const linked: string[] = [];
    for (const { key, path, op } of paged) {
      const pages = op.parameters?.some((p: { name: string }) => p.name === 'limit');
      const response = await app.request(pages ? `${path}?limit=1` : path, { host: HOST, token: tokens.owner });
      expect(response.status, key).toBe(200);
      const declared = new Set(Object.keys(op.responses['200'].headers ?? {}).map((h) => h.toLowerCase()));
      for (const header of response.headers.keys()) if (!common.has(header)) expect(declared, `${key}: ${header}`).toContain(header);
      if (response.headers.has('link')) linked.push(key);
    }
    expect(linked).toEqual(expect.arrayContaining(['GET /api/v1/actors', 'GET /api/v1/org-units', 'GET /api/v1/reports/roster']));
  });

  it('in their Location: sent where the 201/202 declares it, and leading to what was made or is to be polled', async () => {
    const declares = (method: string, path: string, status: number) => Object.keys(doc.paths[path][method].responses[String(status)].headers ?? {}).includes('Location');
    const checked: string[] = [];
    async function check(method: string, path: string, response: Response) {
      const key = `${method.toUpperCase()} ${path}`;
      expect([201, 202], `${key}: ${await response.clone().text()}`).toContain(response.status);
      const location = response.headers.get('location');
      expect(Boolean(location), `${key}: Location ${location}`).toBe(declares(method, path, response.status));
      if (location) expect((await app.request(location, { host: HOST, token: tokens.owner })).status, `${key}: GET ${location}`).toBe(200);
      checked.push(key);
      return (await response.json()) as any;
    }
    const post = (path: string, json?: unknown) => app.request(path, { host: HOST, token: tokens.owner, method: 'POST', ...(json === undefined ? {} : { json }) });
    const scenario = await check('post', '/api/v1/scenarios', await post('/api/v1/scenarios', { name: 'Location check' }));
    await post(`/api/v1/scenarios/${scenario.data.id}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 0.9 }] });
    const snapshot = await check('post', '/api/v1/snapshots', await post('/api/v1/snapshots', { name: 'Before the location check' }));
    const promotion = await check('post', '/api/v1/scenarios/{id}/promote', await post(`/api/v1/scenarios/${scenario.data.id}/promote`));
    await settledTask(promotion.data.id);
    const restore = await check('post', '/api/v1/snapshots/{id}/restore', await post(`/api/v1/snapshots/${snapshot.data.id}/restore`));
    await settledTask(restore.data.id);
    await check('post', '/api/v1/team-types', await post('/api/v1/team-types', { name: 'Location squad' }));
    const upload = await app.app.request('/api/v1/imports', {
      method: 'POST',
      headers: { host: HOST, authorization: `Bearer ${tokens.owner}`, 'content-type': 'text/csv' },
      body: 'name,email,department\nLena Location,lena@example.com,Engineering\n',
    });
    const run = await check('post', '/api/v1/imports', upload);
    await check('post', '/api/v1/imports/{id}/start', await post(`/api/v1/imports/${run.data.id}/start`));
    expect(checked).toHaveLength(7);
    // The run finishes before the next test reads Live.
    for (let i = 0; i < 400 && !['completed', 'failed'].includes((await call(`/api/v1/imports/${run.data.id}`)).body.data.status); i++) await new Promise((r) => setTimeout(r, 25));
  });

  it('for scenarios, changes, deltas, tasks and snapshots', async () => {
    const created = await call('/api/v1/scenarios', 'owner', { json: { name: 'Schema check' } });
    expect(created.status).toBe(201);
    conforms(itemEnvelope(ScenarioDetailSchema), created.body, 'create'); // as its GET answers it
    const sid = created.body.data.id;
    const applied = await call(`/api/v1/scenarios/${sid}/changes`, 'owner', {
      json: {
        changes: [
          { op: 'add_actor', kind: 'robot', display_name: 'Robo', org_unit_id: units.P },
          { op: 'set_compensation', actor_id: id('p2'), kind: 'salary', amount_minor: 6_000_000, currency: 'EUR' },
          { op: 'set_manager', actor_id: id('f2'), manager_id: id('ceo') },
          { op: 'close_position', position_id: id('pos_m_open'), date: AS_OF },
        ],
      },
    });
    expect(applied.status).toBe(200);
    conforms(itemEnvelope(BatchOutcomeSchema), applied.body, 'apply');
    for (const role of ['owner', 'viewer'] as const) {
      conforms(itemEnvelope(ScenarioDetailSchema), (await call(`/api/v1/scenarios/${sid}`, role)).body, `${role} detail`);
      conforms(listEnvelope(ScenarioSchema), (await call('/api/v1/scenarios', role)).body, `${role} list`);
      conforms(itemEnvelope(DeltaSchema), (await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`, role)).body, `${role} delta`);
      conforms(itemEnvelope(DeltaSchema), (await call(`/api/v1/scenarios/${sid}/delta?compare=live`, role)).body, `${role} delta live`);
      conforms(listEnvelope(ChangeSchema), (await call(`/api/v1/scenarios/${sid}/changes`, role)).body, `${role} changes`);
    }
    const promoted = await call(`/api/v1/scenarios/${sid}/promote`, 'owner', { method: 'POST' });
    expect(promoted.status).toBe(202);
    conforms(itemEnvelope(TaskSchema), promoted.body, 'promote');
    let task = promoted.body;
    for (let i = 0; i < 400 && !['succeeded', 'failed'].includes(task.data.status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      task = (await call(`/api/v1/tasks/${promoted.body.data.id}`)).body;
    }
    expect(task.data.status).toBe('succeeded');
    for (const role of ['owner', 'viewer'] as const) {
      conforms(itemEnvelope(TaskSchema), (await call(`/api/v1/tasks/${task.data.id}`, role)).body, `${role} task`);
      conforms(listEnvelope(TaskSchema), (await call(`/api/v1/scenarios/${sid}/tasks`, role)).body, `${role} tasks`);
      conforms(listEnvelope(TaskSchema), (await call('/api/v1/tasks?kind=promotion', role)).body, `${role} all tasks`);
      conforms(listEnvelope(ScenarioSchema), (await call('/api/v1/snapshots', role)).body, `${role} snapshots`);
    }
    conforms(itemEnvelope(ScenarioSchema), (await call('/api/v1/snapshots', 'owner', { method: 'POST' })).body, 'snapshot');
    const conflict = await call(`/api/v1/scenarios/${sid}/promote`, 'owner', { method: 'POST' });
    expect(conflict.status).toBe(409);
    conforms(ProblemSchema, conflict.body, 'read-only problem');
  });
});
