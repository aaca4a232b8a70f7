import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { auditEvents, departments } from '../../src/db/schema/index.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { createType, listTypes } from '../../src/tenancy/settings.js';
import { hiddenField, pageText, type TestApp } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * Settings → Organisation: a department or team type can be renamed and removed, not only added (issue 6) — removal
 * refused, saying where, while a department or team in Live, a scenario or history has the type. Audited as adding is.
 */
let site: FixtureSite;
let app: TestApp;
let ctx: ServiceContext;
let owner: string;
let viewer: string;
const HOST = 'typesettings.localhost';
const { units } = fixtureIds('type-settings');

async function page(cookie = owner) {
  const response = await app.request('/settings/organisation', { host: HOST, cookie, headers: { accept: 'text/html' } });
  return response.text();
}

async function post(path: string, form: Record<string, string> = {}) {
  const csrf = hiddenField(await page(), 'csrf');
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf, ...form } });
  return { status: response.status, html: await response.text() };
}

const notices = (html: string) => [...html.matchAll(/<(?:p|div) class="notice error"[^>]*>([^]*?)<\/(?:p|div)>/g)].map((m) => pageText(m[1]!)).join(' ');

async function auditOf(id: string) {
  return ctx.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, ctx.tenant.id), eq(auditEvents.entityId, id))).orderBy(auditEvents.at);
}

beforeAll(async () => {
  site = await fixtureSite({ slug: 'typesettings', name: 'Type Settings', salt: 'type-settings' });
  ({ app, ctx } = site);
  owner = await site.signIn('owner');
  viewer = await site.signIn('viewer');
});
afterAll(() => site?.database.close());

describe('renaming a type', () => {
  it('renames a department type from its form, audited with the old and new name', async () => {
    const type = await createType(ctx, 'department', 'Go to market');
    const html = await page();
    expect(html).toMatch(new RegExp(`<label class="visually-hidden" for="department-types-${type.id}">Name of Go to market</label>`));
    const saved = await post(`/settings/organisation/department-types/${type.id}`, { name: 'Go-to-market' });
    expect(saved.status).toBe(303);
    expect((await listTypes(ctx, 'department')).map((t) => t.name)).toContain('Go-to-market');
    expect(pageText(await page())).toContain('Go-to-market');
    const events = await auditOf(type.id);
    expect(events.at(-1)).toMatchObject({ entityType: 'settings.department_type', action: 'updated', before: { name: 'Go to market' }, after: { name: 'Go-to-market' } });
  });

  it('refuses a name another type of the kind has, keeping the name typed', async () => {
    await createType(ctx, 'team', 'Squad');
    const tribe = await createType(ctx, 'team', 'Tribe');
    const refused = await post(`/settings/organisation/team-types/${tribe.id}`, { name: 'squad' });
    expect(refused.status).toBe(400);
    expect(notices(refused.html)).toContain('A team type named "Squad" already exists.');
    expect(refused.html).toMatch(new RegExp(`id="team-types-${tribe.id}"[^>]*value="squad"`));
    expect((await listTypes(ctx, 'team')).map((t) => t.name)).toEqual(expect.arrayContaining(['Squad', 'Tribe']));
  });
});

describe('removing a type', () => {
  it('removes a type nothing has, audited as deleted', async () => {
    const type = await createType(ctx, 'team', 'Guild');
    expect(await page()).toContain(`action="/settings/organisation/team-types/${type.id}/remove"`);
    const removed = await post(`/settings/organisation/team-types/${type.id}/remove`);
    expect(removed.status).toBe(303);
    expect((await listTypes(ctx, 'team')).map((t) => t.name)).not.toContain('Guild');
    expect((await auditOf(type.id)).at(-1)).toMatchObject({ entityType: 'settings.team_type', action: 'deleted', before: { name: 'Guild' } });
  });

  it('refuses to remove a type a department in Live or a scenario has, saying where, and keeps it', async () => {
    const live = await createType(ctx, 'department', 'Engineering function');
    await ctx.db
      .update(departments)
      .set({ departmentTypeId: live.id })
      .where(and(eq(departments.tenantId, ctx.tenant.id), eq(departments.orgUnitId, units.E), isNull(departments.versionTo)));
    const refused = await post(`/settings/organisation/department-types/${live.id}/remove`);
    expect(refused.status).toBe(400);
    expect(notices(refused.html)).toContain('The department type "Engineering function" is in use, so it cannot be removed: 1 department in Live.');
    expect(notices(refused.html)).toContain('Give those departments another type first');

    const planned = await createType(ctx, 'department', 'Research');
    const sid = (await createScenario(ctx, { name: 'A research department' })).id;
    await applyBatch(ctx, sid, [{ op: 'create_org_unit', type: 'department', name: 'Labs', parent_id: units.E, department_type_id: planned.id }]);
    const inScenario = await post(`/settings/organisation/department-types/${planned.id}/remove`);
    expect(inScenario.status).toBe(400);
    expect(notices(inScenario.html)).toContain('is in use, so it cannot be removed: 1 scenario.');
    expect((await listTypes(ctx, 'department')).map((t) => t.name)).toEqual(expect.arrayContaining(['Engineering function', 'Research']));
    expect((await auditOf(planned.id)).map((e) => e.action)).toEqual(['updated']);
  });

  it('shows a viewer the types without forms to change them', async () => {
    const html = await page(viewer);
    expect(pageText(html)).toContain('Research');
    expect(html).not.toContain('/remove"');
  });
});
