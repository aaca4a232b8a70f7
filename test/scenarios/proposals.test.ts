import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { scenarioProposals } from '../../src/db/schema/index.js';
import type { ServiceContext } from '../../src/context.js';
import type { Principal } from '../../src/access/policy.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { writeLive } from '../../src/db/live-store.js';
import { createScenario, createSnapshot, getScenario } from '../../src/scenarios/lifecycle.js';
import { cancelProposal, confirmProposal, planProposal } from '../../src/scenarios/proposals.js';
import { getActor } from '../../src/org/read-people.js';
import { OverlayMap } from '../../src/scenarios/overlay.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

let database: Database;
let tenant: Tenant;
let ai: ServiceContext;
const SALT = 'proposals';
const { id, units } = fixtureIds(SALT);

function aiPrincipal(userId: string, clientId = 'claude'): Principal {
  return { ...principalFor(tenant, 'member', null, userId), kind: 'oauth', clientId, clientName: 'Claude', scopes: ['mcp:use'] };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await writeGraph(database, await buildTenant(database, { plan: 'business' }), buildFixtureOrg(SALT));
  const user = await buildMember(database, tenant, 'member');
  ai = contextFor(database, tenant, aiPrincipal(user.id));
});
afterAll(() => database?.close());

describe('scenario.action.plan → confirm', () => {
  it('plans without applying, then confirms exactly once', async () => {
    const sid = (await createScenario(ai, { name: 'AI draft' })).id;
    const plan = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }, { op: 'add_actor', kind: 'agent', display_name: 'Bot 2', org_unit_id: units.P }] });
    expect(plan.status).toBe('planned');
    expect(new Date(plan.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect(plan.preview).toMatchObject({ commands: 2, metrics: { fte: { from: 7.5, to: 8, delta: 0.5 }, agents: { delta: 1 } } });
    expect((await getActor(ai, id('p2'), { scenarioId: sid })).actor.fte).toBe(0.5); // nothing applied yet

    const confirmed = await confirmProposal(ai, plan.proposal_id);
    expect(confirmed).toMatchObject({ status: 'confirmed', already_confirmed: false });
    expect((await getActor(ai, id('p2'), { scenarioId: sid })).actor.fte).toBe(1);
    const createdId = (confirmed.outcome as { created: { family: string; id: string }[] }).created.find((c) => c.family === 'actor')!.id;
    expect((plan.preview.records as { actor: { added: { id: string }[] } }).actor.added[0]!.id).toBe(createdId); // the preview's ids are the ones created

    const again = await confirmProposal(ai, plan.proposal_id);
    expect(again).toMatchObject({ status: 'confirmed', already_confirmed: true, outcome: confirmed.outcome });
    expect((await getScenario(ai, sid)).revision).toBe(1);
  });

  it('previews what the proposal itself does, not the scenario’s earlier changes', async () => {
    const sid = (await createScenario(ai, { name: 'Second step' })).id;
    const first = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'add_actor', kind: 'agent', display_name: 'Earlier bot', org_unit_id: units.P }] });
    await confirmProposal(ai, first.proposal_id);
    const second = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }] });
    const records = second.preview.records as Record<string, { added?: unknown[]; changed?: { id: string }[] }>;
    expect(Object.keys(records)).toEqual(['actor']);
    expect(records.actor!.added ?? []).toEqual([]);
    expect(records.actor!.changed!.map((c) => c.id)).toEqual([id('p2')]);
    expect(second.preview).toMatchObject({ commands: 1, metrics: { fte: { from: 7.5, to: 8, delta: 0.5 }, agents: { delta: 0 } } });
  });

  it('applies once when 20 confirms race', async () => {
    const sid = (await createScenario(ai, { name: 'Race' })).id;
    const plan = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'add_actor', kind: 'robot', display_name: 'Racer', org_unit_id: units.F }] });
    const results = await Promise.all(Array.from({ length: 20 }, () => confirmProposal(ai, plan.proposal_id)));
    expect(results.filter((r) => !r.already_confirmed)).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r.outcome))).size).toBe(1);
    const scenario = await getScenario(ai, sid);
    expect(scenario.revision).toBe(1);
    expect(scenario.change_counts.actor).toEqual({ add: 1 });
  });

  it('refuses a stale proposal with the reason, applying nothing', async () => {
    const sid = (await createScenario(ai, { name: 'Stale' })).id;
    const plan = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.6 }] });
    await applyBatch(ai, sid, [{ op: 'set_fte', actor_id: id('f2'), fte: 0.9 }]); // the scenario moves on
    await expect(confirmProposal(ai, plan.proposal_id)).rejects.toMatchObject({ code: 'stale_proposal', details: { reason: 'scenario_changed' } });
    expect((await getActor(ai, id('f1'), { scenarioId: sid })).actor.fte).toBe(1);

    const expiring = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.6 }] });
    await database.db.update(scenarioProposals).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(scenarioProposals.id, expiring.proposal_id));
    await expect(confirmProposal(ai, expiring.proposal_id)).rejects.toMatchObject({ details: { reason: 'expired' } });

    const other = await planProposal(ai, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.6 }] });
    const otherClient = contextFor(database, tenant, aiPrincipal(ai.principal.userId!, 'cursor'), ai.graphs);
    await expect(confirmProposal(otherClient, other.proposal_id)).rejects.toMatchObject({ details: { reason: 'other_owner' } });
    const otherUser = contextFor(database, tenant, aiPrincipal((await buildMember(database, tenant, 'member')).id), ai.graphs);
    await expect(confirmProposal(otherUser, other.proposal_id)).rejects.toMatchObject({ details: { reason: 'other_owner' } });
    // Someone else's cancel is refused too, and told so (not told to 'confirm' it or plan again).
    const othersCancel = await cancelProposal(otherUser, other.proposal_id).catch((error: unknown) => error);
    expect(othersCancel).toMatchObject({ details: { reason: 'other_owner' }, message: expect.stringContaining('only they can confirm or cancel it') });
    expect((othersCancel as { fix: string }).fix).toContain('expires by itself');

    const cancelled = await cancelProposal(ai, other.proposal_id);
    expect(cancelled.status).toBe('cancelled');
    await expect(confirmProposal(ai, other.proposal_id)).rejects.toMatchObject({ details: { reason: 'cancelled' } });
  });

  it('refuses a proposal whose source changed since planning: the source scenario, or Live', async () => {
    // A scenario of a scenario: the source sets the same actor's FTE after the plan.
    const source = (await createScenario(ai, { name: 'Source' })).id;
    const branch = (await createScenario(ai, { name: 'Branch', sourceScenarioId: source })).id;
    const plan = await planProposal(ai, { scenarioId: branch, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.5 }] });
    expect(plan.preview).toMatchObject({ metrics: { fte: { delta: -0.5 } } });
    expect(plan.preview).not.toHaveProperty('source');
    await applyBatch(ai, source, [{ op: 'set_fte', actor_id: id('f1'), fte: 0.7 }]);
    await expect(confirmProposal(ai, plan.proposal_id)).rejects.toMatchObject({
      code: 'stale_proposal',
      details: { reason: 'source_changed' },
      message: expect.stringMatching(/source/),
    });
    expect((await getActor(ai, id('f1'), { scenarioId: branch })).actor.fte).toBe(0.7); // nothing applied: follows its source
    expect((await getScenario(ai, branch)).revision).toBe(0);
    // Planned again against the new state, it confirms.
    const again = await planProposal(ai, { scenarioId: branch, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.5 }] });
    expect(await confirmProposal(ai, again.proposal_id)).toMatchObject({ status: 'confirmed', already_confirmed: false });

    // A scenario of Live: Live changes (an import, a promotion) after the plan.
    const ofLive = (await createScenario(ai, { name: 'Of Live' })).id;
    const livePlan = await planProposal(ai, { scenarioId: ofLive, changes: [{ op: 'set_fte', actor_id: id('f2'), fte: 0.5 }] });
    const f2 = buildFixtureOrg(SALT).actors.get(id('f2'))!;
    await database.db.transaction((tx) => writeLive(tx, tenant.id, { actors: { upsert: [{ ...f2, fte: 0.7 }] } }));
    try {
      await expect(confirmProposal(ai, livePlan.proposal_id)).rejects.toMatchObject({ code: 'stale_proposal', details: { reason: 'source_changed' } });
      expect((await getActor(ai, id('f2'), { scenarioId: ofLive })).actor.fte).toBe(0.7);
    } finally {
      await database.db.transaction((tx) => writeLive(tx, tenant.id, { actors: { upsert: [f2] } }));
    }
  });

  it('needs ai.scenarios.draft and a mutable scenario, and validates before storing anything', async () => {
    const viewer = contextFor(database, tenant, { ...aiPrincipal(ai.principal.userId!), ...principalFor(tenant, 'viewer'), kind: 'oauth' }, ai.graphs);
    const sid = (await createScenario(ai, { name: 'Guarded' })).id;
    await expect(planProposal(viewer, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.6 }] })).rejects.toMatchObject({ ability: 'ai.scenarios.draft' });
    const snapshot = await createSnapshot(ai, { name: 'snap' });
    await expect(planProposal(ai, { scenarioId: snapshot.id, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.6 }] })).rejects.toMatchObject({ code: 'read_only' });
    await expect(planProposal(ai, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 9 }] })).rejects.toMatchObject({ field: 'changes[0].fte' });
    await expect(planProposal(ai, { scenarioId: sid, changes: [{ op: 'end_placement', placement_id: id('pl-m1-p') }] })).rejects.toMatchObject({ ability: 'scenarios.delete' });
    const rows = await database.db.select().from(scenarioProposals).where(eq(scenarioProposals.scenarioId, sid));
    expect(rows).toHaveLength(0);
    const stranger = await buildTenant(database, { plan: 'business' });
    const theirs = contextFor(database, stranger, aiPrincipal(ai.principal.userId!), ai.graphs);
    await expect(planProposal(theirs, { scenarioId: sid, changes: [{ op: 'set_fte', actor_id: id('f1'), fte: 0.6 }] })).rejects.toMatchObject({ code: 'not_found' });
  });
  it('works out its notes from the records they are about, not a pass over every placement, line and pay per change', async () => {
    const owner = contextFor(database, tenant, { ...principalFor(tenant, 'owner', null, ai.principal.userId!), kind: 'oauth', clientId: 'claude', clientName: 'Claude', scopes: ['mcp:use'] }, ai.graphs);
    const sid = (await createScenario(owner, { name: 'Notes in proportion' })).id;
    const changes = [
      { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M }, // leaves the seat pos_p1 behind
      { op: 'add_actor', kind: 'human', display_name: 'Ada New', org_unit_id: units.P }, // no pay, no manager
      { op: 'create_position', org_unit_id: units.F, title: 'Open seat', planned_fte: 1 }, // vacant
    ];
    const scans = [vi.spyOn(OverlayMap.prototype, 'values'), vi.spyOn(OverlayMap.prototype, 'entries')];
    try {
      const plan = await planProposal(owner, { scenarioId: sid, changes });
      const notes = plan.preview.notes as string[];
      expect(notes).toEqual([
        expect.stringMatching(/^This new actor has no pay: "Ada New"/),
        expect.stringMatching(/^This new actor has no manager: "Ada New"/),
        expect.stringMatching(/^This new position is vacant/),
        expect.stringMatching(/^The seat the moved person filled stays where it is budgeted, now vacant: "[^"]+" \(/),
      ]);
      // The batch's own families are overlays of Live's: none of them was read in full (let alone once per change)
      // to write these notes.
      for (const scan of scans) expect(scan).not.toHaveBeenCalled();
    } finally {
      for (const scan of scans) scan.mockRestore();
    }
  });
});
