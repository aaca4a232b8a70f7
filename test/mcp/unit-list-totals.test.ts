import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * `org.units.list`, `org.departments.list` and `org.teams.list` say how many units match the filters over all pages
 * (`total`), as the people lists do, so an assistant can say "2 of 3 teams" instead of paging to the end to count.
 */

let world: McpWorld;
let admin: Connection;

beforeAll(async () => {
  world = await buildWorld();
  admin = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token' }));
});

afterAll(async () => {
  await admin?.close();
  await world?.database.close();
});

type Listed = { total?: number; next_cursor?: string; more?: string } & Record<string, unknown>;

/** Every page of a list, following next_cursor: the ids listed and the total each page gave. */
async function allPages(tool: string, key: string, args: Record<string, unknown>) {
  const ids: string[] = [];
  const totals: (number | undefined)[] = [];
  let cursor: string | undefined;
  do {
    const page = structured<Listed>(await admin.call(tool, { ...args, ...(cursor ? { cursor } : {}) }));
    ids.push(...(page[key] as { id: string }[]).map((unit) => unit.id));
    totals.push(page.total);
    cursor = page.next_cursor;
  } while (cursor);
  return { ids, totals };
}

describe('the totals of the structure lists', () => {
  it('org.units.list counts every unit matching the filters, whatever the page size', async () => {
    const all = await allPages('org_units_list', 'org_units', { limit: 2 });
    expect(all.ids.length).toBeGreaterThan(2);
    expect(all.totals).toEqual(all.totals.map(() => all.ids.length));

    const teams = await allPages('org_units_list', 'org_units', { type: 'team', limit: 2 });
    const { units } = world.ids;
    expect(teams.ids).toEqual([units.F, units.M, units.P]);
    expect(teams.totals).toEqual([3, 3]);
  });

  it('the first page of a longer list says how much it shows of how many', async () => {
    const first = structured<Listed>(await admin.call('org_units_list', { type: 'team', limit: 2 }));
    expect(first.total).toBe(3);
    expect(first.more).toContain('This page shows 2 org units of 3');
  });

  it('org.departments.list and org.teams.list count over their filters', async () => {
    const departments = await allPages('org_departments_list', 'departments', { limit: 1 });
    expect(departments.ids).toEqual([world.ids.units.E, world.ids.units.S]);
    expect(departments.totals).toEqual([2, 2]);

    const teams = await allPages('org_teams_list', 'teams', { query: 'l', limit: 1 });
    expect(teams.ids).toHaveLength(3);
    expect(teams.totals).toEqual([3, 3, 3]);
    const platform = structured<Listed>(await admin.call('org_teams_list', { query: 'plat', limit: 1 }));
    expect(platform.total).toBe(1);
    const none = structured<Listed>(await admin.call('org_teams_list', { query: 'zzyzx' }));
    expect(none.total).toBe(0);
  });
});
