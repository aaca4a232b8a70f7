import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import { hiddenField, pageText, type TestApp } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * The delta page's "Discard this change": the scenario's own changes get a button; a discard that would leave a
 * problem is refused on the page, which offers to discard every record involved together; a viewer sees no button.
 */

let site: FixtureSite;
let database: Database;
let app: TestApp;
let owner: string;
let viewer: string;
let ctx: ServiceContext;
const HOST = 'discardpage.localhost';
const { units } = fixtureIds('discard-page');

const page = async (path: string, cookie = owner) => {
  const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
};

async function post(path: string, form: [string, string][]) {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

/** The `record` values of the page's discard forms. */
const discardable = (html: string) => [...html.matchAll(/name="record" value="([^"]+)"/g)].map((m) => m[1]!);

beforeAll(async () => {
  site = await fixtureSite({ slug: 'discardpage', name: 'Discard Page', salt: 'discard-page' });
  ({ database, app, ctx } = site);
  owner = await site.signIn('owner');
  viewer = await site.signIn('viewer');
});

afterAll(async () => {
  await database?.close();
});

describe('discarding changes from the delta page', () => {
  it('discards one change, refuses one that others depend on and offers to discard them together', async () => {
    const sid = (await createScenario(ctx, { name: 'Tiger team' })).id;
    const outcome = await applyBatch(ctx, sid, [
      { op: 'create_org_unit', type: 'team', name: 'Tiger', parent_id: units.E, ref: 'tiger' },
      { op: 'add_actor', kind: 'agent', display_name: 'Tiger bot', org_unit_id: '$tiger' },
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' },
    ]);
    const tiger = outcome.created.find((c) => c.ref === 'tiger')!.id;

    const delta = await page(`/scenarios/${sid}/delta`);
    expect(delta.status).toBe(200);
    expect(discardable(delta.html)).toEqual(expect.arrayContaining([`org_unit:${tiger}`, `org_unit:${units.M}`]));
    expect(delta.html).toContain('Discard this change');
    const csrf = hiddenField(delta.html, 'csrf');

    // The rename goes; the page says so and no longer lists it.
    const renamed = await post(`/scenarios/${sid}/discard`, [['csrf', csrf], ['record', `org_unit:${units.M}`]]);
    expect(renamed.status).toBe(303);
    expect(renamed.location).toBe(`/scenarios/${sid}/delta?notice=discarded`);
    const after = await page(renamed.location!);
    expect(pageText(after.html)).toContain('Change discarded');
    expect(pageText(after.html)).not.toContain('Apps');

    // The unit alone: refused, the page names the placement and offers all of them together.
    const refused = await post(`/scenarios/${sid}/discard`, [['csrf', csrf], ['record', `org_unit:${tiger}`]]);
    expect(refused.status).toBe(400);
    expect(pageText(refused.html)).toMatch(/discarding would leave the scenario with 1 problem.*Tiger bot in Tiger/);
    expect(pageText(refused.html)).toContain('Discard these 2 changes');
    const together = discardable(refused.html.slice(refused.html.indexOf('These changes go together')));
    expect(together.slice(0, 2)).toEqual([`org_unit:${tiger}`, expect.stringMatching(/^placement:/)]);
    expect((await listScenarioChanges(ctx, sid)).page.items.length).toBe(4); // unit, team, agent, placement: nothing discarded

    const both = await post(`/scenarios/${sid}/discard`, [['csrf', csrf], ...together.slice(0, 2).map((r): [string, string] => ['record', r])]);
    expect(both.status).toBe(303);
    // The agent stays (unplaced), the unit, its team record and the placement are gone.
    const left = (await listScenarioChanges(ctx, sid)).page.items.map((c) => c.family);
    expect(left).toEqual(['actor']);
  });

  it('shows no discard button to a viewer, and refuses a post without a valid CSRF token', async () => {
    const sid = (await createScenario(ctx, { name: 'Viewer' })).id;
    await applyBatch(ctx, sid, [{ op: 'rename_org_unit', org_unit_id: units.P, name: 'Core' }]);
    const seen = await page(`/scenarios/${sid}/delta`, viewer);
    expect(seen.status).toBe(200);
    expect(discardable(seen.html)).toEqual([]);
    const forged = await post(`/scenarios/${sid}/discard`, [['csrf', 'forged'], ['record', `org_unit:${units.P}`]]);
    expect(forged.status).toBe(403);
    expect((await listScenarioChanges(ctx, sid)).page.items.length).toBe(1);
  });
});
