import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { archiveScenario, createScenario, createSnapshot, submitScenario } from '../../src/scenarios/lifecycle.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { promoteScenario, restoreSnapshot } from '../../src/scenarios/promotion.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import { openView } from '../../src/org/view.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signedMoney } from '../../src/web/live/format.js';
import { hiddenField, pageText, signInThroughForm, type TestApp } from '../support/app.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, PASSWORD, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * Reviewing a scenario on its pages as a planner or a finance analyst would (SPEC §6, §8): what the delta says about
 * cost, how records are named, what the promotion form keeps after an error.
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let viewer: string;
let ctx: ServiceContext;
const HOST = 'scenarioreview.localhost';
const { id, units } = fixtureIds('scenario-review');
const get = (path: string, cookie: string) => site.get(path, cookie);
const post = (path: string, form: Record<string, string>, cookie: string) => site.post(path, form, cookie);

const text = pageText;

beforeAll(async () => {
  site = await fixtureSite({ slug: 'scenarioreview', name: 'Scenario Review', salt: 'scenario-review', currencies: [{ code: 'USD', rateToReporting: 0.9 }] });
  ({ database, tenant, app, ctx } = site);
  owner = await site.signIn('owner');
  viewer = await site.signIn('viewer');
});
afterAll(() => database?.close());

describe('the delta’s cost figures', () => {
  it('count a hire without pay as an actor whose cost is left out, not as a free one', async () => {
    const sid = (await createScenario(ctx, { name: 'Unpaid hire' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: 'New Hire', kind: 'human', org_unit_id: units.P }]);
    const page = text((await get(`/scenarios/${sid}/delta`, owner)).html);
    // Live has the unpaid agent `bot`; the scenario adds a person with no pay: 1 → 2.
    // The change comes first, visible on a phone without scrolling sideways; then the two sides.
    expect(page).toMatch(/Actors without pay \(cost left out\) \+1 1 2/);
    expect(page).toContain('The cost figures leave out 2 actors with no pay in effect in this scenario: their cost is unknown, not 0.');
    // A viewer sees no money, and so no pay rows either.
    const seen = text((await get(`/scenarios/${sid}/delta`, viewer)).html);
    expect(seen).not.toMatch(/without pay|leave out/i);
  });
});

describe('the cost of vacant seats and the colour of cost moves', () => {
  it('shows 5 new positions at their budgeted cost, apart from the payroll cost, coloured as a cost increase', async () => {
    const sid = (await createScenario(ctx, { name: 'Budget five engineers' })).id;
    await applyBatch(
      ctx,
      sid,
      [1, 2, 3, 4, 5].map((n) => ({ op: 'create_position', org_unit_id: units.P, title: `Budgeted engineer ${n}`, target_salary_minor: 8_000_000, currency: 'EUR' })),
    );
    // 5 × €80,000 × 1.25 (burden) = €500,000 a year, budgeted; nobody is paid more.
    const html = (await get(`/scenarios/${sid}/delta`, owner)).html;
    const page = text(html);
    expect(page).toMatch(/Vacant seats, budgeted \(annual, not paid\) \+€500,000 €[\d,]+ €[\d,]+/);
    expect(page).toMatch(/Annual cost €0 /);
    expect(page).toContain('It is a budget, not pay: the annual and monthly cost count only the people in seats.');
    expect(html).toMatch(/<th scope="row">Vacant seats, budgeted \(annual, not paid\)<\/th><td class="num delta-cost-rise">\+€500,000<\/td>/);
    // Vacancies rising is neither good nor bad in itself: a neutral colour.
    expect(html).toMatch(/<th scope="row">Vacant positions<\/th><td class="num delta-neutral">\+5<\/td>/);
    const overview = (await get(`/scenarios/${sid}`, owner)).html;
    expect(text(overview)).toContain('Vacant positions +5 Annual cost €0 Monthly cost €0 Vacant seats, budgeted (annual, not paid) +€500,000 Review the delta');
    expect(overview).toContain('<dt>Vacant seats, budgeted (annual, not paid)</dt><dd class="delta-cost-rise">+€500,000</dd>');
    // Money, so a viewer sees the vacancies, not their budget.
    expect(text((await get(`/scenarios/${sid}/delta`, viewer)).html)).not.toContain('Vacant seats, budgeted');
  });

  it('colours a pay cut as a saving and a raise as a cost increase, and headcount neutrally', async () => {
    const cut = (await createScenario(ctx, { name: 'Pay cut' })).id;
    await applyBatch(ctx, cut, [{ op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 9_000_000, currency: 'EUR' }]);
    const saving = (await get(`/scenarios/${cut}`, owner)).html;
    // p1: €100,000 → €90,000, × 1.25 = −€12,500 a year
    expect(saving).toContain('<dt>Annual cost</dt><dd class="delta-saving">−€12,500</dd>');
    const raise = (await createScenario(ctx, { name: 'Raise and hire' })).id;
    await applyBatch(ctx, raise, [
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR' },
      { op: 'add_actor', display_name: 'Colour Hire', kind: 'human', org_unit_id: units.P },
    ]);
    const rise = (await get(`/scenarios/${raise}`, owner)).html;
    expect(rise).toContain('<dt>Annual cost</dt><dd class="delta-cost-rise">+€12,500</dd>');
    expect(rise).toContain('<dt>Headcount</dt><dd class="delta-neutral">+1</dd>');
    const delta = (await get(`/scenarios/${raise}/delta`, owner)).html;
    expect(delta).toContain('<th scope="row">Annual cost</th><td class="num delta-cost-rise">+€12,500</td>');
    expect(delta).toContain('<th scope="row">Headcount</th><td class="num delta-neutral">+1</td>');
    expect(delta).not.toMatch(/delta-(up|down)/);
  });
});

describe('the change tray of a scenario that cannot change', () => {
  it('says how to go on: unarchive an archived one, start a new one after a promotion', async () => {
    const filed = (await createScenario(ctx, { name: 'Filed away' })).id;
    await archiveScenario(ctx, filed);
    const archived = (await get(`/scenarios/${filed}/changes`, owner)).html;
    expect(text(archived)).toContain('This archived scenario cannot be changed. Unarchive it to change it again.');
    expect(archived).toContain(`<a href="/scenarios/${filed}#actions-title">Unarchive it</a>`);
    const done = (await createScenario(ctx, { name: 'Done and dusted' })).id;
    await applyBatch(ctx, done, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Squad' }]);
    await (await promoteScenario(ctx, done)).done;
    const applied = (await get(`/scenarios/${done}/changes`, owner)).html;
    expect(text(applied)).toContain('This applied scenario cannot be changed. To plan further changes, create a scenario .');
    // A viewer, who cannot create or unarchive, is not sent anywhere.
    expect(text((await get(`/scenarios/${filed}/changes`, viewer)).html)).not.toContain('Unarchive it');
  });
});

describe('a member who may change a scenario but not promote it', () => {
  it('is told why there is no Promote to Live and who can promote', async () => {
    const member = await site.signIn('member');
    const sid = (await createScenario(ctx, { name: 'Member plan' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_fte', actor_id: id('p2'), fte: 0.6 }]);
    const seen = text((await get(`/scenarios/${sid}`, member)).html);
    expect(seen).toContain('Promoting to Live is not part of your access (scenarios.promote): submit the scenario for review and ask an owner, admin or manager to promote it.');
    expect(seen).not.toContain('I understand that Live will be replaced');
    expect(text((await get(`/scenarios/${sid}`, owner)).html)).not.toContain('not part of your access (scenarios.promote)');
  });
});

describe('the delta of a branch whose source was promoted since', () => {
  it('says it is compared with Live, which it now follows, instead of offering its promoted source as a second view of Live', async () => {
    const parent = (await createScenario(ctx, { name: 'Promoted parent' })).id;
    await applyBatch(ctx, parent, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Ops' }]);
    const child = (await createScenario(ctx, { name: 'Orphaned child', sourceScenarioId: parent })).id;
    await applyBatch(ctx, child, [{ op: 'set_fte', actor_id: id('f1'), fte: 0.7 }]);
    // While the parent is a plan, the child is compared with it or with Live.
    expect((await get(`/scenarios/${child}/delta`, owner)).html).toContain('Compared with “Promoted parent”</a>');
    await (await promoteScenario(ctx, parent)).done;
    const html = (await get(`/scenarios/${child}/delta`, owner)).html;
    expect(html).not.toContain('Compared with “Promoted parent”');
    expect(text(html)).toContain('Compared with Live as it is now: “Promoted parent”, which this scenario started from, has been promoted since, so it follows Live.');
    expect(text(html)).toContain('Against Live,');
  });
});

describe('a delta address naming an unknown comparison', () => {
  it('is refused with the values allowed, not shown as the default comparison under that name', async () => {
    const sid = (await createScenario(ctx, { name: 'Bogus compare' })).id;
    const refused = await get(`/scenarios/${sid}/delta?compare=bogus`, owner);
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain('must be “live” or “source” (or left out for the default comparison), not “bogus”');
    expect(text(refused.html)).not.toContain('records differ');
    expect((await app.request(`/scenarios/${sid}/delta.csv?compare=bogus`, { host: HOST, cookie: owner })).status).toBe(400);
    expect((await get(`/scenarios/${sid}/delta?compare=live`, owner)).status).toBe(200);
  });
});

describe('the delta by org unit', () => {
  it('shows the span a new reporting line moves, so a unit listed for it does not read as unchanged', async () => {
    const sid = (await createScenario(ctx, { name: 'Wider sales span' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_manager', actor_id: id('p2'), manager_id: id('sales_head') }]);
    const html = (await get(`/scenarios/${sid}/delta`, owner)).html;
    const table = text(html.slice(html.indexOf('id="units-title"')));
    expect(table).toMatch(/Org unit Headcount FTE Effective FTE Vacancies Average span Layers Monthly cost/);
    // Sales keeps its people; only sales_head's span grows (f1, f2 and now p2): its row says so.
    expect(table).toMatch(/Sales 3 → 3 \(0\) 3 → 3 \(0\) 3 → 3 \(0\) 1 → 1 \(0\) 2 → 3 \(\+1\) 2 → 2 \(0\)/);
  });
});

describe('records in the delta', () => {
  it('are named on the page in the same words as the service gives every surface', async () => {
    const sid = (await createScenario(ctx, { name: 'New reporting' })).id;
    await applyBatch(ctx, sid, [
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('sales_head') },
      { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 50 },
    ]);
    const delta = await scenarioDelta(ctx, { scenarioId: sid });
    const labels = Object.values(delta.families).flatMap((f) => [...f!.added, ...f!.changed, ...f!.removed].map((r) => r.label as string));
    expect(labels).toEqual(expect.arrayContaining(['p2 reports to sales_head', 'm1 in Platform (50 %)']));
    const page = text((await get(`/scenarios/${sid}/delta`, owner)).html);
    for (const label of labels) expect(page).toContain(` ${label} `);
    expect(page).not.toMatch(/p2 → sales_head/);
  });

  it('say what pay a raise ends, in that pay’s own currency', async () => {
    const sid = (await createScenario(ctx, { name: 'Raise in dollars' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_compensation', actor_id: id('sales_head'), kind: 'salary', amount_minor: 13_000_000, currency: 'USD' }]);
    const page = text((await get(`/scenarios/${sid}/delta`, owner)).html);
    // The pay it ends (USD 120,000), then the new one.
    expect(page).toMatch(/changed Pay of sales_head \(salary US\$120,000\)/);
    expect(page).toMatch(/added Pay of sales_head .*US\$130,000/);
    expect(page).not.toContain('€120,000');
  });

  it('name an actor by an id prefix for a caller who may not read actors', async () => {
    const sid = (await createScenario(ctx, { name: 'Placements only' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 50 }]);
    const narrow = contextFor(database, tenant, principalFor(tenant, 'owner', ['scenarios.read', 'placements.read']));
    const delta = await scenarioDelta(narrow, { scenarioId: sid });
    // The 40 % placement ends and a 50 % one starts.
    const placements = delta.families.placement!;
    expect([...placements.changed, ...placements.added].map((r) => r.label)).toEqual([`#${id('m1').slice(0, 8)} in Platform (40 %)`, `#${id('m1').slice(0, 8)} in Platform (50 %)`]);
    expect(JSON.stringify(delta.families)).not.toContain('m1 in');
  });
});

describe('wording on the scenario pages', () => {
  it('says an applied scenario, and tells a viewer why no cost is shown', async () => {
    const sid = (await createScenario(ctx, { name: 'Headcount only' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: 'Viewer Hire', kind: 'human', org_unit_id: units.F }]);
    const seen = text((await get(`/scenarios/${sid}/delta`, viewer)).html);
    expect(seen).toContain('Cost figures and pay are not shown: your access does not include costs (costs.read).');
    expect(text((await get(`/scenarios/${sid}/delta`, owner)).html)).not.toContain('Cost figures and pay are not shown');
    const started = await promoteScenario(ctx, sid);
    await started.done;
  });
});

describe('an applied scenario’s delta', () => {
  it('shows what its promotion changed, not an empty comparison with the Live it became', async () => {
    const sid = (await createScenario(ctx, { name: 'Field hire' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: 'Field Hire', kind: 'human', org_unit_id: units.F }]);
    const started = await promoteScenario(ctx, sid);
    await started.done;
    // The finished task leads there.
    expect((await get(`/scenarios/${sid}/tasks/${started.task.id}`, owner)).html).toContain(`<a href="/scenarios/${sid}/delta">What the promotion changed</a>`);
    // Its overview sums it up the same way.
    expect(text((await get(`/scenarios/${sid}`, owner)).html)).toMatch(/What its promotion changed in Live Headcount \+1 FTE \+1 /);
    const page = text((await get(`/scenarios/${sid}/delta`, owner)).html);
    expect(page).toContain('What its promotion changed');
    expect(page).toContain('Against the Live it replaced (snapshot ‘Live before promoting “Field hire”’)');
    expect(page).toMatch(/added Field Hire /);
    expect(page).toMatch(/Headcount \+1 \d+ \d+ /);
    expect(page).toContain('Live before → live after promotion (change)');
    // Asked for, the comparison with Live now: nothing differs, as Live is what the promotion made it.
    const now = text((await get(`/scenarios/${sid}/delta?compare=live`, owner)).html);
    expect(now).toContain('0 records differ');
    // Only an applied scenario has a promotion to compare with.
    await expect(scenarioDelta(ctx, { scenarioId: (await createScenario(ctx, { name: 'Not yet' })).id, compare: 'promotion' })).rejects.toMatchObject({ field: 'compare' });
  });
});

describe('a conflict with Live', () => {
  it('is shown against “Live now”, and the promotion form keeps the confirmation a person ticked', async () => {
    const mine = (await createScenario(ctx, { name: 'FTE mine' })).id;
    const theirs = (await createScenario(ctx, { name: 'FTE theirs' })).id;
    await applyBatch(ctx, mine, [{ op: 'set_fte', actor_id: id('p1'), fte: 0.8 }]);
    await applyBatch(ctx, theirs, [{ op: 'set_fte', actor_id: id('p1'), fte: 0.9 }]);
    await (await promoteScenario(ctx, theirs)).done;

    const delta = text((await get(`/scenarios/${mine}/delta`, owner)).html);
    expect(delta).toContain('Record Field When created Scenario Live now');
    expect(delta).toContain('Actor: p1 FTE 1 0.8 0.9');
    // The overview says so before anyone tries to promote.
    const overview = (await get(`/scenarios/${mine}`, owner)).html;
    expect(text(overview)).toContain('1 change of this scenario meets a change made since in Live. Review the conflicts ; choose which value wins under Promote to Live .');
    // The promotion form offers the choice from the start: nobody has to be refused once to see it.
    expect(text(overview)).toContain('Resolve a conflict');
    expect(text(overview)).toMatch(/Actor: p1 FTE 1 0\.8 0\.9 scenario Live/);
    expect(overview).toMatch(/<input type="radio" id="c0-l" name="resolve\|actor\|[^|]+\|fte" value="live"/);
    expect(overview).not.toMatch(/role="alert">\s*These fields/); // nothing was refused yet
    expect(text((await get(`/scenarios/${theirs}`, owner)).html)).not.toContain('Review the conflicts');

    const csrf = hiddenField((await get(`/scenarios/${mine}`, owner)).html, 'csrf');
    const refused = await post(`/scenarios/${mine}/promote`, { csrf, confirm: 'yes' }, owner);
    expect(refused.status).toBe(409);
    expect(refused.html).toMatch(/<input type="checkbox" id="promote-confirm" name="confirm" value="yes" required="" checked=""/);
    expect(refused.html).not.toContain('Review the conflicts'); // the form lists them right there
    expect(refused.html).toMatch(/role="alert">\s*These fields/);
    // Not ticked on a first visit.
    expect((await get(`/scenarios/${mine}`, owner)).html).not.toMatch(/id="promote-confirm"[^>]*checked/);
  });
});

describe('promoting a scenario branched from another', () => {
  it('says, before it is done, that the changes it builds on go to Live too — and they do', async () => {
    const parent = (await createScenario(ctx, { name: 'Parent plan' })).id;
    await applyBatch(ctx, parent, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Apps' }]);
    const child = (await createScenario(ctx, { name: 'Child plan', sourceScenarioId: parent })).id;
    await applyBatch(ctx, child, [{ op: 'set_fte', actor_id: id('p2'), fte: 0.6 }]);
    const overview = text((await get(`/scenarios/${child}`, owner)).html);
    expect(overview).toMatch(/This scenario started from “Parent plan”: promoting it also applies the changes it builds on from there. See everything Live would get \./);
    expect((await get(`/scenarios/${parent}`, owner)).html).not.toContain('promoting it also applies');
    await (await promoteScenario(ctx, child)).done;
    expect(text((await get(`/live/units/${units.M}`, owner)).html)).toContain('Mobile Apps');
  });
});

describe('a hire staged with pay and a manager', () => {
  const hire = { action: 'stage', op: 'add_actor', display_name: 'Grace Hire', kind: 'human', org_unit_id: units.P, title: 'Engineer' };

  it('is staged from the hire form in one go, and applying gives the new person that pay and manager in the scenario', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire with pay' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const form = (await get(`/scenarios/${sid}/changes`, owner)).html;
    expect(form).toContain('<label for="add_actor-pay_amount">Pay amount<span class="hint"> (optional)</span></label>');
    expect(form).toContain('<label for="add_actor-pay_currency">Pay currency<span class="hint"> (with a pay amount)</span></label>');
    const staged = await post(`/scenarios/${sid}/changes`, { ...hire, csrf, staged: '', manager_id: id('p1'), pay_amount: '72,500', pay_kind: 'salary', pay_currency: 'EUR' }, owner);
    expect(staged.status).toBe(200);
    const page = text(staged.html);
    expect(page).toContain('Tray: 2 staged changes');
    // Kept in the page only: said next to the tray, for those without JavaScript (which asks before leaving).
    expect(page).toContain('Staged changes are kept only on this page until you apply them: following a link to another page, or reloading this one, drops them.');
    expect(page).toContain('Add person “Grace Hire” to Platform as Engineer, reporting to p1');
    expect(page).toContain('Pay Grace Hire an annual salary of €72,500');
    // Paid and placed: the preview has nothing to warn about.
    expect(page).not.toMatch(/no pay: “Grace Hire”|no manager: “Grace Hire”/);
    expect(text((await get(`/scenarios/${sid}/delta`, owner)).html)).toContain('0 records differ'); // staging saves nothing

    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(staged.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    expect(applied.location).toBe(`/scenarios/${sid}/changes?applied=2`);
    const grace = [...(await openView(ctx, { scenarioId: sid })).graph.actors.values()].find((a) => a.displayName === 'Grace Hire')!;
    const person = text((await get(`/live/actors/${grace.id}?scenario=${sid}`, owner)).html);
    expect(person).toContain('Manager p1');
    expect(person).toContain('Annual salary current €72,500');
    // Typed in euros, kept in cents, as every money form does.
    const pay = [...(await openView(ctx, { scenarioId: sid })).graph.compensations.values()].find((c) => c.actorId === grace.id);
    expect(pay).toMatchObject({ kind: 'salary', amountMinor: 7_250_000, currency: 'EUR' });
    expect(person).not.toContain('No compensation recorded');
  });

  it('can also be paid and placed later in the same tray: staged hires are offered in Change pay and Change a manager', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire, then pay' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const lead = await post(`/scenarios/${sid}/changes`, { ...hire, csrf, staged: '', display_name: 'Lena Lead' }, owner);
    expect(lead.html).toContain('<option value="$hire-1">Lena Lead (staged hire)</option>');
    expect(text(lead.html)).toContain('choose them in Change pay , where staged hires are offered');
    // A second hire reporting to the first, who does not exist yet.
    const report = await post(`/scenarios/${sid}/changes`, { ...hire, csrf, staged: stagedOf(lead.html), manager_id: '$hire-1' }, owner);
    expect(text(report.html)).toContain('Add person “Grace Hire” to Platform as Engineer, reporting to Lena Lead');
    const paid = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(report.html), action: 'stage', op: 'set_compensation', actor_id: '$hire-1', kind: 'day_rate', amount: '800', currency: 'USD' }, owner);
    expect(text(paid.html)).toContain('Pay Lena Lead a day rate of US$800');
    const managed = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(paid.html), action: 'stage', op: 'set_manager', actor_id: '$hire-1', manager_id: id('eng_head') }, owner);
    expect(text(managed.html)).toContain('Lena Lead reports to eng_head');
    expect(text(managed.html)).not.toMatch(/no manager: “Lena Lead”|no pay: “Lena Lead”/);
    // Removing the lead takes what was staged about them along; the report's manager went with them too.
    const removed = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(managed.html), action: 'remove:0' }, owner);
    expect(text(removed.html)).toContain('Removed from the tray, with 3 changes about what it created.');
    expect(text(removed.html)).toContain('Tray: 0 staged changes');
  });

  it('who starts later gets pay and a manager from their first day when the change is given no date', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire who starts later' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const later = await post(`/scenarios/${sid}/changes`, { ...hire, csrf, staged: '', display_name: 'Noor Later', date: '2030-01-07' }, owner);
    expect(later.html).toContain('Empty: today — for a hire staged in the tray, their first day');
    // The tray's notes send a person to Change pay and Change a manager, dates left empty: "today" they do not exist yet.
    const paid = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(later.html), action: 'stage', op: 'set_compensation', actor_id: '$hire-1', kind: 'salary', amount: '50000', currency: 'EUR', date: '' }, owner);
    expect(paid.status).toBe(200);
    expect(text(paid.html)).toContain('Pay Noor Later an annual salary of €50,000 from 2030-01-07');
    const managed = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(paid.html), action: 'stage', op: 'set_manager', actor_id: '$hire-1', manager_id: id('p1'), date: '' }, owner);
    expect(managed.status).toBe(200);
    expect(text(managed.html)).toContain('Noor Later reports to p1 from 2030-01-07');
    expect(text(managed.html)).not.toMatch(/no pay: “Noor Later”|no manager: “Noor Later”/);
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(managed.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
  });

  it('keeps the tray and the form when the pay amount is wrong, and says which field', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire with bad pay' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const first = await post(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'rename_org_unit', org_unit_id: units.F, name: 'Kept Name' }, owner);
    for (const [amount, currency, message] of [
      ['lots', 'EUR', 'Pay amount must be a number.'],
      ['-5', 'EUR', 'Pay amount must be an amount from 0 to 10,000,000,000.'],
      ['0', 'EUR', 'Pay amount: must be more than zero'],
      ['100', 'XYZ', 'Pay currency: XYZ is not an active currency of this tenant (see settings)'],
    ] as const) {
      const wrong = await post(`/scenarios/${sid}/changes`, { ...hire, csrf, staged: stagedOf(first.html), pay_amount: amount, pay_kind: 'salary', pay_currency: currency }, owner);
      expect(wrong.status, amount).toBe(400);
      expect(text(wrong.html), amount).toContain(message);
      const field = currency === 'XYZ' ? 'pay_currency' : 'pay_amount';
      expect(wrong.html, amount).toMatch(new RegExp(`id="add_actor-${field}" name="${field}"[^>]*aria-invalid="true" aria-describedby="op-add_actor-error`));
      expect(wrong.html, amount).toContain('<p class="notice error" role="alert" id="op-add_actor-error">');
      // Nothing lost: the staged rename, and what was typed in the hire form.
      expect(text(wrong.html), amount).toMatch(/Tray: 1 staged change Staged changes are kept only on this page[^“]+ Rename [^“]+ to “Kept Name”/); // Field, whatever a promotion renamed it to
      expect(wrong.html, amount).toContain('value="Grace Hire"');
    }
  });

  it('offers no pay to a member who may not read costs', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire by a member' })).id;
    const member = await site.signIn('member');
    const form = (await get(`/scenarios/${sid}/changes`, member)).html;
    expect(form).toContain('name="display_name"');
    expect(form).not.toMatch(/pay_amount|pay_currency|Pay amount|op-set_compensation"/);
    // Posting pay anyway stages the hire alone.
    const staged = await post(`/scenarios/${sid}/changes`, { ...hire, csrf: hiddenField(form, 'csrf'), staged: '', pay_amount: '50000', pay_kind: 'salary', pay_currency: 'EUR' }, member);
    expect(staged.status).toBe(200);
    expect(text(staged.html)).toContain('Tray: 1 staged change');
    expect(text(staged.html)).not.toMatch(/€|salary/i);
  });
});

describe('a manager deactivated from the tray', () => {
  it('takes, in the same form, who their direct reports move to — without it the leaver is refused while anyone reports to them', async () => {
    const sid = (await createScenario(ctx, { name: 'A manager leaves' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const leave = { csrf, staged: '', action: 'stage', op: 'deactivate_actor', actor_id: id('eng_head') };
    const refused = await post(`/scenarios/${sid}/changes`, leave, owner);
    expect(refused.status).toBe(400);
    // Said on the form's own way out, the field their reports move to.
    expect(text(refused.html)).toMatch(/Their direct reports move to: eng_head still manages \d+ active actors? on or after \d{4}-\d{2}-\d{2} — choose here who they move to \(one change each in the tray\)\./);
    expect(refused.html).toMatch(/id="deactivate_actor-reports_to" name="reports_to"[^>]*aria-invalid="true" aria-describedby="op-deactivate_actor-error/);
    expect(refused.html).not.toMatch(/id="deactivate_actor-actor_id" name="actor_id"[^>]*aria-invalid="true"/);
    expect(text(refused.html)).toContain('Their direct reports move to (when they manage anyone) None');
    expect(refused.html).toContain('Each person reporting to them then gets this manager from the same day');

    const staged = await post(`/scenarios/${sid}/changes`, { ...leave, reports_to: id('ceo') }, owner);
    expect(staged.status).toBe(200);
    const tray = text(staged.html);
    expect(tray).toMatch(/Tray: \d+ staged changes/);
    expect(tray).toContain('p1 reports to ceo Remove');
    expect(tray).toContain('m1 reports to ceo Remove');
    expect(tray).toContain('Deactivate eng_head Remove');
    expect(tray.indexOf('p1 reports to ceo')).toBeLessThan(tray.indexOf('Deactivate eng_head'));
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: staged.html.match(/name="staged" value="([^"]*)"/)![1]!.replaceAll('&quot;', '"'), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    expect(text((await get(`/live/actors/${id('p1')}?scenario=${sid}`, owner)).html)).toContain('Manager ceo');

    // A new manager who is not there on the day is said on that field, the tray kept.
    const wrong = await post(`/scenarios/${sid}/changes`, { ...leave, actor_id: id('sales_head'), reports_to: id('eng_head') }, owner);
    expect(wrong.status).toBe(400);
    expect(text(wrong.html)).toContain('Their direct reports move to: that actor is not active on');
    expect(wrong.html).toMatch(/id="deactivate_actor-reports_to" name="reports_to"[^>]*aria-invalid="true"/);
  });
});

describe('a manager of a hire staged in the same tray, deactivated from it', () => {
  it('moves that hire to the new manager too, by the hire’s name in the tray', async () => {
    const sid = (await createScenario(ctx, { name: 'Leaver with a new report' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const hire = await post(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: 'Grace Hire', kind: 'human', org_unit_id: units.P, manager_id: id('p2') }, owner);
    expect(hire.status).toBe(200);
    const left = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(hire.html), action: 'stage', op: 'deactivate_actor', actor_id: id('p2'), reports_to: id('eng_head') }, owner);
    expect(left.status).toBe(200);
    const tray = text(left.html);
    expect(tray).toContain('Grace Hire reports to eng_head Remove');
    expect(tray).toContain('Deactivate p2 Remove');
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(left.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    // A leaver who is a hire staged in the tray has their reports (staged too) moved as well.
    const sid2 = (await createScenario(ctx, { name: 'Staged lead leaves' })).id;
    const lead = await post(`/scenarios/${sid2}/changes`, { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: 'Lena Lead', kind: 'human', org_unit_id: units.P }, owner);
    const report = await post(`/scenarios/${sid2}/changes`, { csrf, staged: stagedOf(lead.html), action: 'stage', op: 'add_actor', display_name: 'Grace Hire', kind: 'human', org_unit_id: units.P, manager_id: '$hire-1' }, owner);
    const gone = await post(`/scenarios/${sid2}/changes`, { csrf, staged: stagedOf(report.html), action: 'stage', op: 'deactivate_actor', actor_id: '$hire-1', reports_to: id('eng_head'), date: '2030-01-01' }, owner);
    expect(gone.status).toBe(200);
    expect(text(gone.html)).toContain('Grace Hire reports to eng_head from 2030-01-01 Remove');
  });
});

describe('an actor the tray itself makes absent', () => {

  it('is said to be deactivated in this tray from its day, with what to do, when a later change names them', async () => {
    const sid = (await createScenario(ctx, { name: 'Leaver named again' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const left = await post(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'deactivate_actor', actor_id: id('f1'), date: '2030-01-01' }, owner);
    expect(text(left.html)).toContain('Deactivate f1 from 2030-01-01');
    // Still offered, for a change dated before it, but marked in every form choosing an actor.
    expect(left.html).toContain(`<option value="${id('f1')}">f1 (deactivated in this tray from 2030-01-01)</option>`);
    expect(left.html.split('f1 (deactivated in this tray from 2030-01-01)').length - 1).toBeGreaterThanOrEqual(5);
    const pay = { csrf, staged: stagedOf(left.html), action: 'stage', op: 'set_compensation', actor_id: id('f1'), kind: 'salary', amount: '60000', currency: 'EUR' };
    const refused = await post(`/scenarios/${sid}/changes`, { ...pay, date: '2030-06-01' }, owner);
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain('Actor: f1 is deactivated in this tray from 2030-01-01 (change 1): remove that staged deactivation, or date this change before 2030-01-01.');
    expect(refused.html).toMatch(/id="set_compensation-actor_id" name="actor_id"[^>]*aria-invalid="true" aria-describedby="op-set_compensation-error/);
    expect(text(refused.html)).toContain('Tray: 1 staged change');
    // The same for a hire's manager.
    const hire = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(left.html), action: 'stage', op: 'add_actor', display_name: 'Ada Late', kind: 'human', org_unit_id: units.F, manager_id: id('f1'), date: '2030-02-01' }, owner);
    expect(hire.status).toBe(400);
    expect(text(hire.html)).toContain('Manager: f1 is deactivated in this tray from 2030-01-01 (change 1)');
    // Dated before the deactivation, it goes through.
    const before = await post(`/scenarios/${sid}/changes`, { ...pay, date: '2029-06-01' }, owner);
    expect(before.status).toBe(200);
    expect(text(before.html)).toContain('Tray: 2 staged changes');
  });

  it('is a staged manager who starts later: their report’s first day defaults to the manager’s, and an earlier one says which day to use', async () => {
    const sid = (await createScenario(ctx, { name: 'Team starting later' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const hire = { csrf, action: 'stage', op: 'add_actor', kind: 'human', org_unit_id: units.P };
    const lead = await post(`/scenarios/${sid}/changes`, { ...hire, staged: '', display_name: 'Lena Lead', date: '2030-01-07' }, owner);
    expect(lead.html).toContain('Empty: today — or, reporting to a hire staged in the tray, that hire’s first day');
    expect(lead.html).toContain('<option value="$hire-1">Lena Lead (staged hire, starts 2030-01-07)</option>');
    const report = await post(`/scenarios/${sid}/changes`, { ...hire, staged: stagedOf(lead.html), display_name: 'Grace Hire', manager_id: '$hire-1', pay_amount: '50000', pay_kind: 'salary', pay_currency: 'EUR', date: '' }, owner);
    expect(report.status).toBe(200);
    expect(text(report.html)).toContain('Add person “Grace Hire” to Platform, reporting to Lena Lead from 2030-01-07');
    expect(text(report.html)).toContain('Pay Grace Hire an annual salary of €50,000 from 2030-01-07');
    const early = await post(`/scenarios/${sid}/changes`, { ...hire, staged: stagedOf(report.html), display_name: 'Early Bird', manager_id: '$hire-1', date: '2029-06-01' }, owner);
    expect(early.status).toBe(400);
    expect(text(early.html)).toContain('Manager: Lena Lead is a hire staged in this tray who starts on 2030-01-07: date this change on or after that day.');
    expect(early.html).toMatch(/id="add_actor-manager_id" name="manager_id"[^>]*aria-invalid="true"/);
    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(report.html), action: 'apply' }, owner);
    expect(applied.status).toBe(303);
  });
});

describe('the scenario list', () => {
  it('badges every scenario its archived filter lists as archived, an applied one too', async () => {
    const sid = (await createScenario(ctx, { name: 'Promoted and filed' })).id;
    await applyBatch(ctx, sid, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Force' }]);
    await (await promoteScenario(ctx, sid)).done;
    const rows = (await get('/scenarios?state=archived', owner)).html.split('<tr>').slice(2).map(text);
    const promoted = rows.find((r) => r.includes('Promoted and filed'));
    expect(promoted).toMatch(/ applied archived /);
    for (const row of rows) expect(row, 'each row the archived filter lists').toMatch(/ archived /);
    // The active filter lists it no more, and its overview badges it the same way.
    expect((await get('/scenarios?state=active', owner)).html).not.toContain(`href="/scenarios/${sid}"`);
    expect(text((await get(`/scenarios/${sid}`, owner)).html)).toMatch(/ applied archived /);
  });
});

describe('the scenario overview', () => {
  it('says beside "Headcount 0" that a scenario adds an AI agent (robots and agents are not headcount)', async () => {
    // A tenant of its own: the activity tests here count on few scenarios with unnamed events.
    const slug = 'scenarioagents';
    const own = await writeGraph(database, await buildTenant(database, { slug, plan: 'enterprise' }), buildFixtureOrg(slug));
    const ownCtx = contextFor(database, own, principalFor(own, 'owner'));
    const plan = (await createScenario(ownCtx, { name: 'Pilot an agent' })).id;
    await applyBatch(ownCtx, plan, [{ op: 'add_actor', display_name: 'Overview Agent', kind: 'agent', org_unit_id: fixtureIds(slug).units.P }]);
    const host = `${slug}.localhost`;
    const cookie = await signInThroughForm(app, host, (await buildMember(database, own, 'viewer', { password: PASSWORD })).email, PASSWORD);
    const page = text(await (await app.request(`/scenarios/${plan}`, { host, cookie, headers: { accept: 'text/html' } })).text());
    expect(page).toContain('Change against Live Headcount 0 Agents +1 FTE 0 Vacant positions 0 Review the delta'); // no robot moved: no row
  });

  it('answers “what does this do to headcount and cost?” with the delta’s own figures', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire and raise' })).id;
    await applyBatch(ctx, sid, [
      { op: 'add_actor', display_name: 'Overview Hire', kind: 'human', org_unit_id: units.P },
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR' },
    ]);
    const total = (await scenarioDelta(ctx, { scenarioId: sid })).metrics.total as Record<string, { delta: number }>;
    expect(total.annual_cost_minor!.delta).toBeGreaterThan(0);
    const page = text((await get(`/scenarios/${sid}`, owner)).html);
    expect(page).toContain(`Change against Live Headcount +1 FTE +1 Vacant positions 0 Annual cost ${signedMoney(total.annual_cost_minor!.delta, 'EUR')} Monthly cost ${signedMoney(total.monthly_cost_minor!.delta, 'EUR')} Actors without pay (cost left out) +1 Review the delta`);
    // A viewer gets the headcount, not the money.
    const seen = text((await get(`/scenarios/${sid}`, viewer)).html);
    expect(seen).toContain('Change against Live Headcount +1 FTE +1 Vacant positions 0 Review the delta');
    // Nothing changed yet: no figures to show.
    const empty = (await createScenario(ctx, { name: 'Empty plan' })).id;
    expect(text((await get(`/scenarios/${empty}`, owner)).html)).not.toContain('Change against');
  });
});

describe('a scenario’s history', () => {
  it('is one link away from its overview, for those who may read the activity log', async () => {
    const sid = (await createScenario(ctx, { name: 'With a history' })).id;
    await applyBatch(ctx, sid, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Sales' }]);
    const overview = (await get(`/scenarios/${sid}`, owner)).html;
    expect(overview).toContain(`<a href="/activity?scenario=${sid}">Who changed what (activity)</a>`);
    const activity = text((await get(`/activity?scenario=${sid}`, owner)).html);
    expect(activity).toMatch(/Org unit Field Sales updated/);
    expect((await get(`/scenarios/${sid}`, viewer)).html).not.toContain('/activity?scenario=');
  });
});

describe('the change tray', () => {
  it('shows what the staged changes would do to headcount and cost before they are applied', async () => {
    const sid = (await createScenario(ctx, { name: 'Tray preview' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const staged = await post(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: 'Staged Hire', kind: 'human', org_unit_id: units.P }, owner);
    expect(staged.status).toBe(200);
    const page = text(staged.html);
    // A hire without a manager starts a reporting tree of their own: the form says so before layers jump.
    expect(page).toContain('Empty: no manager — they start a reporting tree of their own, which layers and spans count');
    expect(page).toMatch(/If you apply the tray, against the scenario as it is Headcount \+1 FTE \+1 Vacant positions 0 Annual cost €0 Monthly cost €0 Actors without pay \(cost left out\) \+1 This new actor has no pay: “Staged Hire”\./);
    // Nothing is saved by staging.
    expect(text((await get(`/scenarios/${sid}/delta`, owner)).html)).toContain('0 records differ');
    const list = staged.html.match(/name="staged" value="([^"]*)"/)![1]!.replaceAll('&quot;', '"');
    const removed = await post(`/scenarios/${sid}/changes`, { csrf, staged: list, action: 'remove:0' }, owner);
    expect(text(removed.html)).not.toContain('If you apply the tray');
  });

  it('says, before applying, what a staged hire leaves out — no pay (the cost change reads €0), no manager (a new layer 1) — as the MCP preview does', async () => {
    const sid = (await createScenario(ctx, { name: 'Tray hire notes' })).id;
    const csrf = hiddenField((await get(`/scenarios/${sid}/changes`, owner)).html, 'csrf');
    const hire = { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: 'Ada Tray', kind: 'human', org_unit_id: units.P };
    const bare = text((await post(`/scenarios/${sid}/changes`, hire, owner)).html);
    expect(bare).toContain('This new actor has no pay: “Ada Tray”. The cost figures leave them out');
    expect(bare).toContain('Give them pay before applying: choose them in Change pay , where staged hires are offered.');
    expect(bare).toContain('This new actor has no manager: “Ada Tray”. Each starts a reporting line of its own (layer 1)');
    // A member sees no money: only the manager note.
    const member = await site.signIn('member');
    const memberCsrf = hiddenField((await get(`/scenarios/${sid}/changes`, member)).html, 'csrf');
    const seen = text((await post(`/scenarios/${sid}/changes`, { ...hire, csrf: memberCsrf }, member)).html);
    expect(seen).toContain('This new actor has no manager: “Ada Tray”.');
    expect(seen).not.toMatch(/no pay|give them pay/);
    // Placed under a manager: no manager note (pay is still missing).
    const placed = text((await post(`/scenarios/${sid}/changes`, { ...hire, manager_id: id('p1') }, owner)).html);
    expect(placed).toContain('This new actor has no pay: “Ada Tray”.');
    expect(placed).not.toContain('no manager: “Ada Tray”');
  });
});

describe('the scenario list', () => {
  it('says how many of the plan’s active planning scenarios are in use, and what to do when none is left', async () => {
    const small = await buildTenant(database, { slug: 'scenarioteam', name: 'Small Team', plan: 'team' });
    const host = 'scenarioteam.localhost';
    const cookie = await signInThroughForm(app, host, (await buildMember(database, small, 'owner', { password: PASSWORD })).email, PASSWORD);
    const list = async () => text(await (await app.request('/scenarios', { host, cookie, headers: { accept: 'text/html' } })).text());
    expect(await list()).toContain('0 of the 3 active planning scenarios your team plan allows are in use.');
    const smallCtx = contextFor(database, small, principalFor(small, 'owner'));
    await createScenario(smallCtx, { name: 'One' });
    expect(await list()).toContain('1 of the 3 active planning scenarios your team plan allows is in use.');
    for (const name of ['Two', 'Three']) await createScenario(smallCtx, { name });
    expect(await list()).toContain('3 of the 3 active planning scenarios your team plan allows are in use. Archive or promote one to start another.');
  });
});

describe('a snapshot’s delta', () => {
  it('reads as what restoring it would do to Live', async () => {
    const snapshot = (await createSnapshot(ctx, { name: 'Before the hire' })).id;
    const sid = (await createScenario(ctx, { name: 'Hire after the snapshot' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: 'Later Hire', kind: 'human', org_unit_id: units.S }]);
    await (await promoteScenario(ctx, sid)).done;
    const page = text((await get(`/scenarios/${snapshot}/delta`, owner)).html);
    expect(page).toContain('A snapshot is compared with Live as it is now: “added” and “removed” read as what restoring it would do to Live.');
    expect(page).toMatch(/removed Later Hire /);
  });
});

describe('comparing scenarios', () => {
  it('puts two options side by side against Live, each with the delta service’s figures', async () => {
    const a = (await createScenario(ctx, { name: 'Option A: hire' })).id;
    const b = (await createScenario(ctx, { name: 'Option B: cut' })).id;
    await applyBatch(ctx, a, [{ op: 'add_actor', display_name: 'Option Hire', kind: 'human', org_unit_id: units.P }]);
    await applyBatch(ctx, b, [{ op: 'set_fte', actor_id: id('m1'), fte: 0.5 }]);
    const list = (await get('/scenarios', owner)).html;
    expect(list).toContain(`<input type="checkbox" name="id" value="${a}" aria-label="Compare Option A: hire"/>`);
    const page = await get(`/scenarios/compare?id=${a}&id=${b}`, owner);
    expect(page.status).toBe(200);
    const [da, db] = await Promise.all([a, b].map((sid) => scenarioDelta(ctx, { scenarioId: sid, compare: 'live' })));
    const head = (d: typeof da) => (d.metrics.total as Record<string, { from: number; to: number }>).headcount!;
    const fte = (d: typeof da) => (d.metrics.total as Record<string, { from: number; to: number }>).fte!;
    const shown = text(page.html);
    expect(shown).toContain('Metric Live Option A: hire planning active Option B: cut planning active');
    expect(shown).toContain(`Headcount ${head(da).from} ${head(da).to} (+1) ${head(db).to} (0)`);
    expect(shown).toContain(`FTE ${fte(da).from} ${fte(da).to} (+1) ${fte(db).to} (−0.5)`);
    // A hire without pay and an FTE cut leave pay as it is; the fixture's GBP pay has no rate, and the totals say so.
    expect(shown).toMatch(/Annual cost €[\d,]+ excludes GBP €[\d,]+ excludes GBP \(€0\) €[\d,]+ excludes GBP \(€0\)/);
    expect(shown).toMatch(/Actors without pay \(cost left out\) \d+ \d+ \(\+1\) \d+ \(0\)/); // …and the hire's cost is unknown
    // Nothing chosen: a way back, not an empty table.
    const none = await get('/scenarios/compare', owner);
    expect(none.status).toBe(400);
    expect(text(none.html)).toContain('Choose two or more scenarios on the list');
    expect((await get('/scenarios/compare?id=not-an-id', owner)).status).toBe(400);
  });
});

describe('the activity log', () => {
  it('names every scenario event and record as the delta does, in the list and on the event', async () => {
    const sid = (await createScenario(ctx, { name: 'Logged plan' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_manager', actor_id: id('f1'), manager_id: id('ceo') }]);
    await submitScenario(ctx, sid);
    const list = text((await get(`/activity?scenario=${sid}`, owner)).html);
    expect(list).toContain('Scenario Logged plan submitted');
    expect(list).toMatch(/Reporting line f1 reports to ceo created/);
    expect(list).not.toContain('→');
    const html = (await get(`/activity?scenario=${sid}&entity=scenario`, owner)).html;
    const eventId = /href="\/activity\/([0-9a-f-]{36})"/.exec(html)![1]!;
    const event = (await get(`/activity/${eventId}`, owner)).html;
    // Named and linked; its id is not repeated beside a name that leads to it.
    expect(text(event)).toContain('Record Logged plan Scenario Logged plan');
    expect(event).toContain(`<a href="/scenarios/${sid}">Logged plan</a>`);
  });

  it('names a record that exists only in its scenario in the unfiltered list too (the placement of a hire)', async () => {
    const sid = (await createScenario(ctx, { name: 'Hiring plan' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: 'Nova Hire', kind: 'human', org_unit_id: units.P, email: 'nova@fixture.test' }]);
    const list = text((await get('/activity?category=model', owner)).html);
    expect(list).toMatch(/Placement Nova Hire in \S+ \(100 %\) created/);
    expect(list).not.toMatch(/Placement created/);
  });
});

describe('a scenario’s change list (REST /changes)', () => {
  it('leaves out the families the caller may not read, as the delta does', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire with a placement' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: 'Secret Hire', kind: 'human', org_unit_id: units.P, email: 'secret@fixture.test' }]);
    const families = async (c: ServiceContext) => [...new Set((await listScenarioChanges(c, sid)).page.items.map((i) => i.family))].sort();
    expect(await families(ctx)).toEqual(['actor', 'placement']);
    const narrow = contextFor(database, tenant, principalFor(tenant, 'owner', ['scenarios.read', 'placements.read']));
    expect(await families(narrow)).toEqual(['placement']);
    expect(JSON.stringify((await listScenarioChanges(narrow, sid)).page)).not.toContain('Secret Hire');
    expect((await scenarioDelta(narrow, { scenarioId: sid })).families.actor).toBeUndefined();
  });
});

describe('snapshots and archiving', () => {
  it('answers a snapshot’s documented address (/snapshots/:id) with its page, and nothing else there', async () => {
    const snapshot = (await createSnapshot(ctx, { name: 'Linked from the docs' })).id;
    const response = await app.request(`/snapshots/${snapshot}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`/scenarios/${snapshot}`);
    const page = text((await get(`/scenarios/${snapshot}`, owner)).html);
    expect(page).toContain('Holds Live as it was when this snapshot was taken');
    expect(page).not.toContain('Started from');
    const planning = (await createScenario(ctx, { name: 'Not a snapshot' })).id;
    expect((await get(`/snapshots/${planning}`, owner)).status).toBe(404);
    expect((await get('/snapshots/not-an-id', owner)).status).toBe(404);
  });

  it('asks twice before archiving a scenario that is under review', async () => {
    const sid = (await createScenario(ctx, { name: 'Under review' })).id;
    expect((await get(`/scenarios/${sid}`, owner)).html).toContain('data-confirm="Archive this scenario? You can bring it back later."');
    await applyBatch(ctx, sid, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Sales' }]);
    await submitScenario(ctx, sid);
    expect((await get(`/scenarios/${sid}`, owner)).html).toContain('data-confirm="This scenario is submitted for review: archive it only if the review is over.');
  });
});

describe('a conflict of a scenario a branch builds on', () => {
  it('is shown in the branch’s delta and promote form, saying whose change it is', async () => {
    const first = (await createScenario(ctx, { name: 'Rename mobile first' })).id;
    await applyBatch(ctx, first, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile One' }]);
    const branch = (await createScenario(ctx, { name: 'Built on the rename', sourceScenarioId: first })).id;
    const meanwhile = (await createScenario(ctx, { name: 'Live renames mobile' })).id;
    await applyBatch(ctx, meanwhile, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Live' }]);
    await (await promoteScenario(ctx, meanwhile)).done;
    const owner_ = ' (a change of “Rename mobile first”, which this scenario builds on)';
    expect(text((await get(`/scenarios/${branch}/delta`, owner)).html)).toContain(`Org unit: Mobile Live${owner_}`);
    const csrf = hiddenField((await get(`/scenarios/${branch}`, owner)).html, 'csrf');
    const refused = await post(`/scenarios/${branch}/promote`, { csrf, confirm: 'yes' }, owner);
    expect(refused.status).toBe(409);
    expect(text(refused.html)).toContain(`Org unit: Mobile Live${owner_}`);
  });
});

describe('a record removed from Live under a scenario', () => {
  it('is named in the conflict, from Live as it was when the scenario branched', async () => {
    const before = (await createSnapshot(ctx, { name: 'Before the temp team' })).id;
    const adding = (await createScenario(ctx, { name: 'Add a temp team' })).id;
    const outcome = await applyBatch(ctx, adding, [{ op: 'create_org_unit', name: 'Temp Team', type: 'team', parent_id: units.E }]);
    const unitId = outcome.created.find((c) => c.family === 'org_units')!.id;
    await (await promoteScenario(ctx, adding)).done;
    const renaming = (await createScenario(ctx, { name: 'Rename the temp team' })).id;
    await applyBatch(ctx, renaming, [{ op: 'rename_org_unit', org_unit_id: unitId, name: 'Temp Team 2' }]);
    await (await restoreSnapshot(ctx, before)).done; // Live without the team again

    const delta = await scenarioDelta(ctx, { scenarioId: renaming });
    expect(delta.conflicts).toEqual([expect.objectContaining({ family: 'org_unit', id: unitId, reason: 'removed_in_source', label: 'Temp Team' })]);
    const page = text((await get(`/scenarios/${renaming}/delta`, owner)).html);
    expect(page).toContain('Org unit: Temp Team whole record Removed from the source since.');
    const csrf = hiddenField((await get(`/scenarios/${renaming}`, owner)).html, 'csrf');
    const refused = await post(`/scenarios/${renaming}/promote`, { csrf, confirm: 'yes' }, owner);
    expect(refused.status).toBe(409);
    expect(text(refused.html)).toContain('Org unit: Temp Team whole record Removed from the source since');
  });
});

describe('the delta as CSV', () => {
  it('gives a spreadsheet the page’s figures and records: money in currency units, records by name, one row per changed field', async () => {
    const sid = (await createScenario(ctx, { name: 'CSV review' })).id;
    await applyBatch(ctx, sid, [
      { op: 'add_actor', display_name: '=Formula Hire', kind: 'human', org_unit_id: units.F },
      { op: 'set_compensation', actor_id: id('eng_head'), kind: 'salary', amount_minor: 16_000_000, currency: 'EUR' },
    ]);
    expect((await get(`/scenarios/${sid}/delta`, owner)).html).toContain(`href="/scenarios/${sid}/delta.csv" download`);
    const response = await app.request(`/scenarios/${sid}/delta.csv`, { host: HOST, cookie: owner });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toBe('part,family,record,field,from,to,change');
    expect(lines.filter((l) => /^metric,,Total,Headcount,\d+,\d+,1$/.test(l))).toHaveLength(1);
    const annual = lines.find((l) => l.startsWith('metric,,Total,Annual cost,'))!.split(',');
    expect(Number(annual[6])).toBeGreaterThan(10_000); // 10,000 euros a year and more (burden), not minor units
    expect(Number(annual[6])).toBeLessThan(100_000);
    expect(lines).toContain("added,Actors,'=Formula Hire,,,,"); // a name a spreadsheet would run is quoted
    expect(lines.filter((l) => /^changed,Compensation,Pay of eng_head,Valid to,empty,\d{4}-\d{2}-\d{2},$/.test(l))).toHaveLength(1);
    const viewerCsv = await (await app.request(`/scenarios/${sid}/delta.csv`, { host: HOST, cookie: viewer })).text();
    expect(viewerCsv).not.toMatch(/cost|Compensation|€/i);
  });
});
