import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { errorOf, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * Most clients hand the model only the text of an `isError` result, not its structured content. A refused change
 * whose fix says "add move_placement for each placement" must therefore write those placement ids in the text: the
 * assistant merging two teams cannot otherwise build the changes the fix asks for without another look-up.
 */

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

describe('a refused change names the records to change first in the text the model reads', () => {
  it('closing a team that still has people lists each placement id to move', async () => {
    const refused = await assistant.call('scenario_action_plan', {
      scenario_id: world.scenario.id,
      changes: [{ op: 'close_org_unit', org_unit_id: world.ids.units.F }],
    });
    const error = errorOf(refused);
    expect(error.reason).toBe('unit_not_empty');
    const placements = [world.ids.id('pl-f1'), world.ids.id('pl-f2')];
    expect([...(error.placements as string[])].sort()).toEqual([...placements].sort());
    for (const placement of placements) expect(textOf(refused)).toContain(`"${placement}"`);
    expect(textOf(refused)).not.toContain('in `placements`');
  });

  it('the same refusal names the open seat too, so the ids from the text plan the close in one more attempt', async () => {
    const refused = await assistant.call('scenario_action_plan', {
      scenario_id: world.scenario.id,
      changes: [{ op: 'close_org_unit', org_unit_id: world.ids.units.F }],
    });
    expect(errorOf(refused).positions).toEqual([world.ids.id('pos_f_open')]);
    const quotedIn = (pattern: RegExp) => [...textOf(refused).matchAll(pattern)][0]![1]!.match(/"[^"]+"/g)!.map((quoted) => quoted.slice(1, -1));
    const moves = quotedIn(/move_placement for each placement \(([^;)]*)/g).map((placement_id) => ({ op: 'move_placement', placement_id, org_unit_id: world.ids.units.P }));
    const seats = quotedIn(/for each open position \(([^;)]*)/g).map((position_id) => ({ op: 'update_position', position_id, org_unit_id: world.ids.units.P }));
    expect(seats).toEqual([{ op: 'update_position', position_id: world.ids.id('pos_f_open'), org_unit_id: world.ids.units.P }]);
    const planned = await assistant.call('scenario_action_plan', {
      scenario_id: world.scenario.id,
      changes: [...moves, ...seats, { op: 'close_org_unit', org_unit_id: world.ids.units.F }],
    });
    expect(planned.isError).toBeFalsy();
  });

  it('a leaver who still manages people: each report id is in the text', async () => {
    const refused = await assistant.call('scenario_action_plan', {
      scenario_id: world.scenario.id,
      changes: [{ op: 'deactivate_actor', actor_id: world.ids.id('eng_head') }],
    });
    expect(errorOf(refused).reason).toBe('still_manages');
    for (const report of ['p1', 'p2', 'm1']) expect(textOf(refused)).toContain(`"${world.ids.id(report)}"`);
  });
});
