import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, sessions } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';
import { setMembership } from '../../src/access/users.js';
import { SIGN_IN_LIMITS } from '../../src/access/sign-in.js';
import { cookiesOf, hiddenField, testApp, type TestApp } from '../support/app.js';

let database: Database;
let acme: Tenant;
let other: Tenant;
let app: TestApp;
const HOST = 'signacme.localhost';
const ORIGIN = `http://${HOST}`;
const PASSWORD = 'correct horse battery';
let email: string;

beforeAll(async () => {
  database = await testDatabase();
  acme = await buildTenant(database, { slug: 'signacme', name: 'Sign Acme' });
  other = await buildTenant(database, { slug: 'signother' });
  app = testApp(database);
  email = (await buildMember(database, acme, 'manager', { password: PASSWORD })).email;
});
afterAll(() => database?.close());

/** Loads the sign-in form (for its CSRF cookie and field), then posts it. */
async function signIn(host: string, fields: { email: string; password: string; return_to?: string }, extraHeaders: Record<string, string> = {}) {
  const page = await app.request('/sign-in', { host, headers: { accept: 'text/html' } });
  const html = await page.text();
  const cookie = cookiesOf(page);
  const response = await app.request('/sign-in', {
    host,
    cookie,
    headers: { origin: `http://${host}`, ...extraHeaders },
    form: { csrf: hiddenField(html, 'csrf'), return_to: fields.return_to ?? '/', email: fields.email, password: fields.password },
  });
  return { response, cookie: cookiesOf(response, cookie), html };
}

describe('sign-in', () => {
  it('shows a form with labelled Email and Password fields and a Sign in button', async () => {
    const html = await (await app.request('/sign-in', { host: HOST })).text();
    expect(html).toMatch(/<label for="email">Email<\/label>/);
    expect(html).toMatch(/<label for="password">Password<\/label>/);
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(html).toContain('Forgot your password? Ask an owner or admin of your organisation for a password-reset link.');
  });

  it('signs a member in with an HttpOnly SameSite session cookie and returns to a local path', async () => {
    const { response, cookie } = await signIn(HOST, { email, password: PASSWORD, return_to: '/settings/api' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/settings/api');
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('orgonaut_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const me = await app.request('/api/v1/me', { host: HOST, cookie });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { data: { role: string } }).data.role).toBe('manager');
    const stored = await database.db.select().from(sessions);
    expect(stored.every((s) => !cookie.includes(s.id))).toBe(true); // only the hash is stored
  });

  it('never redirects off-site after sign-in', async () => {
    for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/.//evil.example/x', '/a/..//evil.example', '/%2e//evil.example']) {
      const { response } = await signIn(HOST, { email, password: PASSWORD, return_to: target });
      expect(response.headers.get('location'), target).toBe('/');
    }
  });

  it('never redirects a signed-in visitor off-site from a link to the sign-in page', async () => {
    const { cookie } = await signIn(HOST, { email, password: PASSWORD });
    for (const target of ['/.//evil.example/x', '/a/b/../..//evil.example']) {
      const response = await app.request(`/sign-in?return_to=${encodeURIComponent(target)}`, { host: HOST, cookie });
      expect(response.status).toBe(303);
      expect(response.headers.get('location'), target).toBe('/');
    }
  });

  it('refuses a wrong password without saying which part was wrong, and audits it', async () => {
    const { response } = await signIn(HOST, { email, password: 'wrong password!' });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('That email and password do not match an account.');
    const failures = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme.id), eq(auditEvents.entityType, 'sign_in'), eq(auditEvents.action, 'failed')));
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures)).not.toContain('wrong password!');
  });

  it('refuses a user who is not a member of the host’s tenant', async () => {
    const { response } = await signIn('signother.localhost', { email, password: PASSWORD });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('not a member of this organisation');
    // …and is pointed to the central host, which lists the organisations the account belongs to.
    expect(html).toContain(`See the organisations you belong to at <a href="http://app.localhost/sign-in?email=${encodeURIComponent(email)}">app.localhost</a>.`);
    expect(other.slug).toBe('signother');
    const { response: wrong } = await signIn('signother.localhost', { email, password: 'not the password' });
    expect(await wrong.text()).not.toContain('See the organisations'); // a wrong password learns nothing more
  });

  it('refuses a form without the CSRF token or from another origin', async () => {
    const page = await app.request('/sign-in', { host: HOST });
    const cookie = cookiesOf(page);
    const noToken = await app.request('/sign-in', { host: HOST, cookie, form: { email, password: PASSWORD } });
    expect(noToken.status).toBe(403);
    expect(noToken.headers.getSetCookie().some((c) => c.startsWith('orgonaut_session='))).toBe(false);
    const crossOrigin = await signIn(HOST, { email, password: PASSWORD }, { origin: 'https://evil.example' });
    expect(crossOrigin.response.status).toBe(403);
  });

  it('gives an expired form back with a fresh token, the email and the way back, signing nobody in', async () => {
    const stale = await app.request('/sign-in', {
      host: HOST,
      headers: { origin: ORIGIN, accept: 'text/html' },
      form: { csrf: 'token-of-a-page-opened-yesterday', email, password: PASSWORD, return_to: '/oauth/interaction/abc' },
    });
    expect(stale.status).toBe(403);
    expect(stale.headers.getSetCookie().some((c) => c.startsWith('orgonaut_session='))).toBe(false);
    const html = await stale.text();
    expect(html).toContain('This page had expired. Enter your password again to sign in.');
    expect(html).toMatch(new RegExp(`id="email"[^>]*value="${email.replace(/[.]/g, '\\.')}"`));
    expect(hiddenField(html, 'return_to')).toBe('/oauth/interaction/abc');
    // The fresh form works.
    const again = await app.request('/sign-in', {
      host: HOST,
      cookie: cookiesOf(stale),
      headers: { origin: ORIGIN },
      form: { csrf: hiddenField(html, 'csrf'), email, password: PASSWORD, return_to: hiddenField(html, 'return_to') },
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/oauth/interaction/abc');
  });

  it('answers a typed /sign-out by asking, and signs out only with the form', async () => {
    const { cookie } = await signIn(HOST, { email, password: PASSWORD });
    const asked = await app.request('/sign-out', { host: HOST, cookie, headers: { accept: 'text/html' } });
    expect(asked.status).toBe(200);
    const html = await asked.text();
    expect(html).toContain(`You are signed in as ${email}.`);
    expect((await app.request('/api/v1/me', { host: HOST, cookie })).status).toBe(200); // the GET changed nothing
    const out = await app.request('/sign-out', { host: HOST, cookie, headers: { origin: ORIGIN }, form: { csrf: hiddenField(html, 'csrf') } });
    expect(out.status).toBe(303);
    expect((await app.request('/api/v1/me', { host: HOST, cookie })).status).toBe(401);
    const nobody = await app.request('/sign-out', { host: HOST, headers: { accept: 'text/html' } });
    expect(nobody.headers.get('location')).toBe('/sign-in');
  });

  it('does not accept a session cookie on another tenant’s host', async () => {
    const { cookie } = await signIn(HOST, { email, password: PASSWORD });
    const elsewhere = await app.request('/api/v1/me', { host: 'signother.localhost', cookie });
    expect(elsewhere.status).toBe(401);
  });

  it('signs out, ending the session', async () => {
    const { cookie } = await signIn(HOST, { email, password: PASSWORD });
    const home = await app.request('/api/v1/me', { host: HOST, cookie });
    expect(home.status).toBe(200);
    const csrf = (await database.db.select().from(sessions)).map((s) => s.csrfToken);
    const out = await app.request('/sign-out', { host: HOST, cookie, headers: { origin: ORIGIN }, form: { csrf: csrf[csrf.length - 1]! } });
    expect(out.status).toBe(303);
    expect((await app.request('/api/v1/me', { host: HOST, cookie })).status).toBe(401);
  });

  it('needs the X-CSRF-Token header for session-authenticated REST writes', async () => {
    const { cookie } = await signIn(HOST, { email, password: PASSWORD });
    const refused = await app.request('/api/v1/tokens', { host: HOST, cookie, json: { name: 'x', abilities: ['org-units.read'] } });
    expect(refused.status).toBe(403);
  });
  it('on the central host, lists the user’s organisations with links to their own sign-in, email filled in', async () => {
    const agency = await buildMember(database, acme, 'viewer', { password: PASSWORD });
    await setMembership(database.db, other.id, agency.id, 'admin');
    const central = await signIn('app.localhost', { email: agency.email, password: PASSWORD });
    // Post → redirect → get: reloading the choice does not post the password again.
    expect(central.response.status).toBe(303);
    expect(central.response.headers.get('location')).toBe('/sign-in');
    const html = await (await app.request('/sign-in', { host: 'app.localhost', cookie: central.cookie, headers: { accept: 'text/html' } })).text();
    expect(html).toContain('Choose an organisation');
    // …and can sign out there (a shared computer).
    expect(html).toContain(`Signed in as ${agency.email}.`);
    const signedOut = await app.request('/sign-out', { host: 'app.localhost', cookie: central.cookie, headers: { origin: 'http://app.localhost' }, form: { csrf: hiddenField(html, 'csrf') } });
    expect(signedOut.status).toBe(303);
    const after = await (await app.request('/sign-in', { host: 'app.localhost', cookie: cookiesOf(signedOut, central.cookie), headers: { accept: 'text/html' } })).text();
    expect(after).not.toContain('Choose an organisation');
    const email = encodeURIComponent(agency.email);
    expect(html).toContain(`href="http://signacme.localhost/sign-in?email=${email}"`);
    expect(html).toContain(`href="http://signother.localhost/sign-in?email=${email}"`);
    const page = await (await app.request(`/sign-in?email=${email}`, { host: HOST, headers: { accept: 'text/html' } })).text();
    expect(page).toMatch(new RegExp(`id="email"[^>]*value="${agency.email.replace(/[.]/g, '\\.')}"`));
  });

  it('rate-limits repeated attempts on one account', async () => {
    const victim = (await buildMember(database, acme, 'viewer', { password: PASSWORD })).email;
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) last = (await signIn(HOST, { email: victim, password: `guess-${i}-guess` })).response;
    expect(last!.status).toBe(429);
    expect(await last!.text()).toContain('Too many sign-in attempts');
    const correct = await signIn(HOST, { email: victim, password: PASSWORD });
    expect(correct.response.status).toBe(429); // still limited for the window, even with the right password
  });

  it('records a locked-out account’s refusals in the log once per window of the limit, not once per request', async () => {
    const proxied = testApp(database, { trustProxy: true, proxyHops: 1 });
    const victim = (await buildMember(database, acme, 'viewer', { password: PASSWORD })).email;
    const attempt = async (password: string) => {
      const xff = { 'x-forwarded-for': '192.0.2.99' };
      const page = await proxied.request('/sign-in', { host: HOST, headers: { accept: 'text/html', ...xff } });
      const form = { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email: victim, password };
      return (await proxied.request('/sign-in', { host: HOST, cookie: cookiesOf(page), headers: { origin: ORIGIN, ...xff }, form })).status;
    };
    for (let i = 0; i < 10; i++) expect(await attempt(`guess-${i}-guess`)).toBe(401);
    // Hammering on: each request is refused, but the log of the organisation is not filled with them.
    for (let i = 0; i < 15; i++) expect(await attempt(`more-${i}-guess`)).toBe(429);
    const refusals = (
      await database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.tenantId, acme.id), eq(auditEvents.entityType, 'sign_in'), eq(auditEvents.action, 'rate_limited')))
    ).filter((e) => (e.metadata as { email?: string }).email === victim);
    // One per 15-minute window of the account's limit (two if the attempts straddled a window's end).
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.length).toBeLessThanOrEqual(2);
    expect(refusals[0]!.metadata).toMatchObject({ ip: '192.0.2.99', limit: 'account' });
  });

  it('lets no more guesses through than the limit when they are sent all at once', async () => {
    const proxied = testApp(database, { trustProxy: true, proxyHops: 1 });
    const victim = (await buildMember(database, acme, 'viewer', { password: PASSWORD })).email;
    const xff = { 'x-forwarded-for': '192.0.2.120' };
    // Every form is loaded first, then the guesses are posted together (none waits for another's answer).
    const forms = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const page = await proxied.request('/sign-in', { host: HOST, headers: { accept: 'text/html', ...xff } });
        return { cookie: cookiesOf(page), form: { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email: victim, password: `burst-${i}-guess` } };
      }),
    );
    const statuses = await Promise.all(forms.map(({ cookie, form }) => proxied.request('/sign-in', { host: HOST, cookie, headers: { origin: ORIGIN, ...xff }, form }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_LIMITS.perAccount.limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25 - SIGN_IN_LIMITS.perAccount.limit);
  });

  it('counts only failed attempts against an account: signing in again and again is not guessing', async () => {
    const regular = (await buildMember(database, acme, 'viewer', { password: PASSWORD })).email;
    const proxied = testApp(database, { trustProxy: true, proxyHops: 1 });
    for (let i = 0; i < 12; i++) {
      const xff = { 'x-forwarded-for': '192.0.2.44' };
      const page = await proxied.request('/sign-in', { host: HOST, headers: { accept: 'text/html', ...xff } });
      const form = { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email: regular, password: PASSWORD };
      const answer = await proxied.request('/sign-in', { host: HOST, cookie: cookiesOf(page), headers: { origin: ORIGIN, ...xff }, form });
      expect(answer.status, `sign-in ${i + 1}`).toBe(303);
    }
  });

  it('lets an office behind one address sign in at nine, and limits failed attempts from it across accounts', async () => {
    const proxied = testApp(database, { trustProxy: true, proxyHops: 1 });
    const attempt = async (email: string, password: string, address: string) => {
      const xff = { 'x-forwarded-for': address };
      const page = await proxied.request('/sign-in', { host: HOST, headers: { accept: 'text/html', ...xff } });
      const form = { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email, password };
      return (await proxied.request('/sign-in', { host: HOST, cookie: cookiesOf(page), headers: { origin: ORIGIN, ...xff }, form })).status;
    };
    const staff = await Promise.all(Array.from({ length: 25 }, () => buildMember(database, acme, 'viewer', { password: PASSWORD })));
    const office: number[] = [];
    for (const person of staff) office.push(await attempt(person.email, PASSWORD, '192.0.2.80'));
    expect(office.every((status) => status === 303), office.join(' ')).toBe(true);
    // Password spraying: one wrong guess each for many accounts from one address is stopped after 20 (in one fixed
    // minute window: start well inside one).
    const intoWindow = (Date.now() / 1000) % 60;
    if (intoWindow > 45) await new Promise((resolve) => setTimeout(resolve, (61 - intoWindow) * 1000));
    const spray: number[] = [];
    for (const person of [...staff, ...staff].slice(0, 21)) spray.push(await attempt(person.email, 'Spring2026!', '192.0.2.81'));
    expect(spray.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(spray.at(-1)).toBe(429);
  });

  it('behind a proxy: limits an account per client address, so guesses from elsewhere never lock the real user out', async () => {
    const proxied = testApp(database, { trustProxy: true, proxyHops: 1 });
    const victim = (await buildMember(database, acme, 'viewer', { password: PASSWORD })).email;
    const attempt = async (password: string, xff: string) => {
      const page = await proxied.request('/sign-in', { host: HOST, headers: { accept: 'text/html', 'x-forwarded-for': xff } });
      const cookie = cookiesOf(page);
      const form = { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email: victim, password };
      return (await proxied.request('/sign-in', { host: HOST, cookie, headers: { origin: ORIGIN, 'x-forwarded-for': xff }, form })).status;
    };
    // The attacker writes a fresh address into X-Forwarded-For each time; the proxy appends the one it saw.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await attempt(`guess-${i}-guess`, `10.9.${i}.1, 203.0.113.7`));
    expect(statuses.at(-1)).toBe(429);
    expect(await attempt(PASSWORD, '203.0.113.7')).toBe(429);
    // The real user, from their own address, is not locked out.
    expect(await attempt(PASSWORD, '198.51.100.9')).toBe(303);
  });

});
