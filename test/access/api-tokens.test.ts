import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { apiTokens, auditEvents } from '../../src/db/schema/index.js';
import { hashSecret } from '../../src/access/api-tokens.js';
import type { Role } from '../../src/access/bundles.js';
import { setMembership } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

let database: Database;
let acme: Tenant;
let globex: Tenant;
let app: TestApp;
let ownerToken: string;
let viewerId: string;
let ownerId: string;
const ACME = 'tokacme.localhost';

const tokenFor = (tenant: Tenant, userId: string, role: Role, abilities: string[], expiresAt?: Date) => tokenOf(database, tenant, { id: userId }, role, { name: 'test', abilities, expiresAt });

beforeAll(async () => {
  database = await testDatabase();
  acme = await buildTenant(database, { slug: 'tokacme', plan: 'business' });
  globex = await buildTenant(database, { slug: 'tokglobex', plan: 'team' });
  app = testApp(database);
  const owner = await buildMember(database, acme, 'owner');
  viewerId = (await buildMember(database, acme, 'viewer')).id;
  ownerToken = await tokenFor(acme, owner.id, 'owner', ['api-tokens.create', 'members.manage', 'org-units.read', 'mcp.access']);
  ownerId = owner.id;
});
afterAll(() => database?.close());

describe('personal API tokens over REST', () => {
  it('creates a token whose secret is shown once and stored only as a hash', async () => {
    const created = await app.request('/api/v1/tokens', {
      host: ACME,
      token: ownerToken,
      json: { name: 'Reporting', abilities: ['org-units.read', 'legacymcp'] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const body = (await created.json()) as { data: { id: string; prefix: string; abilities: string[] }; secret: string };
    expect(body.secret).toMatch(/^orgo_pat_[A-Za-z0-9_-]{43}$/);
    expect(body.secret.startsWith(body.data.prefix)).toBe(true);
    expect(body.data.abilities).toEqual(['mcp.access', 'org-units.read']);
    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, body.data.id));
    expect(row!.secretHash).toBe(hashSecret(body.secret));
    expect(JSON.stringify(row)).not.toContain(body.secret);

    const listed = (await (await app.request('/api/v1/tokens', { host: ACME, token: ownerToken })).json()) as { data: object[] };
    expect(JSON.stringify(listed)).not.toContain(body.secret);

    const me = await app.request('/api/v1/me', { host: ACME, token: body.secret });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { data: { abilities: string[] } }).data.abilities).toEqual(['mcp.access', 'org-units.read']);
    const [used] = await database.db.select().from(apiTokens).where(eq(apiTokens.id, body.data.id));
    expect(used!.lastUsedAt).not.toBeNull();
    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.entityId, body.data.id));
    expect(events.map((e) => e.action).sort()).toEqual(['created', 'used_first']);
    // The first use names its token, as its creation and revocation do (the security log and MCP read the name).
    expect(events.find((e) => e.action === 'used_first')!.metadata).toMatchObject({ name: 'Reporting' });
  });

  it('refuses abilities outside the creator’s role, naming them', async () => {
    const viewerToken = await tokenFor(acme, viewerId, 'viewer', ['api-tokens.create']);
    const response = await app.request('/api/v1/tokens', { host: ACME, token: viewerToken, json: { name: 'x', abilities: ['costs.read'] } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_input', field: 'abilities', detail: expect.stringContaining('costs.read') });
    const unknown = await app.request('/api/v1/tokens', { host: ACME, token: ownerToken, json: { name: 'x', abilities: ['root'] } });
    expect(unknown.status).toBe(400);
  });

  it('says it is the plan, not the role, that withholds an ability', async () => {
    const owner = await buildMember(database, globex, 'owner');
    const token = await tokenFor(globex, owner.id, 'owner', ['api-tokens.create']);
    const response = await app.request('/api/v1/tokens', { host: 'tokglobex.localhost', token, json: { name: 'mcp', abilities: ['mcp.access'] } });
    expect(response.status).toBe(400);
    const detail = ((await response.json()) as { detail: string }).detail;
    expect(detail).toContain('the team plan does not include "mcp.access"');
    expect(detail).not.toContain('your role');
  });

  it('never lets a token create a wider token: no ability and no lifetime beyond its own', async () => {
    const narrow = await tokenFor(acme, ownerId, 'owner', ['api-tokens.create', 'actors.read']);
    const before = (await database.db.select().from(apiTokens)).length;
    const wider = await app.request('/api/v1/tokens', { host: ACME, token: narrow, json: { name: 'wider', abilities: ['actors.read', 'costs.read'] } });
    expect(wider.status).toBe(400);
    expect(await wider.json()).toMatchObject({ field: 'abilities', detail: expect.stringContaining('the token you are using does not include "costs.read"') });
    const same = await app.request('/api/v1/tokens', { host: ACME, token: narrow, json: { name: 'same', abilities: ['actors.read'] } });
    expect(same.status).toBe(201);

    const inAWeek = new Date(Date.now() + 7 * 86_400_000);
    const expiring = await tokenFor(acme, ownerId, 'owner', ['api-tokens.create', 'actors.read'], inAWeek);
    for (const json of [{ name: 'forever', abilities: ['actors.read'] }, { name: 'later', abilities: ['actors.read'], expires_at: new Date(inAWeek.getTime() + 86_400_000).toISOString() }]) {
      const refused = await app.request('/api/v1/tokens', { host: ACME, token: expiring, json });
      expect(refused.status, json.name).toBe(400);
      expect(await refused.json()).toMatchObject({ field: 'expires_at' });
    }
    const sooner = await app.request('/api/v1/tokens', { host: ACME, token: expiring, json: { name: 'sooner', abilities: ['actors.read'], expires_at: new Date(Date.now() + 86_400_000).toISOString() } });
    expect(sooner.status).toBe(201);
    expect((await database.db.select().from(apiTokens)).length).toBe(before + 3); // same, the expiring token itself, sooner
  });

  it('rejects malformed bodies with a problem naming the field, creating nothing', async () => {
    const before = (await database.db.select().from(apiTokens)).length;
    for (const json of [{ abilities: ['org-units.read'] }, { name: 'x', abilities: [] }, { name: 'x', abilities: ['org-units.read'], expires_at: 'soon' }, { name: 'x', abilities: ['org-units.read'], extra: 1 }]) {
      const response = await app.request('/api/v1/tokens', { host: ACME, token: ownerToken, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const past = await app.request('/api/v1/tokens', { host: ACME, token: ownerToken, json: { name: 'x', abilities: ['org-units.read'], expires_at: '2020-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    expect((await database.db.select().from(apiTokens)).length).toBe(before);
  });

  it('revokes a token, after which it is refused at once, even right after it was used', async () => {
    const created = (await (await app.request('/api/v1/tokens', { host: ACME, token: ownerToken, json: { name: 'short', abilities: ['org-units.read'] } })).json()) as {
      data: { id: string };
      secret: string;
    };
    expect((await app.request('/api/v1/me', { host: ACME, token: created.secret })).status).toBe(200);
    const revoked = await app.request(`/api/v1/tokens/${created.data.id}`, { host: ACME, token: ownerToken, method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const refused = await app.request('/api/v1/me', { host: ACME, token: created.secret });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ detail: 'This API token has been revoked.' });
  });

  it('a token without api-tokens.create (a read-only one leaked from a CI job) revokes only itself, not its owner’s other tokens', async () => {
    const make = async (name: string, abilities: string[]) =>
      (await (await app.request('/api/v1/tokens', { host: ACME, token: ownerToken, json: { name, abilities } })).json()) as { data: { id: string }; secret: string };
    const readOnly = await make('ci reads', ['org-units.read']);
    const deploy = await make('deploy', ['org-units.read', 'mcp.access']);
    const refused = await app.request(`/api/v1/tokens/${deploy.data.id}`, { host: ACME, token: readOnly.secret, method: 'DELETE' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ ability: 'api-tokens.create' });
    expect((await app.request('/api/v1/me', { host: ACME, token: deploy.secret })).status).toBe(200);
    // Ending itself needs nothing (a CLI signing out with the token it was given).
    expect((await app.request(`/api/v1/tokens/${readOnly.data.id}`, { host: ACME, token: readOnly.secret, method: 'DELETE' })).status).toBe(200);
    expect((await app.request('/api/v1/me', { host: ACME, token: readOnly.secret })).status).toBe(401);
  });

  it('lets a member revoke only their own tokens; owners and admins any', async () => {
    const member = await buildMember(database, acme, 'member');
    const memberToken = await tokenFor(acme, member.id, 'member', ['api-tokens.create']);
    const ownersOther = (await (await app.request('/api/v1/tokens', { host: ACME, token: ownerToken, json: { name: 'o', abilities: ['org-units.read'] } })).json()) as { data: { id: string } };
    expect((await app.request(`/api/v1/tokens/${ownersOther.data.id}`, { host: ACME, token: memberToken, method: 'DELETE' })).status).toBe(404);
    const all = await app.request('/api/v1/tokens?all=true', { host: ACME, token: memberToken });
    expect(all.status).toBe(403);
    expect(await all.json()).toMatchObject({ ability: 'members.manage' });
  });
});

describe('bearer token rules (SPEC §1, §4.1)', () => {
  it('answers 401 with a reason for a missing, malformed, expired, revoked or foreign token', async () => {
    const member = await buildMember(database, globex, 'owner');
    const globexToken = await tokenFor(globex, member.id, 'owner', ['org-units.read']);
    const expired = await tokenFor(acme, viewerId, 'viewer', ['org-units.read'], new Date(Date.now() + 50));
    await new Promise((r) => setTimeout(r, 60));
    const cases: [string | undefined, string][] = [
      [undefined, 'send a personal API token'],
      ['orgo_pat_' + 'x'.repeat(43), 'not valid'],
      [globexToken, 'another tenant'],
      [expired, 'expired'],
      ['eyJhbGciOi.oauth.token', 'OAuth access tokens are for the MCP server only'],
      ['nope', 'This is not a personal API token (they start with orgo_pat_'],
    ];
    for (const [token, reason] of cases) {
      const response = await app.request('/api/v1/me', { host: ACME, token });
      expect(response.status, reason).toBe(401);
      // RFC 6750 §3.1: no error code when no credential was sent, invalid_token when one was refused.
      expect(response.headers.get('www-authenticate'), reason).toBe(token ? 'Bearer realm="orgonaut", error="invalid_token"' : 'Bearer realm="orgonaut"');
      expect(((await response.json()) as { detail: string }).detail).toContain(reason);
    }
  });

  it('needs X-Tenant on the central host, and it must match the token', async () => {
    expect((await app.request('/api/v1/me', { host: 'app.localhost', token: ownerToken })).status).toBe(401);
    const ok = await app.request('/api/v1/me', { host: 'app.localhost', token: ownerToken, headers: { 'x-tenant': 'tokacme' } });
    expect(ok.status).toBe(200);
    const wrong = await app.request('/api/v1/me', { host: 'app.localhost', token: ownerToken, headers: { 'x-tenant': 'tokglobex' } });
    expect(wrong.status).toBe(401);
    const unknown = await app.request('/api/v1/me', { host: 'app.localhost', token: ownerToken, headers: { 'x-tenant': 'nope' } });
    expect(unknown.status).toBe(404);
  });

  it('refuses a member whose membership was archived', async () => {
    const leaver = await buildMember(database, acme, 'member');
    const token = await tokenFor(acme, leaver.id, 'member', ['org-units.read']);
    expect((await app.request('/api/v1/me', { host: ACME, token })).status).toBe(200);
    await setMembership(database.db, acme.id, leaver.id, 'member');
    await database.db.execute(`update memberships set status = 'archived' where user_id = '${leaver.id}'` as never);
    app.runtime.authenticator.forget();
    expect((await app.request('/api/v1/me', { host: ACME, token })).status).toBe(401);
  });
});
