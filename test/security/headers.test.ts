import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { User } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';
import { loopbackFetch, startOAuthServer, tenantWithMember, type OAuthServer } from '../oauth/support.js';

/**
 * What a penetration tester looks at first: the headers of every kind of answer (pages, API, errors, redirects), and
 * the cookies on a public https deployment. See docs/ARCHITECTURE.md → Web security rules.
 */
let database: Database;
let tenant: Tenant;
let owner: User;
let http: TestApp;
let https: TestApp;
let cookie: string;
let token: string;
const HOST = 'sechead.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'sechead', plan: 'enterprise' });
  owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  token = await tokenOf(database, tenant, owner, 'owner');
  http = testApp(database);
  https = testApp(database, { publicScheme: 'https' });
  cookie = await signInThroughForm(http, HOST, owner.email, PASSWORD);
});
afterAll(() => database?.close());

const html = { accept: 'text/html' };

/** One answer of each kind a browser or client meets. */
async function answers(app: TestApp, signedIn: string) {
  return {
    'sign-in page': await app.request('/sign-in', { host: HOST, headers: html }),
    'sign-in page with hostile parameters': await app.request(`/sign-in?email=${encodeURIComponent('"><script>alert(1)</script>')}&return_to=${encodeURIComponent('/live"><script>alert(2)</script>')}`, { host: HOST, headers: html }),
    'API reference page': await app.request('/docs/api', { host: HOST, headers: html }),
    'Live page': await app.request('/live', { host: HOST, cookie: signedIn, headers: html }),
    'API settings page': await app.request('/settings/api', { host: HOST, cookie: signedIn, headers: html }),
    'members page': await app.request('/settings/members', { host: HOST, cookie: signedIn, headers: html }),
    'account page': await app.request('/account', { host: HOST, cookie: signedIn, headers: html }),
    'page not found': await app.request('/no-such-page', { host: HOST, headers: html }),
    'redirect to sign-in': await app.request('/live', { host: HOST, headers: html }),
    'CLI sign-in error page': await app.request('/cli/oauth/authorize?client_id=nope', { host: HOST, cookie: signedIn, headers: html }),
    'API answer': await app.request('/api/v1/me', { host: HOST, token }),
    'API problem': await app.request('/api/v1/me', { host: HOST }),
  };
}

describe('response headers', () => {
  it('every page, API answer, error and redirect forbids framing, sniffing, inline script and cross-site referrers', async () => {
    for (const [what, response] of Object.entries(await answers(http, cookie))) {
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
      expect(directives.get('default-src'), what).toBe("'self'");
      expect(directives.get('script-src'), what).toBe("'self'");
      expect(directives.get('style-src'), what).toBe("'self'");
      expect(directives.get('frame-ancestors'), what).toBe("'none'");
      expect(directives.get('object-src'), what).toBe("'none'");
      expect(directives.get('base-uri'), what).toBe("'none'");
      expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval|\*|https:|data:.*script/);
      expect(response.headers.get('x-frame-options'), what).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), what).toBe('same-origin');
    }
  });

  it('pages carry no inline script or style, so the strict policy costs nothing', async () => {
    for (const [what, response] of Object.entries(await answers(http, cookie))) {
      if (!(response.headers.get('content-type') ?? '').includes('text/html')) continue;
      const page = await response.text();
      expect(page, what).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(page, what).not.toMatch(/<style[\s>]|\sstyle="|\son[a-z]+="/);
    }
  });

  it('pages, errors and redirects are never stored by a browser or proxy; only what says so may be cached', async () => {
    const all = await answers(http, cookie);
    for (const [what, response] of Object.entries(all)) {
      if (what === 'API answer') continue;
      expect(response.headers.get('cache-control'), what).toBe('no-store');
    }
    // The signed-in pages really were pages of the signed-in owner (not a redirect that would prove nothing).
    expect(all['Live page'].status).toBe(200);
    expect(all['account page'].status).toBe(200);
    // Authenticated API answers (names, pay) are not stored either; their ETag still lets a client revalidate its copy.
    expect(all['API answer'].headers.get('cache-control')).toBe('private, no-store');
    expect(all['API answer'].headers.get('etag')).toMatch(/^W\//);
    // Assets say they may be cached.
    const asset = await http.request('/static/app.js', { host: HOST });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('HSTS is sent when the public address is https, and not over plain http', async () => {
    for (const response of Object.values(await answers(https, ''))) {
      expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=(\d+); includeSubDomains$/);
      expect(Number(/max-age=(\d+)/.exec(response.headers.get('strict-transport-security')!)![1])).toBeGreaterThanOrEqual(31_536_000);
    }
    for (const response of Object.values(await answers(http, cookie))) expect(response.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('cookies on https', () => {
  const ORIGIN = `https://${HOST}`;

  it('the sign-in form and the session use __Host- cookies: Secure, HttpOnly, SameSite, Path=/ and no Domain', async () => {
    const page = await https.request('/sign-in', { host: HOST, headers: html });
    const form = page.headers.getSetCookie();
    expect(form).toHaveLength(1);
    expect(form[0]).toMatch(/^__Host-orgonaut_form=[\w-]{32}; /);
    for (const attribute of [/; Secure/, /; HttpOnly/, /; SameSite=Strict/, /; Path=\/(;|$)/]) expect(form[0]).toMatch(attribute);
    expect(form[0]).not.toMatch(/Domain=/i);

    const jar = cookiesOf(page);
    const signedIn = await https.request('/sign-in', {
      host: HOST,
      cookie: jar,
      headers: { origin: ORIGIN },
      form: { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/live', email: owner.email, password: PASSWORD },
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('__Host-orgonaut_session='));
    expect(session).toBeDefined();
    for (const attribute of [/; Secure/, /; HttpOnly/, /; SameSite=Lax/, /; Path=\/(;|$)/]) expect(session).toMatch(attribute);
    expect(session).not.toMatch(/Domain=/i);
    const live = await https.request('/live', { host: HOST, cookie: cookiesOf(signedIn, jar), headers: html });
    expect(live.status).toBe(200);
  });

  it('a form cookie without the __Host- prefix (planted from a sibling subdomain or over http) is no CSRF token', async () => {
    const planted = 'planted-by-a-sibling-host-0123456789';
    const response = await https.request('/sign-in', {
      host: HOST,
      cookie: `orgonaut_form=${planted}`,
      headers: { origin: ORIGIN, accept: 'text/html' },
      form: { csrf: planted, return_to: '/', email: owner.email, password: PASSWORD },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This page had expired');
    expect(response.headers.getSetCookie().some((c) => c.includes('orgonaut_session='))).toBe(false);
  });
});

describe('answers of the OAuth provider itself (error pages, token endpoint)', () => {
  const servers: OAuthServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('carry the same protections, and HSTS when the public address is https', async () => {
    for (const scheme of ['https', 'http'] as const) {
      const server = await startOAuthServer({ config: { publicScheme: scheme } });
      servers.push(server);
      const { origin } = await tenantWithMember(server, 'enterprise');
      const errorPage = await loopbackFetch(`${origin}/oauth/authorize?client_id=nope&response_type=code&redirect_uri=https://app.example/cb`);
      const token = await loopbackFetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x' });
      for (const [what, response] of [['error page', errorPage], ['token endpoint', token]] as const) {
        expect(response.status, what).toBeGreaterThanOrEqual(400);
        expect(response.headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
        expect(response.headers.get('x-frame-options'), what).toBe('DENY');
        expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
        expect(response.headers.get('cache-control'), what).toBe('no-store');
        if (scheme === 'https') expect(response.headers.get('strict-transport-security'), what).toBe('max-age=31536000; includeSubDomains');
        else expect(response.headers.get('strict-transport-security'), what).toBeNull();
      }
    }
  });
});
