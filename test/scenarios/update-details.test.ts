import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { departmentTypes } from '../../src/db/schema/index.js';
import { getActor } from '../../src/org/read-people.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { changeRunner, sessionOf } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * update_actor and update_department: a person's or a department's details changed in place ("Ann becomes Staff
 * Engineer", a department's lead or cost center), keeping the id — on the fixture organisation without a database,
 * then through a scenario's delta to Live by promotion, and the merge check when Live moved meanwhile.
 *
 * Fixture: Engineering (E) is a department led by eng_head with cost center CC-ENG; Sales (S) is a department
 * without a department record; Platform (P) is a team; `former` left on 2026-01-01.
 */

const TODAY = '2026-06-01';
const SALT = 'update-details';
const { id, units } = fixtureIds(SALT);
// A member (who may not delete) changes details: scenarios.write is all these ops need.
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY, principal: sessionOf('member'), departmentTypes: ['dt-product', 'dt-ops'] });

describe('update_actor changes a person in place', () => {
  it('changes the fields given (trimmed), keeps the others, the id and the placements; blank clears title, email and level', () => {
    const before = buildFixtureOrg(SALT);
    const { graph, created } = run([{ op: 'update_actor', actor_id: id('p1'), title: ' Staff Engineer ', level: 'L6', display_name: 'Ann Example' }]);
    expect(created).toEqual([]);
    expect(graph.actors.get(id('p1'))).toEqual({ ...before.actors.get(id('p1')), title: 'Staff Engineer', level: 'L6', displayName: 'Ann Example' });
    expect(graph.placements.get(id('pl-p1'))).toEqual(before.placements.get(id('pl-p1')));
    const cleared = run([{ op: 'update_actor', actor_id: id('ceo'), title: '', email: null, level: '  ' }]).graph.actors.get(id('ceo'))!;
    expect(cleared).toMatchObject({ title: null, email: null, level: null, displayName: 'ceo' });
    // The same values change nothing.
    expect(run([{ op: 'update_actor', actor_id: id('ceo'), title: 'Chief Executive', email: 'ceo@fixture.test' }]).edits).toEqual([]);
  });

  it('reads the email as add_actor does: an address, trimmed', () => {
    expect(run([{ op: 'update_actor', actor_id: id('p1'), email: ' ann@new.test ' }]).graph.actors.get(id('p1'))!.email).toBe('ann@new.test');
    for (const op of ['update_actor', 'add_actor'] as const) {
      const command: ChangeCommand =
        op === 'add_actor' ? { op, kind: 'human', display_name: 'Nova', org_unit_id: units.P, email: 'not-an-address' } : { op, actor_id: id('p1'), email: 'not-an-address' };
      expect(refusal([command])).toMatchObject({ field: 'changes[0].email', reasonText: 'must be an email address' });
    }
  });

  it('refuses a leaver, an unknown actor, nothing to change, a blank name and a date', () => {
    expect(refusal([{ op: 'update_actor', actor_id: id('former'), title: 'Back' }]).details).toMatchObject({ reason: 'not_active', kind: 'actor', ended_on: '2026-01-01' });
    expect(refusal([{ op: 'update_actor', actor_id: 'nobody', title: 'X' }]).details).toMatchObject({ reason: 'no_such_record', kind: 'actor' });
    expect(refusal([{ op: 'update_actor', actor_id: id('p1') }])).toMatchObject({
      field: 'changes[0]',
      reasonText: 'names nothing to change: give one or more of display_name, title, email, level',
    });
    expect(refusal([{ op: 'update_actor', actor_id: id('p1'), display_name: '  ' }])).toMatchObject({ field: 'changes[0].display_name', reasonText: expect.stringMatching(/cannot be empty/) });
    expect(refusal([{ op: 'update_actor', actor_id: id('p1'), title: 'X', date: '2026-09-01' }]).details).toMatchObject({ reason: 'undated_only', op: 'update_actor' });
  });

  it('changes an actor the batch adds, named by its ref', () => {
    const { graph, created } = run([
      { op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: units.P, ref: 'nova' },
      { op: 'update_actor', actor_id: '$nova', title: 'Engineer' },
    ]);
    expect(graph.actors.get(created.find((c) => c.family === 'actors')!.id)).toMatchObject({ displayName: 'Nova', title: 'Engineer' });
  });
});

describe('update_department changes a department’s details in place', () => {
  it('sets type, cost center, lead and description; blank clears cost center, lead and description', () => {
    const { graph } = run([{ op: 'update_department', org_unit_id: units.E, department_type_id: 'dt-product', cost_center: ' CC-42 ', lead_actor_id: id('p1'), description: 'Builds it' }]);
    expect(graph.departments.get(units.E)).toEqual({ orgUnitId: units.E, departmentTypeId: 'dt-product', costCenter: 'CC-42', leadActorId: id('p1'), description: 'Builds it' });
    expect(graph.orgUnits.get(units.E)).toEqual(buildFixtureOrg(SALT).orgUnits.get(units.E));
    const cleared = run([{ op: 'update_department', org_unit_id: units.E, cost_center: '', lead_actor_id: null, description: '' }]).graph.departments.get(units.E);
    expect(cleared).toMatchObject({ costCenter: null, leadActorId: null, description: null });
    expect(run([{ op: 'update_department', org_unit_id: units.E, cost_center: 'CC-ENG' }]).edits).toEqual([]);
  });

  it('gives a department that has no department record one', () => {
    const { graph } = run([{ op: 'update_department', org_unit_id: units.S, lead_actor_id: id('sales_head') }]);
    expect(graph.departments.get(units.S)).toEqual({ orgUnitId: units.S, departmentTypeId: null, costCenter: null, leadActorId: id('sales_head'), description: null });
  });

  it('a lead the batch adds, named by its ref', () => {
    const { graph, created } = run([
      { op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: units.P, ref: 'nova' },
      { op: 'update_department', org_unit_id: units.E, lead_actor_id: '$nova' },
    ]);
    expect(graph.departments.get(units.E)!.leadActorId).toBe(created.find((c) => c.family === 'actors')!.id);
  });

  it('refuses a team (naming update_team), an unknown or cleared type, a lead who left, nothing to change and a date', () => {
    expect(refusal([{ op: 'update_department', org_unit_id: units.P, cost_center: 'X' }])).toMatchObject({
      field: 'changes[0].org_unit_id',
      reasonText: 'is a team, not a department: use update_team for a team’s type and purpose (a unit’s name is changed with rename_org_unit)',
    });
    expect(refusal([{ op: 'update_department', org_unit_id: units.C, cost_center: 'X' }]).reasonText).toMatch(/^is a company, not a department/);
    expect(refusal([{ op: 'update_department', org_unit_id: units.E, department_type_id: 'dt-nope' }])).toMatchObject({
      field: 'changes[0].department_type_id',
      reasonText: 'no such department type in this tenant',
    });
    expect(refusal([{ op: 'update_department', org_unit_id: units.E, department_type_id: '' }]).reasonText).toMatch(/^a department keeps a type/);
    expect(refusal([{ op: 'update_department', org_unit_id: units.E, lead_actor_id: id('former') }])).toMatchObject({
      field: 'changes[0].lead_actor_id',
      details: { reason: 'not_active', kind: 'actor' },
    });
    expect(refusal([{ op: 'update_department', org_unit_id: units.E, lead_actor_id: 'nobody' }]).details).toMatchObject({ reason: 'no_such_record', kind: 'actor' });
    expect(refusal([{ op: 'update_department', org_unit_id: units.E }]).reasonText).toMatch(/^names nothing to change: give one or more of department_type_id, cost_center, lead_actor_id, description/);
    expect(refusal([{ op: 'update_department', org_unit_id: units.E, description: 'x', date: '2026-01-01' }]).details).toMatchObject({ reason: 'undated_only' });
  });

  it('refuses a department closed before today', () => {
    const graph = buildFixtureOrg(SALT);
    graph.orgUnits.set(units.S, { ...graph.orgUnits.get(units.S)!, validTo: '2026-03-01' });
    expect(() =>
      run([{ op: 'update_department', org_unit_id: units.S, description: 'x' }], graph),
    ).toThrow(/that department was closed on 2026-03-01/);
  });
});

describe('update_actor and update_department through a scenario to Live', () => {
  let database: Database;
  let graphs: GraphStore;
  beforeAll(async () => {
    database = await testDatabase();
    graphs = new GraphStore(database.db);
  });
  afterAll(() => database?.close());

  async function org(salt: string): Promise<{ ctx: ServiceContext; typeId: string } & ReturnType<typeof fixtureIds>> {
    const tenant = await writeGraph(database, await buildTenant(database, { plan: 'enterprise' }), buildFixtureOrg(salt));
    const [type] = await database.db.insert(departmentTypes).values({ tenantId: tenant.id, name: 'Product' }).returning({ id: departmentTypes.id });
    return { ctx: contextFor(database, tenant, principalFor(tenant, 'member'), graphs), typeId: type!.id, ...fixtureIds(salt) };
  }

  it('the delta shows the changed fields, and promotion carries them to Live', async () => {
    const { ctx, id: dbId, units: dbUnits, typeId } = await org('update-details-db');
    const owner = contextFor(database, ctx.tenant, principalFor(ctx.tenant, 'owner'), graphs);
    const sid = (await createScenario(ctx, { name: 'Ann is promoted' })).id;
    await applyBatch(ctx, sid, [
      { op: 'update_actor', actor_id: dbId('p1'), title: 'Staff Engineer', level: 'L6' },
      { op: 'update_department', org_unit_id: dbUnits.E, department_type_id: typeId, lead_actor_id: dbId('p1'), cost_center: 'CC-99', description: 'Builds it' },
    ]);
    const delta = (await scenarioDelta(ctx, { scenarioId: sid })) as unknown as {
      families: Record<string, { changed: { id: string; fields: Record<string, { from: unknown; to: unknown }> }[] }>;
    };
    expect(delta.families.actor!.changed.find((c) => c.id === dbId('p1'))!.fields).toEqual({
      title: { from: null, to: 'Staff Engineer' },
      level: { from: null, to: 'L6' },
    });
    expect(delta.families.department!.changed.find((c) => c.id === dbUnits.E)!.fields).toEqual({
      department_type_id: { from: null, to: typeId },
      lead_actor_id: { from: dbId('eng_head'), to: dbId('p1') },
      cost_center: { from: 'CC-ENG', to: 'CC-99' },
      description: { from: null, to: 'Builds it' },
    });

    expect((await (await promoteScenario(owner, sid)).done).status).toBe('succeeded');
    expect((await getActor(owner, dbId('p1'))).actor).toMatchObject({ id: dbId('p1'), title: 'Staff Engineer', level: 'L6' });
    const live = await owner.graphs.live(ctx.tenant.id);
    expect(live.graph.departments.get(dbUnits.E)).toEqual({ orgUnitId: dbUnits.E, departmentTypeId: typeId, costCenter: 'CC-99', leadActorId: dbId('p1'), description: 'Builds it' });
  });

  it('a lead Live deactivated meanwhile is refused at promotion, naming the department; a new lead promotes', async () => {
    const { ctx, id: dbId, units: dbUnits } = await org('update-details-merge');
    const owner = contextFor(database, ctx.tenant, principalFor(ctx.tenant, 'owner'), graphs);
    const sid = (await createScenario(owner, { name: 'f1 leads Sales' })).id;
    await applyBatch(owner, sid, [{ op: 'update_department', org_unit_id: dbUnits.S, lead_actor_id: dbId('f1') }]);
    // Meanwhile Live: f1 leaves.
    const meanwhile = (await createScenario(owner, { name: 'f1 leaves' })).id;
    await applyBatch(owner, meanwhile, [{ op: 'deactivate_actor', actor_id: dbId('f1') }]);
    expect((await (await promoteScenario(owner, meanwhile)).done).status).toBe('succeeded');

    const liveBefore = await currentLiveVersion(database.db, ctx.tenant.id);
    const refused = await promoteScenario(owner, sid).then(
      () => null,
      (e: { status: number; details: { conflicts: Record<string, unknown>[] } }) => e,
    );
    expect(refused?.status).toBe(409);
    expect(refused!.details.conflicts).toEqual([
      expect.objectContaining({ reason: 'invalid_after_merge', family: 'department', id: dbUnits.S, label: 'Sales', field: 'lead_actor_id', problem: expect.stringMatching(/“f1”.*update_department/) }),
    ]);
    expect(await currentLiveVersion(database.db, ctx.tenant.id)).toBe(liveBefore);

    await applyBatch(owner, sid, [{ op: 'update_department', org_unit_id: dbUnits.S, lead_actor_id: dbId('sales_head') }]);
    expect((await (await promoteScenario(owner, sid)).done).status).toBe('succeeded');
    expect((await owner.graphs.live(ctx.tenant.id)).graph.departments.get(dbUnits.S)!.leadActorId).toBe(dbId('sales_head'));
  });

  it('the other way round: the scenario deactivates someone Live made a department’s lead meanwhile', async () => {
    const { ctx, id: dbId, units: dbUnits } = await org('update-details-merge-back');
    const owner = contextFor(database, ctx.tenant, principalFor(ctx.tenant, 'owner'), graphs);
    const sid = (await createScenario(owner, { name: 'f2 leaves' })).id;
    await applyBatch(owner, sid, [{ op: 'deactivate_actor', actor_id: dbId('f2') }]);
    const meanwhile = (await createScenario(owner, { name: 'f2 leads Sales' })).id;
    await applyBatch(owner, meanwhile, [{ op: 'update_department', org_unit_id: dbUnits.S, lead_actor_id: dbId('f2') }]);
    expect((await (await promoteScenario(owner, meanwhile)).done).status).toBe('succeeded');
    const conflicts = (await scenarioDelta(owner, { scenarioId: sid })).conflicts.filter((c) => c.reason === 'invalid_after_merge');
    expect(conflicts).toEqual([expect.objectContaining({ family: 'department', id: dbUnits.S, field: 'lead_actor_id' })]);
  });
});
