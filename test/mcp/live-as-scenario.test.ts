import { describe, expect, it } from 'vitest';
import { errorOf, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * "Live" given as scenario_id — an assistant asked to compare a scenario with Live, or to "change Live", writes it
 * there. The answer was the plain "Scenario "live" not found … find scenario ids with scenario_list", which sends it
 * looking for a scenario that does not exist. It is told that Live is read by leaving scenario_id out, and — drafting
 * — that Live is never changed over MCP, only an editable planning scenario.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

describe('Live given as scenario_id', () => {
  it('is told to leave scenario_id out to read Live', async () => {
    for (const given of ['live', 'Live', ' LIVE ', 'baseline']) {
      const error = errorOf(await assistant.call('org_summary', { scenario_id: given }));
      expect(error.code).toBe('not_found');
      expect(error.message).toContain('Live is not a scenario');
      expect(error.fix).toContain('leave `scenario_id` out');
      expect(error.fix).toContain('scenario_list');
      expect(error.is).toBe('live');
    }
  });

  it('is told, drafting a change, that Live is never changed over MCP and where to draft instead', async () => {
    const error = errorOf(await assistant.call('scenario_action_plan', { scenario_id: 'Live', changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 1 }] }));
    expect(error.code).toBe('not_found');
    expect(error.fix).toContain('never changed over MCP');
    expect(error.fix).toContain('editable: true');
  });

  it('leaves the plain answer to an id that matches no scenario', async () => {
    const error = errorOf(await assistant.call('scenario_get', { scenario_id: '00000000-0000-4000-8000-000000000000' }));
    expect(error.message).not.toContain('Live is not a scenario');
  });
});
