import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { scenarios } from '../../src/db/schema/index.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { pageText, type TestApp } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * The Activity and Lineage pages name what its events are about — the scenario each happened in, and a record that exists only
 * in its scenario — for every scenario the page shows, however many scenarios came since.
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let ctx: ServiceContext;
const HOST = 'activitynames.localhost';
const { units } = fixtureIds('activity-names');

async function page(path: string): Promise<string> {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  return pageText(await response.text());
}

beforeAll(async () => {
  site = await fixtureSite({ slug: 'activitynames', name: 'Activity Names', salt: 'activity-names' });
  ({ database, tenant, app, ctx } = site);
  owner = await site.signIn('owner');
});
afterAll(() => database?.close());

describe('the Activity page', () => {
  it('names the hire of each of seven scenarios on one page, not only those of the latest few', async () => {
    for (let n = 1; n <= 7; n++) {
      const sid = (await createScenario(ctx, { name: `Hiring wave ${n}` })).id;
      await applyBatch(ctx, sid, [{ op: 'add_actor', display_name: `Wave Hire ${n}`, kind: 'human', org_unit_id: units.P }]);
    }
    const list = await page('/activity?category=model');
    // The oldest waves are at the bottom of the page: their placements are named from their own scenario too.
    for (let n = 1; n <= 7; n++) expect(list, `wave ${n}`).toMatch(new RegExp(`Placement Wave Hire ${n} in \\S+ \\(100 %\\) created`));
    expect(list).not.toMatch(/Placement created/);
  });

  it('names the scenario of an event however many scenarios were created after it', async () => {
    const old = (await createScenario(ctx, { name: 'The very first plan' })).id;
    await applyBatch(ctx, old, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Force' }]);
    // 500 snapshots taken since (written directly: only their number matters here).
    const later = Date.now() + 60_000;
    await database.db.insert(scenarios).values(
      Array.from({ length: 500 }, (_, i) => ({ tenantId: tenant.id, name: `Later snapshot ${i}`, kind: 'snapshot', liveVersion: 1, createdAt: new Date(later + i * 1000) })),
    );
    const list = await page(`/activity?entity=org_unit&scenario=${old}`);
    expect(list).toContain('Org unit Field Force updated');
    expect(list).toMatch(/updated open \S+ The very first plan Details/);
    expect(list).not.toContain('a scenario');
    // The event's own page names it too.
    const html = await (await app.request(`/activity?entity=org_unit&scenario=${old}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text();
    const eventId = /href="\/activity\/([0-9a-f-]{36})"/.exec(html)![1]!;
    expect(await page(`/activity/${eventId}`)).toContain('Scenario The very first plan');
    // The filter shows that scenario chosen, though its list holds only the latest 500.
    expect(html).toMatch(new RegExp(`<option value="${old}" selected="">The very first plan \\(older\\)</option>`));
  });
});

describe('the Lineage page', () => {
  it('names the scenario a promotion applied and the snapshot taken before it, however many came since', async () => {
    const sid = (await createScenario(ctx, { name: 'Promoted long ago' })).id;
    await applyBatch(ctx, sid, [{ op: 'rename_org_unit', org_unit_id: units.S, name: 'Sales Force' }]);
    await (await promoteScenario(ctx, sid)).done;
    // The 500 snapshots of the test above are newer than both.
    const lineage = await page('/live/lineage');
    expect(lineage).toMatch(/Scenario promotion Live before promoting “Promoted long ago” Promoted long ago /);
    expect(lineage).not.toMatch(/#[0-9a-f]{8}/);
  });
});
