import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { today } from '../../src/org/dates.js';
import { uid, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * `org.departments.list` and `org.teams.list` take a name `query` as `org.units.list` does: part of the name in any
 * case, or the exact code; a query that finds nothing says why in `note` — a match out of the day, or the close
 * spellings of that type only (a team list does not offer a department of the same name).
 */

let world: McpWorld;
let admin: Connection;
const platformDepartment = uid('platform-department', 'unit-queries');
const billing = uid('legacy-billing', 'unit-queries');

beforeAll(async () => {
  world = await buildWorld();
  const graph = buildFixtureOrg('mcp');
  const unit = (id: string, name: string, type: 'department' | 'team', parentId: string, validTo: string | null = null) =>
    graph.orgUnits.set(id, { id, parentId, type, name, code: null, validFrom: null, validTo });
  unit(platformDepartment, 'Platform', 'department', world.ids.units.C);
  unit(billing, 'Legacy Billing', 'team', world.ids.units.S, '2025-01-01');
  graph.orgUnits.get(world.ids.units.E)!.code = 'D-ENG';
  world.tenant = await writeGraph(world.database, world.tenant, graph);
  admin = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token' }));
});

afterAll(async () => {
  await admin?.close();
  await world?.database.close();
});

type Listed = { departments?: { id: string; name: string }[]; teams?: { id: string; name: string }[]; note?: string };
const ids = (listed: { id: string }[] | undefined) => listed?.map((unit) => unit.id);

describe('a name query on the department and team lists', () => {
  it('keeps the units of that type whose name has it, in any case, or whose code it is', async () => {
    const { units } = world.ids;
    expect(ids(structured<Listed>(await admin.call('org_teams_list', { query: 'PLAT' })).teams)).toEqual([units.P]);
    expect(ids(structured<Listed>(await admin.call('org_departments_list', { query: 'plat' })).departments)).toEqual([platformDepartment]);
    expect(ids(structured<Listed>(await admin.call('org_departments_list', { query: 'd-eng' })).departments)).toEqual([units.E]);
    expect(ids(structured<Listed>(await admin.call('org_teams_list', { query: ' L ' })).teams)).toEqual([units.F, units.M, units.P]);
    // Without a query, or with a match, there is no note.
    const all = structured<Listed>(await admin.call('org_teams_list', {}));
    expect(ids(all.teams)).toEqual([units.F, units.M, units.P]);
    expect(all.note).toBeUndefined();
  });

  it('says a unit out of the day matches, and lists it with include_inactive', async () => {
    const { teams, note } = structured<Listed>(await admin.call('org_teams_list', { query: 'billing' }));
    expect(teams).toEqual([]);
    expect(note).toBe(
      `No team in effect on ${today()} has "billing" in its name or as its code, but one that has ended or not yet started does: pass include_inactive: true, or another as_of.`,
    );
    expect(ids(structured<Listed>(await admin.call('org_teams_list', { query: 'billing', include_inactive: true })).teams)).toEqual([billing]);
  });

  it('suggests the close spellings of its own type only', async () => {
    const teams = structured<Listed>(await admin.call('org_teams_list', { query: 'Platfrom' }));
    expect(teams.teams).toEqual([]);
    expect(teams.note).toBe(
      `No team has "Platfrom" in its name or as its code. Did you mean “Platform” (org-unit:${world.ids.units.P}, team)? ` +
        `These are close spellings in effect on ${today()}: check with the person before using one.`,
    );
    const departments = structured<Listed>(await admin.call('org_departments_list', { query: 'Platfrom' }));
    expect(departments.note).toContain(`Did you mean “Platform” (org-unit:${platformDepartment}, department)?`);
    expect(departments.note).not.toContain(world.ids.units.P);
    // Another filter narrowing the list is named; nothing close is said as such.
    const narrowed = structured<Listed>(await admin.call('org_teams_list', { query: 'Zzyzx', without_manager: true }));
    expect(narrowed.note).toBe('No team has "Zzyzx" in its name or as its code with the other filters. Try fewer words or part of a name, or `search` (it also answers with the records that have most of the words).');
  });
});
