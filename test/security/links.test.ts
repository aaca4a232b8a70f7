import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { redirectDisplayHost } from '../../src/oauth/redirect-policy.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** Links the app hands out, and the hosts it shows: never from a header the client alone controls. */
let database: Database;
let tenant: Tenant;
let app: TestApp;
let cookie: string;
const HOST = 'seclinks.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'seclinks', plan: 'business' });
  app = testApp(database);
  const owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  cookie = await signInThroughForm(app, HOST, owner.email, PASSWORD);
});
afterAll(() => database?.close());

describe('invitation links', () => {
  it('name the host the owner is on, whatever X-Forwarded-Host says when no proxy is trusted', async () => {
    const page = await app.request('/settings/members', { host: HOST, cookie, headers: { accept: 'text/html' } });
    const invited = await app.request('/settings/members/invite', {
      host: HOST,
      cookie,
      headers: { origin: `http://${HOST}`, accept: 'text/html', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      form: { csrf: hiddenField(await page.text(), 'csrf'), email: 'newcomer@example.test', role: 'viewer' },
    });
    expect(invited.status).toBe(200);
    const html = await invited.text();
    expect(html).toMatch(new RegExp(`http://${HOST.replace('.', '\\.')}/invitations/[\\w-]{43}`));
    expect(html).not.toContain('evil.example');
  });

  it('behind a trusted proxy, a forwarded host that is none of ours is refused, not used for links', async () => {
    const proxied = testApp(database, { trustProxy: true, proxyHops: 1 });
    const response = await proxied.request('/settings/members', { host: HOST, cookie, headers: { accept: 'text/html', 'x-forwarded-host': 'evil.example' } });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('evil.example/invitations');
  });
});

describe('the consent screen’s redirect host', () => {
  it('shows a look-alike host in its punycode form, not as the name it imitates', () => {
    const lookalike = 'https://cl\u0430ude.ai/api/mcp/auth_callback'; // a Cyrillic "а"
    expect(redirectDisplayHost(lookalike)).toBe('xn--clude-5ve.ai');
    expect(redirectDisplayHost('https://claude.ai.evil.example/cb')).toBe('claude.ai.evil.example');
  });
});
