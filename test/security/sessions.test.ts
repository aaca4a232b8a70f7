import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { eq } from 'drizzle-orm';
import { issuePasswordReset } from '../../src/access/members.js';
import { hashToken, SESSION_IDLE_MS, SESSION_LIFETIME_MS, sweepEndedSessions } from '../../src/access/sessions.js';
import { sessions } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/** Session lifecycle as an attacker probes it: fixation, and what a password change or reset ends. */
let database: Database;
let tenant: Tenant;
let app: TestApp;
const HOST = 'secsess.localhost';
const ORIGIN = `http://${HOST}`;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'secsess', plan: 'business' });
  app = testApp(database);
});
afterAll(() => database?.close());

const sessionOf = (cookie: string) => /orgonaut_session=([^;]+)/.exec(cookie)?.[1] ?? null;
const signedIn = async (cookie: string) => (await app.request('/api/v1/me', { host: HOST, cookie })).status === 200;

describe('sessions', () => {
  it('signing in never keeps a session id the browser already had (no fixation)', async () => {
    const victim = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const other = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    // A session id someone made up and planted, and one of a real session the browser already carried.
    for (const planted of ['orgonaut_session=chosen-by-the-attacker-0123456789abcdef', await signInThroughForm(app, HOST, other.email, PASSWORD)]) {
      const page = await app.request('/sign-in', { host: HOST });
      const jar = cookiesOf(page, planted);
      const response = await app.request('/sign-in', {
        host: HOST,
        cookie: jar,
        headers: { origin: ORIGIN },
        form: { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email: victim.email, password: PASSWORD },
      });
      expect(response.status).toBe(303);
      const after = cookiesOf(response, jar);
      expect(sessionOf(after)).not.toBeNull();
      expect(sessionOf(after)).not.toBe(sessionOf(planted));
      expect(await signedIn(after)).toBe(true);
      // The id the browser had before is no session at all now: it does not become the victim's.
      expect(await signedIn(planted)).toBe(false);
    }
  });

  it('changing the password signs out every other browser, and gives this one a new session id', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const here = await signInThroughForm(app, HOST, person.email, PASSWORD, '/account');
    const elsewhere = await signInThroughForm(app, HOST, person.email, PASSWORD);
    expect(await signedIn(elsewhere)).toBe(true);
    const page = await app.request('/account', { host: HOST, cookie: here, headers: { accept: 'text/html' } });
    const next = 'a brand new password';
    const changed = await app.request('/account/password', {
      host: HOST,
      cookie: here,
      headers: { origin: ORIGIN },
      form: { csrf: hiddenField(await page.text(), 'csrf'), current_password: PASSWORD, new_password: next, confirm_password: next },
    });
    expect(changed.status).toBe(303);
    const renewed = cookiesOf(changed, here);
    expect(sessionOf(renewed)).not.toBe(sessionOf(here));
    expect(await signedIn(renewed)).toBe(true);
    expect(await signedIn(here)).toBe(false);
    expect(await signedIn(elsewhere)).toBe(false);
  });

  it('a password-reset link, once used, signs the person out everywhere', async () => {
    const admin = await buildMember(database, tenant, 'admin', { password: PASSWORD });
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const theirs = await signInThroughForm(app, HOST, person.email, PASSWORD);
    expect(await signedIn(theirs)).toBe(true);
    const { token } = await issuePasswordReset(contextFor(database, tenant, principalFor(tenant, 'admin', null, admin.id)), person.id);
    const form = await app.request(`/password-reset/${token}`, { host: HOST, headers: { accept: 'text/html' } });
    const used = await app.request(`/password-reset/${token}`, {
      host: HOST,
      cookie: cookiesOf(form),
      headers: { origin: ORIGIN },
      form: { csrf: hiddenField(await form.text(), 'csrf'), password: 'a brand new password' },
    });
    expect(used.status).toBe(200);
    expect(await used.text()).toContain('every browser signed in to your account was signed out');
    expect(await signedIn(theirs)).toBe(false);
  });
});

describe('a session left idle', () => {
  /** Moves a session's last request (and, if asked, its sign-in) back in time, as if the browser had been away. */
  async function age(cookie: string, idleMs: number, sinceSignInMs = idleMs) {
    const id = hashToken(decodeURIComponent(sessionOf(cookie)!));
    await database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - idleMs), createdAt: new Date(Date.now() - sinceSignInMs), expiresAt: new Date(Date.now() - sinceSignInMs + SESSION_LIFETIME_MS) })
      .where(eq(sessions.id, id));
  }

  it(`ends after ${SESSION_IDLE_MS / 3_600_000} hours without a request, though its 12 hours are not over`, async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const busy = await signInThroughForm(app, HOST, person.email, PASSWORD);
    const away = await signInThroughForm(app, HOST, person.email, PASSWORD);
    // Both signed in 3 hours ago: one used a minute ago, the other not since.
    await age(busy, 60_000, 3 * 3_600_000);
    await age(away, SESSION_IDLE_MS + 60_000, 3 * 3_600_000);
    expect(await signedIn(busy)).toBe(true);
    expect(await signedIn(away)).toBe(false);
    const page = await app.request('/live', { host: HOST, cookie: away, headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/sign-in?return_to=%2Flive');
  });

  it('a request within the idle time keeps the session going', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, HOST, person.email, PASSWORD);
    await age(cookie, SESSION_IDLE_MS - 10 * 60_000);
    expect(await signedIn(cookie)).toBe(true);
    // That request counted as activity: later, the session is measured from it.
    const [row] = await database.db.select({ lastSeenAt: sessions.lastSeenAt }).from(sessions).where(eq(sessions.id, hashToken(decodeURIComponent(sessionOf(cookie)!))));
    expect(Date.now() - row!.lastSeenAt.getTime()).toBeLessThan(60_000);
  });

  it('the sign-in page says the session ended, and signing in goes back to the page the person was on', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, HOST, person.email, PASSWORD);
    await age(cookie, SESSION_IDLE_MS + 60_000);
    const sent = await app.request('/scenarios?state=planning', { host: HOST, cookie, headers: { accept: 'text/html' } });
    const signInAt = sent.headers.get('location')!;
    expect(signInAt).toBe('/sign-in?return_to=%2Fscenarios%3Fstate%3Dplanning');
    const page = await app.request(signInAt, { host: HOST, cookie, headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('Your session ended after 2 hours without activity. Sign in again to go back to where you were.');
    const jar = cookiesOf(page, cookie);
    const back = await app.request('/sign-in', {
      host: HOST,
      cookie: jar,
      headers: { origin: ORIGIN },
      form: { csrf: hiddenField(html, 'csrf'), return_to: hiddenField(html, 'return_to'), email: person.email, password: PASSWORD },
    });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/scenarios?state=planning');
    // The ended session was replaced, and the new one is not ended.
    const after = cookiesOf(back, jar);
    expect(sessionOf(after)).not.toBe(sessionOf(cookie));
    expect(await signedIn(after)).toBe(true);
    // A fresh visitor (no cookie) is told nothing of the kind; nor is anyone sent to another site.
    const fresh = await (await app.request('/sign-in?return_to=%2Flive', { host: HOST, headers: { accept: 'text/html' } })).text();
    expect(fresh).not.toContain('Your session ended');
    const away = await app.request('/sign-in?return_to=//evil.example', { host: HOST, cookie, headers: { accept: 'text/html' } });
    expect(hiddenField(await away.text(), 'return_to')).toBe('/');
  });

  it('a form posted after the session ended sends sign-in back to the page the form was on, not to the address it posts to', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, HOST, person.email, PASSWORD);
    const page = await app.request('/settings/api', { host: HOST, cookie, headers: { accept: 'text/html' } });
    const csrf = hiddenField(await page.text(), 'csrf');
    await age(cookie, SESSION_IDLE_MS + 60_000);
    const post = (referer: string) =>
      app.request('/settings/api/tokens', {
        host: HOST,
        cookie,
        headers: { origin: ORIGIN, referer, accept: 'text/html' },
        form: { csrf, name: 'late', abilities: 'org-units.read', expires_in_days: '30' },
      });
    const sent = await post(`${ORIGIN}/settings/api?tab=tokens`);
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/sign-in?return_to=%2Fsettings%2Fapi%3Ftab%3Dtokens');
    // A Referer of another site is no place to return to.
    expect((await post('http://evil.example/settings/api')).headers.get('location')).toBe('/sign-in?return_to=%2F');
  });

  it('signing out of a session that ended meanwhile signs out, rather than calling the form forged', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, HOST, person.email, PASSWORD);
    const page = await app.request('/sign-out', { host: HOST, cookie, headers: { accept: 'text/html' } });
    const csrf = hiddenField(await page.text(), 'csrf');
    await age(cookie, SESSION_IDLE_MS + 60_000);
    const out = await app.request('/sign-out', { host: HOST, cookie, headers: { origin: ORIGIN, accept: 'text/html' }, form: { csrf } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/sign-in');
    expect(out.headers.getSetCookie().join('\n')).toMatch(/orgonaut_session=;/);
    // A live session still needs its own form token to be signed out.
    const live = await signInThroughForm(app, HOST, person.email, PASSWORD);
    const forged = await app.request('/sign-out', { host: HOST, cookie: live, headers: { origin: ORIGIN, accept: 'text/html' }, form: { csrf: 'guessed' } });
    expect(forged.status).toBe(403);
    expect(await signedIn(live)).toBe(true);
  });

  it('an ended session is deleted a day later (until then the browser is told why it was signed out)', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const [live, recentlyIdle, longIdle, longExpired] = [
      await signInThroughForm(app, HOST, person.email, PASSWORD),
      await signInThroughForm(app, HOST, person.email, PASSWORD),
      await signInThroughForm(app, HOST, person.email, PASSWORD),
      await signInThroughForm(app, HOST, person.email, PASSWORD),
    ];
    await age(recentlyIdle, SESSION_IDLE_MS + 3_600_000);
    await age(longIdle, SESSION_IDLE_MS + 25 * 3_600_000);
    await age(longExpired, 60_000, SESSION_LIFETIME_MS + 25 * 3_600_000);
    await sweepEndedSessions(database.db);
    const left = async (cookie: string) =>
      (await database.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, hashToken(decodeURIComponent(sessionOf(cookie)!))))).length;
    expect([await left(live), await left(recentlyIdle), await left(longIdle), await left(longExpired)]).toEqual([1, 1, 0, 0]);
    expect(await signedIn(live)).toBe(true);
  });

  it('past its 12 hours a session ends even if it was used a minute ago, and the page says so', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, HOST, person.email, PASSWORD);
    await age(cookie, 60_000, SESSION_LIFETIME_MS + 60_000);
    expect(await signedIn(cookie)).toBe(false);
    const html = await (await app.request('/sign-in', { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    expect(html).toContain('Your session ended: a sign-in lasts 12 hours. Sign in again to continue.');
  });
});

describe('sign-in does not tell which accounts exist', () => {
  /** The refusal page with its per-browser form token taken out, and its status. */
  async function refusal(host: string, email: string) {
    const page = await app.request('/sign-in', { host });
    const jar = cookiesOf(page);
    const response = await app.request('/sign-in', {
      host,
      cookie: jar,
      headers: { origin: `http://${host}`, accept: 'text/html' },
      form: { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email, password: 'not the password at all' },
    });
    const body = (await response.text()).replace(/name="csrf" value="[^"]*"/, '').replaceAll(email, '<email>');
    return { status: response.status, body, cookies: response.headers.getSetCookie().length };
  }

  it('answers an unknown email exactly as a known one with a wrong password, on a tenant host and the central host', async () => {
    const known = await buildMember(database, tenant, 'member', { password: PASSWORD });
    for (const host of [HOST, 'app.localhost']) {
      const existing = await refusal(host, known.email);
      const unknown = await refusal(host, `nobody-${Date.now()}@example.test`);
      expect(existing.status, host).toBe(401);
      expect(unknown, host).toEqual(existing);
    }
  });
});
