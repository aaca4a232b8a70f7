import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { classifyHost, parseHostHeader } from '../../src/tenancy/hosts.js';
import { setTenantPlan, type Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

let database: Database;
let acme: Tenant;
let other: Tenant;
let app: TestApp;
let central: TestApp;

beforeAll(async () => {
  database = await testDatabase();
  acme = await buildTenant(database, { slug: 'hostacme', name: 'Host Acme', domains: ['org.acme.example'] });
  other = await buildTenant(database, { slug: 'hostother', name: 'Host Other' });
  app = testApp(database, { defaultTenant: 'hostacme' });
  central = testApp(database, { defaultTenant: null });
});
afterAll(() => database?.close());

const titleOf = async (response: Response) => /<title>(.*?) · Orgonaut<\/title>/.exec(await response.text())?.[1];

describe('host → tenant', () => {
  it('serves a tenant on its slug subdomain and on its custom domains', async () => {
    expect(await titleOf(await app.request('/', { host: 'hostacme.localhost:3000' }))).toBe('Host Acme');
    expect(await titleOf(await app.request('/', { host: 'hostother.localhost' }))).toBe('Host Other');
    expect(await titleOf(await app.request('/', { host: 'ORG.Acme.Example' }))).toBe('Host Acme');
  });

  it('serves the default tenant on the bare host, and the central host otherwise', async () => {
    expect(await titleOf(await app.request('/', { host: 'localhost:3000' }))).toBe('Host Acme');
    expect(await titleOf(await app.request('/', { host: '127.0.0.1:3000' }))).toBe('Host Acme');
    expect(await titleOf(await central.request('/', { host: 'localhost:3000' }))).toBe('Welcome');
    expect(await titleOf(await app.request('/', { host: 'app.localhost:3000' }))).toBe('Welcome');
  });

  it('answers 404 for an unknown host, an unknown slug and a malformed Host', async () => {
    for (const host of ['nobody.localhost', 'evil.example.com', 'a.b.localhost', 'bad_host!']) {
      const response = await app.request('/', { host });
      expect(response.status, host).toBe(404);
    }
  });

  it('says an unknown host is an address with no organisation, the same words whatever it names', async () => {
    const bodies = [];
    for (const host of ['nobody.localhost', 'evil.example.com']) {
      const problem = (await (await app.request('/api/v1/me', { host })).json()) as { detail: string; fix?: string };
      expect(problem.detail).toBe('There is no Orgonaut organisation at this address.');
      expect(problem.detail + problem.fix).not.toMatch(/id|tenant/i);
      bodies.push(JSON.stringify({ ...problem, instance: undefined, request_id: undefined }));
    }
    expect(bodies[0]).toBe(bodies[1]);
    const page = await (await app.request('/', { host: 'nobody.localhost', headers: { accept: 'text/html' } })).text();
    expect(page).toContain('There is no Orgonaut organisation at this address.');
    expect(page).toContain('Check the address');
    expect(page).not.toContain('The link may be incomplete');
  });

  it('answers 404 when X-Tenant names another tenant than the host', async () => {
    const response = await app.request('/api/v1/me', { host: 'hostacme.localhost', headers: { 'x-tenant': 'hostother' } });
    expect(response.status).toBe(404);
    const problem = (await response.json()) as { detail: string; fix: string };
    expect(problem.detail).toBe('The organisation named in X-Tenant is not served at this address.');
    expect(problem.fix).toContain('or leave the header out');
    // A slug no organisation has gets the same answer: the header tells nothing about which exist.
    const unknown = await app.request('/api/v1/me', { host: 'hostacme.localhost', headers: { 'x-tenant': 'nosuchslug' } });
    expect(((await unknown.json()) as { detail: string }).detail).toBe(problem.detail);
    const ok = await app.request('/', { host: 'hostacme.localhost', headers: { 'x-tenant': 'hostacme' } });
    expect(ok.status).toBe(200);
  });

  it('answers health checks on any host, even unknown ones', async () => {
    expect((await app.request('/healthz', { host: 'unknown.example' })).status).toBe(200);
    const ready = await app.request('/readyz', { host: '10.0.0.7' });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('builds advertised URLs from the request host', async () => {
    const html = await (await app.request('/', { host: 'hostacme.localhost:4321' })).text();
    expect(html).toContain('http://hostacme.localhost:4321/mcp/orgonaut');
  });

  it('sees a plan change made elsewhere within a second', async () => {
    await app.request('/', { host: 'hostother.localhost' });
    await setTenantPlan(database.db, 'hostother', 'free');
    await new Promise((r) => setTimeout(r, 900));
    const response = await app.request('/mcp/orgonaut', { host: 'hostother.localhost', method: 'POST' });
    expect(response.status).toBe(404);
    expect(other.plan).toBe('enterprise');
  });
});

describe('host parsing', () => {
  it('classifies hosts', () => {
    expect(classifyHost('acme.localhost', 'localhost')).toEqual({ kind: 'slug', slug: 'acme' });
    expect(classifyHost('app.orgonaut.co', 'orgonaut.co')).toEqual({ kind: 'central' });
    expect(classifyHost('orgonaut.co', 'orgonaut.co')).toEqual({ kind: 'bare' });
    expect(classifyHost('[::1]', 'localhost')).toEqual({ kind: 'bare' });
    expect(classifyHost('people.example.com', 'orgonaut.co')).toEqual({ kind: 'custom', host: 'people.example.com' });
    expect(parseHostHeader('Acme.Localhost:3000')).toEqual({ name: 'acme.localhost', port: '3000' });
    expect(parseHostHeader('[::1]:8080')).toEqual({ name: '[::1]', port: '8080' });
    expect(parseHostHeader('evil.com/path')).toBeNull();
    expect(parseHostHeader('')).toBeNull();
  });
});
