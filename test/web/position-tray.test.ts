import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { openView } from '../../src/org/view.js';
import { pageText } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, openTray, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * The change tray's "Change a position" form (update_position): fields left empty stay as they are, the currency goes
 * only with a new amount, the staged change reads in words, a refusal is said on the form, and Apply changes the
 * seat in place. (Fixture: pos_m_open vacant in Mobile, pos_p1 filled by p1 in Platform, 90,000.00 EUR each.)
 */

let site: FixtureSite;
let owner: string;
let member: string;
let ctx: ServiceContext;
const SALT = 'position-tray';
const { id, units } = fixtureIds(SALT);
const get = (path: string, cookie: string) => site.get(path, cookie);
const post = (path: string, form: Record<string, string>, cookie: string) => site.post(path, form, cookie);

beforeAll(async () => {
  site = await fixtureSite({ slug: 'positiontray', name: 'Position Tray', salt: SALT });
  ctx = site.ctx;
  owner = await site.signIn('owner');
  member = await site.signIn('member');
});
afterAll(() => site?.database.close());

const tray = (name: string, cookie = owner) => openTray(site, name, cookie);

describe('the Change a position form', () => {
  it('stages a moved, re-budgeted seat in words, sends the currency only with a new amount, and Apply keeps the seat’s id', async () => {
    const { sid, csrf, page, stage } = await tray('Merge Mobile');
    expect(page).toContain('Change a position');
    expect(page).toMatch(/id="update_position-employment_type"[^>]*>\s*<option value="">No change<\/option>/);

    // Only a title: the form's currency select (always sent) does not become a currency change.
    const titled = await stage('', { op: 'update_position', position_id: id('pos_p1'), title: 'Staff engineer', employment_type: '', currency: 'EUR' });
    expect(titled.status).toBe(200);
    expect(JSON.parse(stagedOf(titled.html))).toEqual([{ op: 'update_position', position_id: id('pos_p1'), title: 'Staff engineer' }]);
    expect(pageText(titled.html)).toContain('Change position pos_p1: title “Staff engineer”');

    const moved = await stage(stagedOf(titled.html), { op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P, target_salary: '95,000', currency: 'EUR', planned_fte: '0.5' });
    expect(moved.status).toBe(200);
    expect(JSON.parse(stagedOf(moved.html))[1]).toEqual({ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P, planned_fte: 0.5, target_salary_minor: 9_500_000, currency: 'EUR' });
    expect(pageText(moved.html)).toContain('Change position pos_m_open: move to Platform, planned FTE 0.5, target salary €95,000');

    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(moved.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    const graph = (await openView(ctx, { scenarioId: sid })).graph;
    expect(graph.positions.get(id('pos_m_open'))).toMatchObject({ orgUnitId: units.P, plannedFte: 0.5, targetSalaryMinor: 9_500_000, currency: 'EUR' });
    expect(graph.positions.get(id('pos_p1'))).toMatchObject({ title: 'Staff engineer', orgUnitId: units.P });
    // The scenario's delta lists the seat as changed, not as one closed and another opened.
    const delta = pageText((await get(`/scenarios/${sid}/delta`, owner)).html);
    expect(delta).toContain('Positions 2 changed');
    expect(delta).toContain('Changed fields of pos_m_open Field From To Org unit Mobile Platform Planned FTE 1 0.5 Target salary €90,000 €95,000');
    expect(delta).toContain('Title pos_p1 Staff engineer');
    // Its vacancy and budget leave Mobile for Platform, re-budgeted: +€6,250 a year loaded (€5,000 at the 25 % burden).
    expect(delta).toContain('Vacant seats, budgeted (annual, not paid) +€6,250');
    expect(delta).toMatch(/Mobile 1 → 1 \(0\) [^M]* 1 → 0 \(−1\)/);
    expect(delta).toMatch(/Platform 2 → 2 \(0\) [^P]* 0 → 1 \(\+1\)/);
  });

  it('says on the form why a filled seat does not move, naming the tray’s own Move a placement form — and that a form with nothing to change stages nothing', async () => {
    const { stage } = await tray('Move a filled seat');
    const nothing = await stage('', { op: 'update_position', position_id: id('pos_p1'), currency: 'EUR' });
    expect(nothing.status).toBe(400);
    expect(pageText(nothing.html)).toContain('Change a position Fill in what to change: a unit to move the seat to, a new title, role type, planned FTE, employment or pay.');
    const refused = await stage('', { op: 'update_position', position_id: id('pos_p1'), org_unit_id: units.M });
    expect(refused.status).toBe(400);
    expect(pageText(refused.html)).toMatch(/Move the seat to: the position is filled by “p1” .* first \(“Move a placement to another unit”, which leaves the seat vacant\)/);
  });

  it('closing a team with open seats points at this form first, by its title', async () => {
    const { stage } = await tray('Close Mobile');
    const emptied = await stage('', { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E });
    const refused = await stage(stagedOf(emptied.html), { op: 'close_org_unit', org_unit_id: units.M });
    expect(refused.status).toBe(400);
    expect(pageText(refused.html)).toContain('move them to another unit (“Change a position”, which keeps each seat) or close them first (“Close a vacant position”)');
  });

  it('clears a seat’s target pay with its checkbox: staged as null, said in words, and Apply leaves the seat without pay or currency', async () => {
    const { sid, csrf, page, stage } = await tray('Unpriced seat');
    expect(page).toContain('id="update_position-clear_pay"');
    const both = await stage('', { op: 'update_position', position_id: id('pos_m_open'), clear_pay: 'on', target_salary: '95,000', currency: 'EUR' });
    expect(both.status).toBe(400);
    expect(pageText(both.html)).toContain('New target salary a year or clear the target pay, not both.');
    const cleared = await stage('', { op: 'update_position', position_id: id('pos_m_open'), clear_pay: 'on', currency: 'EUR' });
    expect(cleared.status).toBe(200);
    expect(JSON.parse(stagedOf(cleared.html))).toEqual([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null }]);
    expect(pageText(cleared.html)).toContain('Change position pos_m_open: no target pay');
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(cleared.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    const graph = (await openView(ctx, { scenarioId: sid })).graph;
    expect(graph.positions.get(id('pos_m_open'))).toMatchObject({ targetSalaryMinor: null, dayRateMinor: null, currency: null });
  });

  it('offers no pay fields to a member, who cannot see pay', async () => {
    const { page } = await tray('Member tray', member);
    expect(page).toContain('Change a position');
    expect(page).not.toContain('id="update_position-target_salary"');
    expect(page).not.toContain('id="update_position-currency"');
    expect(page).not.toContain('id="update_position-clear_pay"');
  });
});
