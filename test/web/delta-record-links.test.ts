import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * From a scenario's delta to the records it lists: each added or changed org unit and actor is named with a link to
 * its page in the scenario (a removed one: in what the scenario is compared with), and a placement links to its
 * actor's page. The overview's "Changed records" table links
 * each family to its part of the delta.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let ctx: ServiceContext;
const HOST = 'deltalinks.localhost';
const PASSWORD = 'correct horse battery';
const { id, units } = fixtureIds('delta-links');

const page = async (path: string) => {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
};

/** The record names of the delta's family section, each with its link (null where it has none). */
function recordNames(html: string, family: string): { name: string; href: string | null }[] {
  const section = html.match(new RegExp(`<section id="family-${family}"[\\s\\S]*?</section>`))?.[0] ?? '';
  return [...section.matchAll(/<span class="badge [a-z]+">(?:added|changed|removed)<\/span> <strong>(?:<a href="([^"]+)">)?([^<]+)/g)].map((m) => ({
    name: m[2]!,
    href: m[1] ? m[1].replaceAll('&amp;', '&') : null,
  }));
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'deltalinks', name: 'Delta Links', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('delta-links'));
  app = testApp(database);
  ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
});

afterAll(async () => {
  await database?.close();
});

describe('links from a delta to its records', () => {
  it('names each added or changed unit and actor with a link to its page in the scenario, and a placement with its actor’s', async () => {
    const sid = (await createScenario(ctx, { name: 'Tiger team' })).id;
    const outcome = await applyBatch(ctx, sid, [
      { op: 'create_org_unit', type: 'team', name: 'Tiger', parent_id: units.E, ref: 'tiger' },
      { op: 'add_actor', kind: 'agent', display_name: 'Tiger bot', org_unit_id: '$tiger', ref: 'bot' },
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' },
    ]);
    const tiger = outcome.created.find((c) => c.ref === 'tiger')!.id;
    const bot = outcome.created.find((c) => c.ref === 'bot')!.id;

    const delta = await page(`/scenarios/${sid}/delta?as_of=2026-06-01`);
    expect(delta.status).toBe(200);
    const view = `scenario=${sid}&as_of=2026-06-01`;
    expect(recordNames(delta.html, 'org_unit')).toEqual(
      expect.arrayContaining([
        { name: 'Tiger', href: `/live/units/${tiger}?${view}` },
        { name: 'Apps', href: `/live/units/${units.M}?${view}` },
      ]),
    );
    expect(recordNames(delta.html, 'actor')).toEqual([{ name: 'Tiger bot', href: `/live/actors/${bot}?${view}` }]);
    const placements = recordNames(delta.html, 'placement');
    expect(placements.length).toBeGreaterThan(0);
    for (const placement of placements) expect(placement.href).toBe(`/live/actors/${bot}?${view}`);

    // The links lead somewhere: the new agent's page in the scenario.
    const agent = await page(`/live/actors/${bot}?scenario=${sid}`);
    expect(agent.status).toBe(200);
    expect(agent.html).toContain('Tiger bot');
  });

  it('links a changed placement to its actor, and leaves a position (which has no page) unlinked', async () => {
    const sid = (await createScenario(ctx, { name: 'Rebalance' })).id;
    await applyBatch(ctx, sid, [
      { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 50 },
      { op: 'create_position', title: 'Staff engineer', org_unit_id: units.P, planned_fte: 1, employment_type: 'perm', currency: 'EUR' },
    ]);
    const delta = await page(`/scenarios/${sid}/delta`);
    expect(delta.status).toBe(200);
    const placements = recordNames(delta.html, 'placement');
    expect(placements.length).toBeGreaterThan(0);
    for (const placement of placements) expect(placement.href).toBe(`/live/actors/${id('m1')}?scenario=${sid}`);
    expect(recordNames(delta.html, 'position')).toEqual([{ name: 'Staff engineer', href: null }]);
  });

  it('links a removed actor and its placement to the actor’s page in Live, where they still are', async () => {
    const sid = (await createScenario(ctx, { name: 'Goodbye f2' })).id;
    await applyBatch(ctx, sid, [{ op: 'deactivate_actor', actor_id: id('f2'), date: '2024-01-01' }]);
    const delta = await page(`/scenarios/${sid}/delta`);
    expect(delta.status).toBe(200);
    expect(recordNames(delta.html, 'actor')).toEqual([{ name: 'f2', href: `/live/actors/${id('f2')}` }]);
    const placements = recordNames(delta.html, 'placement');
    expect(placements.length).toBe(1);
    expect(placements[0]!.href).toBe(`/live/actors/${id('f2')}`);
    expect(delta.html).toContain('<span class="badge danger">removed</span>');
  });

  it('links each family of the overview’s "Changed records" table to its part of the delta', async () => {
    const sid = (await createScenario(ctx, { name: 'Rename only' })).id;
    await applyBatch(ctx, sid, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field sales' }]);
    const overview = await page(`/scenarios/${sid}`);
    expect(overview.status).toBe(200);
    expect(overview.html).toContain(`<th scope="row"><a href="/scenarios/${sid}/delta#family-org_unit">Org unit</a></th>`);
  });
});

describe('the breadcrumb of a scenario’s pages', () => {
  /** The breadcrumb's items: each one's text and link (null for the current page). */
  const crumbs = (html: string) =>
    [...(html.match(/<nav aria-label="Breadcrumb"[\s\S]*?<\/nav>/)?.[0] ?? '').matchAll(/<li[^>]*>(?:<a href="([^"]+)">)?([^<]+)/g)].map((m) => [m[2], m[1] ?? null]);

  it('leads from the delta and the change tray back to the scenario’s overview', async () => {
    const scenario = await createScenario(ctx, { name: 'Crumbs' });
    await applyBatch(ctx, scenario.id, [{ op: 'rename_org_unit', org_unit_id: units.S, name: 'Revenue' }]);
    const base = `/scenarios/${scenario.id}`;
    expect(crumbs((await page(base)).html)).toEqual([['Scenarios', '/scenarios'], ['Crumbs', null]]);
    expect(crumbs((await page(`${base}/delta`)).html)).toEqual([['Scenarios', '/scenarios'], ['Crumbs', base], ['Delta', null]]);
    expect(crumbs((await page(`${base}/changes`)).html)).toEqual([['Scenarios', '/scenarios'], ['Crumbs', base], ['Change tray', null]]);
    expect((await page(`${base}/delta`)).html).toContain('<li aria-current="page">Delta</li>');
  });

  it('names the edit page as such, with no view tab marked current', async () => {
    const scenario = await createScenario(ctx, { name: 'Renamable' });
    const edit = await page(`/scenarios/${scenario.id}/edit`);
    expect(edit.status).toBe(200);
    expect(crumbs(edit.html)).toEqual([['Scenarios', '/scenarios'], ['Renamable', `/scenarios/${scenario.id}`], ['Edit', null]]);
    expect(edit.html).toMatch(/<h1>Edit: Renamable<\/h1>/);
    const tabs = edit.html.match(/<nav aria-label="Scenario views"[\s\S]*?<\/nav>/)?.[0] ?? '';
    expect(tabs).toContain('Overview');
    expect(tabs).not.toContain('aria-current');
  });
});
