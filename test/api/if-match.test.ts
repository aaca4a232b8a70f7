import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { curlExample } from '../../src/api/v1/docs-page.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Optimistic concurrency on scenario writes (RFC 9110 §13.1.1): the ETag of GET /api/v1/scenarios/{id} sent back in
 * If-Match makes a write go ahead only if nobody changed the scenario since; otherwise 412 and nothing is done. A
 * write that does not check If-Match refuses it rather than ignore it.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
const HOST = 'apiifmatch.localhost';
const { units } = fixtureIds('api-if-match');

async function call(path: string, options: RequestOptions = {}) {
  const response = await app.request(path, { host: HOST, token, ...options });
  return { status: response.status, etag: response.headers.get('etag'), body: (await response.json()) as any };
}
const rename = (name: string) => ({ changes: [{ op: 'rename_org_unit', org_unit_id: units.P, name }] });

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiifmatch', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-if-match'));
  app = testApp(database);
  token = await memberToken(database, tenant, 'owner');
});
afterAll(() => database?.close());

describe('If-Match on scenario writes', () => {
  it('applies a batch sent with the ETag just read, and refuses one sent with an ETag from before another change', async () => {
    const sid = (await call('/api/v1/scenarios', { method: 'POST', json: { name: 'Guarded' } })).body.data.id;
    const read = await call(`/api/v1/scenarios/${sid}`);
    const first = await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', json: rename('Platform Core'), headers: { 'if-match': read.etag! } });
    expect(first.status).toBe(200);
    expect(first.body.data.revision).toBe(1);

    const stale = await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', json: rename('Platform Edge'), headers: { 'if-match': read.etag! } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ status: 412, code: 'precondition_failed', detail: expect.stringContaining('nothing was done'), fix: expect.stringContaining(`GET /api/v1/scenarios/${sid}`) });
    const after = await call(`/api/v1/scenarios/${sid}`);
    expect(after.body.data.revision).toBe(1);
    expect((await call(`/api/v1/scenarios/${sid}/changes`)).body.data[0].values.name).toBe('Platform Core');

    const fresh = await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', json: rename('Platform Edge'), headers: { 'if-match': after.etag! } });
    expect(fresh.status).toBe(200);
    expect((await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', json: rename('Platform'), headers: { 'if-match': '*' } })).status).toBe(200);
  });

  it('guards the lifecycle transitions and promotion too', async () => {
    const sid = (await call('/api/v1/scenarios', { method: 'POST', json: { name: 'Lifecycle' } })).body.data.id;
    // A change to promote: without the check the promotion below would start.
    expect((await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', json: rename('Platform Lifecycle') })).status).toBe(200);
    const read = await call(`/api/v1/scenarios/${sid}`);
    expect((await call(`/api/v1/scenarios/${sid}/submit`, { method: 'POST', headers: { 'if-match': read.etag! } })).status).toBe(200);
    const archive = await call(`/api/v1/scenarios/${sid}/archive`, { method: 'POST', headers: { 'if-match': read.etag! } });
    expect(archive).toMatchObject({ status: 412, body: { code: 'precondition_failed' } });
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data.state).toBe('active');
    const promote = await call(`/api/v1/scenarios/${sid}/promote`, { method: 'POST', headers: { 'if-match': read.etag! } });
    expect(promote.status).toBe(412);
    expect((await call(`/api/v1/scenarios/${sid}/tasks`)).body.data).toEqual([]);
  });

  it('answers each write with the scenario’s new ETag, so the next write sends it without reading again', async () => {
    const sid = (await call('/api/v1/scenarios', { method: 'POST', json: { name: 'Chained' } })).body.data.id;
    const read = await call(`/api/v1/scenarios/${sid}`);
    const batch = await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', json: rename('Platform Chain'), headers: { 'if-match': read.etag! } });
    expect(batch.status).toBe(200);
    // The tag GET gives now, not the one sent.
    expect(batch.etag).toBe((await call(`/api/v1/scenarios/${sid}`)).etag);
    expect(batch.etag).not.toBe(read.etag);
    const submit = await call(`/api/v1/scenarios/${sid}/submit`, { method: 'POST', headers: { 'if-match': batch.etag! } });
    expect(submit.status).toBe(200);
    // The answer is the scenario as GET shows it (change counts too), with that answer's tag.
    const shown = await call(`/api/v1/scenarios/${sid}`);
    expect(submit.body).toEqual(shown.body);
    expect(submit.body.data).toMatchObject({ submitted: true, change_counts: { org_unit: { change: 1 } } });
    expect(submit.etag).toBe(shown.etag);
    expect((await call(`/api/v1/scenarios/${sid}/withdraw`, { method: 'POST', headers: { 'if-match': submit.etag! } })).status).toBe(200);
    // The submit's tag is stale once withdrawn.
    expect((await call(`/api/v1/scenarios/${sid}/archive`, { method: 'POST', headers: { 'if-match': submit.etag! } })).status).toBe(412);
  });

  it('answers the creation with the ETag of the new scenario too, so its first batch of changes needs no read', async () => {
    const created = await call('/api/v1/scenarios', { method: 'POST', json: { name: 'Created guarded' } });
    expect(created.status).toBe(201);
    const shown = await call(`/api/v1/scenarios/${created.body.data.id}`);
    // The scenario as GET shows it (change counts too), with that answer's tag.
    expect(created.body).toEqual(shown.body);
    expect(created.etag).toBe(shown.etag);
    const first = await call(`/api/v1/scenarios/${created.body.data.id}/changes`, { method: 'POST', json: rename('Platform First'), headers: { 'if-match': created.etag! } });
    expect(first.status).toBe(200);
    const doc = (await call('/docs/api.json')).body;
    expect(Object.keys(doc.paths['/api/v1/scenarios'].post.responses['201'].headers)).toEqual(expect.arrayContaining(['ETag', 'Location']));
  });

  it('is refused, not ignored, by a write that does not check it', async () => {
    const refused = await call('/api/v1/department-types', { method: 'POST', json: { name: 'Guarded type' }, headers: { 'if-match': 'W/"abc"' } });
    expect(refused).toMatchObject({ status: 400, body: { field: 'If-Match', detail: expect.stringContaining('is not checked by this route') } });
    expect((await call('/api/v1/department-types?q=Guarded')).body.data).toEqual([]);
  });

  it('is documented on each write that checks it, with its 412', async () => {
    const doc = (await call('/docs/api.json')).body;
    for (const path of ['/api/v1/scenarios/{id}/changes', '/api/v1/scenarios/{id}/submit', '/api/v1/scenarios/{id}/promote']) {
      const op = doc.paths[path].post;
      expect(op.parameters.find((p: { in: string }) => p.in === 'header'), path).toMatchObject({ name: 'If-Match', required: false });
      expect(op.responses['412'], path).toBeDefined();
    }
    expect(doc.info.description).toContain('If-Match');
    // The reference's curl calls work as written: no made-up (so always stale) ETag in them.
    expect(curlExample('http://x', 'post', '/api/v1/scenarios/{id}/changes', doc.paths['/api/v1/scenarios/{id}/changes'].post)).not.toContain('If-Match');
  });
});
