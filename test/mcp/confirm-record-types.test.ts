import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/record.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { principalOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/**
 * A confirmed proposal names the kind of each record it created as the activity log names record types (`entity_type`:
 * "org_unit", "position") — in the confirm result, again on a repeated confirm, and in the activity event of the
 * confirmation itself, which held the engine's plural ("org_units") beside the singular of every other event.
 */

let world: McpWorld;
let owner: Connection;

withConnections(['owner'], (w, connections) => {
  world = w;
  owner = connections.owner;
});

type Created = { index: number; family: string; id: string; ref?: string };
type Confirmed = { already_confirmed: boolean; outcome: { created: Created[] } };
type ActivityEvent = { entity_type: string; entity_id: string; action: string; after?: { created?: Created[] } | null };

describe('scenario.action.confirm and the activity log', () => {
  it('name a created record’s type alike (org_unit, position), the confirmation’s own event too', async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const sid = (await createScenario(ctx, { name: 'Record types' })).id;
    const changes = [
      { op: 'create_org_unit', type: 'team', name: 'Record Types Team', parent_id: world.ids.units.E, ref: 'team' },
      { op: 'create_position', title: 'Typist', org_unit_id: '$team' },
    ];
    const plan = structured<{ proposal_id: string }>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    const confirmed = structured<Confirmed>(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect(confirmed.outcome.created.map((c) => [c.index, c.family, c.ref ?? null])).toEqual([
      [0, 'org_unit', 'team'],
      [1, 'position', null],
    ]);
    const again = structured<Confirmed>(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect(again.already_confirmed).toBe(true);
    expect(again.outcome.created).toEqual(confirmed.outcome.created);

    const { events } = structured<{ events: ActivityEvent[] }>(await owner.call('org_activity_list', { scenario_id: sid, limit: 50 }));
    // Each created record's own event has the type the confirmation names it by (a team's unit has a team record too).
    for (const created of confirmed.outcome.created) {
      expect(events.filter((e) => e.entity_id === created.id && e.action === 'created').map((e) => e.entity_type)).toContain(created.family);
    }
    const confirmation = events.find((e) => e.entity_type === 'proposal' && e.action === 'confirmed');
    expect(confirmation?.after?.created?.map((c) => c.family)).toEqual(['org_unit', 'position']);

    // A confirmation recorded before, with the engine's plural names, is listed with the record types too.
    const older = (await createScenario(ctx, { name: 'Record types, recorded before' })).id;
    const created = [{ index: 0, family: 'org_units', id: world.ids.id('old-unit') }];
    await recordAudit(world.database.db, { tenantId: world.tenant.id, category: 'model', entityType: 'proposal', entityId: world.ids.id('old-proposal'), action: 'confirmed', scenarioId: older, after: { revision: 1, created } });
    const before = structured<{ events: ActivityEvent[] }>(await owner.call('org_activity_list', { scenario_id: older, entity_type: 'proposal' })).events;
    expect(before.map((e) => e.after?.created?.map((c) => c.family))).toEqual([['org_unit']]);
  });
});
