import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCliCode, issueCliCode, parseCliAuthorize } from '../../src/access/cli-sign-in.js';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { apiTokens } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { setMembership } from '../../src/access/users.js';
import { saveConsent } from '../../src/oauth/consents.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';

/** Settings → API and MCP as a person uses it: creating tokens through the form, reading the token list. */
let database: Database;
let app: TestApp;
let tenant: Tenant;
let ownerId: string;
let cookie: string;
let csrf: string;
const HOST = 'apipage.localhost';
const ORIGIN = `http://${HOST}`;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apipage', plan: 'business' });
  app = testApp(database);
  const owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  ownerId = owner.id;
  cookie = await signInThroughForm(app, HOST, owner.email, PASSWORD, '/settings/api');
  csrf = hiddenField(await (await page()).text(), 'csrf');
});
afterAll(() => database?.close());

const page = () => app.request('/settings/api', { host: HOST, cookie, headers: { accept: 'text/html' } });
/** Posts the creation form; an array is a repeated field (several ticked abilities). */
function create(form: Record<string, string | string[]>) {
  const body = new URLSearchParams({ csrf });
  for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
  return app.app.request('/settings/api/tokens', {
    method: 'POST',
    headers: { host: HOST, cookie, origin: ORIGIN, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

async function tokenCount(): Promise<number> {
  return (await database.db.select().from(apiTokens).where(eq(apiTokens.tenantId, tenant.id))).length;
}

describe('creating a token on the page', () => {
  it('refuses a lifetime that is not one of the choices — never a token that silently never expires, never a 500', async () => {
    const before = await tokenCount();
    for (const expires_in_days of ['-3', 'abc', '1e300', '']) {
      const answer = await create({ name: 'altered', abilities: 'actors.read', expires_in_days });
      expect(answer.status, expires_in_days).toBe(400);
      expect(await answer.text(), expires_in_days).toContain('Choose when the token expires.');
    }
    expect(await tokenCount()).toBe(before);
  });

  it('keeps what was entered when a creation is refused', async () => {
    const answer = await create({ name: 'Quarterly report', abilities: ['actors.read', 'no.such.ability'], expires_in_days: '90' });
    expect(answer.status).toBe(400);
    const html = await answer.text();
    expect(html).toContain('not an ability');
    expect(html).toMatch(/id="token-name"[^>]*value="Quarterly report"/);
    expect(html).toMatch(/value="actors.read" checked/);
    expect(html).not.toMatch(/value="teams.read" checked/); // the defaults are not ticked again over the person's choice
    expect(html).toMatch(/<option value="90" selected/);
  });

  it('creates a token with the chosen lifetime, then redirects to a page that shows its secret once (POST/redirect/GET)', async () => {
    const before = await tokenCount();
    const answer = await create({ name: 'Ninety days', abilities: 'actors.read', expires_in_days: '90' });
    expect(answer.status).toBe(303);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(/^\/settings\/api\?reveal=[0-9a-f-]{36}$/); // an id to take, never the secret
    expect(await answer.text()).not.toContain('orgo_pat_');
    expect(await tokenCount()).toBe(before + 1);

    const shown = await app.request(location, { host: HOST, cookie, headers: { accept: 'text/html' } });
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store'); // the page shows the secret: never cached
    const created = await shown.text();
    expect(created).toContain('Token “Ninety days” created');
    expect(created).toContain(`curl -H &quot;Authorization: Bearer &lt;token&gt;&quot; ${ORIGIN}/api/v1/me`);
    expect(created).toContain(`X-Tenant: apipage`);
    const secret = /id="new-secret" readonly="" value="(orgo_pat_[A-Za-z0-9_-]{43})"/.exec(created)?.[1];
    expect(secret, created.slice(0, 2000)).toBeDefined();
    // The secret shown is the token: it works as a bearer token.
    const me = await app.request('/api/v1/me', { host: HOST, token: secret! });
    expect(me.status).toBe(200);
    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.name, 'Ninety days'));
    const days = (row!.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);

    // Reloading the page: no secret, no second token, and a word on why.
    const reloaded = await (await app.request(location, { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    expect(reloaded).not.toContain(secret!);
    expect(reloaded).not.toContain('id="new-secret"');
    expect(reloaded).toContain('was shown once and is not shown again');
    expect(await tokenCount()).toBe(before + 1);
  });

  it('shows a held secret only to the session that created it', async () => {
    const answer = await create({ name: 'Mine only', abilities: 'actors.read', expires_in_days: '30' });
    const location = answer.headers.get('location')!;
    const other = await buildMember(database, tenant, 'owner', { password: PASSWORD });
    const otherCookie = await signInThroughForm(app, HOST, other.email, PASSWORD, '/settings/api');
    const elsewhere = await (await app.request(location, { host: HOST, cookie: otherCookie, headers: { accept: 'text/html' } })).text();
    expect(elsewhere).not.toMatch(/orgo_pat_[A-Za-z0-9_-]{43}/);
    expect(elsewhere).not.toContain('id="new-secret"');
    // …and the other session's look did not use it up: the creator still sees it, once.
    const mine = await (await app.request(location, { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    expect(mine).toMatch(/id="new-secret" readonly="" value="orgo_pat_/);
  });

  it('refuses a creation without the session’s CSRF token, creating nothing', async () => {
    const before = await tokenCount();
    const body = new URLSearchParams({ csrf: 'forged', name: 'Forged', abilities: 'actors.read', expires_in_days: '30' });
    const answer = await app.app.request('/settings/api/tokens', {
      method: 'POST',
      headers: { host: HOST, cookie, origin: ORIGIN, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('location')).toBeNull();
    expect(await tokenCount()).toBe(before);
  });
});

describe('the token list', () => {
  it('names each token’s abilities, marks expired tokens and offers no revoke for them', async () => {
    await tokenOf(database, tenant, { id: ownerId }, 'owner', { name: 'Lapsed', abilities: ['teams.read'], expiresAt: new Date(Date.now() + 50) });
    await new Promise((r) => setTimeout(r, 60));
    const html = await (await page()).text();
    const row = html.slice(html.indexOf('<td>Lapsed</td>'), html.indexOf('</tr>', html.indexOf('<td>Lapsed</td>')));
    expect(row).toContain('1 ability<');
    expect(row).toContain('teams.read');
    expect(row).toContain('expired');
    expect(row).not.toContain('Revoke');
    // One that runs out within the week is marked while there is time to replace it; a later one is not.
    for (const [name, days] of [['Nightly sync', 3], ['Quarterly', 60]] as const) {
      await tokenOf(database, tenant, { id: ownerId }, 'owner', { name, abilities: ['teams.read'], expiresAt: new Date(Date.now() + days * 86_400_000) });
    }
    const later = await (await page()).text();
    const rowOf = (name: string) => later.slice(later.indexOf(`<td>${name}</td>`), later.indexOf('</tr>', later.indexOf(`<td>${name}</td>`)));
    expect(rowOf('Nightly sync')).toContain('expires soon');
    expect(rowOf('Quarterly')).not.toContain('expires soon');
    // The owner/admin view names whose token each is under "Member", as the connected apps do — not "Owner", a role.
    const head = html.slice(html.indexOf('tokens-title'), html.indexOf('</thead>', html.indexOf('tokens-title')));
    expect(head).toContain('<th>Member</th>');
    expect(head).not.toContain('<th>Owner</th>');
  });
});

describe('a token made by CLI sign-in', () => {
  it('is listed under its name with the day it expires (90 days after signing in)', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const request = parseCliAuthorize({
      client_id: 'orgonaut-cli',
      response_type: 'code',
      redirect_uri: redirectUri,
      code_challenge_method: 'S256',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      token_name: 'Orgonaut CLI on laptop',
    });
    const code = await issueCliCode(database.db, tenant, ownerId, request);
    const issued = await exchangeCliCode(database.db, tenant, { grantType: 'authorization_code', clientId: 'orgonaut-cli', code, codeVerifier: verifier, redirectUri }, app.runtime.config.cliTokenDays);
    const html = await (await page()).text();
    const at = html.indexOf('<td>Orgonaut CLI on laptop</td>');
    expect(at).toBeGreaterThan(-1);
    const row = html.slice(at, html.indexOf('</tr>', at));
    expect(row).toContain(issued.access_token.slice(0, 13));
    expect(row).toContain(`<td>${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)}</td>`);
    expect(row).toContain('Revoke');
  });
});

describe('after a role change', () => {
  it('says which abilities of your own tokens your role no longer allows', async () => {
    const person = await buildMember(database, tenant, 'manager', { password: PASSWORD });
    await tokenOf(database, tenant, person, 'manager', { name: 'Finance export', abilities: ['costs.read', 'actors.read'] });
    await setMembership(database.db, tenant.id, person.id, 'member');
    app.runtime.authenticator.forget(); // what the members page does after a role change
    const signedIn = await signInThroughForm(app, HOST, person.email, PASSWORD, '/settings/api');
    const html = await (await app.request('/settings/api', { host: HOST, cookie: signedIn, headers: { accept: 'text/html' } })).text();
    const at = html.indexOf('<td>Finance export</td>');
    const row = html.slice(at, html.indexOf('</tr>', at));
    expect(row).toContain('Not in your role any more, so not usable: <code>costs.read</code>');
  });
});

describe('on a plan without MCP', () => {
  it('tells the owner whom to ask for the upgrade, and everyone else to ask the owner', async () => {
    const team = await buildTenant(database, { slug: 'apipageteam', plan: 'team' });
    const teamHost = 'apipageteam.localhost';
    const text = async (role: 'owner' | 'member') => {
      const person = await buildMember(database, team, role, { password: PASSWORD });
      const signedIn = await signInThroughForm(app, teamHost, person.email, PASSWORD, '/settings/api');
      const html = await (await app.request('/settings/api', { host: teamHost, cookie: signedIn, headers: { accept: 'text/html' } })).text();
      return html.slice(html.indexOf('upgrade-title'), html.indexOf('</section>', html.indexOf('upgrade-title')));
    };
    const owner = await text('owner');
    expect(owner).toContain('as its owner, ask your Orgonaut provider to upgrade it.');
    expect(owner).not.toContain('ask its owner');
    expect(await text('member')).toContain('ask its owner to upgrade.');
  });
});

describe('connected apps seen by an owner', () => {
  it('name whose app each button disconnects (two members’ “Claude” are two different buttons)', async () => {
    const first = await buildMember(database, tenant, 'member');
    const second = await buildMember(database, tenant, 'viewer');
    for (const person of [first, second]) {
      await saveConsent(database.db, tenant.id, person.id, { clientId: `claude-${person.id}`, clientName: 'Claude', clientKind: 'dynamic', scopes: ['mcp:use'], redirectHost: 'claude.ai' });
    }
    const html = await (await page()).text();
    expect(html).toContain(`aria-label="Forget Claude of ${first.email}"`);
    expect(html).toContain(`aria-label="Forget Claude of ${second.email}"`);
  });
});
