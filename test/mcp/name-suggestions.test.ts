import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, today } from '../../src/org/dates.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { uid, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * What an assistant hears when a name it was given is misspelt ("Jon Smyth"): the closest names in effect, with their
 * ids, never names the connection may not read; and, reading a scenario on today, that its changes dated later are
 * not in the answer.
 */

let world: McpWorld;
let admin: Connection;
let unitsOnly: Connection;
const john = uid('john-smith', 'sugg');
const joan = uid('joan-smyth', 'sugg');
const later = addDays(today(), 45);

beforeAll(async () => {
  world = await buildWorld();
  // Live gets three people with real names beside the fixture's.
  const graph = buildFixtureOrg('mcp');
  const person = (id: string, displayName: string, title: string | null) =>
    graph.actors.set(id, { id, kind: 'human', displayName, email: null, externalUid: id, sourceHris: null, sourceHrisId: null, fte: 1, title, level: null, validFrom: '2024-01-01', validTo: null });
  person(john, 'John Smith', 'Software Engineer');
  person(joan, 'Joan Smyth', 'Software Engineer');
  person(uid('gone', 'sugg'), 'Jan Smyth', null);
  graph.actors.get(uid('gone', 'sugg'))!.validTo = '2025-01-01';
  world.tenant = await writeGraph(world.database, world.tenant, graph);
  admin = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token' }));
  unitsOnly = await connect(world, principalOf(world.tenant, 'admin', { abilities: ['org-units.read'] }));
});

afterAll(async () => {
  await admin?.close();
  await unitsOnly?.close();
  await world?.database.close();
});

type Listed = { context: { as_of: string; note?: string }; note?: string };
type Searched = { results: { id: string; title: string }[]; note?: string; did_you_mean?: { id: string; title: string; reason: string }[] };

describe('a list query that finds nothing', () => {
  it('suggests the closest names in effect, closest first, with the ids the tools take', async () => {
    const { note } = structured<Listed>(await admin.call('org_actors_list', { query: 'Jon Smyth' }));
    expect(note).toBe(
      `No actor has every word of "Jon Smyth" in their name, email or title. Did you mean “Joan Smyth” (actor:${joan}) or “John Smith” (actor:${john})? ` +
        `These are close spellings in effect on ${today()}: check with the person before using one.`,
    );
    // Jan Smyth, as close but gone, is not offered: the suggestions are of the day read.
    expect(note).not.toContain('Jan Smyth');
    // A title is a name too; a unit's name for the unit list.
    expect(structured<Listed>(await admin.call('org_actors_list', { query: 'Sofware Enginer' })).note).toContain('Did you mean the title “Software Engineer” (2 actors)?');
    expect(structured<Listed>(await admin.call('org_units_list', { query: 'Platfrom' })).note).toContain(`Did you mean “Platform” (org-unit:${world.ids.units.P}, team)?`);
  });

  it('suggests nothing for a query close to no name', async () => {
    for (const [tool, query] of [['org_actors_list', 'Qwxz Vbnmkp'], ['org_units_list', 'Zzyzx'], ['org_actors_list', 'Jim Smith Baker']] as const) {
      const { note } = structured<Listed>(await admin.call(tool, { query }));
      expect(note).not.toContain('Did you mean');
      expect(note).toContain('Try fewer words');
    }
  });

  it('offers search the close spellings of a misspelt name, never a name the connection may not read', async () => {
    const found = structured<Searched>(await admin.call('search', { query: 'Jon Smyth' }));
    expect(found.did_you_mean?.map((r) => [r.id, r.title])).toEqual([
      [`actor:${joan}`, 'Joan Smyth — Software Engineer'],
      [`actor:${john}`, 'John Smith — Software Engineer'],
    ]);
    expect(found.note).toContain('Close spellings (did_you_mean): Joan Smyth — Software Engineer; John Smith — Software Engineer.');
    // Without actors.read: neither matches nor suggestions name anyone.
    const blind = await unitsOnly.call('search', { query: 'Jon Smyth' });
    expect(JSON.stringify(blind)).not.toMatch(/Smith|Smyth —|actor:/);
    expect(structured<Searched>(blind).did_you_mean).toBeUndefined();
    // Units it may read are still suggested.
    expect(structured<Searched>(await unitsOnly.call('search', { query: 'Platfrom' })).did_you_mean?.map((r) => r.title)).toEqual(['Platform (team)']);
  });
});

describe('a scenario read without as_of', () => {
  let scenarioId: string;

  beforeAll(async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    scenarioId = (await createScenario(ctx, { name: 'Hire next quarter' })).id;
    await applyBatch(ctx, scenarioId, [{ op: 'add_actor', kind: 'human', display_name: 'Nora Later', org_unit_id: world.ids.units.P, date: later }]);
  });

  it('says its changes dated later are not reflected, and the as_of that shows them', async () => {
    const read = structured<Listed>(await admin.call('org_actors_list', { scenario_id: scenarioId, query: 'Nora' }));
    expect(read.context.note).toBe(
      `This scenario has changes dated after ${today()} (on ${later}), which this answer, read on ${today()}, does not reflect. ` +
        `Pass as_of "${later}" (the day the last takes effect) to read it with them all.`,
    );
    // Every org read tool says so.
    expect(structured<Listed>(await admin.call('org_metrics_get', { scenario_id: scenarioId })).context.note).toContain(`on ${later}`);
  });

  it('says nothing when as_of is given, or for Live', async () => {
    const then = structured<Listed & { actors: { display_name: string }[] }>(await admin.call('org_actors_list', { scenario_id: scenarioId, as_of: later, query: 'Nora' }));
    expect(then.actors.map((a) => a.display_name)).toEqual(['Nora Later']);
    expect(then.context.note).toBeUndefined();
    expect(structured<Listed>(await admin.call('org_actors_list', { scenario_id: world.scenario.id })).context.note).toBeUndefined();
    expect(structured<Listed>(await admin.call('org_actors_list', {})).context.note).toBeUndefined();
  });
});
