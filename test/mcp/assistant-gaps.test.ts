import { beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { AS_OF } from '../support/fixture-org.js';
import { connect, withAssistant, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * Questions an assistant could not answer in one call in an earlier walk-through, asked over the real SDK client
 * with a personal API token.
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

type Actors = { actors: { display_name: string; manager_id?: string }[]; next_cursor?: string };
const names = (list: Actors) => list.actors.map((a) => a.display_name);

describe('"who has no manager?"', () => {
  it('lists only the actors with no reporting line on the day, combined with the other filters and paged', async () => {
    const all = structured<Actors>(await assistant.call('org_actors_list', { without_manager: true, as_of: AS_OF }));
    expect(names(all)).toEqual(['bot', 'ceo']);
    expect(all.actors.map((a) => a.manager_id)).toEqual([undefined, undefined]);

    const humans = structured<Actors>(await assistant.call('org_actors_list', { without_manager: true, kind: 'human', as_of: AS_OF }));
    expect(names(humans)).toEqual(['ceo']);
    const inEngineering = structured<Actors>(
      await assistant.call('org_actors_list', { without_manager: true, org_unit_id: world.ids.units.E, include_subunits: true, as_of: AS_OF }),
    );
    expect(names(inEngineering)).toEqual(['bot']);

    const first = structured<Actors>(await assistant.call('org_actors_list', { without_manager: true, limit: 1, as_of: AS_OF }));
    expect(names(first)).toEqual(['bot']);
    const second = structured<Actors>(await assistant.call('org_actors_list', { without_manager: true, limit: 1, cursor: first.next_cursor, as_of: AS_OF }));
    expect(names(second)).toEqual(['ceo']);
    expect(second.next_cursor).toBeUndefined();

    const everyone = structured<Actors>(await assistant.call('org_actors_list', { without_manager: false, as_of: AS_OF }));
    expect(everyone.actors).toHaveLength(9);
    const tools = await assistant.client.listTools();
    expect(tools.tools.find((t) => t.name === 'org_actors_list')!.description).toContain('`without_manager` for who reports to no one');
  });
});

type Node = { id: string; name: string; parent?: { id: string; name: string }; children?: Node[] };

describe('"which department is each team in?", from the tree of teams alone', () => {
  it('names the parent of each node whose parent is left out of the answer, and only then', async () => {
    const teams = structured<{ roots: Node[] }>(await assistant.call('org_units_tree', { types: ['team'], as_of: AS_OF }));
    expect(teams.roots.map((r) => [r.name, r.parent])).toEqual([
      ['Mobile', { id: world.ids.units.E, name: 'Engineering' }],
      ['Platform', { id: world.ids.units.E, name: 'Engineering' }],
      ['Field', { id: world.ids.units.S, name: 'Sales' }],
    ]);

    // Teams under the company: each still says its department, which the answer leaves out.
    const underTop = structured<{ roots: Node[] }>(await assistant.call('org_units_tree', { types: ['company', 'team'], as_of: AS_OF }));
    expect(underTop.roots[0]).not.toHaveProperty('parent');
    expect(underTop.roots[0]!.children!.map((c) => [c.name, c.parent?.name])).toEqual([
      ['Mobile', 'Engineering'],
      ['Platform', 'Engineering'],
      ['Field', 'Sales'],
    ]);

    // The whole tree: every parent is in the answer, so no node repeats it.
    const whole = structured<{ roots: Node[] }>(await assistant.call('org_units_tree', { as_of: AS_OF }));
    const all = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...all(n.children ?? [])]);
    expect(all(whole.roots)).toHaveLength(6);
    expect(all(whole.roots).some((n) => n.parent)).toBe(false);

    // Below a root_id, the root names the unit above it.
    const engineering = structured<{ roots: Node[] }>(await assistant.call('org_units_tree', { root_id: world.ids.units.E, as_of: AS_OF }));
    expect(engineering.roots[0]!.parent).toEqual({ id: world.ids.units.C, name: 'Fixture Co' });
    expect(engineering.roots[0]!.children!.some((n) => n.parent)).toBe(false);
  });
});

describe('a planned change given an id of another kind (the team’s id as manager_id)', () => {
  let scenarioId: string;
  beforeAll(async () => {
    const owner = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    scenarioId = (await createScenario(owner, { name: 'Wrong ids' })).id;
  });
  const plan = (change: Record<string, unknown>, mcp = assistant) => mcp.call('scenario_action_plan', { scenario_id: scenarioId, changes: [change] });

  it('says what the id is, names it and where it goes, keeping the change’s field', async () => {
    const team = errorOf(await plan({ op: 'set_manager', date: AS_OF, actor_id: world.ids.id('p2'), manager_id: world.ids.units.P }));
    expect(team).toMatchObject({ code: 'invalid_input', field: 'changes[0].manager_id', id: world.ids.units.P, is: 'org_unit', name: 'Platform' });
    expect(team.message).toBe(`Invalid changes[0].manager_id: no actor with id "${world.ids.units.P}" in this scenario: that id is an org unit.`);
    expect(team.fix).toContain('pass it as org_unit_id');
    expect(team.fix).toContain('Correct "changes[0].manager_id" with an actor id.');

    const person = errorOf(await plan({ op: 'add_placement', date: AS_OF, actor_id: world.ids.id('p2'), org_unit_id: world.ids.id('p1'), allocation_pct: 20 }));
    expect(person).toMatchObject({ code: 'invalid_input', field: 'changes[0].org_unit_id', is: 'actor', name: 'p1' });
    expect(person.fix).toContain('pass it as actor_id or manager_id');

    const seat = errorOf(await plan({ op: 'rename_org_unit', org_unit_id: world.ids.id('pos_p1'), name: 'Seat' }));
    expect(seat).toMatchObject({ field: 'changes[0].org_unit_id', is: 'position', name: 'pos_p1' });
  });

  it('keeps the plain answer for an id that is nothing here, and names nothing the caller may not read', async () => {
    const unknown = errorOf(await plan({ op: 'set_manager', date: AS_OF, actor_id: world.ids.id('p2'), manager_id: world.otherIds.units.P }));
    expect(unknown).not.toHaveProperty('is');
    expect(unknown.message).toBe(`Invalid changes[0].manager_id: no actor with id "${world.otherIds.units.P}" in this scenario`);
    expect(unknown.fix).toContain('Correct "changes[0].manager_id": find actor ids with');

    const planner = await connect(world, principalOf(world.tenant, 'admin', { abilities: ['mcp.access', 'ai.scenarios.draft', 'scenarios.write', 'scenarios.read', 'actors.read'] }));
    try {
      const error = errorOf(await plan({ op: 'set_manager', date: AS_OF, actor_id: world.ids.id('p2'), manager_id: world.ids.units.P }, planner));
      expect(error).toMatchObject({ code: 'invalid_input', field: 'changes[0].manager_id' });
      expect(error).not.toHaveProperty('name');
    } finally {
      await planner.close();
    }
  });

  it('says a placement id is a placement (whose, where, and its actor and unit ids), and an actor id given for a placement is the actor', async () => {
    const seat = errorOf(await plan({ op: 'set_allocation', date: AS_OF, placement_id: world.ids.id('p1'), allocation_pct: 50 }));
    expect(seat).toMatchObject({ code: 'invalid_input', field: 'changes[0].placement_id', is: 'actor', name: 'p1' });
    expect(seat.fix).toContain('Correct "changes[0].placement_id" with a placement id. Find one with `org_placements_list` (filter it by actor_id');

    const placement = world.ids.id('pl-m1-p');
    const moved = errorOf(await plan({ op: 'set_manager', date: AS_OF, actor_id: placement, manager_id: world.ids.id('eng_head') }));
    expect(moved).toMatchObject({ field: 'changes[0].actor_id', is: 'placement', name: 'm1 in Platform', actor_id: world.ids.id('m1'), org_unit_id: world.ids.units.P });
    expect(moved.fix).toContain('for the person pass its `actor_id`');
  });
});

describe('a placement id given to a read tool where an actor or unit id goes', () => {
  it('says it is a placement, whose and where, with the actor and unit ids to pass instead', async () => {
    const placement = world.ids.id('pl-p1');
    const actor = errorOf(await assistant.call('org_actors_get', { actor_id: placement, as_of: AS_OF }));
    expect(actor.message).toBe(`Actor "${placement}" not found: that id is a placement.`);
    expect(actor).toMatchObject({ code: 'not_found', is: 'placement', name: 'p1 in Platform', actor_id: world.ids.id('p1'), org_unit_id: world.ids.units.P });

    const unit = errorOf(await assistant.call('org_actors_list', { org_unit_id: placement, as_of: AS_OF }));
    expect(unit).toMatchObject({ code: 'not_found', is: 'placement', org_unit_id: world.ids.units.P });

    // Without placements.read the plain "not found" stands, and it names no one.
    const reader = await connect(world, principalOf(world.tenant, 'admin', { abilities: ['mcp.access', 'actors.read'] }));
    try {
      const plain = errorOf(await reader.call('org_actors_get', { actor_id: placement, as_of: AS_OF }));
      expect(plain).not.toHaveProperty('is');
      expect(plain).not.toHaveProperty('actor_id');
    } finally {
      await reader.close();
    }
  });
});
