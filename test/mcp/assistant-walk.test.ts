import { describe, expect, it } from 'vitest';
import { addDays, today } from '../../src/org/dates.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { AS_OF } from '../support/fixture-org.js';
import { withAssistant, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * What an assistant met walking the fixture org through the tools (the official client, a personal token): answers
 * that left it without a next step, each now saying what to do.
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

describe('a day not written YYYY-MM-DD ("yesterday", "last week")', () => {
  it('is refused with today’s date to count from, on every date argument', async () => {
    const day = today();
    const counted = `today is ${day} (UTC), so yesterday is ${addDays(day, -1)} and a week ago ${addDays(day, -7)}`;
    const asOf = errorOf(await assistant.call('org_actors_list', { as_of: 'yesterday' }));
    expect(asOf).toMatchObject({ code: 'invalid_input', field: 'as_of' });
    expect(asOf.fix).toBe(`Correct "as_of" with a day written YYYY-MM-DD: ${counted}.`);

    const since = errorOf(await assistant.call('org_activity_list', { since: 'last week' }));
    expect(since).toMatchObject({ field: 'since' });
    expect(since.fix).toContain(counted);

    const change = errorOf(
      await assistant.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'set_manager', actor_id: world.ids.id('p2'), date: 'tomorrow' }] }),
    );
    expect(change).toMatchObject({ field: 'changes[0].date' });
    expect(change.fix).toContain(counted);
  });

  it('is refused the same way when it is longer than a day ("next quarter", a timestamp), not by its length', async () => {
    const counted = `today is ${today()} (UTC)`;
    const refusals = [
      errorOf(await assistant.call('org_metrics_get', { as_of: 'start of next quarter' })),
      errorOf(await assistant.call('org_activity_list', { until: '2026-11-30T23:59:59Z' })),
      errorOf(
        await assistant.call('scenario_action_plan', {
          scenario_id: world.scenario.id,
          changes: [{ op: 'create_position', org_unit_id: world.ids.units.P, title: 'Engineer', date: '2027-01-04T00:00:00Z' }],
        }),
      ),
    ];
    expect(refusals.map((r) => r.field)).toEqual(['as_of', 'until', 'changes[0].date']);
    for (const refusal of refusals) {
      expect(refusal.message).toBe(`Invalid ${refusal.field}: must be a real date written YYYY-MM-DD`);
      expect(refusal.fix).toContain(counted);
    }
  });
});

describe('a name given where an id goes ("Platform" as org_unit_id)', () => {
  it('says it is a name and gives the id of the record that has it, of the kind asked first', async () => {
    const unit = errorOf(await assistant.call('org_units_get', { org_unit_id: 'Platform' }));
    expect(unit.message).toBe('Org unit "Platform" not found: that is a name, not an id.');
    expect(unit).toMatchObject({ code: 'not_found', did_you_mean: [{ id: world.ids.units.P, is: 'org_unit', name: 'Platform' }] });
    expect(unit.fix).toBe(`Pass the id instead (the record of that name: org unit ${world.ids.units.P}).`);

    // Case aside, and a name of another kind: the team's name where a person goes.
    const person = errorOf(await assistant.call('org_reporting_lines_list', { manager_id: ' platform ' }));
    expect(person).toMatchObject({ did_you_mean: [{ id: world.ids.units.P, is: 'org_unit' }] });

    const scenario = errorOf(await assistant.call('scenario_get', { scenario_id: 'reshape sales' }));
    expect(scenario.message).toBe('Scenario "reshape sales" not found: that is a name, not an id.');
    expect(scenario).toMatchObject({ did_you_mean: [{ id: world.scenario.id, is: 'planning', name: 'Reshape sales', state: 'active' }] });
    expect(scenario.fix).toBe(`Pass its id as scenario_id (the scenarios of that name: planning ${world.scenario.id}).`);

    const change = errorOf(
      await assistant.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'set_manager', actor_id: world.ids.id('p2'), manager_id: 'eng_head' }] }),
    );
    expect(change).toMatchObject({ code: 'invalid_input', field: 'changes[0].manager_id', did_you_mean: [{ id: world.ids.id('eng_head'), is: 'actor', name: 'eng_head' }] });
    expect(change.fix).toBe(`Correct "changes[0].manager_id" with the id (the record of that name: actor ${world.ids.id('eng_head')}).`);
  });

  it('keeps the plain "not found" for a name nothing has', async () => {
    const unknown = errorOf(await assistant.call('org_units_get', { org_unit_id: 'Payments' }));
    expect(unknown).not.toHaveProperty('did_you_mean');
    expect(unknown.fix).toContain('`search`');
    const scenario = errorOf(await assistant.call('scenario_get', { scenario_id: 'Q9 plan' }));
    expect(scenario).not.toHaveProperty('did_you_mean');
  });
});

describe('"who did former report to, and where did they sit?", asked on a day after they left', () => {
  type Lines = { reporting_lines: { manager_name?: string }[]; note?: string };
  it('says the person was not in the organisation that day and how to see their records, instead of an empty page alone', async () => {
    const former = world.ids.id('former');
    const placements = structured<{ placements: unknown[]; note?: string }>(await assistant.call('org_placements_list', { actor_id: former, as_of: AS_OF }));
    expect(placements.placements).toEqual([]);
    expect(placements.note).toBe(
      `former is not in the organisation on ${AS_OF} (left on 2026-01-01), so has no placements then: pass include_inactive: true for their history, or an as_of when they were in it.`,
    );
    const lines = structured<Lines>(await assistant.call('org_reporting_lines_list', { actor_id: `actor:${former}`, as_of: AS_OF }));
    expect(lines.note).toContain('so has no reporting line then');
    const reports = structured<Lines>(await assistant.call('org_reporting_lines_list', { manager_id: former, as_of: AS_OF }));
    expect(reports.note).toContain('so has no direct reports then');

    const history = structured<Lines>(await assistant.call('org_reporting_lines_list', { actor_id: former, as_of: AS_OF, include_inactive: true }));
    expect(history.reporting_lines.map((l) => l.manager_name)).toEqual(['eng_head']);
    expect(history).not.toHaveProperty('note');
    // Someone in the organisation with nothing to list gets the plain empty page: the CEO reports to no one.
    expect(structured<Lines>(await assistant.call('org_reporting_lines_list', { actor_id: world.ids.id('ceo'), as_of: AS_OF }))).not.toHaveProperty('note');
  });
});

describe('"who are the span outliers in Engineering?" when there are none', () => {
  type Spans = { managers: { display_name: string }[]; note?: string };
  const spans = async (args: Record<string, unknown>) => structured<Spans>(await assistant.call('org_spans_list', { as_of: AS_OF, ...args }));

  it('says whether anyone manages there at all, and how to list the managers there are', async () => {
    const engineering = await spans({ org_unit_id: world.ids.units.E });
    expect(engineering.managers).toEqual([]);
    expect(engineering.note).toBe(
      `No manager homed in Engineering or below has a narrow (≤ 2 direct reports) or wide (≥ 15) span on ${AS_OF}; span: "all" lists every manager homed in Engineering or below with their direct reports.`,
    );
    const all = await spans({ org_unit_id: world.ids.units.E, span: 'all' });
    expect(all.managers.map((m) => m.display_name)).toEqual(['eng_head']);
    expect(all).not.toHaveProperty('note');

    // Field's people report to the head of Sales, homed above it: no one there manages anyone.
    expect((await spans({ org_unit_id: world.ids.units.F })).note).toBe(`No one homed in Field or below manages anyone on ${AS_OF}.`);
    expect((await spans({ min_direct_reports: 9 })).note).toBe(`No manager has direct reports in that range on ${AS_OF}; span: "all" lists every manager with their direct reports.`);
  });
});

describe('a list query that matches nothing', () => {
  type Actors = { actors: unknown[]; note?: string };
  it('says when someone who left matches, and otherwise what to try', async () => {
    const left = structured<Actors>(await assistant.call('org_actors_list', { query: 'former', as_of: AS_OF }));
    expect(left.actors).toEqual([]);
    expect(left.note).toBe(
      `No actor in effect on ${AS_OF} has every word of "former" in their name, email or title, but one that has ended or not yet started does: pass include_inactive: true, or another as_of.`,
    );
    const none = structured<Actors>(await assistant.call('org_actors_list', { query: 'zzz', kind: 'human', as_of: AS_OF }));
    expect(none.note).toBe(
      'No actor has every word of "zzz" in their name, email or title with the other filters. Try fewer words or part of a name, or `search` (it also answers with the records that have most of the words).',
    );
    const units = structured<{ org_units: unknown[]; note?: string }>(await assistant.call('org_units_list', { query: 'Payments' }));
    expect(units.note).toBe('No org unit has "Payments" in its name or as its code. Try fewer words or part of a name, or `search` (it also answers with the records that have most of the words).');
    // A query that finds someone, and a list without a query, carry no note.
    expect(structured<Actors>(await assistant.call('org_actors_list', { query: 'eng', as_of: AS_OF }))).not.toHaveProperty('note');
    expect(structured<Actors>(await assistant.call('org_actors_list', { kind: 'robot', as_of: AS_OF }))).not.toHaveProperty('note');
  });
});

describe('an id of another kind, said once', () => {
  it('is named in the message and the fix says where it goes, without saying twice what it is', async () => {
    const unit = errorOf(await assistant.call('org_units_get', { org_unit_id: world.ids.id('p1') }));
    expect(unit.message).toBe(`Org unit "${world.ids.id('p1')}" not found: that id is an actor.`);
    expect(unit.fix).toBe('Its `name` says who; pass it as actor_id or manager_id — `org_actors_get` shows their unit, manager and reports.');
  });

  it('also for fetch given a position or placement id, or a name', async () => {
    const seat = errorOf(await assistant.call('fetch', { id: world.ids.id('pos_p1') }));
    expect(seat.message).toBe(`Record "${world.ids.id('pos_p1')}" not found: that id is a position.`);
    expect(seat).toMatchObject({ code: 'not_found', is: 'position', name: 'pos_p1' });
    expect(seat.fix).toContain('`fetch` reads only org units and actors.');
    const placement = errorOf(await assistant.call('fetch', { id: world.ids.id('pl-p2') }));
    expect(placement).toMatchObject({ is: 'placement', actor_id: world.ids.id('p2'), org_unit_id: world.ids.units.P });
    const named = errorOf(await assistant.call('fetch', { id: 'Platform' }));
    expect(named).toMatchObject({ did_you_mean: [{ id: world.ids.units.P, is: 'org_unit', name: 'Platform' }] });
    // Nothing at all: the plain answer, pointing at search.
    expect(errorOf(await assistant.call('fetch', { id: world.otherIds.units.P })).fix).toContain('`search`');
  });
});

describe('the figures of a unit not in effect that day (closed in a scenario, or not yet started)', () => {
  it('say why they are 0, in org_metrics_get and org_costs_rollup', async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const scenarioId = (await createScenario(ctx, { name: 'Short-lived team' })).id;
    const planned = structured<{ proposal_id: string }>(
      await assistant.call('scenario_action_plan', {
        scenario_id: scenarioId,
        changes: [
          { op: 'create_org_unit', name: 'Tiger team', type: 'team', parent_id: world.ids.units.E, ref: 'tiger', date: '2027-01-04' },
          { op: 'close_org_unit', org_unit_id: '$tiger', date: '2027-03-01' },
        ],
      }),
    );
    const confirmed = structured<{ outcome: { created: { id: string; ref?: string }[] } }>(await assistant.call('scenario_action_confirm', { proposal_id: planned.proposal_id }));
    const tiger = confirmed.outcome.created.find((c) => c.ref === 'tiger')!.id;
    const read = async (tool: string, asOf: string) =>
      structured<{ note?: string; metrics?: { headcount: number } }>(await assistant.call(tool, { scenario_id: scenarioId, org_unit_id: tiger, as_of: asOf }));

    const closed = await read('org_metrics_get', '2027-06-01');
    expect(closed.metrics!.headcount).toBe(0);
    expect(closed.note).toBe('Tiger team is not in effect on 2027-06-01 (closed on 2027-03-01), so every figure here is 0. Pass an as_of when it is in effect for its figures then.');
    expect((await read('org_costs_rollup', '2026-12-01')).note).toBe(
      'Tiger team is not in effect on 2026-12-01 (starts on 2027-01-04), so every figure here is 0. Pass an as_of when it is in effect for its figures then.',
    );
    // In effect, or the whole organisation: nothing to say.
    expect(await read('org_metrics_get', '2027-02-01')).not.toHaveProperty('note');
    expect(structured(await assistant.call('org_costs_rollup', { scenario_id: scenarioId, as_of: '2027-06-01', limit: 1 }))).not.toHaveProperty('note');
  });
});
