import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { lineageEntries, scenarios, tasks, tenantCurrencies } from '../../src/db/schema/index.js';
import { writeLive } from '../../src/db/live-store.js';
import type { ServiceContext } from '../../src/context.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario, createSnapshot, getScenario, listScenarios } from '../../src/scenarios/lifecycle.js';
import { promoteScenario, restoreSnapshot } from '../../src/scenarios/promotion.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { getActor } from '../../src/org/read-people.js';
import { getOrgUnit } from '../../src/org/read-structure.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
const SALT = 'promotion';
const { id, units } = fixtureIds(SALT);

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { plan: 'enterprise' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 }]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SALT));
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
});
afterAll(() => database?.close());

describe('promotion', () => {
  it('snapshots Live, applies the scenario, locks it as applied and records lineage', async () => {
    const sid = (await createScenario(owner, { name: 'Promote me' })).id;
    await applyBatch(owner, sid, [
      { op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S },
      { op: 'add_actor', kind: 'human', display_name: 'New Hire', org_unit_id: units.F, manager_id: id('sales_head') },
    ]);
    const { task, done } = await promoteScenario(owner, sid);
    expect(task.status).toBe('pending');
    const finished = await done;
    expect(finished.status).toBe('succeeded');
    expect(finished.result).toMatchObject({ deltas: { headcount: 1, fte: 1 } });
    // f2's GBP pay has no rate, before and after alike: the cost delta is still known (nobody's pay changed), and marked.
    expect(finished.result).toMatchObject({ deltas: { monthly_cost_minor: 0, monthly_cost_unconvertible: ['GBP'] } });

    expect((await getOrgUnit(owner, units.M)).unit.parent_id).toBe(units.S); // Live changed
    const applied = await getScenario(owner, sid);
    expect(applied).toMatchObject({ kind: 'applied', state: 'archived', editable: false });
    const snapshotId = (finished.result as { snapshot_id: string }).snapshot_id;
    // The snapshot says what it is for, as an import's does.
    expect((await getScenario(owner, snapshotId)).description).toBe('Taken automatically before “Promote me” was promoted to Live. Restore it to undo the promotion.');
    const snapshotView = await getOrgUnit(owner, units.M, { scenarioId: snapshotId });
    expect(snapshotView.unit.parent_id).toBe(units.E); // the snapshot keeps the old Live
    const [lineage] = await database.db.select().from(lineageEntries).where(eq(lineageEntries.toScenarioId, sid));
    expect(lineage).toMatchObject({ type: 'promotion', fromSnapshotId: snapshotId });
    await expect(applyBatch(owner, sid, [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5 }])).rejects.toMatchObject({ code: 'read_only' });

    // A restore told to expect another Live version (an undo that checked Live before a write landed) restores nothing.
    const liveNow = await currentLiveVersion(database.db, tenant.id);
    const stale = await (await restoreSnapshot(owner, snapshotId, { expectLiveVersion: liveNow - 1 })).done;
    expect(stale).toMatchObject({ status: 'failed', error: expect.stringContaining('Live changed since this was checked') });
    expect(await currentLiveVersion(database.db, tenant.id)).toBe(liveNow);
    expect((await getOrgUnit(owner, units.M)).unit.parent_id).toBe(units.S);

    // Restore the snapshot: Live archived first, then back to before the promotion.
    const restore = await restoreSnapshot(owner, snapshotId, { expectLiveVersion: liveNow });
    const restored = await restore.done;
    expect(restored.status).toBe('succeeded');
    expect((await getOrgUnit(owner, units.M)).unit.parent_id).toBe(units.E);
    const snapshots = await listScenarios(owner, { kind: 'snapshot' });
    const archived = snapshots.items.find((s) => s.name === 'Live before restoring ‘Live before promoting “Promote me”’');
    expect(archived?.description).toBe('Taken automatically before the snapshot ‘Live before promoting “Promote me”’ was restored. Restore it to undo the restore.');
  });

  it('asks a person to resolve fields changed in Live since branching, then applies the choices', async () => {
    const sid = (await createScenario(owner, { name: 'Conflicting' })).id;
    await applyBatch(owner, sid, [
      { op: 'rename_org_unit', org_unit_id: units.P, name: 'Platform Core' },
      { op: 'set_fte', actor_id: id('f1'), fte: 0.8 },
    ]);
    const live = buildFixtureOrg(SALT);
    await database.db.transaction((tx) =>
      writeLive(tx, tenant.id, {
        orgUnits: { upsert: [{ ...live.orgUnits.get(units.P)!, name: 'Platform Services' }] },
        actors: { upsert: [{ ...live.actors.get(id('f1'))!, fte: 0.9 }] },
      }),
    );
    const refused = promoteScenario(owner, sid);
    await expect(refused).rejects.toMatchObject({ code: 'conflict', details: { conflicts: expect.arrayContaining([expect.objectContaining({ field: 'name', source: 'Platform Services', scenario: 'Platform Core' })]) } });
    expect((await getScenario(owner, sid)).kind).toBe('planning'); // nothing happened

    const { done } = await promoteScenario(owner, sid, [
      { family: 'org_unit', id: units.P, field: 'name', choice: 'scenario' },
      { family: 'actor', id: id('f1'), field: 'fte', choice: 'live' },
    ]);
    expect((await done).status).toBe('succeeded');
    expect((await getOrgUnit(owner, units.P)).unit.name).toBe('Platform Core');
    expect((await getActor(owner, id('f1'))).actor.fte).toBe(0.9);
  });

  it('counts the changes a scenario builds on: a branch of an empty scenario has nothing to promote, a branch of a changed one does', async () => {
    const parent = (await createScenario(owner, { name: 'Parent, empty for now' })).id;
    const child = (await createScenario(owner, { name: 'Child', sourceScenarioId: parent })).id;
    const liveBefore = await currentLiveVersion(database.db, tenant.id);
    for (const sid of [parent, child]) {
      await expect(promoteScenario(owner, sid)).rejects.toMatchObject({ code: 'nothing_to_promote', status: 409, details: { scenario_id: sid } });
    }
    expect(await currentLiveVersion(database.db, tenant.id)).toBe(liveBefore);
    expect((await listScenarios(owner, { kind: 'snapshot' })).items.map((s) => s.name)).not.toContain('Live before promoting “Child”');

    // The parent gets one change; the child, with none of its own, now brings it to Live.
    await applyBatch(owner, parent, [{ op: 'rename_org_unit', org_unit_id: units.C, name: 'Core Services' }]);
    const finished = await (await promoteScenario(owner, child)).done;
    expect(finished).toMatchObject({ status: 'succeeded', result: { applied_scenario_id: child, records_written: 1 } });
    expect((await getOrgUnit(owner, units.C)).unit.name).toBe('Core Services');
    expect(await currentLiveVersion(database.db, tenant.id)).toBe(liveBefore + 1);
  });

  it('a branch of a scenario promoted since follows Live: promoting it keeps what Live changed meanwhile, and a field changed in both is a conflict', async () => {
    const first = (await createScenario(owner, { name: 'First step' })).id;
    await applyBatch(owner, first, [{ op: 'rename_org_unit', org_unit_id: units.E, name: 'Engineering & Data' }]);
    const next = (await createScenario(owner, { name: 'Next step', sourceScenarioId: first })).id;
    await applyBatch(owner, next, [
      { op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S },
      { op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Sales' },
    ]);
    expect((await (await promoteScenario(owner, first)).done).status).toBe('succeeded');
    // Meanwhile another promotion renames Mobile (a field the next step leaves alone) and Field (one it changes too).
    const other = (await createScenario(owner, { name: 'Meanwhile' })).id;
    await applyBatch(owner, other, [
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Apps' },
      { op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Force' },
    ]);
    expect((await (await promoteScenario(owner, other)).done).status).toBe('succeeded');

    // The branch shows Live's rename of Mobile, and its promotion is held on the field both renamed.
    expect((await getOrgUnit(owner, units.M, { scenarioId: next })).unit).toMatchObject({ name: 'Mobile Apps', parent_id: units.S });
    const delta = await scenarioDelta(owner, { scenarioId: next, compare: 'source' });
    expect(delta.against).toEqual({ kind: 'live' });
    expect(delta.conflicts).toEqual([expect.objectContaining({ id: units.F, field: 'name' })]);
    await expect(promoteScenario(owner, next)).rejects.toMatchObject({
      code: 'conflict',
      details: { conflicts: [expect.objectContaining({ family: 'org_unit', id: units.F, field: 'name', scenario: 'Field Sales', source: 'Field Force' })] },
    });
    const finished = await (await promoteScenario(owner, next, [{ family: 'org_unit', id: units.F, field: 'name', choice: 'scenario' }])).done;
    expect(finished.status).toBe('succeeded');
    expect((await getOrgUnit(owner, units.M)).unit).toMatchObject({ name: 'Mobile Apps', parent_id: units.S });
    expect((await getOrgUnit(owner, units.F)).unit.name).toBe('Field Sales');
    expect((await getOrgUnit(owner, units.E)).unit.name).toBe('Engineering & Data');
  });

  it('names a record its promoted source added and a restore took out of Live again, in the branch’s conflicts', async () => {
    const before = (await createSnapshot(owner, { name: 'Before the night shift' })).id;
    const adding = (await createScenario(owner, { name: 'Add a night shift' })).id;
    const outcome = await applyBatch(owner, adding, [
      { op: 'create_org_unit', name: 'Night Shift', type: 'team', parent_id: units.E },
      { op: 'add_actor', kind: 'human', display_name: 'Nia Night', org_unit_id: units.F },
    ]);
    const unitId = outcome.created.find((c) => c.family === 'org_units')!.id;
    const actorId = outcome.created.find((c) => c.family === 'actors')!.id;
    // A branch of the scenario (started before its promotion) works on what it added.
    const branch = (await createScenario(owner, { name: 'Tune the night shift', sourceScenarioId: adding })).id;
    await applyBatch(owner, branch, [
      { op: 'rename_org_unit', org_unit_id: unitId, name: 'Night Owls' },
      { op: 'set_fte', actor_id: actorId, fte: 0.5 },
    ]);
    expect((await (await promoteScenario(owner, adding)).done).status).toBe('succeeded');
    expect((await (await restoreSnapshot(owner, before)).done).status).toBe('succeeded'); // Live without them again

    const expected = [
      expect.objectContaining({ family: 'actor', id: actorId, reason: 'removed_in_source', label: 'Nia Night' }),
      expect.objectContaining({ family: 'org_unit', id: unitId, reason: 'removed_in_source', label: 'Night Shift' }),
    ];
    const delta = await scenarioDelta(owner, { scenarioId: branch });
    expect(delta.conflicts).toEqual(expect.arrayContaining(expected));
    await expect(promoteScenario(owner, branch)).rejects.toMatchObject({ code: 'conflict', details: { conflicts: expect.arrayContaining(expected) } });
  });

  it('promotes a scenario once when asked twice: refused while a promotion of it is pending, and two asks at once apply it once', async () => {
    const sid = (await createScenario(owner, { name: 'Asked twice' })).id;
    await applyBatch(owner, sid, [{ op: 'rename_org_unit', org_unit_id: units.S, name: 'Sales & Success' }]);
    // A promotion of it still pending (another instance's, say): refused, naming that task, nothing started.
    const [pending] = await database.db.insert(tasks).values({ tenantId: tenant.id, kind: 'promotion', scenarioId: sid, input: {} }).returning();
    await expect(promoteScenario(owner, sid)).rejects.toMatchObject({
      code: 'promotion_running',
      status: 409,
      message: '“Asked twice” is being promoted already; a scenario is promoted once.',
      details: { scenario_id: sid, task_id: pending!.id },
    });
    expect(await database.db.select().from(tasks).where(eq(tasks.scenarioId, sid))).toHaveLength(1);
    await database.db.update(tasks).set({ status: 'failed' }).where(eq(tasks.id, pending!.id));

    const liveBefore = await currentLiveVersion(database.db, tenant.id);
    const snapshotsOf = async () => (await database.db.select().from(scenarios).where(and(eq(scenarios.tenantId, tenant.id), eq(scenarios.kind, 'snapshot')))).length;
    const snapshotsBefore = await snapshotsOf();
    // Two asks at once (a double click): whichever way they interleave, one promotes and the other is refused or fails.
    const outcomes = await Promise.all([0, 1].map(() => promoteScenario(owner, sid).then(async (t) => (await t.done).status, (e: { code: string }) => e.code)));
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'succeeded')).toEqual([expect.stringMatching(/^(failed|promotion_running|already_promoted)$/)]);
    expect(await currentLiveVersion(database.db, tenant.id)).toBe(liveBefore + 1);
    expect(await database.db.select().from(lineageEntries).where(eq(lineageEntries.toScenarioId, sid))).toHaveLength(1);
    expect(await snapshotsOf()).toBe(snapshotsBefore + 1);
    expect(await getScenario(owner, sid)).toMatchObject({ kind: 'applied', state: 'archived' });
    expect((await getOrgUnit(owner, units.S)).unit.name).toBe('Sales & Success');
  });

  it('holds a branch’s promotion on a field the scenario it builds on changed and Live changed since, naming that scenario, and applies the choice', async () => {
    const first = (await createScenario(owner, { name: 'Rename field sales' })).id;
    await applyBatch(owner, first, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Team' }]);
    const branch = (await createScenario(owner, { name: 'Then rename mobile', sourceScenarioId: first })).id;
    await applyBatch(owner, branch, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Squad' }]);
    const meanwhile = (await createScenario(owner, { name: 'Live renames field sales' })).id;
    await applyBatch(owner, meanwhile, [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Crew' }]);
    expect((await (await promoteScenario(owner, meanwhile)).done).status).toBe('succeeded');

    const conflict = { family: 'org_unit', id: units.F, field: 'name', scenario: 'Field Team', source: 'Field Crew', reason: 'changed_in_both', in_scenario: { id: first, name: 'Rename field sales' } };
    expect((await scenarioDelta(owner, { scenarioId: branch })).conflicts).toEqual([expect.objectContaining(conflict)]);
    await expect(promoteScenario(owner, branch)).rejects.toMatchObject({ code: 'conflict', details: { conflicts: [expect.objectContaining(conflict)] } });
    expect((await getOrgUnit(owner, units.F)).unit.name).toBe('Field Crew');
    // Taking Live's value keeps Live's rename; the branch's own change is applied.
    const finished = await (await promoteScenario(owner, branch, [{ family: 'org_unit', id: units.F, field: 'name', choice: 'live' }])).done;
    expect(finished.status).toBe('succeeded');
    expect((await getOrgUnit(owner, units.F)).unit.name).toBe('Field Crew');
    expect((await getOrgUnit(owner, units.M)).unit.name).toBe('Mobile Squad');
  });

  it('promotes changes that offset each other in the totals: they still change records', async () => {
    const sid = (await createScenario(owner, { name: 'Swap hours' })).id;
    const [a, b] = [(await getActor(owner, id('p1'))).actor, (await getActor(owner, id('p2'))).actor];
    await applyBatch(owner, sid, [
      { op: 'set_fte', actor_id: id('p1'), fte: b.fte },
      { op: 'set_fte', actor_id: id('p2'), fte: a.fte },
    ]);
    const finished = await (await promoteScenario(owner, sid)).done;
    expect(finished.status).toBe('succeeded');
    expect((await getActor(owner, id('p1'))).actor.fte).toBe(b.fte);
    expect((await getActor(owner, id('p2'))).actor.fte).toBe(a.fte);
  });

  it('refuses promotion beyond the actor allowance, leaving Live untouched', async () => {
    const small = await writeGraph(database, await buildTenant(database, { plan: 'business' }), buildFixtureOrg('small-allowance'));
    await database.db.execute(`update tenants set actor_allowance = 9 where id = '${small.id}'` as never);
    const ctx = contextFor(database, { ...small, actorAllowance: 9 }, principalFor(small, 'owner'), owner.graphs);
    const sid = (await createScenario(ctx, { name: 'Grow' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', kind: 'human', display_name: 'One more', org_unit_id: fixtureIds('small-allowance').units.F }]);
    // Refused at once (a 403 problem on REST), not as a task that fails: no task, no snapshot, Live as it was.
    const liveBefore = await currentLiveVersion(database.db, small.id);
    await expect(promoteScenario(ctx, sid)).rejects.toMatchObject({ code: 'plan_limit', status: 403, message: "This organisation's allowance (set for it; the business plan's is 2,500) allows 9 active actors; this would make 10." });
    expect((await getScenario(ctx, sid)).kind).toBe('planning');
    expect(await currentLiveVersion(database.db, small.id)).toBe(liveBefore);
    expect(await database.db.select().from(tasks).where(eq(tasks.tenantId, small.id))).toEqual([]);
    expect((await listScenarios(ctx, { kind: 'snapshot' })).items).toEqual([]);
  });

  it('still promotes a rename or a reduction in a tenant already over its actor allowance (a lower override since), refusing only growth', async () => {
    const over = await writeGraph(database, await buildTenant(database, { plan: 'business' }), buildFixtureOrg('over-allowance'));
    await database.db.execute(`update tenants set actor_allowance = 5 where id = '${over.id}'` as never);
    const ctx = contextFor(database, { ...over, actorAllowance: 5 }, principalFor(over, 'owner'), owner.graphs);
    const ids = fixtureIds('over-allowance');
    const rename = (await createScenario(ctx, { name: 'Just a rename' })).id;
    await applyBatch(ctx, rename, [{ op: 'rename_org_unit', org_unit_id: ids.units.F, name: 'Field Sales' }]);
    expect((await (await promoteScenario(ctx, rename)).done).status).toBe('succeeded');
    expect((await getOrgUnit(ctx, ids.units.F)).unit.name).toBe('Field Sales');
    const grow = (await createScenario(ctx, { name: 'One more' })).id;
    await applyBatch(ctx, grow, [{ op: 'add_actor', kind: 'human', display_name: 'One more', org_unit_id: ids.units.F }]);
    await expect(promoteScenario(ctx, grow)).rejects.toMatchObject({ code: 'plan_limit', details: { allowed: 5 } });
  });

  it('needs scenarios.promote and snapshots.restore', async () => {
    const member = contextFor(database, tenant, principalFor(tenant, 'member'), owner.graphs);
    const sid = (await createScenario(member, { name: 'Mine' })).id;
    await expect(promoteScenario(member, sid)).rejects.toMatchObject({ ability: 'scenarios.promote' });
    await expect(restoreSnapshot(member, sid)).rejects.toMatchObject({ ability: 'snapshots.restore' });
    await expect(restoreSnapshot(owner, sid)).rejects.toMatchObject({ field: 'snapshot_id' });
  });

  it('records an unknown cost delta, with the currencies, when one has no exchange rate (SPEC §6)', async () => {
    await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'CHF', rateToReporting: null }]);
    const sid = (await createScenario(owner, { name: 'Pay in francs' })).id;
    await applyBatch(owner, sid, [{ op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 10_000_000, currency: 'CHF' }]);
    const finished = await (await promoteScenario(owner, sid)).done;
    expect(finished.status).toBe('succeeded');
    const [lineage] = await database.db.select().from(lineageEntries).where(eq(lineageEntries.toScenarioId, sid));
    const deltas = lineage!.deltas as Record<string, unknown>;
    // Not −(p1's pay): the fixture's GBP pay had no rate before, and p1's CHF pay has none now.
    expect(deltas).toMatchObject({ headcount: 0, monthly_cost_minor: null, monthly_cost_unconvertible: ['CHF', 'GBP'], currency: 'EUR' });
    expect(finished.result).toMatchObject({ deltas: { monthly_cost_minor: null, monthly_cost_unconvertible: ['CHF', 'GBP'] } });
  });
});
