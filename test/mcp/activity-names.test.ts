import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { connect, principalOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * "Who moved where this week?" from the activity log: an event about a placement (or a reporting line, a position)
 * holds the ids of the person, unit, seat and manager it refers to in its before/after. Each id comes with the name a
 * person would say beside it (`actor_name`, `org_unit_name`, `position_title`, `manager_name`), so the assistant
 * answers without a look-up per id; and a lineage entry names its snapshot and scenario.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;
type State = Record<string, unknown>;
type Event = { entity_type: string; action: string; entity_name?: string; before?: State; after?: State };

describe('activity events name the records their ids refer to', () => {
  it('a move of p1 from Platform to Mobile says both units and the person by name, in structure and text', async () => {
    const planned = structured<{ proposal_id: string }>(
      await assistant.call('scenario_action_plan', {
        scenario_id: world.edited.id,
        changes: [{ op: 'move_placement', placement_id: world.ids.id('pl-p1'), org_unit_id: world.ids.units.M }],
      }),
    );
    structured(await assistant.call('scenario_action_confirm', { proposal_id: planned.proposal_id }));
    const result = await assistant.call('org_activity_list', { entity_type: 'placement', scenario_id: world.edited.id });
    const { events } = structured<{ events: Event[] }>(result);
    expect(events.length).toBeGreaterThan(0);
    // An update holds only the fields it changed (the old placement's end): the records made whole name everything.
    const states = events.filter((e) => e.action !== 'updated').flatMap((e) => [e.before, e.after]).filter((s): s is State => s !== undefined);
    expect(events.find((e) => e.action === 'updated')?.after).toEqual({ valid_to: expect.any(String) });
    for (const state of states) {
      expect(state, JSON.stringify(state)).toMatchObject({ actor_id: world.ids.id('p1'), actor_name: 'p1' });
      const unit = state.org_unit_id === world.ids.units.M ? 'Mobile' : 'Platform';
      expect(state.org_unit_name).toBe(unit);
      if (state.position_id) expect(state.position_title).toBe('pos_p1');
    }
    expect(states.map((s) => s.org_unit_name)).toEqual(expect.arrayContaining(['Mobile']));
    expect(events.map((e) => e.entity_name)).toEqual(expect.arrayContaining(['p1 in Platform (100 %)']));
    expect(textOf(result)).toContain('"org_unit_name":"Mobile"');
  });

  it('names only what the caller may read: no unit names without org-units.read', async () => {
    const narrow = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token', abilities: ['activity.read', 'actors.read', 'mcp.access'] }));
    try {
      const { events } = structured<{ events: Event[] }>(await narrow.call('org_activity_list', { entity_type: 'placement' }));
      const states = events.filter((e) => e.action !== 'updated').flatMap((e) => [e.before, e.after]).filter((s): s is State => s !== undefined);
      expect(states.length).toBeGreaterThan(0);
      for (const state of states) {
        expect(state).toHaveProperty('actor_name');
        expect(state).not.toHaveProperty('org_unit_name');
      }
    } finally {
      await narrow.close();
    }
  });

  it('a lineage entry names the snapshot it replaced and the scenario it applied', async () => {
    const { lineage } = structured<{ lineage: State[] }>(await assistant.call('org_lineage_list', {}));
    expect(lineage[0]).toMatchObject({
      from_snapshot_id: world.snapshot.id,
      from_snapshot_name: 'Before reshape',
      to_scenario_id: world.scenario.id,
      to_scenario_name: 'Reshape sales',
    });
  });
});

describe('a discard preview names each record it takes back', () => {
  it('says whose change it undoes, beside the record id', async () => {
    const planned = structured<{ preview: { discarded: { family: string; record_id: string; label?: string }[] } }>(
      await assistant.call('scenario_action_plan_discard', { scenario_id: world.edited.id, records: [{ family: 'actor', record_id: world.ids.id('m1') }] }),
    );
    expect(planned.preview.discarded).toEqual([{ op: 'change', family: 'actor', record_id: world.ids.id('m1'), label: 'm1' }]);
  });
});
