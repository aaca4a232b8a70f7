import { describe, expect, it } from 'vitest';
import { AS_OF } from '../support/fixture-org.js';
import { errorOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/** An MCP list's cursor is valid only with the filters it was issued for (an assistant changing a filter mid-walk). */

let world: McpWorld;
let owner: Connection;

withConnections(['owner'], (w, connections) => {
  world = w;
  owner = connections.owner;
});

type Actors = { actors: { id: string }[]; next_cursor?: string };

describe('cursors and filters', () => {
  it('walks the actors page by page with the same filters', async () => {
    const filters = { scenario_id: world.scenario.id, as_of: AS_OF };
    const all = structured<Actors>(await owner.call('org_actors_list', { ...filters, limit: 500 })).actors.map((a) => a.id);
    expect(all.length).toBeGreaterThan(2);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = structured<Actors>(await owner.call('org_actors_list', { ...filters, limit: 2, ...(cursor ? { cursor } : {}) }));
      ids.push(...page.actors.map((a) => a.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(ids).toEqual(all);
  });

  it('refuses a cursor used with another filter, saying to start again, and the cursor still works with its own', async () => {
    const first = structured<Actors>(await owner.call('org_actors_list', { as_of: AS_OF, limit: 2 }));
    const second = structured<Actors>(await owner.call('org_actors_list', { as_of: AS_OF, limit: 2, cursor: first.next_cursor }));
    for (const other of [{ scenario_id: world.scenario.id, as_of: AS_OF }, { as_of: '2020-01-01' }, { as_of: AS_OF, kind: 'human' }, { as_of: AS_OF, query: 'a' }]) {
      const result = await owner.call('org_actors_list', { ...other, limit: 2, cursor: first.next_cursor });
      expect(result.isError, JSON.stringify(other)).toBe(true);
      expect(errorOf(result).message).toContain('this cursor was issued for another query (filters changed); start again without cursor');
    }
    expect(structured<Actors>(await owner.call('org_actors_list', { as_of: AS_OF, limit: 2, cursor: first.next_cursor }))).toEqual(second);

    const teams = structured<{ next_cursor: string }>(await owner.call('org_units_list', { type: 'team', limit: 2 }));
    const departments = await owner.call('org_units_list', { type: 'department', limit: 2, cursor: teams.next_cursor });
    expect(errorOf(departments).message).toContain('issued for another query (filters changed)');
  });
});
