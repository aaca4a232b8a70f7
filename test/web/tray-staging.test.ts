import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { openView } from '../../src/org/view.js';
import type { ServiceContext } from '../../src/context.js';
import { hiddenField, pageText } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, openTray, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * Staging changes in a scenario's change tray as a planner does (SPEC §6, §8; reference: model changes in edit mode):
 * what the tray refuses before Apply, and what it keeps when it does.
 */

let site: FixtureSite;
let owner: string;
let ctx: ServiceContext;
const { id, units } = fixtureIds('tray-staging');
const get = (path: string, cookie: string) => site.get(path, cookie);
const post = (path: string, form: Record<string, string>, cookie: string) => site.post(path, form, cookie);

const text = pageText;

beforeAll(async () => {
  site = await fixtureSite({ slug: 'traystaging', name: 'Tray Staging', salt: 'tray-staging', currencies: [{ code: 'USD', rateToReporting: 0.9 }] });
  ctx = site.ctx;
  owner = await site.signIn('owner');
});
afterAll(() => site?.database.close());

const tray = (name: string) => openTray(site, name, owner);

describe('a deactivation staged before a later change already in the tray about the same actor', () => {
  it('is refused on its date, naming that change — applied, the deactivation would cancel it without a word', async () => {
    const { sid, stage } = await tray('Move then leave');
    const moved = await stage('', { op: 'move_placement', placement_id: id('pl-f1'), org_unit_id: units.P, date: '2030-06-01' });
    expect(moved.status).toBe(200);
    const leave = { op: 'deactivate_actor', actor_id: id('f1'), date: '2030-01-01' };
    const refused = await stage(stagedOf(moved.html), leave);
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain(
      'Takes effect on: change 1 (Move f1 in Field (100 %) to Platform from 2030-06-01) is staged for a later day, when f1 would no longer be active: remove that change, or date the deactivation on or after 2030-06-01.',
    );
    expect(refused.html).toMatch(/id="deactivate_actor-date" name="date"[^>]*aria-invalid="true"/);
    expect(refused.html).toContain('value="2030-01-01"');
    expect(text(refused.html)).toContain('Tray: 1 staged change');

    // The same list sent as one batch (REST, MCP) is refused by the service too, on the deactivation's date: the tray's
    // words above are its own; the move is not dropped without a word.
    await expect(applyBatch(ctx, sid, [JSON.parse(stagedOf(moved.html))[0], leave])).rejects.toMatchObject({ field: 'changes[1].date' });
    const graph = (await openView(ctx, { scenarioId: sid })).graph;
    expect(graph.actors.get(id('f1'))!.validTo).toBeNull();
  });

  it('names a later pay change or manager change the same way, and goes through when dated after it', async () => {
    const { stage } = await tray('Raise then leave');
    const raise = await stage('', { op: 'set_compensation', actor_id: id('f1'), kind: 'salary', amount: '70000', currency: 'EUR', date: '2030-03-01' });
    expect(raise.status).toBe(200);
    const early = await stage(stagedOf(raise.html), { op: 'deactivate_actor', actor_id: id('f1'), date: '2030-01-01' });
    expect(early.status).toBe(400);
    expect(text(early.html)).toContain('Takes effect on: change 1 (Change f1’s salary to €70,000 from 2030-03-01) is staged for a later day, when f1 would no longer be active');
    const late = await stage(stagedOf(raise.html), { op: 'deactivate_actor', actor_id: id('f1'), date: '2030-09-01' });
    expect(late.status).toBe(200);
    expect(text(late.html)).toContain('Deactivate f1 from 2030-09-01');
    const manager = await stage('', { op: 'set_manager', actor_id: id('f1'), manager_id: id('ceo'), date: '2030-04-01' });
    const unmanaged = await stage(stagedOf(manager.html), { op: 'deactivate_actor', actor_id: id('f1'), date: '2030-01-01' });
    expect(text(unmanaged.html)).toContain('Takes effect on: change 1 (f1 reports to ceo from 2030-04-01) is staged for a later day');
    // Someone else's later change does not stand in the way.
    const other = await stage(stagedOf(raise.html), { op: 'deactivate_actor', actor_id: id('f2'), date: '2030-01-01' });
    expect(other.status).toBe(200);
  });
});

describe('a number typed with a decimal comma', () => {
  it('is refused on its field — “0,8” read as 8, or an allocation of “12,5” staged as 125 % — while money keeps its thousands separators', async () => {
    const { stage } = await tray('Decimal commas');
    const fte = await stage('', { op: 'set_fte', actor_id: id('f1'), fte: '0,8' });
    expect(fte.status).toBe(400);
    expect(text(fte.html)).toContain('FTE must use a decimal point, not a comma (0.8, not 0,8).');
    expect(fte.html).toMatch(/id="set_fte-fte" name="fte"[^>]*aria-invalid="true"/);
    expect(fte.html).toMatch(/id="set_fte-fte" name="fte"[^>]*value="0,8"/);
    const allocation = await stage('', { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: '12,5' });
    expect(allocation.status).toBe(400);
    expect(text(allocation.html)).toContain('Allocation % must use a decimal point, not a comma');
    expect(text(allocation.html)).toContain('Tray: 0 staged changes');
    const pay = await stage('', { op: 'set_compensation', actor_id: id('f1'), kind: 'salary', amount: '72,500', currency: 'EUR' });
    expect(pay.status).toBe(200);
    expect(text(pay.html)).toContain('Change f1’s salary to €72,500');
    const point = await stage(stagedOf(pay.html), { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: '12.5' });
    expect(text(point.html)).toContain('to 12.5 %');
  });
});

describe('the Change pay form opened for an actor (an actor page’s “Plan a pay change”)', () => {
  const chosen = (html: string, id: string) => /<option value="([^"]*)" selected=""/.exec(new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)![1]!)?.[1];

  it('starts from the kind and currency of the pay they have — a day rate stays a day rate, dollars stay dollars', async () => {
    const { sid } = await tray('Pay from an actor page');
    const contractor = (await get(`/scenarios/${sid}/changes?op=set_compensation&actor_id=${id('f1')}`, owner)).html;
    expect(chosen(contractor, 'set_compensation-actor_id')).toBe(id('f1'));
    expect(chosen(contractor, 'set_compensation-kind')).toBe('day_rate');
    expect(chosen(contractor, 'set_compensation-currency')).toBe('EUR');
    const dollars = (await get(`/scenarios/${sid}/changes?op=set_compensation&actor_id=${id('sales_head')}`, owner)).html;
    expect(chosen(dollars, 'set_compensation-kind')).toBe('salary');
    expect(chosen(dollars, 'set_compensation-currency')).toBe('USD');
    // Someone without pay (the agent): the form's own defaults; what a link gives is kept.
    const unpaid = (await get(`/scenarios/${sid}/changes?op=set_compensation&actor_id=${id('bot')}`, owner)).html;
    expect(chosen(unpaid, 'set_compensation-kind')).toBeUndefined();
    expect(chosen(unpaid, 'set_compensation-currency')).toBe('EUR');
    const given = (await get(`/scenarios/${sid}/changes?op=set_compensation&actor_id=${id('f1')}&kind=salary`, owner)).html;
    expect(chosen(given, 'set_compensation-kind')).toBe('salary');
  });
});

describe('the tray’s preview of a change from a later day', () => {
  it('is taken on the day the last staged change takes effect, not today, when a hire starting then would read “Headcount 0”', async () => {
    const { sid, csrf, stage } = await tray('Hire next year');
    const hire = await stage('', { op: 'add_actor', display_name: 'Nora Later', kind: 'human', org_unit_id: units.P, date: '2030-03-01' });
    expect(hire.status).toBe(200);
    expect(text(hire.html)).toMatch(/If you apply the tray, on 2030-03-01 \(when its last change takes effect\), against the scenario as it is then Headcount \+1 FTE \+1 /);
    // Applied, the delta it links to is on that day too, where the hire counts.
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(hire.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    expect(applied.location).toBe(`/scenarios/${sid}/changes?applied=1&as_of=2030-03-01`);
    const done = await get(applied.location!, owner);
    expect(text(done.html)).toContain('Applied 1 change to the scenario. See the delta on 2030-03-01');
    expect(done.html).toContain(`<a href="/scenarios/${sid}/delta?as_of=2030-03-01">`);
    expect(text((await get(`/scenarios/${sid}/delta?as_of=2030-03-01`, owner)).html)).toMatch(/Headcount \+1 /);
    // Undated changes only: today's figures, as before.
    const today = await stage('', { op: 'set_fte', actor_id: id('p1'), fte: '0.5' });
    expect(text(today.html)).toMatch(/If you apply the tray, against the scenario as it is Headcount 0 FTE −0\.5 /);
  });
});

describe('removing a change the rest of the tray needs', () => {
  it('says at once which staged change no longer applies, in the page’s words, not at Apply with the API’s fix', async () => {
    const { sid, csrf, stage } = await tray('Leaver without a move');
    const left = await stage('', { op: 'deactivate_actor', actor_id: id('sales_head'), reports_to: id('ceo'), date: '2030-01-01' });
    expect(text(left.html)).toContain('f1 reports to ceo from 2030-01-01 Remove f2 reports to ceo from 2030-01-01 Remove Deactivate sales_head from 2030-01-01');
    const removed = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(left.html), action: 'remove:0' }, owner);
    const page = text(removed.html);
    expect(page).toContain('Removed from the tray.');
    expect(page).toContain('Change 2 (Deactivate an actor), Actor ( actor_id ): still manages 1 active actor on or after 2030-01-01');
    expect(removed.html).toMatch(/<li class="failing" aria-invalid="true" aria-describedby="tray-error">\s*<span>Deactivate sales_head/);
    // Applying it anyway says the same, without the API's 'Correct "changes[1].actor_id" and try again.'
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(removed.html), action: 'apply' }, owner);
    expect(applied.status).toBe(400);
    expect(text(applied.html)).toContain('still manages 1 active actor');
    expect(text(applied.html)).not.toContain('Correct "changes');
  });
});

describe('a refusal naming another kind of change', () => {
  it('names it as the tray’s form, not as the API spells it', async () => {
    const { stage } = await tray('Second primary');
    const refused = await stage('', { op: 'add_placement', actor_id: id('f1'), org_unit_id: units.P, allocation_pct: '20', is_primary: 'on' });
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain('Primary placement: the actor already has a primary placement; use “Move a placement to another unit” to move it');
    expect(text(refused.html)).not.toContain('move_placement');
  });
});

describe('a team and a position created in the tray', () => {
  it('are offered by later forms before they exist — people moved and hired into the team, the position opened there and filled — and apply together', async () => {
    const { sid, csrf, stage } = await tray('New team, staffed');
    const team = await stage('', { op: 'create_org_unit', name: 'Data', type: 'team', parent_id: units.E });
    expect(team.status).toBe(200);
    // Offered wherever a unit is chosen, as staged; not as the parent of a team (a team is no parent).
    expect(team.html).toMatch(/<select id="move_placement-org_unit_id"[^>]*>\s*<option value="">Choose…<\/option>\s*<option value="\$unit-1">Data \(staged team\)<\/option>/);
    expect(/<select id="create_org_unit-parent_id"[^>]*>([^]*?)<\/select>/.exec(team.html)![1]).not.toContain('$unit-1');
    expect(/<select id="move_org_unit-parent_id"[^>]*>([^]*?)<\/select>/.exec(team.html)![1]).not.toContain('$unit-1');
    const moved = await stage(stagedOf(team.html), { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$unit-1' });
    expect(moved.status).toBe(200);
    expect(text(moved.html)).toContain('Move p2 in Platform (100 %) to Data Remove');
    const seat = await stage(stagedOf(moved.html), { op: 'create_position', title: 'Data Lead', org_unit_id: '$unit-1' });
    expect(text(seat.html)).toContain('Create position “Data Lead” in Data');
    expect(seat.html).toContain('<option value="$position-1">Data Lead (staged position)</option>');
    const filled = await stage(stagedOf(seat.html), { op: 'fill_position', position_id: '$position-1', actor_id: id('p2') });
    expect(filled.status).toBe(200);
    expect(text(filled.html)).toContain('Fill Data Lead with p2');
    const hired = await stage(stagedOf(filled.html), { op: 'add_actor', display_name: 'Dana Data', kind: 'human', org_unit_id: '$unit-1', manager_id: id('p2') });
    expect(text(hired.html)).toContain('Add person “Dana Data” to Data, reporting to p2');
    expect(JSON.parse(stagedOf(hired.html)).map((c: { ref?: string }) => c.ref ?? null)).toEqual(['unit-1', null, 'position-1', null, 'hire-1']);
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(hired.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    const graph = (await openView(ctx, { scenarioId: sid })).graph;
    const data = [...graph.orgUnits.values()].find((u) => u.name === 'Data')!;
    expect([...graph.placements.values()].filter((p) => p.orgUnitId === data.id && p.validTo === null).length).toBe(2);
    // Removing the team removes what was staged about it.
    const removed = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(hired.html), action: 'remove:0' }, owner);
    expect(text(removed.html)).toContain('Tray: 0 staged changes');
  });
});

describe('a change naming a unit the tray creates from a later day', () => {
  it('is told the day the unit starts, on its field, instead of “that org unit is not active on <today>”', async () => {
    const { stage } = await tray('Team from next year');
    const team = await stage('', { op: 'create_org_unit', name: 'Later Team', type: 'team', parent_id: units.E, date: '2030-01-01' });
    expect(team.html).toContain('<option value="$unit-1">Later Team (staged team, from 2030-01-01)</option>');
    const early = await stage(stagedOf(team.html), { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$unit-1' });
    expect(early.status).toBe(400);
    expect(text(early.html)).toContain('New unit: Later Team is staged in this tray from 2030-01-01: date this change on or after that day.');
    expect(early.html).toMatch(/id="move_placement-org_unit_id" name="org_unit_id"[^>]*aria-invalid="true"/);
    const onTime = await stage(stagedOf(team.html), { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$unit-1', date: '2030-01-01' });
    expect(onTime.status).toBe(200);
  });
});

describe('a tray applied again from a page the browser went back to', () => {
  it('is refused, saying the scenario changed since the tray was shown — the hire is not made twice — and goes through when applied from the page that says so', async () => {
    const { sid, csrf, stage } = await tray('Applied twice');
    const hire = await stage('', { op: 'add_actor', display_name: 'Once Only', kind: 'human', org_unit_id: units.P });
    const form = { csrf, staged: stagedOf(hire.html), revision: hiddenField(hire.html, 'revision'), action: 'apply' };
    expect((await post(`/scenarios/${sid}/changes`, form, owner)).status).toBe(303);
    const again = await post(`/scenarios/${sid}/changes`, form, owner);
    expect(again.status).toBe(409);
    expect(text(again.html)).toContain('Changes were applied to this scenario since this tray was shown — by someone else, or this tray itself from a page your browser went back to. Nothing was applied now.');
    expect(text(again.html)).toContain('Tray: 1 staged change');
    const named = async () => [...(await openView(ctx, { scenarioId: sid })).graph.actors.values()].filter((a) => a.displayName === 'Once Only').length;
    expect(await named()).toBe(1);
    // Applied from the page that said so (shown against the scenario as it is now), it is taken: a second hire wanted.
    const confirmed = await post(`/scenarios/${sid}/changes`, { ...form, revision: hiddenField(again.html, 'revision') }, owner);
    expect(confirmed.status).toBe(303);
    expect(await named()).toBe(2);
  });
});
