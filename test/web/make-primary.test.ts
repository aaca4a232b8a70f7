import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { inEffect, today } from '../../src/org/dates.js';
import { openView } from '../../src/org/view.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { hiddenField, pageText } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * “Make primary” in a scenario: the actor page offers it beside each secondary placement (not the primary), opening
 * the change tray's “Make a placement primary” form for that placement; staged, it reads in words, a refusal (the
 * primary itself) is said on the form, and Apply makes the placement primary and the old primary secondary — for a
 * member, who may. (Fixture: m1 in Mobile, 60 %, primary, and Platform, 40 %, secondary.)
 */

let site: FixtureSite;
let member: string;
let ctx: ServiceContext;
const SALT = 'make-primary';
const { id, units } = fixtureIds(SALT);
const get = (path: string, cookie: string) => site.get(path, cookie);
const post = (path: string, form: Record<string, string>, cookie: string) => site.post(path, form, cookie);
const chosen = (html: string, selectId: string) =>
  /<option value="([^"]*)" selected=""/.exec(new RegExp(`<select id="${selectId}"[^>]*>([\\s\\S]*?)</select>`).exec(html)![1]!)?.[1];

beforeAll(async () => {
  site = await fixtureSite({ slug: 'makeprimary', name: 'Make Primary', salt: SALT });
  ctx = site.ctx;
  member = await site.signIn('member');
});
afterAll(() => site?.database.close());

describe('Make primary', () => {
  it('is offered for the secondary placement on the actor page of a scenario, and not in Live', async () => {
    const sid = (await createScenario(ctx, { name: 'Platform first' })).id;
    const actorPage = (await get(`/live/actors/${id('m1')}?scenario=${sid}`, member)).html;
    const links = [...actorPage.matchAll(/href="([^"]*op=set_primary_placement[^"]*)">Make primary<\/a>/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(links).toEqual([`/scenarios/${sid}/changes?op=set_primary_placement&placement_id=${id('pl-m1-p')}#op-set_primary_placement`]);
    expect((await get(`/live/actors/${id('m1')}`, member)).html).not.toContain('Make primary');

    const form = (await get(links[0]!.replace(/#.*/, ''), member)).html;
    expect(form).toContain('Make a placement primary');
    expect(chosen(form, 'set_primary_placement-placement_id')).toBe(id('pl-m1-p'));
  });

  it('stages the change in words, refuses the primary itself on the form, and Apply flips both placements', async () => {
    const sid = (await createScenario(ctx, { name: 'Flip' })).id;
    const page = (await get(`/scenarios/${sid}/changes`, member)).html;
    const csrf = hiddenField(page, 'csrf');
    const stage = (staged: string, form: Record<string, string>) => post(`/scenarios/${sid}/changes`, { csrf, staged, action: 'stage', ...form }, member);

    const refused = await stage('', { op: 'set_primary_placement', placement_id: id('pl-m1'), date: '' });
    expect(refused.status).toBe(400);
    expect(pageText(refused.html)).toContain('is the actor’s primary placement already on');

    const staged = await stage('', { op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: '' });
    expect(staged.status).toBe(200);
    expect(JSON.parse(stagedOf(staged.html))).toEqual([{ op: 'set_primary_placement', placement_id: id('pl-m1-p') }]);
    expect(pageText(staged.html)).toContain('Make m1 in Platform (40 %) primary');

    const applied = await post(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(staged.html), action: 'apply' }, member);
    expect(applied.status).toBe(303);
    const graph = (await openView(ctx, { scenarioId: sid })).graph;
    const m1 = [...graph.placements.values()].filter((p) => p.actorId === id('m1') && inEffect(p, today()));
    expect(m1.map((p) => [p.orgUnitId, p.isPrimary]).sort()).toEqual(
      [
        [units.M, false],
        [units.P, true],
      ].sort(),
    );
    // The actor page now offers Make primary for Mobile, the secondary one.
    const after = (await get(`/live/actors/${id('m1')}?scenario=${sid}`, member)).html;
    const mobile = m1.find((p) => p.orgUnitId === units.M)!;
    expect([...after.matchAll(/placement_id=([^"#&]*)#op-set_primary_placement/g)].map((m) => m[1])).toEqual([mobile.id]);
  });
});
