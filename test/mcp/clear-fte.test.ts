import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { errorOf, principalOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/**
 * set_fte with `fte: null` over MCP with the official client: a robot or agent may have no contracted FTE (SPEC §6),
 * so null is kept (not dropped as "no value") and clears an agent's; for a person it is refused on the field. Fixture:
 * bot is an agent in Platform (no FTE), given one here first; p1 a person.
 */

let world: McpWorld;
let member: Connection;

withConnections(['member'], (w, connections) => {
  world = w;
  member = connections.member;
});

/** A proposal: its id and the preview of the actors it changes. */
type Proposal = { proposal_id: string; preview: { records: { actor?: { changed: { id: string; fields: object }[] } } } };

describe('set_fte with fte null over MCP', () => {
  it('plans clearing an agent’s FTE (preview 1 → null), and refuses it for a person naming the field', async () => {
    const owner = principalOf(world.tenant, 'owner');
    const sid = (await createScenario({ db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: owner }, { name: 'Agents without FTE' })).id;
    const { id } = world.ids;
    const given = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: id('bot'), fte: 1 }] }));
    await member.call('scenario_action_confirm', { proposal_id: given.proposal_id });
    const fteOfBot = async () => structured<{ actor: { fte?: number } }>(await member.call('org_actors_get', { scenario_id: sid, actor_id: id('bot') })).actor;
    expect((await fteOfBot()).fte).toBe(1);

    const plan = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: id('bot'), fte: null }] }));
    // Cleared: no `to`, as MCP results leave nulls out (a cleared cost center reads the same way).
    expect(plan.preview.records.actor!.changed).toEqual([expect.objectContaining({ id: id('bot'), fields: { fte: { from: 1 } } })]);
    await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id });
    // No FTE any more: left out of the result, as MCP leaves out every null.
    expect(await fteOfBot()).not.toHaveProperty('fte');

    const person = errorOf(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: id('p1'), fte: null }] }));
    expect(person).toMatchObject({ code: 'invalid_input', field: 'changes[0].fte', reason: 'required', op: 'set_fte' });
    expect(person.message).toMatch(/a person needs a contracted FTE \(0\.01–3\.00\); only a robot or agent may have none/);
  });
});
