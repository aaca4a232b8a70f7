import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { openView } from '../../src/org/view.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * The change tray's "Change a person’s details" (update_actor) and "Change a department’s details"
 * (update_department) forms: fields left empty stay, the staged change reads in words, a refusal is said on the
 * form, and Apply changes the records in place — for a member, who may. (Fixture: Engineering led by eng_head.)
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let member: string;
let ctx: ServiceContext;
const HOST = 'detailstray.localhost';
const PASSWORD = 'correct horse battery';
const SALT = 'details-tray';
const { id, units } = fixtureIds(SALT);

async function get(path: string, cookie: string) {
  const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
}

async function post(path: string, form: Record<string, string>, cookie: string) {
  const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

const stagedOf = (html: string) => html.match(/name="staged" value="([^"]*)"/)![1]!.replaceAll('&quot;', '"');

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'detailstray', name: 'Details Tray', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SALT));
  app = testApp(database);
  ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
  member = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'member', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('the Change a person’s details and Change a department’s details forms', () => {
  it('stage a promotion and a new lead in words, and Apply changes both in place', async () => {
    const sid = (await createScenario(ctx, { name: 'Ann is promoted' })).id;
    const page = (await get(`/scenarios/${sid}/changes`, member)).html;
    expect(page).toContain('Change a person’s details');
    expect(page).toContain('Change a department’s details');
    const csrf = hiddenField(page, 'csrf');
    const stage = (staged: string, form: Record<string, string>) => post(`/scenarios/${sid}/changes`, { csrf, staged, action: 'stage', ...form }, member);

    const promoted = await stage('', { op: 'update_actor', actor_id: id('p1'), title: 'Staff Engineer', level: 'L6', display_name: '', email: '' });
    expect(promoted.status).toBe(200);
    expect(JSON.parse(stagedOf(promoted.html))).toEqual([{ op: 'update_actor', actor_id: id('p1'), title: 'Staff Engineer', level: 'L6' }]);
    expect(pageText(promoted.html)).toContain('Change p1: job title “Staff Engineer”, level “L6”');

    const led = await stage(stagedOf(promoted.html), { op: 'update_department', org_unit_id: units.E, lead_actor_id: id('p1'), department_type_id: '', cost_center: 'CC-42', description: '' });
    expect(led.status).toBe(200);
    expect(JSON.parse(stagedOf(led.html))[1]).toEqual({ op: 'update_department', org_unit_id: units.E, lead_actor_id: id('p1'), cost_center: 'CC-42' });
    expect(pageText(led.html)).toContain('Change Engineering: led by p1, cost center “CC-42”');

    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(led.html), action: 'apply' }, member);
    expect(applied.status).toBe(303);
    const graph = (await openView(ctx, { scenarioId: sid })).graph;
    expect(graph.actors.get(id('p1'))).toMatchObject({ title: 'Staff Engineer', level: 'L6', displayName: 'p1' });
    expect(graph.departments.get(units.E)).toMatchObject({ leadActorId: id('p1'), costCenter: 'CC-42', description: null });
  });

  it('a form with nothing to change stages nothing, and a team is refused on the form', async () => {
    const sid = (await createScenario(ctx, { name: 'Refusals' })).id;
    const page = (await get(`/scenarios/${sid}/changes`, member)).html;
    const csrf = hiddenField(page, 'csrf');
    const stage = (form: Record<string, string>) => post(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', ...form }, member);
    const nothing = await stage({ op: 'update_actor', actor_id: id('p1'), title: '' });
    expect(nothing.status).toBe(400);
    expect(pageText(nothing.html)).toContain('Fill in what to change: a new job title, level, name or email.');
    const team = await stage({ op: 'update_department', org_unit_id: units.P, cost_center: 'CC-1' });
    expect(team.status).toBe(400);
    expect(pageText(team.html)).toMatch(/Department: is a team, not a department: use update_team/);
  });
});
