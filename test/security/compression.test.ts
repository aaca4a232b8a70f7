import { gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { sessions } from '../../src/db/schema/index.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, tokenOf } from '../support/factories.js';

/**
 * Answers travel compressed to a client that accepts it — a large organisation's change tray is hundreds of KB of
 * HTML — except event streams, which must arrive event by event. Compressed pages beside text an attacker chooses
 * would leak a secret repeated in every answer through their size (BREACH), so pages write their CSRF token masked
 * anew each time; the masked token works only for its own session and only unaltered.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let trayPath: string;
const HOST = 'squeeze.localhost';
const PASSWORD = 'correct horse battery';
let owner: { id: string; email: string };
let ownerCookie: string;
let otherCookie: string;

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  tenant = await buildTenant(database, { slug: 'squeeze', plan: 'enterprise' });
  await seedOrganisation(database.db, tenant, { actors: 400 });
  owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  const other = await buildMember(database, tenant, 'admin', { password: PASSWORD });
  ownerCookie = await signInThroughForm(app, HOST, owner.email, PASSWORD);
  otherCookie = await signInThroughForm(app, HOST, other.email, PASSWORD);
  const scenario = await createScenario(contextFor(database, tenant, principalFor(tenant, 'owner', null, owner.id)), { name: 'Squeeze' });
  trayPath = `/scenarios/${scenario.id}/changes`;
}, 180_000);
afterAll(() => database?.close());

const page = (path: string, cookie: string, headers: Record<string, string> = {}) => app.request(path, { host: HOST, cookie, headers: { accept: 'text/html', ...headers } });
const signOut = (cookie: string, csrf: string) => app.request('/sign-out', { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf } });

describe('compressed answers', () => {
  it('sends a large page gzip-compressed to a browser that accepts it, several times smaller and the same page', async () => {
    const plain = await page(trayPath, ownerCookie);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const html = await plain.text();
    expect(html).toContain('Stage a change');

    const zipped = await page(trayPath, ownerCookie, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
    const bytes = Buffer.from(await zipped.arrayBuffer());
    const unzipped = gunzipSync(bytes).toString('utf8');
    expect(unzipped).toContain('Stage a change');
    // Apart from the CSRF token (masked anew), the same page.
    const withoutToken = (text: string) => text.replace(/name="csrf" value="[^"]*"/g, 'name="csrf"');
    expect(withoutToken(unzipped)).toBe(withoutToken(html));
    expect(bytes.length).toBeLessThan(Buffer.byteLength(html) / 5);
  });

  it('compresses JSON from the API too, and leaves a client that does not ask for it uncompressed', async () => {
    const token = await tokenOf(database, tenant, owner, 'owner');
    const zipped = await app.request('/api/v1/actors?limit=200', { host: HOST, token, headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect((JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')) as { data: unknown[] }).data).toHaveLength(200);
    const plain = await app.request('/api/v1/actors?limit=200', { host: HOST, token });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(((await plain.json()) as { data: unknown[] }).data).toHaveLength(200);
  });

  it('never compresses an MCP event stream, so each event reaches the assistant as it is sent', async () => {
    const token = await tokenOf(database, tenant, owner, 'owner');
    const response = await app.request('/mcp/orgonaut', {
      host: HOST,
      token,
      headers: { accept: 'application/json, text/event-stream', 'accept-encoding': 'gzip', 'mcp-protocol-version': '2025-11-25' },
      json: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'org_units_list', arguments: {} } },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.text()).toContain('org_units');
  });
});

describe('the CSRF token of a compressed page', () => {
  it('differs on every answer, never shows the session’s own token, and each answer’s works', async () => {
    const first = hiddenField(await (await page('/live', ownerCookie)).text(), 'csrf');
    const second = hiddenField(await (await page('/live', ownerCookie)).text(), 'csrf');
    expect(first).not.toBe(second);
    const stored = await database.db.select({ csrf: sessions.csrfToken }).from(sessions).where(eq(sessions.userId, owner.id));
    for (const { csrf } of stored) {
      expect(first).not.toContain(csrf);
      expect(second).not.toContain(csrf);
    }

    // Another session's masked token, or this one's altered, is refused and signs nobody out.
    expect((await signOut(otherCookie, first)).status).toBe(403);
    const altered = `${first.slice(0, -2)}${first.at(-2) === 'A' ? 'B' : 'A'}${first.at(-1)}`;
    expect((await signOut(ownerCookie, altered)).status).toBe(403);
    expect((await page('/live', ownerCookie)).status).toBe(200);
    expect((await page('/live', otherCookie)).status).toBe(200);

    // The earlier answer's token works as well as the later one's.
    const out = await signOut(ownerCookie, first);
    expect(out.status).toBe(303);
    expect((await page('/live', cookiesOf(out, ownerCookie))).status).not.toBe(200);
  });

  it('is masked on the sign-in form too, and a masked pre-session token signs in', async () => {
    const form = await app.request('/sign-in', { host: HOST, headers: { accept: 'text/html' } });
    const cookie = cookiesOf(form);
    const once = hiddenField(await form.text(), 'csrf');
    const again = hiddenField(await (await app.request('/sign-in', { host: HOST, cookie, headers: { accept: 'text/html' } })).text(), 'csrf');
    expect(once).not.toBe(again);
    const signedIn = await app.request('/sign-in', {
      host: HOST,
      cookie,
      headers: { origin: `http://${HOST}` },
      form: { csrf: once, return_to: '/live', email: owner.email, password: PASSWORD },
    });
    expect(signedIn.status).toBe(303);
    // Without the form's cookie, its masked token is nothing.
    const stray = await app.request('/sign-in', {
      host: HOST,
      headers: { origin: `http://${HOST}` },
      form: { csrf: again, return_to: '/live', email: owner.email, password: PASSWORD },
    });
    expect(stray.status).toBe(403);
  });
});
