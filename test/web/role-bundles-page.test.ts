import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, roleBundles } from '../../src/db/schema/index.js';
import { DEFAULT_BUNDLES, type Role } from '../../src/access/bundles.js';
import { resetRoleBundle, setRoleAbilities } from '../../src/access/role-bundles.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * Settings → Members, "What each role can do": the tenant's own bundles (not the defaults), marked where they differ,
 * and for whoever may change a role a form of checkboxes per role below their own, with CSRF, a flash saying what
 * changed, and refusals that change nothing.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let admin: string;
let memberId: string;
const HOST = 'rbpage.localhost';
const PASSWORD = 'correct horse battery';

const get = async (cookie: string) => {
  const response = await app.request('/settings/members', { host: HOST, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
};
const post = async (path: string, cookie: string, form: [string, string][]) => {
  const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text() };
};
const stored = async (role: Role) =>
  [...(await database.db.select().from(roleBundles).where(and(eq(roleBundles.tenantId, tenant.id), eq(roleBundles.role, role))))[0]!.abilities].sort();
const sorted = (list: readonly string[]) => [...list].sort();

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'rbpage', plan: 'business' });
  app = testApp(database);
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
  admin = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'admin', { password: PASSWORD })).email, PASSWORD);
  memberId = (await buildMember(database, tenant, 'member', { password: PASSWORD })).id;
});
afterAll(() => database?.close());
beforeEach(async () => {
  for (const role of ['admin', 'manager', 'member', 'viewer'] as const) await resetRoleBundle(database.db, tenant, role, { principal: null });
});

describe('What each role can do', () => {
  it('shows the tenant’s actual bundles, marking where they differ from the defaults', async () => {
    await setRoleAbilities(database.db, tenant, 'viewer', DEFAULT_BUNDLES.viewer.filter((a) => a !== 'mcp.access'), { principal: null });
    const { status, html } = await get(owner);
    expect(status).toBe(200);
    const text = pageText(html);
    expect(text).toMatch(/viewer customised/);
    expect(text).toMatch(/member default/);
    expect(text).toMatch(/owner fixed/);
    // The viewer's mcp.access box is unticked and marked as taken from the default; the member's is ticked.
    expect(html).toMatch(/<input type="checkbox" id="bundle-viewer-mcp\.access" name="abilities" value="mcp\.access" form="bundle-viewer"\/?>\s*<label class="visually-hidden" for="bundle-viewer-mcp\.access">viewer: mcp\.access<\/label>\s*<span class="badge warn">removed<\/span>/);
    expect(html).toMatch(/id="bundle-member-mcp\.access" name="abilities" value="mcp\.access" checked="" form="bundle-member"/);
  });

  it('lets the owner save a role as ticked (CSRF), saying what changed, and the member’s session loses the ability', async () => {
    const page = await get(owner);
    const csrf = hiddenField(page.html, 'csrf');
    expect(page.html).toContain('action="/settings/members/roles/admin/save"');
    const ticked = DEFAULT_BUNDLES.member.filter((a) => a !== 'scenarios.write').map((a): [string, string] => ['abilities', a]);

    const forged = await post('/settings/members/roles/member/save', owner, ticked);
    expect(forged.status).toBe(403);
    expect(pageText(forged.html)).toContain('This form has expired or did not come from this site.');
    expect(await stored('member')).toEqual(sorted(DEFAULT_BUNDLES.member));

    const saved = await post('/settings/members/roles/member/save', owner, [['csrf', csrf], ...ticked]);
    expect(saved.status).toBe(200);
    expect(pageText(saved.html)).toContain('The member role: removed scenarios.write. It now differs from the default.');
    expect(await stored('member')).toEqual(sorted(DEFAULT_BUNDLES.member.filter((a) => a !== 'scenarios.write')));
    const session = await app.runtime.authenticator.fromSession(tenant, memberId);
    expect(session.abilities.has('scenarios.write')).toBe(false);
    const [event] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'role_bundle'), eq(auditEvents.entityId, 'member'), eq(auditEvents.principalKind, 'session')));
    expect(event).toMatchObject({ action: 'changed', metadata: { removed: ['scenarios.write'] } });

    const reset = await post('/settings/members/roles/member/reset', owner, [['csrf', csrf]]);
    expect(reset.status).toBe(200);
    expect(pageText(reset.html)).toContain('The member role: added scenarios.write. It is the default bundle again.');
    expect(await stored('member')).toEqual(sorted(DEFAULT_BUNDLES.member));
  });

  it('shows an admin the admin and owner roles read-only, and refuses a forged edit of the admin role, changing nothing', async () => {
    const page = await get(admin);
    expect(page.html).not.toContain('action="/settings/members/roles/admin/save"');
    expect(page.html).not.toContain('id="bundle-admin-');
    expect(page.html).toContain('action="/settings/members/roles/manager/save"');
    const csrf = hiddenField(page.html, 'csrf');
    const refused = await post('/settings/members/roles/admin/save', admin, [['csrf', csrf], ['abilities', 'org-units.read']]);
    expect(refused.status).toBe(403);
    expect(pageText(refused.html)).toContain('Nothing changed: You cannot change the abilities of your own role (admin).');
    const owners = await post('/settings/members/roles/owner/save', admin, [['csrf', csrf], ['abilities', 'org-units.read']]);
    expect(owners.status).toBe(409);
    expect(pageText(owners.html)).toContain('The owner role is fixed');
    const billing = await post('/settings/members/roles/viewer/save', admin, [['csrf', csrf], ['abilities', 'billing.manage']]);
    expect(billing.status).toBe(400);
    expect(pageText(billing.html)).toContain('billing.manage stays with the owner role alone');
    expect(await stored('admin')).toEqual(sorted(DEFAULT_BUNDLES.admin));
    expect(await stored('viewer')).toEqual(sorted(DEFAULT_BUNDLES.viewer));
  });
});
