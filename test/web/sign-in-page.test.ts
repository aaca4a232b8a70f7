import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { cookiesOf, hiddenField, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** The sign-in page (SPEC §8): what a person sees after a refused attempt. */
let database: Database;
let app: TestApp;
let email: string;
const HOST = 'signinpage.localhost';

async function attempt(password: string) {
  const form = await app.request('/sign-in', { host: HOST, headers: { accept: 'text/html' } });
  const response = await app.request('/sign-in', {
    host: HOST,
    cookie: cookiesOf(form),
    headers: { origin: `http://${HOST}`, accept: 'text/html' },
    form: { csrf: hiddenField(await form.text(), 'csrf'), return_to: '/live', email, password },
  });
  return { status: response.status, html: await response.text() };
}

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await buildTenant(database, { slug: 'signinpage', plan: 'business' });
  email = (await buildMember(database, tenant, 'member', { password: 'correct horse battery' })).email;
  app = testApp(database);
});
afterAll(() => database?.close());

describe('a refused sign-in', () => {
  it('keeps the email and puts the cursor in the password field', async () => {
    const page = await attempt('wrong password');
    expect(page.status).toBe(401);
    expect(page.html).toContain('That email and password do not match an account.');
    expect(page.html).toMatch(/<input id="email" name="email" type="email" autocomplete="username" required="" value="[^"]+"\/>/);
    expect(page.html).toMatch(/<input id="password" name="password" type="password" autocomplete="current-password" required="" autofocus=""\/>/);
  });

  it('says how many minutes to wait once attempts are limited, a count of seconds only under a minute and a half', async () => {
    let page = await attempt('wrong again');
    for (let i = 0; i < 12 && page.status !== 429; i++) page = await attempt(`wrong ${i}`);
    expect(page.status).toBe(429);
    // The limit's window is fixed, so the wait left depends on when in it the test runs.
    const [, amount, unit] = /Too many sign-in attempts\. Try again in (\d+) (minutes|seconds)\./.exec(page.html) ?? [];
    expect(unit, page.html).toBeDefined();
    if (unit === 'minutes') expect(Number(amount)).toBeGreaterThanOrEqual(2);
    else expect(Number(amount)).toBeLessThan(90);
  });
});

describe('the sign-in form', () => {
  it('starts in the email field when nothing is filled in', async () => {
    const html = await (await app.request('/sign-in', { host: HOST, headers: { accept: 'text/html' } })).text();
    expect(html).toMatch(/<input id="email"[^>]* autofocus=""\/>/);
    expect(html).not.toMatch(/<input id="password"[^>]* autofocus/);
  });
});

describe('signing in in the middle of a connection', () => {
  const page = async (returnTo: string) =>
    (await app.request(`/sign-in?return_to=${encodeURIComponent(returnTo)}`, { host: HOST, headers: { accept: 'text/html' } })).text();

  it('says why before the password is asked: an app, or the command line, is asking to connect', async () => {
    expect(await page('/oauth/interaction/abc123')).toContain('An app is asking to connect to this organisation');
    expect(await page('/cli/oauth/authorize?client_id=orgonaut-cli')).toContain('The orgonaut command line is asking to connect');
    const plain = await page('/live');
    expect(plain).not.toContain('asking to connect');
  });
});

describe('the central host’s start page', () => {
  it('gives an example organisation address on this installation, not the demo’s acme.localhost', async () => {
    const production = testApp(database, { baseDomain: 'orgonaut.example' });
    const html = await (await production.request('/', { host: 'app.orgonaut.example', headers: { accept: 'text/html' } })).text();
    expect(html).toContain('open its own address, for example <code>yourcompany.orgonaut.example</code>.');
    expect(html).not.toContain('acme.localhost');
  });
});
