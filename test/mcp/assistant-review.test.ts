import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { scenarioProposals } from '../../src/db/schema/index.js';
import { MAX_TREE_NODES } from '../../src/mcp/tools/structure.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { emptyGraph, type OrgUnitType } from '../../src/org/types.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { createType } from '../../src/tenancy/settings.js';
import { buildTenant, uid, writeGraph } from '../support/factories.js';
import { AS_OF } from '../support/fixture-org.js';
import { connect, errorOf, principalOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/**
 * What an assistant meets when it uses the tools as a model does: ids passed on from `search`, errors that name the
 * tool to call next, previews without noise, and governed actions whose refusals say what really happened.
 */

let world: McpWorld;
let owner: Connection;

withConnections(['owner'], (w, connections) => {
  world = w;
  owner = connections.owner;
});

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

type Proposal = { proposal_id: string; preview: { metrics: Record<string, unknown>; by_org_unit: Record<string, unknown>[] } };

describe('ids as search gives them', () => {
  it('are taken by the org tools and by the changes of a plan', async () => {
    const { results } = structured<{ results: { id: string }[] }>(await owner.call('search', { query: 'Platform' }));
    const unit = results.find((r) => r.id.startsWith('org-unit:'))!.id;
    expect(unit).toBe(`org-unit:${world.ids.units.P}`);
    expect(structured<{ org_unit: { id: string } }>(await owner.call('org_units_get', { org_unit_id: unit })).org_unit.id).toBe(world.ids.units.P);
    const actor = `actor:${world.ids.id('p1')}`;
    expect(structured<{ actor: { id: string } }>(await owner.call('org_actors_get', { actor_id: actor, as_of: AS_OF })).actor.id).toBe(world.ids.id('p1'));
    const members = structured<{ actors: unknown[] }>(await owner.call('org_actors_list', { org_unit_id: unit, as_of: AS_OF })).actors;
    expect(members.length).toBeGreaterThan(0);

    const sid = await newScenario('Search ids');
    const plan = await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: actor, fte: 0.9 }] });
    expect(structured<Proposal>(plan).proposal_id).toBeTruthy();
  });
});

describe('a record that is not found', () => {
  it('is answered with the tool that lists the ids to use', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['org_units_get', { org_unit_id: world.otherIds.units.P }, /org_units_list.*search/],
      ['org_actors_get', { actor_id: world.otherIds.id('p1') }, /org_actors_list.*search/],
      ['org_actors_list', { org_unit_id: world.otherIds.units.P }, /org_units_list/],
      ['scenario_get', { scenario_id: world.otherScenario.id }, /scenario_list.*org_snapshots_list/],
      ['scenario_action_confirm', { proposal_id: '00000000-0000-4000-8000-000000000000' }, /scenario_action_plan/],
      ['fetch', { id: 'nonsense' }, /`search`/],
    ];
    for (const [tool, args, hint] of cases) {
      const error = errorOf(await owner.call(tool, args));
      expect(error.code).toBe('not_found');
      expect(error.fix).toMatch(hint);
      expect(error.fix).not.toContain('.'.concat('list')); // rendered in the listed (underscore) style
    }
  });
});

describe('an invalid argument', () => {
  it('that names a record the scenario lacks says which tool lists the ids', async () => {
    const sid = await newScenario('Unknown ids');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ op: 'set_manager', actor_id: world.ids.id('p1'), manager_id: 'nobody' }, 'changes[0].manager_id', /`org_actors_list` or `search`/],
      [{ op: 'add_placement', actor_id: world.ids.id('p1'), org_unit_id: 'nowhere', allocation_pct: 20 }, 'changes[0].org_unit_id', /`org_units_list`/],
    ];
    for (const [change, field, hint] of cases) {
      const error = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [change] }));
      expect(error).toMatchObject({ code: 'invalid_input', field });
      expect(error.fix).toMatch(hint);
      expect(error.fix).toContain(`Correct "${field}"`);
    }
  });

  it('that leaves out the scenario an action needs says where scenario ids come from', async () => {
    const error = errorOf(await owner.call('scenario_action_plan', { changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.6 }] }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'scenario_id' });
    expect(error.fix).toBe('Correct "scenario_id": find scenario ids with `scenario_list`, snapshot ids with `org_snapshots_list`.');
  });

  it('that is a cursor this list did not issue says to start again without it', async () => {
    const first = structured<{ next_cursor: string }>(await owner.call('org_actors_list', { limit: 1, as_of: AS_OF }));
    for (const [tool, args] of [
      ['org_actors_list', { cursor: 'garbage' }],
      ['org_units_list', { cursor: first.next_cursor }],
      ['org_actors_list', { cursor: first.next_cursor, query: 'p' }],
    ] as const) {
      const error = errorOf(await owner.call(tool, { ...args, as_of: AS_OF }));
      expect(error).toMatchObject({ code: 'invalid_input', field: 'cursor' });
      expect(error.fix).toMatch(/without `cursor` for the first page/);
    }
    // The cursor works where it came from.
    expect((await owner.call('org_actors_list', { cursor: first.next_cursor, limit: 1, as_of: AS_OF })).isError).toBeFalsy();
  });
});

describe('scenario.action.plan', () => {
  it('refuses a field the op does not take, by name, and stores nothing', async () => {
    const sid = await newScenario('Extra fields');
    const change = { op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.8, manager_id: world.ids.id('ceo') };
    const error = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [change] }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'changes[0].manager_id' });
    expect(error.message).toContain('set_fte, which takes actor_id, fte');
    const [stored] = await world.database.db.select({ n: count() }).from(scenarioProposals).where(eq(scenarioProposals.scenarioId, sid));
    expect(stored!.n).toBe(0);
    // `date` stays the ops' to judge (they say why a field without history cannot take one).
    const dated = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.8, date: '2030-01-01' }] }));
    expect(dated.field).toBe('changes[0].date');
  });

  it('says what a change takes instead of a field no op has, and where pay goes ("salary" on a hire)', async () => {
    const sid = await newScenario('Unknown fields');
    const hire = { op: 'add_actor', kind: 'human', display_name: 'Ada', org_unit_id: world.ids.units.P, salary: 90_000 };
    const error = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 1 }, hire] }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'changes[1].salary' });
    expect(error.message).toContain('is not a field of add_actor, which takes kind, display_name, org_unit_id');
    expect(error.message).toContain('set_compensation with actor_id (the "$<ref>" of an add_actor in the same list), kind, amount_minor (cents) and currency');
    // A seat has pay fields of its own; and the same when the list came as a string of JSON.
    const seat = { op: 'create_position', org_unit_id: world.ids.units.P, title: 'Engineer', salary: 90_000 };
    const seatError = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: JSON.stringify([seat]) }));
    expect(seatError.message).toContain('pay here is target_salary_minor or day_rate_minor, in minor units (cents) with currency');
    // A field that is no pay gets the op's fields alone.
    const other = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 1, nickname: 'x' }] }));
    expect(other.message).toMatch(/is not a field of set_fte, which takes actor_id, fte$/);
    const [stored] = await world.database.db.select({ n: count() }).from(scenarioProposals).where(eq(scenarioProposals.scenarioId, sid));
    expect(stored!.n).toBe(0);
  });

  it('says where to find the department and team type ids a new unit needs', async () => {
    const explained = structured<{ arguments: { name: string; fields?: { name: string; description: string }[] }[] }>(
      await owner.call('capability_explain', { name: 'scenario_action_plan' }),
    );
    const fields = explained.arguments.find((a) => a.name === 'changes')!.fields!;
    expect(fields.find((f) => f.name === 'department_type_id')!.description).toContain('`org_departments_list`');
    expect(fields.find((f) => f.name === 'team_type_id')!.description).toContain('`org_teams_list`');
    expect(fields.find((f) => f.name === 'team_type_id')!.description).toContain('`org_settings_get` lists the team types by name');
  });

  it('lists the team and department types by name, and names the type beside each team_type_id', async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const platform = await createType(ctx, 'team', 'Platform team');
    const business = await createType(ctx, 'department', 'Business unit');
    // An assistant asked to "make Platform a platform team" finds the type's id by its name …
    const settings = structured<{ team_types: { id: string; name: string }[]; department_types: { id: string; name: string }[] }>(await owner.call('org_settings_get', {}));
    expect(settings.team_types).toContainEqual({ id: platform.id, name: 'Platform team' });
    expect(settings.department_types).toContainEqual({ id: business.id, name: 'Business unit' });
    const sid = await newScenario('Team types');
    const plan = structured<{ proposal_id: string }>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_team', org_unit_id: world.ids.units.P, team_type_id: platform.id }] }),
    );
    await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id });
    // … and the team reads with the type's name, not an id to look up.
    type Team = { id: string; team?: { team_type_id?: string; team_type_name?: string } };
    const teams = structured<{ teams: Team[] }>(await owner.call('org_teams_list', { scenario_id: sid, as_of: AS_OF })).teams;
    expect(teams.find((t) => t.id === world.ids.units.P)!.team).toMatchObject({ team_type_id: platform.id, team_type_name: 'Platform team' });
    const unit = structured<{ org_unit: Team }>(await owner.call('org_units_get', { scenario_id: sid, org_unit_id: world.ids.units.P, as_of: AS_OF })).org_unit;
    expect(unit.team).toMatchObject({ team_type_name: 'Platform team' });
  });

  it('reads a list of changes sent as a string of JSON', async () => {
    const sid = await newScenario('JSON string');
    const changes = JSON.stringify([{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.6 }]);
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.metrics).toMatchObject({ fte: { delta: 0.1 } });
  });

  it('says when a proposal would change nothing', async () => {
    const sid = await newScenario('No-op');
    const same = structured<Proposal & { next_step: string }>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.5 }] }),
    );
    expect(same.next_step).toMatch(/changes no record.*scenario_action_cancel/);
    const real = structured<Proposal & { next_step: string }>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.6 }] }),
    );
    expect(real.next_step).toMatch(/^Show this preview/);
  });

  it('previews per unit only the metrics that moved, the total in full', async () => {
    const sid = await newScenario('Compact preview');
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 1 }] }));
    expect(plan.preview.metrics).toHaveProperty('headcount');
    expect(plan.preview.by_org_unit.length).toBeGreaterThan(0);
    // In reading order: a unit's id and name first, each pair from → to.
    expect(Object.keys(plan.preview.by_org_unit[0]!).slice(0, 2)).toEqual(['org_unit_id', 'name']);
    expect(Object.keys(plan.preview.metrics.fte as object)).toEqual(['from', 'to', 'delta']);
    for (const unit of plan.preview.by_org_unit) {
      expect(unit).toHaveProperty('fte');
      expect(unit).not.toHaveProperty('headcount');
      expect(unit).not.toHaveProperty('layers');
    }
  });

  it('names the family of each created record as previews and deltas do (actor, not actors)', async () => {
    const sid = await newScenario('Created families');
    const change = { op: 'add_actor', kind: 'agent', display_name: 'Helper', org_unit_id: world.ids.units.P };
    const { proposal_id } = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [change] }));
    const confirmed = structured<{ outcome: { created: { family: string; id: string }[] } }>(await owner.call('scenario_action_confirm', { proposal_id }));
    expect(confirmed.outcome.created.map((c) => c.family).sort()).toEqual(['actor', 'placement']);
    const again = structured<{ outcome: { created: { family: string }[] } }>(await owner.call('scenario_action_confirm', { proposal_id }));
    expect(again.outcome.created.map((c) => c.family).sort()).toEqual(['actor', 'placement']);
  });

  it('says a confirmed proposal was applied when asked to cancel it', async () => {
    const sid = await newScenario('Confirm then cancel');
    const { proposal_id } = structured<Proposal>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.7 }] }),
    );
    structured(await owner.call('scenario_action_confirm', { proposal_id }));
    const error = errorOf(await owner.call('scenario_action_cancel', { proposal_id }));
    expect(error).toMatchObject({ code: 'stale_proposal', reason: 'already_confirmed' });
    expect(error.message).toMatch(/already confirmed.*applied/);
    expect(error.message).not.toMatch(/nothing was applied/);
    expect(error.fix).toContain('scenario_action_plan');
  });
});

describe('scenario deltas', () => {
  it('list per unit only the metrics that moved, unless one unit is asked for', async () => {
    const sid = await newScenario('Compact delta');
    structured(
      await owner.call('scenario_action_confirm', {
        proposal_id: structured<Proposal>(
          await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 1 }] }),
        ).proposal_id,
      }),
    );
    type Units = Record<string, unknown>[];
    const delta = structured<{ metrics: { total: object; by_org_unit: Units } }>(await owner.call('scenario_delta', { scenario_id: sid }));
    expect(delta.metrics.total).toHaveProperty('headcount');
    expect(delta.metrics.by_org_unit.map((u) => Object.keys(u).sort())).toContainEqual(['effective_fte', 'fte', 'name', 'org_unit_id']);
    const metrics = structured<{ by_org_unit: Units }>(await owner.call('scenario_metrics_delta', { scenario_id: sid }));
    for (const unit of metrics.by_org_unit) expect(unit).not.toHaveProperty('layers');
    const one = structured<{ by_org_unit: Units }>(await owner.call('scenario_metrics_delta', { scenario_id: sid, org_unit_id: world.ids.units.S }));
    expect(one.by_org_unit[0]).toHaveProperty('headcount');
    const resource = await owner.client.readResource({ uri: `orgonaut://scenarios/${sid}/delta` });
    const read = JSON.parse((resource.contents[0] as { text: string }).text) as { metrics: { by_org_unit: Units } };
    expect(read.metrics.by_org_unit).toEqual(delta.metrics.by_org_unit);
  });
});

describe('a scenario that budgets new seats', () => {
  it('reports their budgeted cost apart from the payroll cost, before anyone fills them', async () => {
    const sid = await newScenario('Budget five seats');
    const changes = [1, 2, 3, 4, 5].map((n) => ({ op: 'create_position', org_unit_id: world.ids.units.P, title: `Seat ${n}`, target_salary_minor: 8_000_000, currency: 'EUR' }));
    structured(await owner.call('scenario_action_confirm', { proposal_id: structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes })).proposal_id }));
    const { burden_pct: burden } = structured<{ cost_settings: { burden_pct: number } }>(await owner.call('org_settings_get')).cost_settings;
    type Pair = { from: number; to: number; delta?: number; currency?: string };
    const result = await owner.call('scenario_metrics_delta', { scenario_id: sid });
    const { total } = structured<{ total: Record<string, Pair> }>(result);
    expect(total.vacant_seats_annual_cost_minor).toMatchObject({ delta: Math.round(5 * 8_000_000 * (1 + burden / 100)), currency: 'EUR' });
    expect(total.annual_cost_minor!.delta).toBe(0);
    // The text an assistant reads carries it too.
    expect(JSON.stringify(result.content)).toContain('vacant_seats_annual_cost_minor');
    const delta = structured<{ metrics: { total: Record<string, Pair> } }>(await owner.call('scenario_delta', { scenario_id: sid }));
    expect(delta.metrics.total.vacant_seats_annual_cost_minor).toEqual(total.vacant_seats_annual_cost_minor);
  });
});

describe('records a scenario adds', () => {
  it('name the units and people they refer to, in the preview and in the delta', async () => {
    const sid = await newScenario('Named additions');
    const changes = [
      { op: 'create_position', title: 'Staff engineer', org_unit_id: world.ids.units.P },
      { op: 'add_placement', actor_id: world.ids.id('p1'), org_unit_id: world.ids.units.M, allocation_pct: 20, is_primary: false },
    ];
    type Added = { added: Record<string, unknown>[] };
    const plan = structured<Proposal & { preview: { records: Record<string, Added> } }>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.records.position!.added[0]).toMatchObject({ org_unit_id: world.ids.units.P, org_unit_name: 'Platform' });
    expect(plan.preview.records.placement!.added[0]).toMatchObject({ actor_name: 'p1', org_unit_name: 'Mobile' });
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const delta = structured<{ families: Record<string, Added> }>(await owner.call('scenario_delta', { scenario_id: sid }));
    expect(delta.families.position!.added[0]).toMatchObject({ org_unit_name: 'Platform' });
    expect(delta.families.placement!.added[0]).toMatchObject({ actor_id: world.ids.id('p1'), actor_name: 'p1', org_unit_name: 'Mobile' });
  });
});

describe('lists of links between records', () => {
  it('name the actors and org units beside their ids, as far as the caller may read them', async () => {
    type Line = Record<string, unknown>;
    const lines = structured<{ reporting_lines: Line[] }>(
      await owner.call('org_reporting_lines_list', { manager_id: world.ids.id('eng_head'), as_of: AS_OF }),
    ).reporting_lines;
    expect(lines.find((l) => l.actor_id === world.ids.id('p1'))).toMatchObject({ actor_name: 'p1', manager_name: 'eng_head' });
    const placements = structured<{ placements: Line[] }>(await owner.call('org_placements_list', { actor_id: world.ids.id('p1'), as_of: AS_OF })).placements;
    expect(placements[0]).toMatchObject({ actor_name: 'p1', org_unit_name: 'Platform', position_id: world.ids.id('pos_p1'), position_title: 'pos_p1' });
    const positions = structured<{ positions: Line[] }>(await owner.call('org_positions_list', { org_unit_id: world.ids.units.P, as_of: AS_OF })).positions;
    // Who fills a seat, by name as well as id.
    expect(positions[0]).toMatchObject({ org_unit_name: 'Platform', filled_by: [world.ids.id('p1')], filled_by_names: ['p1'] });
    const actor = structured<{ actor: { placements: Line[] } }>(await owner.call('org_actors_get', { actor_id: world.ids.id('p1'), as_of: AS_OF })).actor;
    expect(actor.placements[0]).toMatchObject({ position_title: 'pos_p1' });
    const actors = structured<{ actors: Line[] }>(await owner.call('org_actors_list', { query: 'p1', as_of: AS_OF })).actors;
    expect(actors[0]).toMatchObject({ manager_name: 'eng_head', primary_org_unit_name: 'Platform' });
    const units = structured<{ org_units: Line[] }>(await owner.call('org_units_list', { query: 'Platform', as_of: AS_OF })).org_units;
    expect(units[0]).toMatchObject({ parent_name: 'Engineering' });
    // Teams and cost rows name their parent as org units and departments do.
    const teams = structured<{ teams: Line[] }>(await owner.call('org_teams_list', { as_of: AS_OF })).teams;
    expect(teams.find((t) => t.name === 'Platform')).toMatchObject({ parent_id: world.ids.units.E, parent_name: 'Engineering' });
    const costs = structured<{ org_units: Line[] }>(await owner.call('org_costs_rollup', { type: 'team', as_of: AS_OF })).org_units;
    expect(costs.find((u) => u.name === 'Platform')).toMatchObject({ parent_id: world.ids.units.E, parent_name: 'Engineering' });

    const placementsOnly = await connect(world, principalOf(world.tenant, 'owner', { abilities: ['mcp.access', 'placements.read'] }));
    const bare = structured<{ placements: Line[] }>(await placementsOnly.call('org_placements_list', { actor_id: world.ids.id('p1'), as_of: AS_OF })).placements;
    expect(bare[0]).not.toHaveProperty('actor_name');
    expect(bare[0]).not.toHaveProperty('org_unit_name');
    expect(bare[0]).not.toHaveProperty('position_title');
    await placementsOnly.close();
  });
});

describe('org.units.tree', () => {
  it('cuts a tree too large for one answer at the deepest level that fits, and says so', async () => {
    // A company, 4 departments, 40 teams each: 165 nodes at depth 3.
    const graph = emptyGraph();
    const unit = (key: string, parent: string | null, type: OrgUnitType) =>
      graph.orgUnits.set(uid(key, 'tree'), { id: uid(key, 'tree'), parentId: parent && uid(parent, 'tree'), type, name: key, code: null, validFrom: null, validTo: null });
    unit('Co', null, 'company');
    for (let d = 0; d < 4; d++) {
      unit(`D${d}`, 'Co', 'department');
      for (let t = 0; t < 40; t++) unit(`D${d}T${t}`, `D${d}`, 'team');
    }
    const big = await writeGraph(world.database, await buildTenant(world.database, { plan: 'enterprise' }), graph);
    const mcp = await connect(world, principalOf(big, 'owner'), { tenant: big });
    type Node = { name: string; child_count: number; children?: Node[] };
    const tree = structured<{ roots: Node[]; cut?: { depth: number; note: string } }>(await mcp.call('org_units_tree', {}));
    expect(tree.cut).toMatchObject({ depth: 2 });
    expect(tree.cut!.note).toContain('root_id');
    const departments = tree.roots[0]!.children!;
    expect(departments).toHaveLength(4);
    expect(departments[0]).toMatchObject({ child_count: 40 });
    expect(departments[0]).not.toHaveProperty('children');
    // Below one department it fits: no cut.
    const rooted = structured<{ roots: Node[]; cut?: unknown }>(await mcp.call('org_units_tree', { root_id: uid('D0', 'tree') }));
    expect(rooted.cut).toBeUndefined();
    expect(rooted.roots[0]!.children).toHaveLength(40);
    expect(MAX_TREE_NODES).toBeLessThan(165);
    await mcp.close();
  });
});

describe('fetch', () => {
  it('says in the text of an actor where they sit and how to reach them', async () => {
    const { text } = structured<{ text: string }>(await owner.call('fetch', { id: `actor:${world.ids.id('p1')}` }));
    expect(text).toContain('Org unit: Fixture Co › Engineering › Platform');
    expect(text).toContain('Email: p1@fixture.test');
  });

  it('gives the record of its metadata with names beside ids, as org_units_get and org_actors_get do', async () => {
    const unit = structured<{ metadata: Record<string, unknown> }>(await owner.call('fetch', { id: `org-unit:${world.ids.units.P}` })).metadata;
    expect(unit).toMatchObject({ parent_id: world.ids.units.E, parent_name: 'Engineering' });
    const actor = structured<{ metadata: Record<string, unknown> }>(await owner.call('fetch', { id: `actor:${world.ids.id('p1')}` })).metadata;
    expect(actor).toMatchObject({ primary_org_unit_name: 'Platform' });
    expect((actor.placements as Record<string, unknown>[])[0]).toMatchObject({ org_unit_name: 'Platform', position_title: 'pos_p1' });
  });
});

describe('org.actors.list', () => {
  it('finds actors whose name, email and title hold every word of the query, not only the exact phrase', async () => {
    const names = async (query: string) =>
      structured<{ actors: { display_name: string }[] }>(await owner.call('org_actors_list', { query, as_of: AS_OF })).actors.map((a) => a.display_name);
    expect(await names('chief ceo')).toEqual(['ceo']); // title "Chief Executive", name "ceo"
    expect(await names('executive chief')).toEqual(['ceo']);
    expect(await names('chief nobody')).toEqual([]);
  });
});

describe('search', () => {
  it('answers a question whose words are not all in one record with the records that have most of them', async () => {
    const titles = (result: Awaited<ReturnType<Connection['call']>>) => structured<{ results: { title: string }[] }>(result).results.map((r) => r.title);
    expect(titles(await owner.call('search', { query: 'who runs the Platform team' }))[0]).toBe('Platform (team)');
    // Every word in one record: only those records, as before.
    expect(titles(await owner.call('search', { query: 'platform team' }))).toEqual(['Platform (team)']);
    expect(titles(await owner.call('search', { query: 'nothing like this' }))).toEqual([]);
  });

  it('ranks first the record with most of the words, however many records have one of them', async () => {
    // Twelve "Support Specialist"s sort before the one VP whose title has both words.
    const graph = emptyGraph();
    const person = (key: string, name: string, title: string) =>
      graph.actors.set(uid(key, 'search'), { id: uid(key, 'search'), kind: 'human', displayName: name, email: null, externalUid: key, sourceHris: null, sourceHrisId: null, fte: 1, title, level: null, validFrom: null, validTo: null });
    graph.orgUnits.set(uid('Co', 'search'), { id: uid('Co', 'search'), parentId: null, type: 'company', name: 'Co', code: null, validFrom: null, validTo: null });
    for (let i = 0; i < 12; i++) person(`s${i}`, `Aaron ${String.fromCharCode(97 + i)}`, 'Support Specialist');
    person('vp', 'Zoe', 'VP Customer Support');
    const tenant = await writeGraph(world.database, await buildTenant(world.database, { plan: 'enterprise' }), graph);
    const mcp = await connect(world, principalOf(tenant, 'owner'), { tenant });
    const { results } = structured<{ results: { title: string }[] }>(await mcp.call('search', { query: 'who runs support for customers' }));
    expect(results[0]!.title).toBe('Zoe — VP Customer Support');
    await mcp.close();
  });
});

describe('texts an assistant reads', () => {
  it('capability.list summarises a tool in a whole sentence ("e.g." does not end it)', async () => {
    const list = structured<{ groups: { tools: { name: string; summary: string }[] }[] }>(await owner.call('capability_list'));
    const search = list.groups.flatMap((g) => g.tools).find((t) => t.name === 'search')!;
    expect(search.summary).not.toMatch(/e\.g\.$/);
    expect(search.summary).toMatch(/"support manager"\).*\.$/);
  });

  it('a missing ability keeps the capitals of its description ("AI")', async () => {
    const viewer = await connect(world, principalOf(world.tenant, 'viewer'));
    const error = errorOf(await viewer.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.5 }] }));
    expect(error.message).toContain('(let an AI assistant plan');
    await viewer.close();
  });

  it('resource descriptions name tools as tools/list does', async () => {
    const { resourceTemplates } = await owner.client.listResourceTemplates();
    const delta = resourceTemplates.find((t) => t.name === 'scenario-delta')!;
    expect(delta.description).toContain('`scenario_delta`');
    const list = structured<{ resource_templates: { uri_template: string; description: string }[] }>(await owner.call('capability_list'));
    expect(list.resource_templates.find((t) => t.uri_template === delta.uriTemplate)!.description).toContain('`scenario_delta`');
    const explained = structured<{ description: string }>(await owner.call('capability_explain', { name: 'scenario-delta' }));
    expect(explained.description).not.toContain('scenario.delta');
  });

  it('the scenario guide says in tools/list that it covers drafting changes', async () => {
    const { tools } = await owner.client.listTools();
    const guide = tools.find((t) => t.name === 'scenario_review_guide')!;
    expect(guide.title).toMatch(/draft changes/);
    expect(guide.description).toMatch(/drafting changes/);
  });

  it('capability.explain suggests the name meant when one is misspelt', async () => {
    const error = errorOf(await owner.call('capability_explain', { name: 'org_units_lst' }));
    expect(error.message).toContain('did you mean org_units_list?');
    expect(errorOf(await owner.call('capability_explain', { name: 'payroll' })).message).not.toContain('did you mean');
  });

  it('the org review guide says how to find someone by name', async () => {
    const guide = structured<{ steps: { how: string; tools: { name: string }[] }[] }>(await owner.call('org_review_guide'));
    const people = guide.steps.find((s) => s.tools.some((t) => t.name === 'org_actors_list'))!;
    expect(people.how).toContain('`query`');
    expect(people.tools.map((t) => t.name)).toContain('search');
  });

  it('the activity log names the record of each change beside its id', async () => {
    const sid = await newScenario('Named activity');
    const { proposal_id } = structured<Proposal>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.6 }] }),
    );
    structured(await owner.call('scenario_action_confirm', { proposal_id }));
    const { events } = structured<{ events: Record<string, unknown>[] }>(await owner.call('org_activity_list', { scenario_id: sid, entity_type: 'actor' }));
    expect(events[0]).toMatchObject({ entity_id: world.ids.id('p2'), entity_name: 'p2', action: 'updated' });
    expect(Object.keys(events[0]!).indexOf('entity_name')).toBe(Object.keys(events[0]!).indexOf('entity_id') + 1);
    // The record's fields in the names every other tool uses (display_name, org_unit_id), not the stored camelCase;
    // an update holds only what it changed.
    expect(events[0]!.after).toEqual({ fte: 0.6 });
    expect(Object.keys(events[0]!.after as object).filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });

  it('refuses an activity range that ends before it starts, instead of an empty page', async () => {
    const error = errorOf(await owner.call('org_activity_list', { since: '2026-12-01', until: '2026-01-01' }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'until' });
  });
});
