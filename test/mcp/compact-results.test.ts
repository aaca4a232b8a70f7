import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/mcp/catalog.js';
import { underscoreName } from '../../src/mcp/registry.js';
import { compact } from '../../src/mcp/result.js';
import { AS_OF } from '../support/fixture-org.js';
import { validArgs } from './tool-cases.js';
import { structured, withConnections, type Connection, type McpWorld } from './support.js';

/**
 * What results leave out (docs/MCP.md, "Results"): nulls everywhere; empty lists and objects on the items of a list
 * and inside a record's sections, where absence says the same; kept where they answer the question.
 */

let world: McpWorld;
let owner: Connection;

withConnections(['owner'], (w, connections) => {
  world = w;
  owner = connections.owner;
});

/** Where in a value an empty list or object sits on a list item or below a record's own fields, and any null. */
function noise(value: unknown, path = '', depth = 0, inList = false): string[] {
  if (value === null) return [path];
  if (typeof value !== 'object') return [];
  const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
  if (empty && (inList || depth > 2)) return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => noise(item, `${path}[${i}]`, depth + 1, true));
  return Object.entries(value).flatMap(([key, field]) => noise(field, `${path}.${key}`, depth + 1, inList));
}

describe('results carry no empty lists or objects where absence says the same', () => {
  it.each(CATALOG.tools.map((t) => t.name))('%s', async (name) => {
    const result = await owner.call(underscoreName(name), validArgs(world)[name]);
    expect(noise(result.structuredContent)).toEqual([]);
  });

  it('leaves out the list of holders of a vacant position and the empty caveats of a cost, keeps them when they say something', async () => {
    type Position = { title: string; status: string; filled_by?: string[] };
    const { positions } = structured<{ positions: Position[] }>(await owner.call('org_positions_list', { as_of: AS_OF }));
    const vacant = positions.find((p) => p.status === 'vacant')!;
    expect(vacant).not.toHaveProperty('filled_by');
    expect(positions.find((p) => p.status === 'filled')!.filled_by).toEqual([world.ids.id('p1')]);
    const cost = async (actor: string) =>
      structured<{ actor: { annual_cost_minor?: number; unconvertible?: string[] } }>(await owner.call('org_actors_get', { actor_id: world.ids.id(actor), as_of: AS_OF })).actor;
    expect(await cost('p1')).not.toHaveProperty('unconvertible');
    expect((await cost('f2')).unconvertible).toEqual(['GBP']);
  });

  it('keeps an empty list that answers the question: no direct reports, no child units, no conflicts', async () => {
    const p1 = structured<{ actor: { direct_reports: unknown[] } }>(await owner.call('org_actors_get', { actor_id: world.ids.id('p1'), as_of: AS_OF })).actor;
    expect(p1.direct_reports).toEqual([]);
    const platform = structured<{ org_unit: { children: unknown[] } }>(await owner.call('org_units_get', { org_unit_id: world.ids.units.P, as_of: AS_OF })).org_unit;
    expect(platform.children).toEqual([]);
    const delta = structured<{ conflicts: unknown[]; withheld: unknown[] }>(await owner.call('scenario_delta', { scenario_id: world.scenario.id }));
    expect(delta).toMatchObject({ conflicts: [], withheld: [] });
  });

  it('a changed record family lists only what it has (no added: [] or removed: [] beside changed)', async () => {
    const plan = structured<{ preview: { records: Record<string, Record<string, unknown[]>> } }>(
      await owner.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9 }] }),
    );
    expect(Object.keys(plan.preview.records.actor!)).toEqual(['changed']);
  });

  it('a leaf of the tree has no children list; its child_count says 0', async () => {
    type Node = { name: string; child_count: number; children?: Node[] };
    const { roots } = structured<{ roots: Node[] }>(await owner.call('org_units_tree', { as_of: AS_OF, depth: 5 }));
    const platform = roots[0]!.children!.flatMap((c) => c.children ?? []).find((n) => n.name === 'Platform')!;
    expect(platform).toMatchObject({ child_count: 0 });
    expect(platform).not.toHaveProperty('children');
  });
});

describe('compact', () => {
  it('drops nulls everywhere, and empty lists and objects on list items and below a record’s own fields', () => {
    const value = {
      none: null,
      page: [],
      record: { children: [], meta: {}, cost: { amount: 1, unconvertible: [] } },
      items: [{ id: 'a', tags: [], extra: {}, note: null, nested: { x: null } }],
    };
    expect(compact(value)).toEqual({ page: [], record: { children: [], meta: {}, cost: { amount: 1 } }, items: [{ id: 'a' }] });
  });
});
