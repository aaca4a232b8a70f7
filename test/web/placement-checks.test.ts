import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { roleBundles } from '../../src/db/schema/index.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Placement checks on the web: Live's card counts who fails each check (each count a link to them in People), People
 * filters by a check, an actor's page says their total allocation and the checks they fail, and the scenario delta
 * and compare pages have a row per check, a rise coloured as worse and a fall as better. Someone whose role has no
 * placements.read sees none of it, and the filter is refused them.
 *
 * The fixture org (test/support/fixture-org.ts), changed so each check fails:
 *   over-allocated: p1 (100 % + 30 % in Mobile), and 55 "Overload" people (100 % + 50 %) — 56 in all;
 *   under-allocated: f1 (50 %); unplaced: loner (no placement); no primary: f2 (its one placement is secondary).
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let narrow: string;
let ctx: ServiceContext;
const HOST = 'placementchecks.localhost';
const PASSWORD = 'correct horse battery';
const { id, units } = fixtureIds('placement-checks');
const OVERLOADED = 55;

async function page(path: string, cookie: string, status = 200) {
  const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
  const html = await response.text();
  expect(response.status, `${path}: ${pageText(html).slice(0, 400)}`).toBe(status);
  // A check's name is in bold: "Over-allocated: …" reads without the gap the tag leaves in the text.
  return { html, text: pageText(html).replaceAll(' :', ':') };
}

/** The address of the link whose text is `text` (entities decoded), or undefined. */
function hrefOf(html: string, text: RegExp): string | undefined {
  for (const match of html.matchAll(/<a [^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)) {
    if (text.test(pageText(match[2]!).trim())) return match[1]!.replaceAll('&amp;', '&');
  }
  return undefined;
}

/** The names in the People table's first column. */
function listedNames(html: string): string[] {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  return [...body.matchAll(/<tr><td><a href="\/live\/actors\/[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'placementchecks', name: 'Checks Co', plan: 'enterprise', currency: 'EUR' });
  const g = buildFixtureOrg('placement-checks');
  const place = (key: string, actorKey: string, unitKey: keyof typeof units, allocationPct: number, isPrimary: boolean) =>
    g.placements.set(id(key), { id: id(key), actorId: id(actorKey), orgUnitId: units[unitKey], positionId: null, isPrimary, allocationPct, validFrom: '2024-01-01', validTo: null });
  const person = (key: string, displayName: string) =>
    g.actors.set(id(key), { ...g.actors.get(id('p2'))!, id: id(key), displayName, email: `${key}@fixture.test`, externalUid: key, fte: 1 });
  place('pl-p1-m', 'p1', 'M', 30, false);
  g.placements.get(id('pl-f1'))!.allocationPct = 50;
  g.placements.get(id('pl-f2'))!.isPrimary = false;
  person('loner', 'Lone Ranger');
  for (let n = 1; n <= OVERLOADED; n++) {
    const key = `over-${n}`;
    person(key, `Overload ${String(n).padStart(2, '0')}`);
    place(`pl-${key}-p`, key, 'P', 100, true);
    place(`pl-${key}-m`, key, 'M', 50, false);
  }
  tenant = await writeGraph(database, tenant, g);
  // A member whose organisation's role leaves out placements (a tenant may narrow its roles): no placement checks.
  await database.db
    .update(roleBundles)
    .set({ abilities: DEFAULT_BUNDLES.member.filter((a) => a !== 'placements.read') })
    .where(and(eq(roleBundles.tenantId, tenant.id), eq(roleBundles.role, 'member')));
  app = testApp(database);
  ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
  narrow = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'member', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('Live’s placement checks card', () => {
  it('counts who fails each check, in words, each count a link to them in People on the same day', async () => {
    const { html, text } = await page(`/live?as_of=${AS_OF}`, owner);
    const card = text.slice(text.indexOf('Placement checks'), text.indexOf('Structure'));
    expect(card).toContain('Over-allocated 56 actors over-allocated Placements in effect add up to more than 100% allocation');
    expect(card).toContain('Under-allocated 1 actor under-allocated Placed, but placements in effect add up to less than 100% allocation');
    expect(card).toContain('Unplaced 1 actor unplaced No placement in effect (in no org unit)');
    expect(card).toContain('No primary placement 1 actor no primary placement Placed, but no placement in effect is primary (no home unit)');

    const over = hrefOf(html, /^56 actors over-allocated$/);
    expect(over).toBe(`/live/matrix?as_of=${AS_OF}&check=over_allocated`);
    const listed = await page(over!, owner);
    expect(listed.text).toContain(`56 actors failing the placement check “Over-allocated” on ${AS_OF}`);
    expect(listed.text).toContain('Over-allocated: placements in effect add up to more than 100% allocation.');

    const unplaced = await page(hrefOf(html, /^1 actor unplaced$/)!, owner);
    expect(listedNames(unplaced.html)).toEqual(['Lone Ranger']);
    expect(listedNames((await page(hrefOf(html, /^1 actor under-allocated$/)!, owner)).html)).toEqual(['f1']);
    expect(listedNames((await page(hrefOf(html, /^1 actor no primary placement$/)!, owner)).html)).toEqual(['f2']);
  });

  it('counts a scenario’s organisation, its links staying in the scenario, and says so when nothing fails', async () => {
    const sid = (await createScenario(ctx, { name: 'Tidy placements' })).id;
    await applyBatch(ctx, sid, [
      { op: 'set_allocation', placement_id: id('pl-f1'), allocation_pct: 100 },
      { op: 'add_placement', actor_id: id('loner'), org_unit_id: units.F, allocation_pct: 100, is_primary: true },
    ]);
    const partly = await page(`/live?scenario=${sid}`, owner);
    const card = partly.text.slice(partly.text.indexOf('Placement checks'), partly.text.indexOf('Structure'));
    expect(card).toContain('Under-allocated 0 ');
    expect(card).toContain('Unplaced 0 ');
    expect(hrefOf(partly.html, /^1 actor no primary placement$/)).toBe(`/live/matrix?scenario=${sid}&check=no_primary`);
    expect(hrefOf(partly.html, /under-allocated$/)).toBeUndefined();
    // The scenario's own page shows the same card.
    expect((await page(`/scenarios/${sid}`, owner)).text).toContain('Unplaced 0 No placement in effect');

    const tidy = (await createScenario(ctx, { name: 'No problems left' })).id;
    await applyBatch(ctx, tidy, [
      { op: 'set_allocation', placement_id: id('pl-f1'), allocation_pct: 100 },
      { op: 'add_placement', actor_id: id('loner'), org_unit_id: units.F, allocation_pct: 100, is_primary: true },
      { op: 'end_placement', placement_id: id('pl-p1-m') },
      ...Array.from({ length: OVERLOADED }, (_, i) => ({ op: 'end_placement' as const, placement_id: id(`pl-over-${i + 1}-m`) })),
      { op: 'end_placement', placement_id: id('pl-f2') },
      { op: 'add_placement', actor_id: id('f2'), org_unit_id: units.F, allocation_pct: 100, is_primary: true },
    ]);
    const clean = await page(`/live?scenario=${tidy}&as_of=2099-01-01`, owner);
    expect(clean.text).toContain('Placement checks No placement problems on 2099-01-01: everyone is placed, with a primary placement, and their placements add up to 100 %.');
    expect(clean.html).not.toContain('check=');
  });
});

describe('People filtered by a placement check', () => {
  it('narrows the list, keeps the check in the sort, export and pager links, and exports only those', async () => {
    const all = await page(`/live/matrix?as_of=${AS_OF}`, owner);
    expect(all.html).toContain('<label for="f-check">Placement check</label>');
    expect(all.text).toContain('Any Over-allocated Under-allocated Unplaced No primary placement');
    expect(all.text).toContain(`${10 + OVERLOADED} actors`);

    const { html, text } = await page(`/live/matrix?as_of=${AS_OF}&check=over_allocated`, owner);
    expect(html).toContain('<option value="over_allocated" selected="">Over-allocated</option>');
    expect(text).toContain(`56 actors failing the placement check “Over-allocated” on ${AS_OF} · 50 on this page`);
    // By name: the 50 first "Overload" people here, then the last 5 and p1.
    const names = listedNames(html);
    expect(names).toHaveLength(50);
    expect(names.every((n) => n.startsWith('Overload '))).toBe(true);
    expect(hrefOf(html, /^Download CSV$/), 'named as on the delta page').toBe(`/live/matrix.csv?as_of=${AS_OF}&check=over_allocated`);
    expect(hrefOf(html, /^Clear filters$/)).toBe(`/live/matrix?as_of=${AS_OF}`);
    expect(hrefOf(html, /^Title/)).toContain('check=over_allocated');

    const next = hrefOf(html, /^Next page »$/)!;
    expect(next).toContain('check=over_allocated');
    const second = await page(next, owner);
    expect(second.text).toContain('56 actors failing the placement check “Over-allocated”');
    expect(listedNames(second.html)).toEqual(['Overload 51', 'Overload 52', 'Overload 53', 'Overload 54', 'Overload 55', 'p1']);

    const csv = await app.request(`/live/matrix.csv?as_of=${AS_OF}&check=over_allocated`, { host: HOST, cookie: owner });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(57);
    expect(lines.filter((l) => l.includes(',p1,'))).toHaveLength(1);
    expect(lines.some((l) => l.includes(',f1,'))).toBe(false);
  });

  it('refuses a check that is not one, naming the field', async () => {
    const { text } = await page(`/live/matrix?check=overbooked`, owner, 400);
    expect(text).toContain('Please check the address');
    expect(text).toContain('Invalid check: must be one of over_allocated, under_allocated, unplaced, no_primary');
    expect((await app.request('/live/matrix.csv?check=overbooked', { host: HOST, cookie: owner })).status).toBe(400);
  });
});

describe('an actor’s page', () => {
  it('says the total allocation and, in words, the checks the actor fails', async () => {
    const p1 = await page(`/live/actors/${id('p1')}?as_of=${AS_OF}`, owner);
    expect(p1.text).toContain('Total allocation 130 % of their capacity, across their placements');
    expect(p1.text).toContain('Placement check failed Over-allocated: placements add up to 130 %, more than their whole capacity.');
    expect(hrefOf(p1.html, /^Everyone failing “Over-allocated”$/)).toBe(`/live/matrix?as_of=${AS_OF}&check=over_allocated`);

    expect((await page(`/live/actors/${id('f1')}?as_of=${AS_OF}`, owner)).text).toContain('Under-allocated: placements add up to 50 %, less than their whole capacity.');
    expect((await page(`/live/actors/${id('f2')}?as_of=${AS_OF}`, owner)).text).toContain(
      'No primary placement: none of their placements is primary, so they have no home unit.',
    );
    const loner = await page(`/live/actors/${id('loner')}?as_of=${AS_OF}`, owner);
    expect(loner.text).toContain('Total allocation 0 %');
    expect(loner.text).toContain(`Unplaced: no placement in effect on ${AS_OF}: they are in no org unit.`);

    // m1: 60 % + 40 %, a primary — nothing to warn about.
    const m1 = await page(`/live/actors/${id('m1')}?as_of=${AS_OF}`, owner);
    expect(m1.text).toContain('Total allocation 100 %');
    expect(m1.text).not.toContain('Placement check');
  });
});

describe('the scenario delta and compare pages', () => {
  it('have a row per check, total only: a rise coloured as worse, a fall as better', async () => {
    const sid = (await createScenario(ctx, { name: 'One fixed, one broken' })).id;
    await applyBatch(ctx, sid, [
      { op: 'set_allocation', placement_id: id('pl-f1'), allocation_pct: 100 },
      { op: 'add_placement', actor_id: id('ceo'), org_unit_id: units.E, allocation_pct: 20, is_primary: false },
    ]);
    const { html, text } = await page(`/scenarios/${sid}/delta`, owner);
    expect(html).toContain('<th scope="row">Over-allocated (actors)</th><td class="num delta-cost-rise">+1</td><td class="num">56</td><td class="num">57</td>');
    expect(html).toContain('<th scope="row">Under-allocated (actors)</th><td class="num delta-saving">−1</td><td class="num">1</td><td class="num">0</td>');
    expect(html).toContain('<th scope="row">Unplaced (actors)</th><td class="num ">0</td><td class="num">1</td><td class="num">1</td>');
    expect(text).toContain('No primary placement (actors) 0 1 1');
    expect(text).toContain('The placement check rows count the actors failing each check across the whole organisation (so not by org unit below)');
    // The by-unit table has no column for them: they are counted for the whole organisation only.
    const byUnit = html.slice(html.indexOf('id="units-title"'));
    expect(byUnit).not.toMatch(/allocated|Unplaced|primary placement/i);

    const csv = await (await app.request(`/scenarios/${sid}/delta.csv`, { host: HOST, cookie: owner })).text();
    expect(csv).toContain('metric,,Total,Over-allocated (actors),56,57,1');

    const other = (await createScenario(ctx, { name: 'Nothing changed' })).id;
    const compare = await page(`/scenarios/compare?id=${sid}&id=${other}`, owner);
    expect(compare.html).toContain('<th scope="row">Over-allocated (actors)</th><td class="num">56</td><td class="num">57 <span class="delta-cost-rise">(+1)</span></td><td class="num">56 <span>(0)</span></td>');
    expect(compare.html).toContain('<th scope="row">Under-allocated (actors)</th><td class="num">1</td><td class="num">0 <span class="delta-saving">(−1)</span></td>');
  });
});

describe('someone whose role has no placements.read', () => {
  it('sees no placement checks anywhere, and is refused the filter', async () => {
    const live = await page(`/live?as_of=${AS_OF}`, narrow);
    expect(live.text).toContain('Headcount');
    expect(live.text).not.toContain('Placement checks');
    expect(live.html).not.toContain('check=');

    const people = await page(`/live/matrix?as_of=${AS_OF}`, narrow);
    expect(people.html).not.toContain('name="check"');
    expect(people.text).not.toContain('Placement check');

    const refused = await page(`/live/matrix?check=over_allocated`, narrow, 403);
    expect(refused.text).toContain('This needs “placements.read”');
    expect(refused.text).not.toContain('Overload');
    expect((await app.request('/live/matrix.csv?check=over_allocated', { host: HOST, cookie: narrow })).status).toBe(403);

    const p1 = await page(`/live/actors/${id('p1')}?as_of=${AS_OF}`, narrow);
    expect(p1.text).not.toMatch(/Total allocation|Over-allocated|Placement check/);

    const sid = (await createScenario(ctx, { name: 'Seen without placements' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_allocation', placement_id: id('pl-f1'), allocation_pct: 100 }]);
    const delta = await page(`/scenarios/${sid}/delta`, narrow);
    expect(delta.text).toContain('Headcount');
    expect(delta.text).not.toMatch(/allocated|Unplaced|primary placement|placement check/i);
    expect(await (await app.request(`/scenarios/${sid}/delta.csv`, { host: HOST, cookie: narrow })).text()).not.toContain('allocated');
    expect((await page(`/scenarios/${sid}`, narrow)).text).not.toContain('Placement checks');
  });
});
