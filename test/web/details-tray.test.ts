import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { openView } from '../../src/org/view.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { hiddenField, pageText } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * The change tray's "Change a person’s details" (update_actor) and "Change a department’s details"
 * (update_department) forms: fields left empty stay, the staged change reads in words, a refusal is said on the
 * form, and Apply changes the records in place — for a member, who may. (Fixture: Engineering led by eng_head.)
 */

let site: FixtureSite;
let member: string;
let ctx: ServiceContext;
const SALT = 'details-tray';
const { id, units } = fixtureIds(SALT);
const get = (path: string, cookie: string) => site.get(path, cookie);
const post = (path: string, form: Record<string, string>, cookie: string) => site.post(path, form, cookie);

beforeAll(async () => {
  site = await fixtureSite({ slug: 'detailstray', name: 'Details Tray', salt: SALT });
  ctx = site.ctx;
  member = await site.signIn('member');
});
afterAll(() => site?.database.close());

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
