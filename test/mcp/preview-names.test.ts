import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { principalOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * A plan's preview names the records its ids point to as the scenario will have them once the proposal is confirmed
 * — the names `scenario.delta` gives after the confirm. A team the same proposal creates ("a new team and the moves
 * into it are one proposal") or renames is named by its new name; before, the preview named ids from the scenario
 * as it was, so the moves into a new team had no `to_name` and a renamed unit its old name beside the new label.
 */

let world: McpWorld;
let owner: Connection;
withAssistant((w, c) => {
  world = w;
  owner = c;
});

type Records = Record<string, { added?: Record<string, unknown>[]; changed?: { id: string; label: string; fields: Record<string, Record<string, unknown>> }[] }>;
type Proposal = { proposal_id: string; preview: { records: Records } };

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

describe('a plan preview names records as the proposal leaves them', () => {
  it('names a team the same proposal creates, and the hire, where people move into it and where the hire is placed', async () => {
    const sid = await newScenario('Preview names: new team');
    const changes = [
      { op: 'create_org_unit', name: 'Payments Core', type: 'team', parent_id: world.ids.units.E, ref: 'payments' },
      { op: 'move_placement', placement_id: world.ids.id('pl-p2'), org_unit_id: '$payments' },
      { op: 'add_actor', kind: 'agent', display_name: 'Ledger Bot', org_unit_id: '$payments' },
    ];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    const records = plan.preview.records;
    // move_placement ends the placement in effect and starts one in the new team (dated history).
    const moved = records.placement!.added!.find((p) => p.actor_id === world.ids.id('p2'));
    expect(moved).toMatchObject({ org_unit_name: 'Payments Core', actor_name: 'p2' });
    const hired = records.placement!.added!.find((p) => p.label === 'Ledger Bot in Payments Core (100 %)');
    expect(hired).toMatchObject({ org_unit_name: 'Payments Core', actor_name: 'Ledger Bot' });

    // The same names as scenario.delta gives once confirmed.
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const delta = structured<{ families: Records }>(await owner.call('scenario_delta', { scenario_id: sid }));
    expect(delta.families.placement!.added!.find((p) => p.actor_id === world.ids.id('p2'))).toMatchObject({ org_unit_name: 'Payments Core', actor_name: 'p2' });
  });

  it('names a unit the same proposal renames by its new name, as the record labels do', async () => {
    const sid = await newScenario('Preview names: rename');
    const changes = [
      { op: 'rename_org_unit', org_unit_id: world.ids.units.P, name: 'Platform Engineering' },
      { op: 'add_actor', kind: 'agent', display_name: 'Infra Bot', org_unit_id: world.ids.units.P },
    ];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    const placed = plan.preview.records.placement!.added![0]!;
    expect(placed.label).toBe('Infra Bot in Platform Engineering (100 %)');
    expect(placed).toMatchObject({ org_unit_name: 'Platform Engineering', actor_name: 'Infra Bot' });
  });
});
