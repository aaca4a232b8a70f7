import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { issuePasswordReset } from '../../src/access/members.js';
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
    expect(used.status).toBe(303);
    expect(await signedIn(theirs)).toBe(false);
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
