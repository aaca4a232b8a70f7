import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { errorOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * An assistant asked to "add 3 engineers" or "merge two teams" writes the op as the person said it. The refusal names
 * the op that does it (`did_you_mean`) or, for a merge that no single op does, the ops that make it — in the text the
 * model reads — and a missing field is named as the change's own field, not as its path.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;
const plan = (change: Record<string, unknown>) => assistant.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [change] });

describe('a change op written as the intent', () => {
  it.each([
    ['hire', 'add_actor'],
    ['add_engineer', 'add_actor'],
    ['open_seat', 'create_position'],
    ['fire', 'deactivate_actor'],
    ['delete_team', 'close_org_unit'],
    ['change_manager', 'set_manager'],
    ['set_salary', 'set_compensation'],
  ])('"%s" is answered with did you mean "%s"', async (given, op) => {
    const refused = await plan({ op: given, org_unit_id: world.ids.units.P });
    const error = errorOf(refused);
    expect(error.field).toBe('changes[0].op');
    expect(error.did_you_mean).toBe(op);
    expect(textOf(refused)).toContain(`Did you mean "${op}"?`);
  });

  it('"merge_teams" is told the ops that make a merge, with the tools that list their ids', async () => {
    const refused = await plan({ op: 'merge_teams', org_unit_id: world.ids.units.M });
    const text = textOf(refused);
    expect(errorOf(refused).field).toBe('changes[0].op');
    for (const part of ['There is no merge op', 'move_placement', 'update_position', 'close_org_unit', '`org_placements_list`', '`org_positions_list`']) {
      expect(text).toContain(part);
    }
  });

  it('following the did_you_mean of "hire" plans the hire', async () => {
    const refused = errorOf(await plan({ op: 'hire', kind: 'human', display_name: 'New engineer', org_unit_id: world.ids.units.P }));
    const planned = structured<{ proposal_id: string }>(
      await plan({ op: refused.did_you_mean, kind: 'human', display_name: 'New engineer', org_unit_id: world.ids.units.P }),
    );
    expect(planned.proposal_id).toBeTruthy();
  });
});

describe('a required field left out of a change', () => {
  it('names the field to add as the change names it, not its path', async () => {
    const refused = await plan({ op: 'create_position', title: 'Engineer', org_unit_id: world.ids.units.P, target_salary_minor: 8_000_000 });
    expect(errorOf(refused).field).toBe('changes[0].currency');
    expect(textOf(refused)).toContain('Add "currency" to changes[0]');
  });
});
