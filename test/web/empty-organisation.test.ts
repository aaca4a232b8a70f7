import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * A new organisation, with nothing in Live yet (SPEC §8): its Organisation and People pages say where the people and
 * units come from — links to Imports and the HRIS settings for those who may use them, whom to ask for the others —
 * instead of only "no org units".
 */
let database: Database;
let app: TestApp;
let owner: string;
let viewer: string;
const HOST = 'emptyorg.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await buildTenant(database, { slug: 'emptyorg', plan: 'business' });
  app = testApp(database);
  const [o, v] = [await buildMember(database, tenant, 'owner', { password: PASSWORD }), await buildMember(database, tenant, 'viewer', { password: PASSWORD })];
  owner = await signInThroughForm(app, HOST, o.email, PASSWORD);
  viewer = await signInThroughForm(app, HOST, v.email, PASSWORD);
});
afterAll(() => database?.close());

const text = async (path: string, cookie: string) => {
  const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
  expect(response.status, path).toBe(200);
  return (await response.text()).replace(/\s+/g, ' ');
};

describe('an organisation with nothing in Live yet', () => {
  it('shows an owner where to start, on the Organisation and the People page', async () => {
    for (const path of ['/live', '/live/matrix']) {
      const html = await text(path, owner);
      expect(html, path).toContain('Bring your organisation in: <a href="/imports">import a CSV file or an HR export</a>, or <a href="/settings/integrations/hris">connect your HRIS</a>.');
    }
  });

  it('tells a viewer, who can do neither, who brings it in', async () => {
    for (const path of ['/live', '/live/matrix']) {
      const html = await text(path, viewer);
      expect(html, path).toContain('An owner or admin brings the organisation in with an import');
      expect(html, path).not.toContain('href="/imports">import');
    }
  });

  it('says nothing of the kind about a day before the organisation began, or a filter that matches nobody', async () => {
    expect(await text('/live?as_of=2001-01-01', owner)).not.toContain('Bring your organisation in');
    expect(await text('/live/matrix?q=nobody', owner)).not.toContain('Bring your organisation in');
  });
});
