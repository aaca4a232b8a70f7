import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { insertScenario } from '../../src/scenarios/store.js';
import { findTenantBySlug, type Tenant } from '../../src/tenancy/tenants.js';
import { buildTenant } from '../support/factories.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * An assistant's context is precious: on a generated organisation of 3,000 actors, no unfiltered read answers with
 * more than a page an assistant can take in (lists, roll-ups, a large scenario's deltas, the activity log), and an
 * answer cut short says so where the assistant reads — `truncated: true` and `more` (the next call, the arguments that
 * narrow it) in structuredContent and so in the text — while totals stay whole. Measured before the bounds: the
 * teams list 50,915 characters, scenario.delta 56,163, scenario.metrics.delta 44,848, org.activity.list 41,919.
 */

const BIG = 3_000;
/** Characters an unfiltered answer may take (~4,000 tokens). */
const BUDGET = 17_000;

let world: McpWorld;
let big: Tenant;
let scenarioId: string;
let owner: Connection;

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

beforeAll(async () => {
  world = await buildWorld();
  big = await buildTenant(world.database, { plan: 'enterprise', currency: 'EUR', name: 'Big' });
  await seedOrganisation(world.database.db, big, { actors: BIG, seed: 'result-size' });
  big = (await findTenantBySlug(world.database.db, big.slug))!;
  // A scenario changing the FTE of 400 people: its changes move most units of the organisation.
  const scenario = await insertScenario(world.database.db, big.id, { name: 'Part time', kind: 'planning', liveVersion: big.liveVersion });
  const graphs = new GraphStore(world.database.db);
  const ctx = { db: world.database.db, graphs, tenant: big, principal: principalOf(big, 'owner') };
  const actors = [...(await graphs.live(big.id)).graph.actors.keys()].sort().slice(0, 400);
  await applyBatch(ctx, scenario.id, actors.map((actor_id) => ({ op: 'set_fte' as const, actor_id, fte: 0.5 })));
  scenarioId = scenario.id;
  owner = await connect(world, principalOf(big, 'owner'), { tenant: big });
}, 120_000);

afterAll(async () => {
  await owner?.close();
  await world?.database.close();
});

const UNFILTERED: [string, () => Record<string, unknown>][] = [
  ['org_summary', () => ({})],
  ['org_units_list', () => ({})],
  ['org_units_tree', () => ({})],
  ['org_departments_list', () => ({})],
  ['org_teams_list', () => ({})],
  ['org_actors_list', () => ({})],
  ['org_reporting_lines_list', () => ({})],
  ['org_placements_list', () => ({})],
  ['org_positions_list', () => ({})],
  ['org_spans_list', () => ({ span: 'all' })],
  ['org_costs_rollup', () => ({})],
  ['org_activity_list', () => ({})],
  ['search', () => ({ query: 'a' })],
  ['scenario_delta', () => ({ scenario_id: scenarioId })],
  ['scenario_metrics_delta', () => ({ scenario_id: scenarioId })],
];

describe(`unfiltered reads of a ${BIG}-actor organisation fit an assistant's context`, () => {
  it.each(UNFILTERED)(`%s answers in under ${BUDGET} characters`, async (tool, args) => {
    const result = await owner.call(tool, args());
    expect(result.isError, textOf(result).slice(0, 300)).toBeFalsy();
    expect(textOf(result).length).toBeLessThan(BUDGET);
  });
});

describe('a cut answer says so, with the way on, and keeps its totals', () => {
  it('a list page: truncated, how many of how many, the cursor and the filters that narrow it', async () => {
    const page = structured<{ actors: unknown[]; total: number; next_cursor: string; truncated: boolean; more: string }>(await owner.call('org_actors_list', {}));
    expect(page.actors).toHaveLength(25);
    expect(page.total).toBeGreaterThan(2_900);
    expect(page).toMatchObject({ truncated: true, next_cursor: expect.any(String) });
    expect(page.more).toContain(`This page shows 25 actors of ${page.total}`);
    expect(page.more).toMatch(/`cursor` set to `next_cursor`.*narrow with .*`org_unit_id`.*`query`/);
    const next = structured<{ actors: unknown[] }>(await owner.call('org_actors_list', { cursor: page.next_cursor }));
    expect(next.actors).toHaveLength(25);
  });

  it('the cost roll-up: a page of units, the organisation total whole', async () => {
    const result = await owner.call('org_costs_rollup', {});
    const rollup = structured<{ total: { headcount: number; annual_cost_minor: number }; org_units: unknown[]; truncated: boolean; more: string }>(result);
    expect(rollup.org_units).toHaveLength(25);
    expect(rollup.total.headcount).toBeGreaterThan(2_900);
    expect(rollup.total.annual_cost_minor).toBeGreaterThan(0);
    expect(rollup.truncated).toBe(true);
    expect(rollup.more).toMatch(/narrow with `org_unit_id`, `type`/);
    expect(textOf(result)).toContain('"truncated":true');
  });

  it('a large scenario’s per-unit deltas: the units that moved most, how many moved, the totals whole', async () => {
    const result = await owner.call('scenario_metrics_delta', { scenario_id: scenarioId });
    const delta = structured<{ total: { fte: { delta: number } }; by_org_unit: { fte?: { delta: number } }[]; by_org_unit_count: number; truncated: boolean; more: string }>(result);
    expect(delta.by_org_unit).toHaveLength(20);
    expect(delta.by_org_unit_count).toBeGreaterThan(100);
    expect(delta.total.fte.delta).toBeLessThan(-100);
    expect(delta.truncated).toBe(true);
    expect(delta.more).toContain(`of the ${delta.by_org_unit_count} that moved`);
    expect(delta.more).toMatch(/`by_org_unit_limit`.*`org_unit_id`/);
    const more = structured<{ by_org_unit: unknown[] }>(await owner.call('scenario_metrics_delta', { scenario_id: scenarioId, by_org_unit_limit: 60 }));
    expect(more.by_org_unit).toHaveLength(60);
    const records = structured<{ metrics: { by_org_unit: unknown[]; by_org_unit_count: number; by_org_unit_more: string } }>(await owner.call('scenario_delta', { scenario_id: scenarioId }));
    expect(records.metrics.by_org_unit).toHaveLength(20);
    expect(records.metrics.by_org_unit_count).toBe(delta.by_org_unit_count);
    expect(records.metrics.by_org_unit_more).toContain('moved most');
  });

  it('an update in the activity log holds the fields it changed, not the whole record twice', async () => {
    type Event = { action: string; entity_name?: string; before?: Record<string, unknown>; after?: Record<string, unknown> };
    const { events } = structured<{ events: Event[] }>(await owner.call('org_activity_list', { scenario_id: scenarioId, limit: 5 }));
    const update = events.find((e) => e.action === 'updated')!;
    expect(update.entity_name).toEqual(expect.any(String));
    expect(update.before).toEqual({ fte: expect.any(Number) });
    expect(update.after).toEqual({ fte: 0.5 });
  });
});
