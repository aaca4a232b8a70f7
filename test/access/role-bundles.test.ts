import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, roleBundles } from '../../src/db/schema/index.js';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import { issueApiToken } from '../../src/access/api-tokens.js';
import { AUTH_CACHE_MS } from '../../src/access/authenticator.js';
import { DEFAULT_BUNDLES, ROLES, type Role } from '../../src/access/bundles.js';
import { resetRoleBundle } from '../../src/access/role-bundles.js';
import { runAdminCommand } from '../../src/admin/commands.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

/**
 * A tenant adjusts its role bundles (SPEC §3): over REST (and so the same service Settings → Members and the
 * operator's command line use). Narrowing a role narrows its members' sessions, existing tokens and apps at once;
 * the owner role and the owner-only abilities are fixed; nobody escalates themselves; every change is audited.
 */

let database: Database;
let acme: Tenant;
let other: Tenant;
let app: TestApp;
const HOST = 'rbacme.localhost';
const OTHER = 'rbother.localhost';
let ownerToken: string;
let adminToken: string;
let member: { id: string };
let memberTokenSecret: string;
let viewer: { id: string };
let viewerToken: string;
let otherMemberToken: string;

const without = (role: Role, ...abilities: string[]) => DEFAULT_BUNDLES[role].filter((a) => !abilities.includes(a));

async function call(path: string, token: string, options: { method?: string; json?: unknown; host?: string } = {}) {
  const response = await app.request(path, { host: options.host ?? HOST, token, method: options.method, json: options.json });
  return { status: response.status, body: (await response.json()) as any, type: response.headers.get('content-type') };
}
const put = (role: string, abilities: readonly string[], token = ownerToken) => call(`/api/v1/roles/${role}`, token, { method: 'PUT', json: { abilities } });
const createScenario = (token: string, host = HOST) => call('/api/v1/scenarios', token, { method: 'POST', json: { name: `S ${Math.random()}` }, host });
/** A role's stored bundle, sorted (compare with `sorted(...)`). */
const bundleOf = async (tenant: Tenant, role: Role) =>
  sorted((await database.db.select().from(roleBundles).where(and(eq(roleBundles.tenantId, tenant.id), eq(roleBundles.role, role))))[0]!.abilities);
const sorted = (abilities: readonly string[]) => [...abilities].sort();

beforeAll(async () => {
  database = await testDatabase();
  acme = await buildTenant(database, { slug: 'rbacme', plan: 'business' });
  other = await buildTenant(database, { slug: 'rbother', plan: 'business' });
  app = testApp(database);
  const owner = await buildMember(database, acme, 'owner');
  ownerToken = await tokenOf(database, acme, owner, 'owner');
  const admin = await buildMember(database, acme, 'admin');
  adminToken = await tokenOf(database, acme, admin, 'admin');
  member = await buildMember(database, acme, 'member');
  memberTokenSecret = await tokenOf(database, acme, member, 'member');
  viewer = await buildMember(database, acme, 'viewer');
  viewerToken = await tokenOf(database, acme, viewer, 'viewer');
  const theirMember = await buildMember(database, other, 'member');
  otherMemberToken = await tokenOf(database, other, theirMember, 'member');
});
afterAll(() => database?.close());

beforeEach(async () => {
  for (const role of ['admin', 'manager', 'member', 'viewer'] as const) await resetRoleBundle(database.db, acme, role, { principal: null });
});

describe('GET /api/v1/roles', () => {
  it('lists every role with its abilities and whether it is the default', async () => {
    const { status, body } = await call('/api/v1/roles', ownerToken);
    expect(status).toBe(200);
    expect(body.data.map((b: any) => b.role)).toEqual([...ROLES]);
    for (const b of body.data) {
      expect(b.default, b.role).toBe(true);
      expect([...b.abilities].sort(), b.role).toEqual([...DEFAULT_BUNDLES[b.role as Role]].sort());
    }
    expect(body.data.map((b: any) => [b.role, b.editable])).toEqual([
      ['owner', false],
      ['admin', true],
      ['manager', true],
      ['member', true],
      ['viewer', true],
    ]);
    const admin = await call('/api/v1/roles', adminToken);
    expect(admin.body.data.filter((b: any) => b.editable).map((b: any) => b.role)).toEqual(['manager', 'member', 'viewer']);
  });

  it('is refused to a member without members.manage, naming it', async () => {
    const { status, body, type } = await call('/api/v1/roles', memberTokenSecret);
    expect(status).toBe(403);
    expect(type).toContain('application/problem+json');
    expect(body).toMatchObject({ code: 'missing_ability', ability: 'members.manage' });
    const refused = await put('viewer', [...DEFAULT_BUNDLES.viewer, 'scenarios.write'], memberTokenSecret);
    expect(refused.status).toBe(403);
    expect(refused.body.ability).toBe('members.manage');
    expect(await bundleOf(acme, 'viewer')).toEqual(sorted(DEFAULT_BUNDLES.viewer));
  });
});

describe('narrowing and widening a role', () => {
  it('takes scenarios.write from the member role: their existing token is refused naming it, their session loses it', async () => {
    expect((await createScenario(memberTokenSecret)).status).toBe(201);
    const changed = await put('member', without('member', 'scenarios.write'));
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ changed: true, added: [], removed: ['scenarios.write'], data: { role: 'member', default: false, removed: ['scenarios.write'] } });
    const refused = await createScenario(memberTokenSecret);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'missing_ability', ability: 'scenarios.write', detail: expect.stringContaining('scenarios.write') });
    const session = await app.runtime.authenticator.fromSession(acme, member.id);
    expect(session.abilities.has('scenarios.write')).toBe(false);
    expect(session.abilities.has('scenarios.read')).toBe(true);
    // The listing marks the difference from the default.
    const listed = (await call('/api/v1/roles', ownerToken)).body.data.find((b: any) => b.role === 'member');
    expect(listed).toMatchObject({ default: false, added: [], removed: ['scenarios.write'] });
  });

  it('is seen by another instance within the cache window (a change written elsewhere)', async () => {
    const elsewhere = testApp(database);
    const req = () => elsewhere.request('/api/v1/scenarios', { host: HOST, token: memberTokenSecret, json: { name: `E ${Math.random()}` } });
    expect((await req()).status).toBe(201);
    // Another instance's write: no forget() in this process, only the cache's lifetime.
    await database.db
      .update(roleBundles)
      .set({ abilities: without('member', 'scenarios.write') })
      .where(and(eq(roleBundles.tenantId, acme.id), eq(roleBundles.role, 'member')));
    await new Promise((resolve) => setTimeout(resolve, AUTH_CACHE_MS + 150));
    const refused = await req();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).ability).toBe('scenarios.write');
  });

  it('gives the viewer role scenarios.write: a viewer can then create a scenario; an existing viewer token never widens', async () => {
    expect((await createScenario(viewerToken)).body.ability).toBe('scenarios.write');
    const changed = await put('viewer', [...DEFAULT_BUNDLES.viewer, 'scenarios.write']);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ added: ['scenarios.write'], removed: [], data: { default: false } });
    const session = await app.runtime.authenticator.fromSession(acme, viewer.id);
    expect(session.abilities.has('scenarios.write')).toBe(true);
    // A token made with the viewer's old abilities keeps its own list.
    expect((await createScenario(viewerToken)).status).toBe(403);
    const { secret } = await issueApiToken(database.db, { tenantId: acme.id, userId: viewer.id, roleAbilities: session.roleAbilities, name: 'new', abilities: ['scenarios.read', 'scenarios.write'] });
    expect((await createScenario(secret)).status).toBe(201);
  });

  it('leaves another tenant’s bundles alone', async () => {
    await put('member', without('member', 'scenarios.write', 'ai.scenarios.draft'));
    expect(await bundleOf(other, 'member')).toEqual(sorted(DEFAULT_BUNDLES.member));
    expect((await createScenario(otherMemberToken, OTHER)).status).toBe(201);
  });
});

describe('refusals change nothing', () => {
  it('refuses the owner role, explaining why', async () => {
    const { status, body } = await put('owner', ['org-units.read']);
    expect(status).toBe(409);
    expect(body.detail).toContain('The owner role is fixed');
    expect(body.fix).toBeTruthy();
    expect(await bundleOf(acme, 'owner')).toEqual(sorted(DEFAULT_BUNDLES.owner));
    expect((await call('/api/v1/roles/owner/reset', ownerToken, { method: 'POST' })).status).toBe(409);
  });

  it('refuses the owner-only abilities and unknown ones, naming them', async () => {
    for (const ability of ['billing.manage', 'ownership.transfer']) {
      const { status, body } = await put('admin', [...DEFAULT_BUNDLES.admin, ability]);
      expect(status, ability).toBe(400);
      expect(body).toMatchObject({ code: 'invalid_input', field: 'abilities' });
      expect(body.detail).toContain(ability);
      expect(body.detail).toContain('owner');
    }
    const unknown = await put('viewer', ['org-units.read', 'teleport']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('"teleport"');
    expect((await put('nobody', ['org-units.read'])).status).toBe(404);
    expect(await bundleOf(acme, 'admin')).toEqual(sorted(DEFAULT_BUNDLES.admin));
    expect(await bundleOf(acme, 'viewer')).toEqual(sorted(DEFAULT_BUNDLES.viewer));
  });

  it('lets an admin edit the roles below theirs, but not the admin role, nor grant what they lack', async () => {
    expect((await put('manager', without('manager', 'snapshots.restore'), adminToken)).status).toBe(200);
    const own = await put('admin', without('admin', 'settings.manage'), adminToken);
    expect(own.status).toBe(403);
    expect(own.body.detail).toContain('your own role');
    // The owner takes integrations.manage from admins; an admin then cannot hand it to managers.
    expect((await put('admin', without('admin', 'integrations.manage'))).status).toBe(200);
    const grant = await put('manager', [...DEFAULT_BUNDLES.manager, 'integrations.manage'], adminToken);
    expect(grant.status).toBe(403);
    expect(grant.body).toMatchObject({ ability: 'integrations.manage' });
    expect(grant.body.detail).toContain('only grant abilities you hold');
    expect(await bundleOf(acme, 'manager')).toEqual(sorted(without('manager', 'snapshots.restore')));
    // A token narrower than its role grants no more than the token holds.
    const narrow = await tokenOf(database, acme, await buildMember(database, acme, 'owner', {}), 'owner', { abilities: ['members.manage'] });
    const viaToken = await put('viewer', [...DEFAULT_BUNDLES.viewer, 'costs.read'], narrow);
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.ability).toBe('costs.read');
  });
});

describe('reset and audit', () => {
  it('resets a role to the default and records each change with the abilities before and after', async () => {
    await put('manager', without('manager', 'costs.read', 'imports.manage'));
    const reset = await call('/api/v1/roles/manager/reset', ownerToken, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ changed: true, added: ['costs.read', 'imports.manage'], data: { default: true, added: [], removed: [] } });
    expect(await bundleOf(acme, 'manager')).toEqual(sorted(DEFAULT_BUNDLES.manager));
    const again = await call('/api/v1/roles/manager/reset', ownerToken, { method: 'POST' });
    expect(again.body.changed).toBe(false);
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme.id), eq(auditEvents.entityType, 'role_bundle'), eq(auditEvents.entityId, 'manager')));
    const changed = events.find((e) => e.action === 'changed' && (e.metadata as any).removed?.includes('imports.manage'))!;
    expect(changed).toMatchObject({ category: 'security', principalKind: 'api_token' });
    expect((changed.before as any).abilities).toContain('imports.manage');
    expect((changed.after as any).abilities).not.toContain('imports.manage');
    const resetEvent = events.filter((e) => e.action === 'reset' && (e.metadata as any).added?.includes('imports.manage'));
    expect(resetEvent.length).toBeGreaterThan(0);
  });

  it('lets the operator edit any role but the owner’s, audited as the admin channel', async () => {
    const set = await runAdminCommand(database, { name: 'roles.set', tenant: 'rbacme', role: 'admin', abilities: without('admin', 'settings.manage') });
    expect(set.message).toContain('removed settings.manage');
    const listed = await runAdminCommand(database, { name: 'roles.list', tenant: 'rbacme' });
    expect(listed.message).toMatch(/admin\s+customised/);
    await expect(runAdminCommand(database, { name: 'roles.set', tenant: 'rbacme', role: 'owner', abilities: ['org-units.read'] })).rejects.toThrow(/owner role is fixed/);
    const reset = await runAdminCommand(database, { name: 'roles.reset', tenant: 'rbacme', role: 'admin' });
    expect(reset.message).toContain('default bundle again');
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme.id), eq(auditEvents.entityType, 'role_bundle'), eq(auditEvents.action, 'changed'), eq(auditEvents.entityId, 'admin')));
    const event = events.find((e) => (e.metadata as any).via === 'admin-cli');
    expect(event).toMatchObject({ principalKind: 'system', userId: null, metadata: { removed: ['settings.manage'] } });
    expect(sorted((event!.before as any).abilities)).toEqual(sorted(ALL_ABILITIES.filter((a) => DEFAULT_BUNDLES.admin.includes(a))));
  });
});
