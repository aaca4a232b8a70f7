import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { buildTenant, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * "Who is over-allocated, placed nowhere or without a home unit?" asked of an assistant, through the real endpoint
 * and SDK client: org_metrics_get and org_summary count the actors failing each placement check, org_actors_list with
 * `placement_check` names exactly them, org_actors_get gives one's total allocation and failed checks, and a
 * scenario's delta total and a draft's preview carry the four counts as pairs.
 *
 * Two organisations: the world's fixture, clean in Live (every active actor at 100 % with a primary placement), where
 * a scenario over- and under-allocates someone; and "Checks", the same fixture written to Live with one actor or two
 * failing each check:
 *   p1 130 % (P 100 + M 30)          over_allocated
 *   sales_head 120 %, not primary    over_allocated, no_primary
 *   p2 50 %                          under_allocated
 *   m1 60 + 40 %, neither primary    no_primary
 *   f2 no placement                  unplaced
 * and `former`, who left with their placement, failing nothing (only actors in effect are checked).
 */

let world: McpWorld;
let checks: Tenant;
let checksIds: ReturnType<typeof fixtureIds>;
/** An admin's assistant on "Checks" (personal API token). */
let admin: Connection;
/** The same admin with a token of actors.read only. */
let actorsOnly: Connection;
/** A token that reads the structure but not the metrics. */
let noMetrics: Connection;
/** The world's owner (a session), who drafts in the world's scenario. */
let owner: Connection;

type Counts = { over_allocated: number; under_allocated: number; unplaced: number; no_primary: number };
type Listed = { total: number; actors: { id: string; display_name: string }[] };
type ActorOut = { actor: { display_name: string; total_allocation_pct?: number; placement_checks?: string[]; placements?: unknown[] } };
type Pair = { from: number; to: number; delta: number };

beforeAll(async () => {
  world = await buildWorld();
  checksIds = fixtureIds('checks');
  const graph = buildFixtureOrg('checks');
  const { id, units } = checksIds;
  graph.placements.delete(id('pl-f2'));
  graph.placements.set(id('pl-m1'), { ...graph.placements.get(id('pl-m1'))!, isPrimary: false });
  graph.placements.set(id('pl-p2'), { ...graph.placements.get(id('pl-p2'))!, allocationPct: 50 });
  graph.placements.set(id('pl-sales_head'), { ...graph.placements.get(id('pl-sales_head'))!, allocationPct: 120, isPrimary: false });
  graph.placements.set(id('pl-p1-m'), {
    id: id('pl-p1-m'),
    actorId: id('p1'),
    orgUnitId: units.M,
    positionId: null,
    isPrimary: false,
    allocationPct: 30,
    validFrom: '2024-01-01',
    validTo: null,
  });
  checks = await writeGraph(world.database, await buildTenant(world.database, { plan: 'enterprise', name: 'Checks' }), graph);
  admin = await connect(world, principalOf(checks, 'admin', { kind: 'api_token' }), { tenant: checks });
  actorsOnly = await connect(world, principalOf(checks, 'admin', { abilities: ['mcp.access', 'actors.read'] }), { tenant: checks });
  noMetrics = await connect(world, principalOf(checks, 'admin', { abilities: ['mcp.access', 'org-units.read'] }), { tenant: checks });
  owner = await connect(world, principalOf(world.tenant, 'owner'));
});

afterAll(async () => {
  for (const mcp of [admin, actorsOnly, noMetrics, owner]) await mcp?.close();
  await world?.database.close();
});

const names = (listed: Listed) => listed.actors.map((a) => a.display_name);

describe('in Live: the counts and who they are', () => {
  it('org_metrics_get counts the actors failing each check across the whole organisation, also for one unit', async () => {
    const whole = structured<{ placement_checks: Counts }>(await admin.call('org_metrics_get', { as_of: AS_OF }));
    expect(whole.placement_checks).toEqual({ over_allocated: 2, under_allocated: 1, unplaced: 1, no_primary: 2 });
    // One unit's roll-up still gives the organisation's counts (as the output schema says).
    const platform = structured<{ placement_checks: Counts }>(await admin.call('org_metrics_get', { as_of: AS_OF, org_unit_id: checksIds.units.P }));
    expect(platform.placement_checks).toEqual(whole.placement_checks);
    // The world's fixture is clean in Live.
    const clean = structured<{ placement_checks: Counts }>(await owner.call('org_metrics_get', { as_of: AS_OF }));
    expect(clean.placement_checks).toEqual({ over_allocated: 0, under_allocated: 0, unplaced: 0, no_primary: 0 });
  });

  it('org_actors_list with placement_check names exactly the actors the count counts', async () => {
    const counts = structured<{ placement_checks: Counts }>(await admin.call('org_metrics_get', { as_of: AS_OF })).placement_checks;
    const expected: Record<keyof Counts, string[]> = {
      over_allocated: ['p1', 'sales_head'],
      under_allocated: ['p2'],
      unplaced: ['f2'],
      no_primary: ['m1', 'sales_head'],
    };
    for (const [check, who] of Object.entries(expected) as [keyof Counts, string[]][]) {
      const listed = structured<Listed>(await admin.call('org_actors_list', { placement_check: check, as_of: AS_OF }));
      expect(names(listed), check).toEqual(who);
      expect(listed.total, check).toBe(counts[check]);
    }
    // With another filter: the over-allocated in Sales only.
    const sales = structured<Listed>(await admin.call('org_actors_list', { placement_check: 'over_allocated', org_unit_id: checksIds.units.S, as_of: AS_OF }));
    expect(names(sales)).toEqual(['sales_head']);
  });

  it('org_actors_get gives an actor’s total allocation and the checks they fail (none for a clean one)', async () => {
    const get = async (key: string) => structured<ActorOut>(await admin.call('org_actors_get', { actor_id: checksIds.id(key), as_of: AS_OF })).actor;
    expect(await get('sales_head')).toMatchObject({ total_allocation_pct: 120, placement_checks: ['over_allocated', 'no_primary'] });
    expect(await get('p1')).toMatchObject({ total_allocation_pct: 130, placement_checks: ['over_allocated'] });
    expect(await get('f2')).toMatchObject({ total_allocation_pct: 0, placement_checks: ['unplaced'] });
    expect(await get('ceo')).toMatchObject({ total_allocation_pct: 100, placement_checks: [] });
    // Without placements.read: neither, as the placements themselves are not shown.
    const plain = structured<ActorOut>(await actorsOnly.call('org_actors_get', { actor_id: checksIds.id('sales_head'), as_of: AS_OF })).actor;
    expect(plain.display_name).toBe('sales_head');
    expect(plain).not.toHaveProperty('total_allocation_pct');
    expect(plain).not.toHaveProperty('placement_checks');
    expect(plain).not.toHaveProperty('placements');
  });

  it('org_summary gives the counts beside the totals, with the vacant seats’ budget in the totals as org_metrics_get has it', async () => {
    type Summary = { totals: { cost?: { vacant_seats_annual_cost_minor: unknown; currency: string } }; placement_checks?: Counts };
    const summary = structured<Summary>(await admin.call('org_summary', { as_of: AS_OF }));
    expect(summary.placement_checks).toEqual({ over_allocated: 2, under_allocated: 1, unplaced: 1, no_primary: 2 });
    const metrics = structured<{ metrics: { cost: { vacant_seats_annual_cost_minor: unknown } } }>(await admin.call('org_metrics_get', { as_of: AS_OF }));
    expect(summary.totals.cost).toMatchObject({ vacant_seats_annual_cost_minor: 22_500_000, currency: 'EUR' });
    expect(summary.totals.cost!.vacant_seats_annual_cost_minor).toEqual(metrics.metrics.cost.vacant_seats_annual_cost_minor);
    // Without org-metrics.read: neither totals nor counts.
    const bare = structured<Summary>(await noMetrics.call('org_summary', { as_of: AS_OF }));
    expect(bare).not.toHaveProperty('totals');
    expect(bare).not.toHaveProperty('placement_checks');
  });
});

describe('refusals', () => {
  it('asks for placements.read to filter by a placement check, naming the ability and how to get it', async () => {
    const result = await actorsOnly.call('org_actors_list', { placement_check: 'unplaced', as_of: AS_OF });
    const error = errorOf(result);
    expect(error).toMatchObject({ code: 'missing_ability', ability: 'placements.read' });
    expect(error.message).toContain('"placements.read"');
    // The admin's role has it; the token was not granted it.
    expect(error.fix).toMatch(/create a personal API token that includes "placements.read"/);
    // Nobody is named in the refusal.
    expect(JSON.stringify(result)).not.toContain('f2');
    // The same token lists actors without the filter.
    expect(structured<Listed>(await actorsOnly.call('org_actors_list', { as_of: AS_OF })).total).toBeGreaterThan(0);
  });

  it('refuses a check that does not exist, naming the argument and the four it takes', async () => {
    const result = await admin.call('org_actors_list', { placement_check: 'overallocated' });
    const error = errorOf(result);
    expect(error).toMatchObject({ code: 'invalid_input', field: 'placement_check' });
    for (const check of ['over_allocated', 'under_allocated', 'unplaced', 'no_primary']) expect(error.message).toContain(check);
    expect(error.fix).toBeTruthy();
    expect(JSON.stringify(result)).not.toMatch(/at \S+\.(ts|js):\d+/);
  });
});

describe('in a scenario: a draft that over- and under-allocates', () => {
  let scenarioId: string;
  let preview: { metrics: Record<string, Pair> };

  beforeAll(async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    scenarioId = (await createScenario(ctx, { name: 'Stretch p1' })).id;
    const changes = [
      { op: 'add_placement', actor_id: world.ids.id('p1'), org_unit_id: world.ids.units.M, allocation_pct: 50, is_primary: false },
      { op: 'set_allocation', placement_id: world.ids.id('pl-f1'), allocation_pct: 60 },
    ];
    const planned = structured<{ proposal_id: string; preview: { metrics: Record<string, Pair> } }>(await owner.call('scenario_action_plan', { scenario_id: scenarioId, changes }));
    preview = planned.preview;
    structured(await owner.call('scenario_action_confirm', { proposal_id: planned.proposal_id }));
  });

  it('the preview shows the check pairs moving, before anything is applied', () => {
    expect(preview.metrics).toMatchObject({
      over_allocated: { from: 0, to: 1, delta: 1 },
      under_allocated: { from: 0, to: 1, delta: 1 },
      unplaced: { from: 0, to: 0, delta: 0 },
      no_primary: { from: 0, to: 0, delta: 0 },
    });
  });

  it('scenario_metrics_delta and scenario_delta carry the pairs in the total, not per unit', async () => {
    const delta = structured<{ total: Record<string, Pair>; by_org_unit: Record<string, unknown>[] }>(await owner.call('scenario_metrics_delta', { scenario_id: scenarioId }));
    expect(delta.total).toMatchObject({ over_allocated: { from: 0, to: 1, delta: 1 }, under_allocated: { from: 0, to: 1, delta: 1 }, unplaced: { delta: 0 }, no_primary: { delta: 0 } });
    expect(delta.by_org_unit.length).toBeGreaterThan(0);
    for (const unit of delta.by_org_unit) expect(unit).not.toHaveProperty('over_allocated');
    const full = structured<{ metrics: { total: Record<string, Pair> } }>(await owner.call('scenario_delta', { scenario_id: scenarioId }));
    expect(full.metrics.total.over_allocated).toEqual({ from: 0, to: 1, delta: 1 });
  });

  it('org_metrics_get and org_actors_list read the scenario: the counts and exactly who, while Live stays clean', async () => {
    const inScenario = structured<{ placement_checks: Counts }>(await owner.call('org_metrics_get', { scenario_id: scenarioId }));
    expect(inScenario.placement_checks).toEqual({ over_allocated: 1, under_allocated: 1, unplaced: 0, no_primary: 0 });
    const over = structured<Listed>(await owner.call('org_actors_list', { scenario_id: scenarioId, placement_check: 'over_allocated' }));
    expect(names(over)).toEqual(['p1']);
    const under = structured<Listed>(await owner.call('org_actors_list', { scenario_id: scenarioId, placement_check: 'under_allocated' }));
    expect(names(under)).toEqual(['f1']);
    const live = structured<Listed>(await owner.call('org_actors_list', { placement_check: 'over_allocated' }));
    expect(live.total).toBe(0);
    expect(structured<{ placement_checks: Counts }>(await owner.call('org_metrics_get', {})).placement_checks.over_allocated).toBe(0);
    const p1 = structured<ActorOut>(await owner.call('org_actors_get', { scenario_id: scenarioId, actor_id: world.ids.id('p1') })).actor;
    expect(p1).toMatchObject({ total_allocation_pct: 150, placement_checks: ['over_allocated'] });
  });
});

describe('what the tools and guides say', () => {
  it('the delta and preview descriptions call the pairs organisation-wide counts of actors, lower is better', async () => {
    const { tools } = await owner.client.listTools();
    const tool = (name: string) => tools.find((t) => t.name === name)!;
    const wording = /`over_allocated`, `under_allocated`, `unplaced`, `no_primary`(:| -) organisation-wide counts of actors failing each placement check \(lower is better/;
    expect(tool('scenario_metrics_delta').description).toMatch(/also has `over_allocated`, `under_allocated`, `unplaced`, `no_primary`: organisation-wide counts of actors/);
    expect(tool('scenario_metrics_delta').description).toContain('(lower is better)');
    expect(JSON.stringify(tool('scenario_metrics_delta').outputSchema)).toMatch(wording);
    expect(JSON.stringify(tool('scenario_delta').outputSchema)).toMatch(wording);
    expect(JSON.stringify(tool('scenario_action_plan').outputSchema)).toMatch(wording);
    expect(tool('org_summary').description).toMatch(/`placement_checks` counts the actors over- or under-allocated/);
    // The one-line summaries capability_list shows (first sentences) leave the checks to the rest of the description.
    const list = structured<{ groups: { tools: { name: string; summary: string }[] }[] }>(await owner.call('capability_list'));
    const summaries = list.groups.flatMap((g) => g.tools).filter((t) => ['scenario_metrics_delta', 'scenario_delta', 'scenario_action_plan', 'org_summary', 'org_metrics_get'].includes(t.name));
    expect(summaries).toHaveLength(5);
    for (const { name, summary } of summaries) expect(summary, name).not.toMatch(/placement.check|allocated|lower is better/);
  });

  it('the org review guide has the assistant check placement_checks and name who fails them', async () => {
    const guide = structured<{ steps: { how: string; tools: { name: string }[] }[] }>(await owner.call('org_review_guide'));
    const step = guide.steps.find((s) => s.how.includes('`placement_checks`'))!;
    expect(step).toBeDefined();
    expect(step.how).toContain('`placement_check`');
    expect(step.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['org_metrics_get', 'org_actors_list']));
    expect(step.how).not.toMatch(/`[a-z_]+\.[a-z_.]+`/);
  });
});
