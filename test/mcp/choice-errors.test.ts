import { describe, expect, it } from 'vitest';
import { errorOf, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * A value outside a choice (`type: "division"`, a bad `kind` or `compare`, a change's `op`): the isError result names
 * the field and the values allowed — in its text, its fix and as data (`allowed`) — and, when the value is a near
 * spelling of one ("Department", "over-allocated"), the one probably meant.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => ((world = w), (assistant = a)));

const textOf = async (name: string, args: Record<string, unknown>) => {
  const result = await assistant.call(name, args);
  expect(result.isError, name).toBe(true);
  return { text: (result.content[0] as { text: string }).text, error: errorOf(result) };
};

describe('a value outside a choice', () => {
  it('names the field and lists the values allowed, in the text and as data', async () => {
    const { text, error } = await textOf('org_units_list', { type: 'division' });
    expect(text).toBe(
      'Invalid type: must be one of company, department, team, system. ' +
        'Call again with "type" set to one of "company", "department", "team", "system", written exactly so (`allowed` lists them).',
    );
    expect(error).toMatchObject({ code: 'invalid_input', field: 'type', allowed: ['company', 'department', 'team', 'system'] });
    expect(error.did_you_mean).toBeUndefined();

    const kind = await textOf('org_actors_list', { kind: 'contractor' });
    expect(kind.error).toMatchObject({ field: 'kind', allowed: ['human', 'robot', 'agent'] });
    expect(kind.text).toContain('Call again with "kind" set to one of "human", "robot", "agent"');

    const compare = await textOf('scenario_delta', { scenario_id: world.scenario.id, compare: 'baseline' });
    expect(compare.error).toMatchObject({ field: 'compare', allowed: ['source', 'live', 'promotion'] });
    expect(compare.text).toContain('"compare" set to one of "source", "live", "promotion"');
  });

  it('says which value was probably meant when the one given is a near spelling', async () => {
    const { text, error } = await textOf('org_units_list', { type: 'Department' });
    expect(error).toMatchObject({ field: 'type', did_you_mean: 'department' });
    expect(text).toContain('. Did you mean "department"? Call again with "type" set to one of');
    const check = await textOf('org_actors_list', { placement_check: 'over-allocated' });
    expect(check.error).toMatchObject({ field: 'placement_check', did_you_mean: 'over_allocated' });
  });

  it('does so inside a list and for a change’s op', async () => {
    const types = await textOf('org_units_tree', { types: ['team', 'divison'] });
    expect(types.error).toMatchObject({ field: 'types[1]', allowed: ['company', 'department', 'team', 'system'] });
    expect(types.text).toContain('Call again with "types[1]" set to one of');
    const op = await textOf('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'rename_org_units', org_unit_id: world.ids.units.P, name: 'Core' }] });
    expect(op.error).toMatchObject({ field: 'changes[0].op', did_you_mean: 'rename_org_unit' });
    expect(op.error.allowed).toContain('create_org_unit');
  });

  it('does so for a choice inside a change: an actor’s kind, pay kind, unit type, employment type', async () => {
    const plan = (change: Record<string, unknown>) => textOf('scenario_action_plan', { scenario_id: world.scenario.id, changes: [change] });
    const hire = await plan({ op: 'add_actor', kind: 'Human', display_name: 'Nia', org_unit_id: world.ids.units.P });
    expect(hire.error).toMatchObject({ field: 'changes[0].kind', allowed: ['human', 'robot', 'agent'], did_you_mean: 'human' });
    expect(hire.text).toContain('Did you mean "human"?');
    const pay = await plan({ op: 'set_compensation', actor_id: world.ids.id('p1'), kind: 'day-rate', amount_minor: 50_000, currency: 'EUR' });
    expect(pay.error).toMatchObject({ field: 'changes[0].kind', allowed: ['salary', 'day_rate'], did_you_mean: 'day_rate' });
    const unit = await plan({ op: 'create_org_unit', name: 'Labs', type: 'division', parent_id: world.ids.units.E });
    expect(unit.error).toMatchObject({ field: 'changes[0].type', allowed: ['department', 'team'] });
    expect(unit.error.did_you_mean).toBeUndefined();
    const seat = await plan({ op: 'create_position', title: 'SRE', org_unit_id: world.ids.units.P, employment_type: 'contracter' });
    expect(seat.error).toMatchObject({ field: 'changes[0].employment_type', did_you_mean: 'contractor' });
  });
});
