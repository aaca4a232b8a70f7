import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** Error pages (SPEC §8): a person who followed a bad link is told what happened and has a way on, never a dead end. */
let database: Database;
let app: TestApp;
let cookie: string;
const HOST = 'errorpages.localhost';

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await buildTenant(database, { slug: 'errorpages', plan: 'business' });
  const member = await buildMember(database, tenant, 'viewer', { password: 'correct horse battery' });
  app = testApp(database);
  cookie = await signInThroughForm(app, HOST, member.email, 'correct horse battery');
});
afterAll(() => database?.close());

const page = async (host: string, path: string, withCookie?: string) => {
  const response = await app.request(path, { host, cookie: withCookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
};

describe('a page that does not exist', () => {
  it('says so and links to the start page of the organisation, signed in or not', async () => {
    for (const who of [cookie, undefined]) {
      const { status, html } = await page(HOST, '/no/such/page', who);
      expect(status).toBe(404);
      expect(html).toContain('<h1>Not found</h1>');
      expect(html).toContain('<a href="/">Go to the start page</a>');
    }
  });

  it('links to the start page on the central host too', async () => {
    const { status, html } = await page('app.localhost', '/no/such/page');
    expect(status).toBe(404);
    expect(html).toContain('<a href="/">Go to the start page</a>');
  });

  it('offers no link on a host that serves nothing (its start page would not exist either)', async () => {
    const { status, html } = await page('nobody-here.localhost', '/');
    expect(status).toBe(404);
    expect(html).not.toContain('Go to the start page');
  });
});
