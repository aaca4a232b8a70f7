import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Every GET answers with an ETag and, given it back in If-None-Match, 304 without a body (test/api/etag covers the
 * behaviour). An integration builder (or a client generated from /docs/api.json) learns that from each operation:
 * the `If-None-Match` header it takes, the `ETag` its 200 carries and the 304 it may answer — a client that only
 * expects the documented statuses otherwise treats the 304 as a failure.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
let doc: any;
const HOST = 'etagdoc.localhost';
const { units } = fixtureIds('etag-doc');

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'etagdoc', plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('etag-doc'));
  app = testApp(database);
  token = await memberToken(database, tenant, 'owner');
  doc = await (await app.request('/docs/api.json', { host: HOST })).json();
});
afterAll(() => database?.close());

function getOperations(): [string, any][] {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) => (item.get ? [[path, item.get] as [string, any]] : []));
}

describe('conditional GETs in /docs/api.json', () => {
  it('declare on every GET the If-None-Match header, the ETag of the 200 and the 304', () => {
    expect(doc.components.headers.ETag).toMatchObject({ schema: { type: 'string' }, description: expect.stringContaining('If-None-Match') });
    const gets = getOperations();
    expect(gets.length).toBeGreaterThan(30);
    for (const [path, op] of gets) {
      expect(op.parameters?.find((p: any) => p.in === 'header' && p.name === 'If-None-Match'), path).toMatchObject({ required: false, schema: { type: 'string' } });
      expect(op.responses['200'].headers?.ETag, path).toEqual({ $ref: '#/components/headers/ETag' });
      expect(op.responses['304'], path).toMatchObject({ description: expect.stringContaining('If-None-Match'), headers: { ETag: { $ref: '#/components/headers/ETag' } } });
      expect(op.responses['304'].content, path).toBeUndefined();
    }
  });

  it('match what the API answers: the ETag of a 200, then a 304 without a body for it', async () => {
    for (const path of ['/api/v1/actors', '/api/v1/org-units/tree', `/api/v1/org-units/${units.P}`, '/api/v1/scenarios']) {
      const first = await app.request(path, { host: HOST, token });
      expect(first.status, path).toBe(200);
      const tag = first.headers.get('etag')!;
      expect(tag, path).toMatch(/^W\/".+"$/);
      const again = await app.request(path, { host: HOST, token, headers: { 'If-None-Match': tag } });
      expect(again.status, path).toBe(304);
      expect(await again.text(), path).toBe('');
      const template = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))!;
      expect(Object.keys(doc.paths[template].get.responses), path).toContain('304');
    }
  });

  it('keep the 304 out of the errors and If-None-Match out of the curl examples on /docs/api', async () => {
    const page = await (await app.request('/docs/api', { host: HOST })).text();
    expect(page).not.toContain('If-None-Match: ');
    expect(page).not.toMatch(/Errors \(problem details\):\s*<strong>304<\/strong>/);
  });
});
