import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { AS_OF } from '../support/fixture-org.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * Undoing a scenario's changes over MCP: `scenario.action.plan_discard` drafts taking records back to their source,
 * the person agrees, and `scenario.action.confirm` applies it once — as the delta page's "Discard this change" does,
 * governed like every other AI action.
 */

let world: McpWorld;
let owner: Connection;
let member: Connection;

beforeAll(async () => {
  world = await buildWorld();
  owner = await connect(world, principalOf(world.tenant, 'owner'));
  member = await connect(world, principalOf(world.tenant, 'member'));
});

afterAll(async () => {
  for (const mcp of [owner, member]) await mcp?.close();
  await world?.database.close();
});

type Proposal = { proposal_id: string; status: string; preview: { discarded: { family: string; record_id: string; op: string }[]; records: Record<string, unknown>; metrics?: Record<string, { from: number; to: number }> }; next_step: string };
type Delta = { families: Record<string, { added: { id: string }[]; changed: { id: string }[]; removed: { id: string }[] }> };

const ownerCtx = () => ({ db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') });

/** A planning scenario with m1's FTE changed and a new unit "Labs" holding a new placement of p2. */
async function editedScenario(name: string): Promise<{ id: string; labs: string; placement: string }> {
  const scenario = await createScenario(ownerCtx(), { name });
  const outcome = await applyBatch(ownerCtx(), scenario.id, [
    { op: 'set_fte', actor_id: world.ids.id('m1'), fte: 0.5 },
    { op: 'create_org_unit', ref: 'labs', name: 'Labs', type: 'team', parent_id: world.ids.units.E },
    { op: 'add_placement', ref: 'pl', actor_id: world.ids.id('p2'), org_unit_id: '$labs', allocation_pct: 20 },
  ]);
  const idOf = (ref: string) => outcome.created.find((c) => c.ref === ref)!.id;
  return { id: scenario.id, labs: idOf('labs'), placement: idOf('pl') };
}

const delta = async (scenarioId: string) => structured<Delta>(await owner.call('scenario_delta', { scenario_id: scenarioId, as_of: AS_OF }));
const fteOf = async (actorId: string, scenarioId: string) =>
  structured<{ actor: { fte: number } }>(await owner.call('org_actors_get', { actor_id: actorId, scenario_id: scenarioId })).actor.fte;

describe('scenario.action.plan_discard → confirm', () => {
  it('drafts taking a changed record back without applying it, then applies it once', async () => {
    const s = await editedScenario('Undo FTE');
    const plan = structured<Proposal>(await owner.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'actor', record_id: world.ids.id('m1') }] }));
    expect(plan.status).toBe('planned');
    expect(plan.preview.discarded).toEqual([{ family: 'actor', record_id: world.ids.id('m1'), op: 'change', label: 'm1' }]);
    expect(plan.preview.metrics?.fte).toMatchObject({ delta: 0.5 });
    expect(plan.next_step).toContain('scenario_action_confirm');
    // Planned, not applied.
    expect(await fteOf(world.ids.id('m1'), s.id)).toBe(0.5);

    const confirmed = structured<{ status: string; already_confirmed: boolean; outcome: { discarded: unknown[] } }>(
      await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }),
    );
    expect(confirmed).toMatchObject({ status: 'confirmed', already_confirmed: false, outcome: { discarded: plan.preview.discarded } });
    expect(await fteOf(world.ids.id('m1'), s.id)).toBe(1);
    const after = await delta(s.id);
    expect(after.families.actor).toBeUndefined();
    // The scenario's other changes stay.
    expect(after.families.org_unit?.added.map((u) => u.id)).toEqual([s.labs]);

    const again = structured<{ already_confirmed: boolean }>(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect(again.already_confirmed).toBe(true);
    expect(await fteOf(world.ids.id('m1'), s.id)).toBe(1);
  });

  it('refuses dropping an added unit people are placed in, naming the placement to discard with it; both together go', async () => {
    const s = await editedScenario('Undo Labs');
    const refused = await owner.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'org_unit', record_id: s.labs }] });
    expect(refused.isError).toBe(true);
    const error = errorOf(refused) as { reason?: string; also?: { family: string; record_id: string }[]; hint?: string };
    expect(error.reason).toBe('leaves_problems');
    expect(error.also).toEqual([expect.objectContaining({ family: 'placement', record_id: s.placement })]);

    const plan = structured<Proposal>(
      await owner.call('scenario_action_plan_discard', {
        scenario_id: s.id,
        records: [
          { family: 'org_unit', record_id: s.labs },
          { family: 'placement', record_id: s.placement },
        ],
      }),
    );
    // The unit's team record goes with it.
    expect(plan.preview.discarded.map((d) => [d.family, d.op]).sort()).toEqual([
      ['org_unit', 'add'],
      ['placement', 'add'],
      ['team', 'add'],
    ]);
    expect((await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id })).isError).toBeFalsy();
    const after = await delta(s.id);
    expect(after.families.org_unit).toBeUndefined();
    expect(after.families.placement).toBeUndefined();
    expect(after.families.team).toBeUndefined();
    expect(after.families.actor?.changed.map((a) => a.id)).toEqual([world.ids.id('m1')]);
  });

  it('lets a member undo a changed field but not drop an added record (scenarios.delete)', async () => {
    const s = await editedScenario('Member undo');
    const dropping = await member.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'placement', record_id: s.placement }] });
    expect(dropping.isError).toBe(true);
    expect(JSON.stringify(errorOf(dropping))).toContain('scenarios.delete');
    const undoing = await member.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'actor', record_id: world.ids.id('m1') }] });
    expect(undoing.isError).toBeFalsy();
  });

  it('names a record the scenario has not changed, and an unknown family with the allowed ones', async () => {
    const s = await editedScenario('Nothing to undo');
    const unchanged = errorOf(await owner.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'actor', record_id: world.ids.id('p1') }] })) as { reason?: string; field?: string };
    expect(unchanged.reason).toBe('no_change');
    const wrongFamily = JSON.stringify(errorOf(await owner.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'people', record_id: world.ids.id('p1') }] })));
    expect(wrongFamily).toContain('placement');
    expect(await fteOf(world.ids.id('m1'), s.id)).toBe(0.5);
  });

  it('refuses to confirm once the scenario changed since planning, and applies nothing', async () => {
    const s = await editedScenario('Moved on');
    const plan = structured<Proposal>(await owner.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'actor', record_id: world.ids.id('m1') }] }));
    await applyBatch(ownerCtx(), s.id, [{ op: 'set_fte', actor_id: world.ids.id('m1'), fte: 0.7 }]);
    const stale = await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id });
    expect(stale.isError).toBe(true);
    expect(errorOf(stale)).toMatchObject({ code: 'stale_proposal', reason: 'scenario_changed' });
    expect(await fteOf(world.ids.id('m1'), s.id)).toBe(0.7);
  });

  it('is only the owner’s to confirm, and another tenant’s scenario is not found', async () => {
    const s = await editedScenario('Mine');
    const plan = structured<Proposal>(await owner.call('scenario_action_plan_discard', { scenario_id: s.id, records: [{ family: 'actor', record_id: world.ids.id('m1') }] }));
    expect(errorOf(await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id }))).toMatchObject({ reason: 'other_owner' });
    expect(await fteOf(world.ids.id('m1'), s.id)).toBe(0.5);
    const foreign = errorOf(await owner.call('scenario_action_plan_discard', { scenario_id: world.otherScenario.id, records: [{ family: 'actor', record_id: world.ids.id('m1') }] }));
    expect(foreign).toMatchObject({ code: 'not_found' });
  });

  it('points a confirmed proposal’s cancel at plan_discard to undo it', async () => {
    const s = await editedScenario('Cancel late');
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: s.id, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9 }] }));
    await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id });
    const late = errorOf(await owner.call('scenario_action_cancel', { proposal_id: plan.proposal_id })) as { fix?: string };
    expect(late.fix).toContain('scenario_action_plan_discard');
  });

  it('is in the scenario review guide, beside drafting changes', async () => {
    const guide = structured<{ steps: { goal: string; how: string; tools: { name: string }[] }[] }>(await owner.call('scenario_review_guide'));
    const drafting = guide.steps.find((step) => step.tools.some((t) => t.name === 'scenario_action_plan'))!;
    expect(drafting.tools.map((t) => t.name)).toContain('scenario_action_plan_discard');
    expect(drafting.how).toContain('`scenario_action_plan_discard`');
  });
});
