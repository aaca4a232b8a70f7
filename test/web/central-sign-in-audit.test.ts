import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, memberships } from '../../src/db/schema/index.js';
import { setMembership, type User } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * Sign-ins on the central host (app.<base domain>, no tenant) are audited as tenant-host sign-ins are (SPEC §3:
 * sign-ins and failed sign-ins are security events): in the log of each organisation the account is an active
 * member of, marked host "central" — never in another organisation's log, never with the password.
 */
let database: Database;
let app: TestApp;
let north: Tenant;
let south: Tenant;
let left: Tenant;
let stranger: Tenant;
let agent: User;
const CENTRAL = 'app.localhost';
const PASSWORD = 'central correct horse';

beforeAll(async () => {
  database = await testDatabase();
  [north, south, left, stranger] = await Promise.all(['cnorth', 'csouth', 'cleft', 'cstranger'].map((slug) => buildTenant(database, { slug })));
  agent = await buildMember(database, north!, 'viewer', { password: PASSWORD });
  await setMembership(database.db, south!.id, agent.id, 'admin');
  // A membership that ended: that organisation no longer sees the account's sign-ins.
  await setMembership(database.db, left!.id, agent.id, 'member');
  await database.db.update(memberships).set({ status: 'archived' }).where(and(eq(memberships.tenantId, left!.id), eq(memberships.userId, agent.id)));
  await buildMember(database, stranger!, 'owner', { password: PASSWORD });
  app = testApp(database);
});
afterAll(() => database?.close());

async function post(host: string, path: string, form: Record<string, string>, cookie?: string) {
  // The form that posts: the sign-in page, or the sign-out page (which asks first).
  const page = await app.request(path, { host, cookie, headers: { accept: 'text/html' } });
  const html = await page.text();
  const cookies = cookiesOf(page, cookie ?? '');
  const response = await app.request(path, { host, cookie: cookies, headers: { origin: `http://${host}`, accept: 'text/html' }, form: { csrf: hiddenField(html, 'csrf'), ...form } });
  return { response, cookie: cookiesOf(response, cookies), csrf: hiddenField(html, 'csrf') };
}

/** The sign-in and sign-out events of a tenant's audit log about an email, oldest first. */
async function eventsOf(tenant: Tenant, email: string) {
  const rows = await database.db.select().from(auditEvents).where(eq(auditEvents.tenantId, tenant.id)).orderBy(auditEvents.at);
  return rows.filter((r) => (r.entityType === 'sign_in' || r.entityType === 'sign_out') && (r.metadata as { email?: string }).email === email);
}

describe('sign-ins on the central host', () => {
  it('records a failed attempt in each organisation of the account, with the address and the host, never the password', async () => {
    const guess = 'Tr0ub4dor&3-guessed';
    const { response, csrf } = await post(CENTRAL, '/sign-in', { email: agent.email, password: guess, return_to: '/' });
    expect(response.status).toBe(401);
    for (const tenant of [north, south]) {
      const events = await eventsOf(tenant!, agent.email);
      expect(events.map((e) => `${e.entityType} ${e.action}`), tenant!.slug).toEqual(['sign_in failed']);
      expect(events[0]!.category).toBe('security');
      expect(events[0]!.userId).toBe(agent.id);
      expect(events[0]!.metadata).toMatchObject({ email: agent.email, host: 'central' });
      expect(typeof (events[0]!.metadata as { ip?: unknown }).ip).toBe('string');
      // Neither the password tried nor the form's secret token is kept anywhere in the event.
      const stored = JSON.stringify(events[0]);
      expect(stored).not.toContain(guess);
      expect(stored).not.toContain(csrf);
    }
  });

  it('records nothing in an organisation the account does not belong to (or has left)', async () => {
    await post(CENTRAL, '/sign-in', { email: agent.email, password: 'another wrong one', return_to: '/' });
    await post(CENTRAL, '/sign-in', { email: agent.email, password: PASSWORD, return_to: '/' });
    for (const tenant of [stranger, left]) expect(await eventsOf(tenant!, agent.email), tenant!.slug).toEqual([]);
  });

  it('records nothing anywhere for an email that has no account (there is no organisation to tell)', async () => {
    const ghost = 'nobody-here@central.test';
    const { response } = await post(CENTRAL, '/sign-in', { email: ghost, password: 'whatever it is', return_to: '/' });
    expect(response.status).toBe(401);
    const all = await database.db.select().from(auditEvents);
    expect(all.filter((e) => JSON.stringify(e.metadata).includes(ghost))).toEqual([]);
  });

  it('records a successful sign-in and the sign-out in each organisation of the account', async () => {
    const signedIn = await post(CENTRAL, '/sign-in', { email: agent.email, password: PASSWORD, return_to: '/' });
    expect(signedIn.response.status).toBe(303);
    const out = await post(CENTRAL, '/sign-out', {}, signedIn.cookie);
    expect(out.response.status).toBe(303);
    for (const tenant of [north, south]) {
      const events = (await eventsOf(tenant!, agent.email)).map((e) => `${e.entityType} ${e.action} ${(e.metadata as { host?: string }).host}`);
      expect(events.slice(-2), tenant!.slug).toEqual(['sign_in succeeded central', 'sign_out succeeded central']);
    }
  });
});

describe('the Activity page of an organisation', () => {
  it('shows its member’s central-host sign-ins as such', async () => {
    const owner = await buildMember(database, north!, 'owner', { password: PASSWORD });
    const host = `${north!.slug}.localhost`;
    const signedIn = await post(host, '/sign-in', { email: owner.email, password: PASSWORD, return_to: '/' });
    const html = await (await app.request('/activity?category=security', { host, cookie: signedIn.cookie, headers: { accept: 'text/html' } })).text();
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    const agentRows = rows.filter((r) => r.includes(agent.name));
    expect(agentRows.some((r) => r.includes('Sign in failed on the central sign-in page')), agentRows.join('\n')).toBe(true);
    // Its own address's sign-ins read as before.
    expect(rows.some((r) => r.includes(owner.name) && /Sign in succeeded(?! on the central)/.test(r))).toBe(true);

    // Its details page says where and from which address, in words, and who (not "system").
    const failed = (await eventsOf(north!, agent.email)).find((e) => e.action === 'failed')!;
    const detail = (await (await app.request(`/activity/${failed.id}`, { host, cookie: signedIn.cookie, headers: { accept: 'text/html' } })).text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(detail).toContain('IP address');
    expect(detail).toContain('Host the central sign-in page');
    expect(detail).toContain(`Who ${agent.name} Category`);
    expect(detail).not.toContain('(system)');
  });
});

describe('sign-out on a tenant host', () => {
  it('is recorded in that organisation only, as its sign-in is', async () => {
    const host = `${south!.slug}.localhost`;
    const before = (await eventsOf(north!, agent.email)).length;
    const signedIn = await post(host, '/sign-in', { email: agent.email, password: PASSWORD, return_to: '/' });
    expect(signedIn.response.status).toBe(303);
    expect((await post(host, '/sign-out', {}, signedIn.cookie)).response.status).toBe(303);
    const events = (await eventsOf(south!, agent.email)).map((e) => `${e.entityType} ${e.action} ${(e.metadata as { host?: string }).host ?? 'tenant'}`);
    expect(events.slice(-2)).toEqual(['sign_in succeeded tenant', 'sign_out succeeded tenant']);
    expect(await eventsOf(north!, agent.email)).toHaveLength(before);
  });
});
