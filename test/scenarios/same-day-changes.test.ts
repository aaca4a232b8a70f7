import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { addDays, inEffect, today } from '../../src/org/dates.js';
import { listPlacements, listReportingLines } from '../../src/org/read-people.js';
import type { Dated, OrgGraph } from '../../src/org/types.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { diffRecords, scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import { runCommands } from '../../src/scenarios/run-commands.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Two changes to the same record on the same effective day: the later one replaces the earlier, it never splits it
 * into a record that starts and ends that day (in effect on no day, yet listed with history, counted in deltas and
 * written to Live by a promotion).
 */

const TODAY = '2026-06-01';
const DAY = '2026-09-01';
const SALT = 'same-day';
const { id, units } = fixtureIds(SALT);
const abilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, 'enterprise');
const owner: Principal = { kind: 'session', userId: null, tenantId: 't', role: 'owner', abilities, roleAbilities: abilities };
const references = { activeCurrencies: new Set(['EUR']), departmentTypes: new Set<string>(), teamTypes: new Set<string>() };

let n = 0;
function run(commands: ChangeCommand[], graph: OrgGraph = buildFixtureOrg(SALT)) {
  return runCommands(owner, graph, commands, { today: TODAY, references, newId: () => `new-${n++}` });
}

const zeroLength = (records: Iterable<Dated>) => [...records].filter((r) => r.validFrom !== null && r.validTo !== null && r.validTo <= r.validFrom);
const unitsOn = (graph: OrgGraph, actorKey: string, day: string) =>
  [...graph.placements.values()].filter((p) => p.actorId === id(actorKey) && inEffect(p, day)).map((p) => p.orgUnitId).sort();

describe('a move then an end of the same placement on the same day', () => {
  it('in one batch: the placement ends that day, the move is dropped, no record starts and ends that day', () => {
    const { graph, edits } = run([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: DAY },
      { op: 'end_placement', placement_id: id('pl-m1-p'), date: DAY },
    ]);
    expect(zeroLength(graph.placements.values())).toEqual([]);
    expect(unitsOn(graph, 'm1', addDays(DAY, -1))).toEqual([units.M, units.P].sort());
    expect(unitsOn(graph, 'm1', DAY)).toEqual([units.M]);
    expect(graph.placements.get(id('pl-m1-p'))).toMatchObject({ orgUnitId: units.P, validTo: DAY });
    // The continuation the move made is gone from the graph and from what the batch saves.
    const created = edits.find((e) => e.kind === 'create')!;
    expect(graph.placements.has(created.recordId)).toBe(false);
    expect(edits.at(-1)).toEqual({ kind: 'delete', family: 'placements', recordId: created.recordId });
  });

  it('in two batches (the end names the old placement id): the same', () => {
    const first = run([{ op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: DAY }]).graph;
    const { graph } = run([{ op: 'end_placement', placement_id: id('pl-m1-p'), date: DAY }], first);
    expect(zeroLength(graph.placements.values())).toEqual([]);
    expect(unitsOn(graph, 'm1', DAY)).toEqual([units.M]);
    expect(unitsOn(graph, 'm1', addDays(DAY, -1))).toEqual([units.M, units.P].sort());
  });

  it('ending a placement planned to continue later cancels the continuation without leaving it behind', () => {
    const { graph } = run([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: '2027-01-01' },
      { op: 'end_placement', placement_id: id('pl-m1-p'), date: DAY },
    ]);
    expect(zeroLength(graph.placements.values())).toEqual([]);
    for (const day of [DAY, '2027-01-01', '2030-01-01']) expect(unitsOn(graph, 'm1', day), day).toEqual([units.M]);
  });

  it('deactivating an actor the day their move takes effect leaves no placement or line of no day', () => {
    const { graph } = run([
      { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: DAY },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head'), date: DAY },
      { op: 'deactivate_actor', actor_id: id('p1'), date: DAY },
    ]);
    expect(zeroLength(graph.placements.values())).toEqual([]);
    expect(zeroLength(graph.reportingLines.values())).toEqual([]);
    expect(unitsOn(graph, 'p1', addDays(DAY, -1))).toEqual([units.P]);
    expect(unitsOn(graph, 'p1', DAY)).toEqual([]);
  });
});

describe('a change undone the same day', () => {
  it('a move and a move back on one day leave the placement whole, and report nothing created', () => {
    const fixture = buildFixtureOrg(SALT);
    const { graph, created } = run([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: DAY },
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.P, date: DAY },
    ]);
    expect(created).toEqual([]);
    expect(graph.placements.get(id('pl-m1-p'))).toEqual(fixture.placements.get(id('pl-m1-p')));
    expect(graph.placements.size).toBe(fixture.placements.size);
  });

  it('across batches, and for a manager changed and changed back', () => {
    const fixture = buildFixtureOrg(SALT);
    const first = run([
      { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 10, date: DAY },
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('ceo'), date: DAY },
    ]).graph;
    const { graph } = run(
      [
        { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 40, date: DAY },
        { op: 'set_manager', actor_id: id('p2'), manager_id: id('eng_head'), date: DAY },
      ],
      first,
    );
    expect(graph.placements.get(id('pl-m1-p'))).toEqual(fixture.placements.get(id('pl-m1-p')));
    expect(graph.placements.size).toBe(fixture.placements.size);
    expect(graph.reportingLines.get(id('rl-p2'))).toEqual(fixture.reportingLines.get(id('rl-p2')));
    expect(graph.reportingLines.size).toBe(fixture.reportingLines.size);
  });
});

describe('other records changed twice on one day', () => {
  it('a manager set and then removed on the same day: the earlier line ends that day, nothing in between', () => {
    const { graph } = run([
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('ceo'), date: DAY },
      { op: 'set_manager', actor_id: id('p2'), manager_id: '', date: DAY },
    ]);
    const lines = [...graph.reportingLines.values()].filter((l) => l.actorId === id('p2'));
    expect(zeroLength(lines)).toEqual([]);
    expect(lines.map((l) => [l.managerId, l.validTo])).toEqual([[id('eng_head'), DAY]]);
  });

  it('a person, a position or a unit created and closed the same day is not kept at all', () => {
    const { graph } = run([
      { op: 'add_actor', kind: 'human', display_name: 'Temp', org_unit_id: units.P, manager_id: id('eng_head'), ref: 'temp' },
      { op: 'set_compensation', actor_id: '$temp', kind: 'salary', amount_minor: 5_000_000, currency: 'EUR' },
      { op: 'deactivate_actor', actor_id: '$temp' },
      { op: 'create_position', title: 'Maybe', org_unit_id: units.M, ref: 'seat' },
      { op: 'close_position', position_id: '$seat' },
      { op: 'create_org_unit', name: 'Pop-up', type: 'team', parent_id: units.E, ref: 'popup' },
      { op: 'close_org_unit', org_unit_id: '$popup' },
    ]);
    const fixture = buildFixtureOrg(SALT);
    for (const family of ['actors', 'placements', 'reportingLines', 'compensations', 'positions', 'orgUnits', 'teams'] as const) {
      expect(graph[family].size, family).toBe(fixture[family].size);
    }
  });
});

describe('the delta of older data', () => {
  it('does not list a record that ends the day it starts as added, and one cut to no day as removed', () => {
    const base = buildFixtureOrg(SALT);
    const target = buildFixtureOrg(SALT);
    const fragment = { ...target.placements.get(id('pl-f1'))!, id: 'fragment', isPrimary: false, validFrom: DAY, validTo: DAY };
    target.placements.set('fragment', fragment);
    target.placements.set(id('pl-m1-p'), { ...target.placements.get(id('pl-m1-p'))!, validFrom: '2024-01-01', validTo: '2024-01-01' });
    const families = diffRecords(base, target, null, true);
    expect(families.placement?.added ?? []).toEqual([]);
    expect(families.placement?.removed.map((p) => p.id)).toEqual([id('pl-m1-p')]);
  });
});

describe('in a stored scenario and in reads', () => {
  let database: Database;
  let tenant: Tenant;
  let ctx: ServiceContext;
  const salt = 'same-day-db';
  const ids = fixtureIds(salt);

  beforeAll(async () => {
    database = await testDatabase();
    tenant = await buildTenant(database, { plan: 'enterprise' });
    const graph = buildFixtureOrg(salt);
    // Older data may hold a placement and a line that end the day they start (never in effect).
    graph.placements.set(ids.id('zero-placement'), { ...graph.placements.get(ids.id('pl-f1'))!, id: ids.id('zero-placement'), orgUnitId: ids.units.P, isPrimary: false, validFrom: '2025-03-01', validTo: '2025-03-01' });
    graph.reportingLines.set(ids.id('zero-line'), { id: ids.id('zero-line'), actorId: ids.id('f1'), managerId: ids.id('ceo'), validFrom: '2025-03-01', validTo: '2025-03-01' });
    tenant = await writeGraph(database, tenant, graph);
    ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
  });
  afterAll(() => database?.close());

  it('a move then an end on the same day, in two batches, saves no zero-length placement and shows none', async () => {
    const sid = (await createScenario(ctx, { name: 'Same day' })).id;
    const day = addDays(today(), 30);
    await applyBatch(ctx, sid, [{ op: 'move_placement', placement_id: ids.id('pl-m1-p'), org_unit_id: ids.units.F, date: day }]);
    await applyBatch(ctx, sid, [{ op: 'end_placement', placement_id: ids.id('pl-m1-p'), date: day }]);
    const changes = (await listScenarioChanges(ctx, sid, {})).page.items as { family: string; op: string; values: Record<string, unknown> | null }[];
    expect(changes.map((c) => [c.family, c.op])).toEqual([['placement', 'change']]); // only the end of the old placement
    const history = await listPlacements(ctx, { scenarioId: sid, actorId: ids.id('m1'), includeInactive: true });
    expect(history.page.items.filter((p) => p.valid_from !== null && p.valid_from === p.valid_to)).toEqual([]);
    expect(history.page.items).toHaveLength(2);
    const delta = await scenarioDelta(ctx, { scenarioId: sid });
    expect(delta.families.placement?.added ?? []).toEqual([]);
    expect(delta.families.placement?.changed.map((c) => c.fields)).toEqual([{ valid_to: { from: null, to: day } }]);
  });

  it('a batch that moves and ends a placement on one day counts the one record it changes', async () => {
    const sid = (await createScenario(ctx, { name: 'Same day, one batch' })).id;
    const day = addDays(today(), 30);
    const outcome = await applyBatch(ctx, sid, [
      { op: 'move_placement', placement_id: ids.id('pl-m1-p'), org_unit_id: ids.units.F, date: day },
      { op: 'end_placement', placement_id: ids.id('pl-m1-p'), date: day },
    ]);
    expect(outcome).toMatchObject({ records_changed: 1, created: [] });
    expect((await listScenarioChanges(ctx, sid, {})).page.items).toHaveLength(1);
  });

  it('reads with history leave out records Live holds that end the day they start', async () => {
    const placements = await listPlacements(ctx, { actorId: ids.id('f1'), includeInactive: true });
    expect(placements.page.items.map((p) => p.id)).toEqual([ids.id('pl-f1')]);
    const lines = await listReportingLines(ctx, { actorId: ids.id('f1'), includeInactive: true });
    expect(lines.page.items.map((l) => l.id)).toEqual([ids.id('rl-f1')]);
  });
});
