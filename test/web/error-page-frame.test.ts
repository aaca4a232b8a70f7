import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * A signed-in member who mistypes an address keeps the organisation's frame — its name, the navigation, their name
 * and Sign out — around the "Not found" page, as on every other page of theirs; someone signed out, or signed in to
 * another organisation, gets the plain page and learns nothing about this one.
 */
let database: Database;
let app: TestApp;
let cookie: string;
let otherCookie: string;
const HOST = 'errorframe.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  const tenant = await buildTenant(database, { slug: 'errorframe', name: 'Frame Works', plan: 'business' });
  const other = await buildTenant(database, { slug: 'errorother', name: 'Other Org', plan: 'business' });
  cookie = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email, PASSWORD);
  otherCookie = await signInThroughForm(app, 'errorother.localhost', (await buildMember(database, other, 'owner', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

const page = async (path: string, withCookie?: string) => {
  const response = await app.request(path, { host: HOST, cookie: withCookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
};

describe('a page that does not exist, for a signed-in member', () => {
  it('keeps the navigation, the organisation and Sign out, at any address', async () => {
    for (const path of ['/no/such/page', '/settings/no-such-page', '/account/nothing']) {
      const { status, html } = await page(path, cookie);
      expect(status, path).toBe(404);
      expect(html).toContain('<h1>Not found</h1>');
      expect(html).toContain('<nav aria-label="Main" class="mainnav">');
      expect(html).toContain('<a href="/live">Organisation</a>');
      expect(html).toContain('action="/sign-out"');
      expect(pageText(html)).toContain('Frame Works');
      expect(html).toContain('<a href="/">Go to the start page</a>');
    }
  });
});

describe('the same address, for anyone else', () => {
  it('is the plain page, signed out or signed in to another organisation', async () => {
    for (const who of [undefined, otherCookie, `${otherCookie.replace(/orgonaut_session=[^;]*/, 'orgonaut_session=forged')}`]) {
      const { status, html } = await page('/no/such/page', who);
      expect(status).toBe(404);
      expect(html).toContain('<h1>Not found</h1>');
      expect(html).not.toContain('mainnav');
      expect(html).not.toContain('Frame Works');
      expect(html).not.toContain('Other Org');
    }
  });
});
