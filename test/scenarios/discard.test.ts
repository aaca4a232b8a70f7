import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { InvalidInput, MissingAbility } from '../../src/errors.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { discardChanges } from '../../src/scenarios/discard.js';
import { archiveScenario, createScenario } from '../../src/scenarios/lifecycle.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Discarding a scenario's changes record by record (the change tray's undo): each record takes its source's value
 * again, the rest of the scenario stays, and a discard that would leave the scenario broken is refused naming the
 * records to discard with it.
 */

type Families = Record<string, { added: { id?: string }[]; changed: { id: string; fields: Record<string, unknown> }[]; removed: { id?: string }[] }>;

describe('discarding a scenario’s changes', () => {
  let database: Database;
  let graphs: GraphStore;
  beforeAll(async () => {
    database = await testDatabase();
    graphs = new GraphStore(database.db);
  });
  afterAll(() => database?.close());

  async function org(salt: string) {
    const tenant = await writeGraph(database, await buildTenant(database, { plan: 'enterprise' }), buildFixtureOrg(salt));
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'), graphs);
    const member = contextFor(database, tenant, principalFor(tenant, 'member'), graphs);
    return { owner, member, ...fixtureIds(salt) };
  }

  const families = async (ctx: ServiceContext, scenarioId: string) => ((await scenarioDelta(ctx, { scenarioId })) as unknown as { families: Families }).families;

  function refusal(promise: Promise<unknown>): Promise<InvalidInput> {
    return promise.then(
      () => {
        throw new Error('the discard was not refused');
      },
      (error) => {
        if (error instanceof InvalidInput) return error;
        throw error;
      },
    );
  }

  it('reverts a changed field, brings back a removed record and drops an added one; the other changes stay', async () => {
    const { owner, id, units } = await org('discard-basic');
    const sid = (await createScenario(owner, { name: 'Reshuffle' })).id;
    const outcome = await applyBatch(owner, sid, [
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' },
      { op: 'set_fte', actor_id: id('p2'), fte: 0.8 },
      { op: 'add_actor', kind: 'agent', display_name: 'Triage bot', org_unit_id: units.P, ref: 'bot2' },
    ]);
    const botId = outcome.created.find((c) => c.family === 'actors')!.id;
    const before = await families(owner, sid);
    expect(before.org_unit!.changed.map((c) => c.id)).toEqual([units.M]);
    expect(before.actor!.added.map((a) => a.id)).toEqual([botId]);

    const result = await discardChanges(owner, sid, [{ family: 'org_unit', record_id: units.M }]);
    expect(result.discarded).toEqual([{ family: 'org_unit', record_id: units.M, op: 'change' }]);
    expect(result.revision).toBe(outcome.revision + 1);
    const after = await families(owner, sid);
    expect(after.org_unit).toBeUndefined();
    // FTE and the added agent are still there.
    expect(after.actor!.changed.map((c) => c.id)).toEqual([id('p2')]);
    expect(after.actor!.added.map((a) => a.id)).toEqual([botId]);

    // Dropping the added agent takes its placement along only if asked: alone it is refused, naming the placement.
    const alone = await refusal(discardChanges(owner, sid, [{ family: 'actor', record_id: botId }]));
    expect(alone.details).toMatchObject({ reason: 'leaves_problems', field: 'records' });
    const also = (alone.details as { also: { family: string; record_id: string }[] }).also;
    expect(also).toEqual([expect.objectContaining({ family: 'placement' })]);
    expect(alone.message).toContain('Triage bot');
    // Nothing was saved by the refusal.
    expect((await families(owner, sid)).actor!.added.map((a) => a.id)).toEqual([botId]);

    await discardChanges(owner, sid, [{ family: 'actor', record_id: botId }, ...also]);
    const last = await families(owner, sid);
    expect(last.actor!.added).toEqual([]);
    expect(last.placement).toBeUndefined();
    expect(last.actor!.changed.map((c) => c.id)).toEqual([id('p2')]);
  });

  it('a deactivation discarded brings the person back with their placements only when those are discarded too', async () => {
    const { owner, id } = await org('discard-leaver');
    const sid = (await createScenario(owner, { name: 'f2 leaves' })).id;
    await applyBatch(owner, sid, [{ op: 'deactivate_actor', actor_id: id('f2') }]);
    const changes = (await listScenarioChanges(owner, sid)).page.items as { family: string; record_id: string }[];
    expect(changes.map((c) => c.family).sort()).toEqual(['actor', 'compensation', 'placement', 'reporting_line']);
    const placement = changes.find((c) => c.family === 'placement')!;
    // The placement back alone would place someone who has left: refused, naming the person to bring back with it.
    const alone = await refusal(discardChanges(owner, sid, [{ family: 'placement', record_id: placement.record_id }]));
    expect(alone.message).toMatch(/points at the person “f2”, which is not active/);
    expect((alone.details as { also: unknown[] }).also).toEqual([expect.objectContaining({ family: 'actor', record_id: id('f2') })]);
    await discardChanges(owner, sid, changes.map(({ family, record_id }) => ({ family, record_id })));
    expect(await families(owner, sid)).toEqual({});
  });

  it('refuses what is not the scenario’s own change, an unknown family, a read-only scenario, and missing abilities', async () => {
    const { owner, member, id, units } = await org('discard-refusals');
    const sid = (await createScenario(owner, { name: 'Refusals' })).id;
    const outcome = await applyBatch(owner, sid, [{ op: 'create_org_unit', type: 'team', name: 'Tiger', parent_id: units.E }]);
    const tiger = outcome.created[0]!.id;

    expect((await refusal(discardChanges(owner, sid, [{ family: 'actor', record_id: id('p1') }]))).details).toMatchObject({
      field: 'records[0].record_id',
      reason: 'no_change',
    });
    expect((await refusal(discardChanges(owner, sid, [{ family: 'wizard', record_id: tiger }]))).field).toBe('records[0].family');
    expect((await refusal(discardChanges(owner, sid, []))).field).toBe('records');
    // A member may change a scenario but not remove a record from it: dropping an added unit needs scenarios.delete.
    await expect(discardChanges(member, sid, [{ family: 'org_unit', record_id: tiger }])).rejects.toBeInstanceOf(MissingAbility);
    const viewer = contextFor(database, owner.tenant, principalFor(owner.tenant, 'viewer'), graphs);
    await expect(discardChanges(viewer, sid, [{ family: 'org_unit', record_id: tiger }])).rejects.toBeInstanceOf(MissingAbility);

    await archiveScenario(owner, sid);
    await expect(discardChanges(owner, sid, [{ family: 'org_unit', record_id: tiger }])).rejects.toMatchObject({ status: 409 });
  });

  it('a member may undo a change that does not remove a record', async () => {
    const { owner, member, units } = await org('discard-member');
    const sid = (await createScenario(owner, { name: 'Rename' })).id;
    await applyBatch(member, sid, [{ op: 'rename_org_unit', org_unit_id: units.P, name: 'Core' }]);
    await discardChanges(member, sid, [{ family: 'org_unit', record_id: units.P }]);
    expect(await families(owner, sid)).toEqual({});
  });
});
