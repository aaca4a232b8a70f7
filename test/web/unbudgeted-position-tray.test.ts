import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { openView } from '../../src/org/view.js';
import { pageText } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, openTray, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * The change tray with a position that has no budgeted team yet: "Create a position" offers "No budgeted team yet"
 * in its unit select (the field is not required) and stages it in words; "Change a position" has a "No budgeted team
 * yet" checkbox that takes a vacant seat out of its unit (not with a unit chosen too); the position choices say so,
 * and the organisation tree's totals say they hold such seats.
 * (Fixture: pos_m_open vacant in Mobile, 90,000.00 EUR.)
 */

let site: FixtureSite;
let owner: string;
let ctx: ServiceContext;
const SALT = 'unbudgeted-tray';
const { id, units } = fixtureIds(SALT);
const post = (path: string, form: Record<string, string>, cookie: string) => site.post(path, form, cookie);

beforeAll(async () => {
  site = await fixtureSite({ slug: 'unbudgetedtray', name: 'Unbudgeted Tray', salt: SALT });
  ctx = site.ctx;
  owner = await site.signIn('owner');
});
afterAll(() => site?.database.close());

describe('a position with no budgeted team in the change tray', () => {
  it('Create a position offers “No budgeted team yet”, stages it in words, and Apply creates the seat with no unit', async () => {
    const { sid, csrf, page, stage } = await openTray(site, 'Seats first', owner);
    const select = page.match(/<select id="create_position-org_unit_id"[^>]*>[\s\S]*?<\/select>/)?.[0] ?? '';
    expect(select).not.toMatch(/required/);
    expect(select).toMatch(/<option value="">No budgeted team yet<\/option>/);
    expect(select).toContain('Mobile');

    const staged = await stage('', { op: 'create_position', title: 'Data Lead', org_unit_id: '', target_salary: '100,000', currency: 'EUR' });
    expect(staged.status).toBe(200);
    expect(JSON.parse(stagedOf(staged.html))).toEqual([
      expect.objectContaining({ op: 'create_position', title: 'Data Lead', target_salary_minor: 10_000_000, currency: 'EUR' }),
    ]);
    expect(JSON.parse(stagedOf(staged.html))[0].org_unit_id).toBeUndefined();
    expect(pageText(staged.html)).toContain('Create position “Data Lead” with no budgeted team yet at €100,000');

    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(staged.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    const seat = [...(await openView(ctx, { scenarioId: sid })).graph.positions.values()].find((p) => p.title === 'Data Lead');
    expect(seat).toMatchObject({ orgUnitId: null, targetSalaryMinor: 10_000_000 });

    // The tray's position choices name the seat as having no budgeted team.
    const again = (await site.get(`/scenarios/${sid}/changes`, owner)).html;
    expect(pageText(again)).toContain('Data Lead with no budgeted team yet (vacant)');
    // The organisation tree's totals say they hold it, in no unit; Live's have no such seat.
    expect(pageText((await site.get(`/live?scenario=${sid}`, owner)).html)).toContain('The totals include 1 position with no budgeted team yet (1 vacant), in no unit below.');
    expect(pageText((await site.get('/live', owner)).html)).not.toContain('no budgeted team');
    const delta = await site.get(`/scenarios/${sid}/delta`, owner);
    expect(delta.status).toBe(200);
    // The delta page lists the new seat, and its vacancy in the totals though no unit's figures moved.
    expect(pageText(delta.html)).toContain('Title Data Lead');
    expect(pageText(delta.html)).toContain('Vacant positions +1');
  });

  it('Change a position’s “No budgeted team yet” takes a vacant seat out of its unit, and not beside a unit chosen', async () => {
    const { sid, csrf, page, stage } = await openTray(site, 'Unbudget Mobile', owner);
    expect(page).toMatch(/id="update_position-clear_unit"/);
    const both = await stage('', { op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P, clear_unit: 'on' });
    expect(both.status).toBe(400);
    expect(pageText(both.html)).toContain('Move the seat to or no budgeted team yet, not both.');

    const cleared = await stage('', { op: 'update_position', position_id: id('pos_m_open'), clear_unit: 'on' });
    expect(cleared.status).toBe(200);
    expect(JSON.parse(stagedOf(cleared.html))).toEqual([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: null }]);
    expect(pageText(cleared.html)).toContain('Change position pos_m_open: no budgeted team');
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(cleared.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    expect((await openView(ctx, { scenarioId: sid })).graph.positions.get(id('pos_m_open'))!.orgUnitId).toBeNull();
  });
});
