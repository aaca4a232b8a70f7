import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { planProposal } from '../../src/scenarios/proposals.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { changeRunner } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Two rules that keep a scenario's people consistent: one email is one person (add_actor and update_actor refuse an
 * address another active actor has, as imports refuse a duplicate email — and promotion reports one Live gained
 * meanwhile), and a department is not left led by someone who has left (deactivate_actor clears their lead).
 *
 * Fixture: every human has `<key>@fixture.test`; eng_head leads Engineering (E) and manages p1, p2 and m1; f1 and f2
 * manage nobody; `former` left on 2026-01-01.
 */

const TODAY = '2026-06-01';
const SALT = 'actor-integrity';
const { id, units } = fixtureIds(SALT);
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY });

const hire = (email: string, extra: Partial<ChangeCommand> = {}): ChangeCommand => ({ op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: units.P, email, ...extra });
/** eng_head's reports given another manager, so eng_head may leave. */
const reportsMoved: ChangeCommand[] = ['p1', 'p2', 'm1'].map((key) => ({ op: 'set_manager', actor_id: id(key), manager_id: id('ceo') }));

describe('one email is one person in a scenario', () => {
  it('add_actor refuses an email another active actor has, ignoring case and spaces, naming them', () => {
    const refused = refusal([hire('  ENG_Head@Fixture.TEST ')]);
    expect(refused.field).toBe('changes[0].email');
    expect(refused.reasonText).toBe(`“eng_head” (${id('eng_head')}) has that email already, and one email is one person: give another email, or change or clear theirs first (update_actor)`);
    expect(refused.details).toEqual({ field: 'changes[0].email', reason: 'email_taken', kind: 'actor', id: id('eng_head') });
  });

  it('update_actor refuses another active actor’s email; the actor keeping their own (in another case) is fine', () => {
    expect(refusal([{ op: 'update_actor', actor_id: id('p1'), email: 'p2@fixture.test' }]).details).toMatchObject({ reason: 'email_taken', kind: 'actor', id: id('p2') });
    expect(run([{ op: 'update_actor', actor_id: id('p1'), email: ' P1@Fixture.test ' }]).graph.actors.get(id('p1'))!.email).toBe('P1@Fixture.test');
    // An address two people had before (imported earlier) stays each one's to keep, not to give anyone else.
    const twice = buildFixtureOrg(SALT);
    twice.actors.set(id('p2'), { ...twice.actors.get(id('p2'))!, email: 'P1@fixture.test' });
    expect(run([{ op: 'update_actor', actor_id: id('p1'), email: 'p1@fixture.test', title: 'Lead' }], twice).graph.actors.get(id('p1'))!.title).toBe('Lead');
    expect(() => run([{ op: 'update_actor', actor_id: id('m1'), email: 'p1@fixture.test' }], twice)).toThrow(/has that email already/);
    // Two people swapping addresses: the first clears theirs, then the other takes it.
    const swapped = run([
      { op: 'update_actor', actor_id: id('p1'), email: null },
      { op: 'update_actor', actor_id: id('p2'), email: 'p1@fixture.test' },
      { op: 'update_actor', actor_id: id('p1'), email: 'p2@fixture.test' },
    ]).graph;
    expect([swapped.actors.get(id('p1'))!.email, swapped.actors.get(id('p2'))!.email]).toEqual(['p2@fixture.test', 'p1@fixture.test']);
  });

  it('two add_actor changes of one batch with one email: the second is refused, naming the change that adds the first', () => {
    const refused = refusal([hire('nova@fixture.test'), { ...hire('Nova@fixture.test'), display_name: 'Nova Two' }]);
    expect(refused.field).toBe('changes[1].email');
    expect(refused.reasonText).toMatch(/^“Nova” \(new-0\) has that email already/);
    expect(refused.details).toEqual({ field: 'changes[1].email', reason: 'email_taken', kind: 'actor', id: 'new-0', change: 0 });
  });

  it('a leaver’s email may be reused: someone who left, or who leaves before the new actor starts', () => {
    expect(run([hire('former@fixture.test')]).graph.actors.get('new-0')!.email).toBe('former@fixture.test');
    // f1 leaves today: their address is free from today.
    expect(run([{ op: 'deactivate_actor', actor_id: id('f1') }, hire('f1@fixture.test')]).created).toContainEqual({ index: 1, family: 'actors', id: 'new-0' });
    // f2 leaves on 2026-09-01: a hire with their address from then on is fine, one from today is refused.
    const leaves: ChangeCommand = { op: 'deactivate_actor', actor_id: id('f2'), date: '2026-09-01' };
    expect(run([leaves, hire('f2@fixture.test', { date: '2026-09-01' })]).graph.actors.get('new-0')!.validFrom).toBe('2026-09-01');
    expect(refusal([leaves, hire('f2@fixture.test')]).details).toMatchObject({ reason: 'email_taken', id: id('f2') });
  });
});

describe('a department lead who leaves', () => {
  it('deactivate_actor clears the lead of the department they lead, in the same change', () => {
    const before = buildFixtureOrg(SALT);
    const { graph, edits } = run([...reportsMoved, { op: 'deactivate_actor', actor_id: id('eng_head') }], before);
    expect(graph.departments.get(units.E)).toEqual({ ...before.departments.get(units.E), leadActorId: null });
    expect(edits).toContainEqual({ kind: 'update', family: 'departments', recordId: units.E, fields: { leadActorId: null } });
  });

  it('a lead made earlier in the batch, and one whose deactivation is dated later (a lead has no history: cleared from today)', () => {
    const led = run([
      { op: 'update_department', org_unit_id: units.S, lead_actor_id: id('f1') },
      { op: 'deactivate_actor', actor_id: id('f1'), date: '2026-09-01' },
    ]).graph;
    expect(led.departments.get(units.S)?.leadActorId).toBeNull();
  });

  it('someone who leads nothing leaves every department as it was', () => {
    const before = buildFixtureOrg(SALT);
    const { graph, edits } = run([{ op: 'deactivate_actor', actor_id: id('f1') }], before);
    expect(graph.departments.get(units.E)).toEqual(before.departments.get(units.E));
    expect(edits.filter((e) => e.family === 'departments')).toEqual([]);
  });
});

describe('through a scenario: the delta, the proposal notes and promotion', () => {
  let database: Database;
  let graphs: GraphStore;
  beforeAll(async () => {
    database = await testDatabase();
    graphs = new GraphStore(database.db);
  });
  afterAll(() => database?.close());

  async function org(salt: string): Promise<{ ctx: ServiceContext } & ReturnType<typeof fixtureIds>> {
    const tenant = await writeGraph(database, await buildTenant(database, { plan: 'enterprise' }), buildFixtureOrg(salt));
    return { ctx: contextFor(database, tenant, principalFor(tenant, 'owner'), graphs), ...fixtureIds(salt) };
  }

  it('a leaving lead: the delta shows the department’s lead gone, and the proposal notes say it has none', async () => {
    const { ctx, id: dbId, units: dbUnits } = await org('actor-integrity-lead');
    const sid = (await createScenario(ctx, { name: 'eng_head leaves' })).id;
    const changes = [...['p1', 'p2', 'm1'].map((key) => ({ op: 'set_manager', actor_id: dbId(key), manager_id: dbId('ceo') })), { op: 'deactivate_actor', actor_id: dbId('eng_head') }];
    const proposal = (await planProposal(ctx, { scenarioId: sid, changes })) as unknown as { preview: { notes?: string[] } };
    expect(proposal.preview.notes).toContainEqual(
      `Department "Engineering" (${dbUnits.E}, led by "eng_head") no longer has a lead: its lead leaves in this batch, and deactivate_actor clears the lead of a ` +
        'department its leaver leads (from today: a lead is kept without history). To give one another lead, add after the deactivation ' +
        'update_department (org_unit_id, lead_actor_id), then plan again.',
    );
    await applyBatch(ctx, sid, changes);
    const delta = (await scenarioDelta(ctx, { scenarioId: sid })) as unknown as { families: Record<string, { changed: { id: string; fields: Record<string, unknown> }[] }> };
    expect(delta.families.department!.changed).toEqual([expect.objectContaining({ id: dbUnits.E, fields: { lead_actor_id: { from: dbId('eng_head'), to: null } } })]);
  });

  it('promotion reports an actor whose email Live gave someone else meanwhile, and promotes nothing', async () => {
    const { ctx, units: dbUnits } = await org('actor-integrity-merge');
    const sid = (await createScenario(ctx, { name: 'Nova joins' })).id;
    await applyBatch(ctx, sid, [{ op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: dbUnits.P, email: 'nova@fixture.test' }]);
    const meanwhile = (await createScenario(ctx, { name: 'Novak joins' })).id;
    await applyBatch(ctx, meanwhile, [{ op: 'add_actor', kind: 'human', display_name: 'Novak', org_unit_id: dbUnits.M, email: 'NOVA@fixture.test' }]);
    expect((await (await promoteScenario(ctx, meanwhile)).done).status).toBe('succeeded');

    const liveBefore = await currentLiveVersion(database.db, ctx.tenant.id);
    const refused = await promoteScenario(ctx, sid).then(
      () => null,
      (e: { status: number; details: { conflicts: Record<string, unknown>[] } }) => e,
    );
    expect(refused?.status).toBe(409);
    expect(refused!.details.conflicts).toEqual([
      expect.objectContaining({ reason: 'invalid_after_merge', family: 'actor', label: 'Nova', field: 'email', problem: expect.stringMatching(/^has the email “Novak” \(.+\) has too, at the same time: .*update_actor/) }),
    ]);
    expect(await currentLiveVersion(database.db, ctx.tenant.id)).toBe(liveBefore);
  });
});
