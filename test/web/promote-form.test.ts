import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario, getScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, type TestApp } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * The promotion form when the conflicts it showed have changed since the page was loaded: a choice made for a
 * conflict that is gone is not sent again and again (the service refuses resolutions that match no conflict).
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let ctx: ServiceContext;
const HOST = 'promoteform.localhost';
const { id, units } = fixtureIds('promote-form');

async function post(path: string, form: Record<string, string>) {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

beforeAll(async () => {
  site = await fixtureSite({ slug: 'promoteform', name: 'Promote Form', salt: 'promote-form' });
  ({ database, tenant, app, ctx } = site);
  owner = await site.signIn('owner');
});

afterAll(async () => {
  await database?.close();
});

describe('a choice for a conflict that is gone since the page was loaded', () => {
  it('is said plainly and dropped from the form, nothing promoted, and promoting again goes through', async () => {
    const sid = (await createScenario(ctx, { name: 'Stale choice' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_fte', actor_id: id('p1'), fte: 0.8 }]);
    const page = await app.request(`/scenarios/${sid}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    const csrf = hiddenField(await page.text(), 'csrf');
    const staleField = `resolve|actor|${id('p2')}|fte`;

    const refused = await post(`/scenarios/${sid}/promote`, { csrf, confirm: 'yes', [staleField]: 'live' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Live changed since this page was loaded: A value you chose was for a conflict that is no longer there, so nothing was promoted.');
    expect(refused.html).not.toContain('unmatched_resolutions'); // the API's wording stays on the API
    expect(refused.html).not.toContain(staleField);
    expect((await getScenario(ctx, sid)).kind).toBe('planning');

    // What the form now holds promotes.
    const promoted = await post(`/scenarios/${sid}/promote`, { csrf, confirm: 'yes' });
    expect(promoted.status).toBe(303);
    expect(promoted.location).toMatch(new RegExp(`^/scenarios/${sid}/tasks/`));

    // Live's lineage says who promoted it (once the promotion task has run).
    let row = '';
    for (let i = 0; i < 100 && !row.includes('Scenario promotion'); i++) {
      if (i) await new Promise((resolve) => setTimeout(resolve, 100));
      const lineage = await app.request('/live/lineage', { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
      row = (await lineage.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    }
    expect(row).toContain('Applied Type From (snapshot) To By Live version');
    expect(row).toMatch(/Scenario promotion .* Stale choice owner user \d+/);
  });
});

describe('a change the merge with Live would make invalid', () => {
  it('is listed with its problem and a way to change the scenario, not a value to choose, and promoting is refused with Live untouched', async () => {
    const sid = (await createScenario(ctx, { name: 'A data team' })).id;
    await applyBatch(ctx, sid, [{ op: 'create_org_unit', name: 'Data', type: 'team', parent_id: units.E }]);
    // Meanwhile Live gets a "Data" team of its own under Engineering.
    const meanwhile = (await createScenario(ctx, { name: 'Live data team' })).id;
    await applyBatch(ctx, meanwhile, [{ op: 'create_org_unit', name: 'Data', type: 'team', parent_id: units.E }]);
    expect((await (await promoteScenario(ctx, meanwhile)).done).status).toBe('succeeded');
    const liveBefore = await currentLiveVersion(database.db, tenant.id);

    const page = await app.request(`/scenarios/${sid}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    const html = await page.text();
    const csrf = hiddenField(html, 'csrf');
    const refused = await post(`/scenarios/${sid}/promote`, { csrf, confirm: 'yes' });
    expect(refused.status).toBe(409);
    const text = pageText(refused.html);
    expect(text).toContain('a change of this scenario would leave Live invalid once combined with a change made in the source since');
    expect(text).toMatch(/“Engineering” already has an active unit named “Data”/);
    expect(refused.html).toContain(`href="/scenarios/${sid}/changes">Change the scenario</a>`);
    expect(refused.html).not.toContain('name="resolve|org_unit|'); // nothing to choose for it
    expect(await currentLiveVersion(database.db, tenant.id)).toBe(liveBefore);
    expect((await getScenario(ctx, sid)).kind).toBe('planning');

    // The delta page lists it with the conflicts.
    const delta = await app.request(`/scenarios/${sid}/delta`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    expect(pageText(await delta.text())).toMatch(/Conflicts \(1\).*already has an active unit named “Data”/);
  });
});
