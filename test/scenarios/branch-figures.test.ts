import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { ServiceContext } from '../../src/context.js';
import { CATALOG } from '../../src/mcp/catalog.js';
import type { ToolCall } from '../../src/mcp/registry.js';
import { scenarioDeltaTool, scenarioGetTool, scenarioMetricsDeltaTool } from '../../src/mcp/tools/scenarios.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { type TestApp } from '../support/app.js';
import { contextFor, principalFor } from '../support/factories.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * A scenario started from another, before it has a change of its own: against its source it changes nothing, yet it
 * carries its source's changes (promoting it applies them). Its figures — the delta on REST, MCP and its pages, and
 * the overview's impact — compare it with Live by default, so they show what it would do, not a row of zeros.
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let ctx: ServiceContext;
let token: string;
let cookie: string;
let parent: string;
let branch: string;
const HOST = 'branchfigures.localhost';
const SALT = 'branch-figures';
const { id, units } = fixtureIds(SALT);

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replace(/\s+/g, ' ');

beforeAll(async () => {
  site = await fixtureSite({ slug: 'branchfigures', salt: SALT });
  ({ database, tenant, app } = site);
  ({ token, cookie } = await site.signInWithToken('owner'));
  ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  parent = (await createScenario(ctx, { name: 'Grow platform' })).id;
  await applyBatch(ctx, parent, [{ op: 'add_actor', kind: 'human', display_name: 'New Hire', org_unit_id: units.P, manager_id: id('eng_head') }]);
  branch = (await createScenario(ctx, { name: 'Grow platform, option B', sourceScenarioId: parent })).id;
});
afterAll(() => database?.close());

describe('a branch with no change of its own', () => {
  it('the delta service compares it with Live by default and says so; with its source when asked', async () => {
    const delta = await scenarioDelta(ctx, { scenarioId: branch });
    expect(delta.compare).toBe('live');
    expect(delta.against).toEqual({ kind: 'live' });
    expect(delta.metrics.total).toMatchObject({ headcount: { delta: 1 } });
    expect(delta.families.actor?.added.map((a) => a.display_name)).toEqual(['New Hire']);
    const againstSource = await scenarioDelta(ctx, { scenarioId: branch, compare: 'source' });
    expect(againstSource.against).toMatchObject({ kind: 'scenario', scenario_id: parent });
    expect(againstSource.families).toEqual({});
    expect(againstSource.metrics.total).toMatchObject({ headcount: { delta: 0 } });
  });

  it('REST and MCP answer the same figures', async () => {
    const response = await app.request(`/api/v1/scenarios/${branch}/delta`, { host: HOST, token });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: any };
    expect(data).toMatchObject({ compare: 'live', against: { kind: 'live' }, metrics: { total: { headcount: { from: 8, to: 9, delta: 1 } } } });
    // The handlers as the MCP endpoint calls them (the catalog renders tool names in their notes).
    const call: ToolCall = { catalog: CATALOG, names: 'underscore', origin: `http://${HOST}` };
    const mcpDelta = await scenarioDeltaTool.handler(ctx, { scenario_id: branch } as never, call);
    expect(mcpDelta).toMatchObject({ compare: 'live', metrics: { total: { headcount: { delta: 1 } } } });
    const mcpMetrics = await scenarioMetricsDeltaTool.handler(ctx, { scenario_id: branch } as never, call);
    expect(mcpMetrics).toMatchObject({ compare: 'live', total: { headcount: { delta: 1 } } });
    // Reading it says what promoting it would apply, though none of the changes is its own.
    const read = (await (await app.request(`/api/v1/scenarios/${branch}`, { host: HOST, token })).json()) as { data: any };
    expect(read.data).toMatchObject({ change_counts: {}, changes_to_promote: 3 }); // the hire, their placement and reporting line
    expect(await scenarioGetTool.handler(ctx, { scenario_id: branch } as never, call)).toMatchObject({ scenario: { changes_to_promote: 3 } });
  });

  it('its overview shows the impact against Live and says it carries its source’s changes; its delta page lists them', async () => {
    const overview = await app.request(`/scenarios/${branch}`, { host: HOST, cookie, headers: { accept: 'text/html' } });
    const page = text(await overview.text());
    expect(page).toContain('Change against Live');
    expect(page).toContain('No changes of its own yet: it carries the changes of “Grow platform”');
    const deltaPage = text(await (await app.request(`/scenarios/${branch}/delta`, { host: HOST, cookie, headers: { accept: 'text/html' } })).text());
    expect(deltaPage).toContain('Against Live');
    expect(deltaPage).toContain('New Hire');
    const sourcePage = text(await (await app.request(`/scenarios/${branch}/delta?compare=source`, { host: HOST, cookie, headers: { accept: 'text/html' } })).text());
    expect(sourcePage).toContain('Against scenario “Grow platform”');
    expect(sourcePage).toContain('0 records differ');
  });

  it('once it has a change of its own, it is compared with its source again', async () => {
    const own = (await createScenario(ctx, { name: 'Option C', sourceScenarioId: parent })).id;
    await applyBatch(ctx, own, [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }]);
    const delta = await scenarioDelta(ctx, { scenarioId: own });
    expect(delta).toMatchObject({ compare: 'source', against: { kind: 'scenario', scenario_id: parent } });
    expect(delta.metrics.total).toMatchObject({ headcount: { delta: 0 }, fte: { delta: 0.5 } });
  });
});
