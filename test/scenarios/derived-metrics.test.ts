import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import { addDays, inEffect, today } from '../../src/org/dates.js';
import { generateOrg } from '../../src/org/generator/index.js';
import { computeOrgMetrics, type OrgMetrics, type UnitMetrics } from '../../src/org/metrics.js';
import { metricsOf } from '../../src/org/metrics-service.js';
import type { CostSettings, OrgGraph } from '../../src/org/types.js';
import { foldEdits } from '../../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { applyOverlay, derivationOf, OverlayMap } from '../../src/scenarios/overlay.js';
import { runCommands } from '../../src/scenarios/run-commands.js';
import { WorkingGraph } from '../../src/scenarios/working-graph.js';

/**
 * Metrics of a scenario are derived from its root's (Live's) in proportion to the changes (`deriveOrgMetrics`), and
 * batches look records up through the root's indexes. Both must give what a computation from scratch gives: here,
 * random command sequences on a generated organisation, compared with `computeOrgMetrics` of the same graph.
 */

const DAY = today();
const COST: CostSettings = { reportingCurrency: 'EUR', burdenPct: 25, workingDaysPerYear: 220, exchangeRates: { USD: 0.92, GBP: 1.17 } };
const abilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, 'enterprise');
const owner: Principal = { kind: 'session', userId: null, tenantId: 't', role: 'owner', abilities, roleAbilities: abilities };

function organisation(seed: string) {
  const org = generateOrg({ actors: 300, seed, companyName: 'Derive', reportingCurrency: 'EUR', idPrefix: 'de1' });
  const references = {
    activeCurrencies: new Set(['EUR', ...org.currencies]),
    departmentTypes: new Set(org.departmentTypes.map((t) => t.id)),
    teamTypes: new Set(org.teamTypes.map((t) => t.id)),
  };
  return { graph: withPlacementGaps(org.graph), references };
}

/**
 * Some actors failing placement checks from the start (a generated organisation places everyone once at 100%), so
 * changes can both clear and cause them: every 9th placement at 70% or 130%, every 31st primary made secondary,
 * every 43rd actor's placements removed.
 */
function withPlacementGaps(graph: OrgGraph): OrgGraph {
  const placements = new Map(graph.placements);
  const actorIds = [...graph.actors.keys()];
  const unplaced = new Set(actorIds.filter((_, i) => i % 43 === 0));
  [...placements.values()].forEach((p, i) => {
    if (unplaced.has(p.actorId)) placements.delete(p.id);
    else if (i % 9 === 0) placements.set(p.id, { ...p, allocationPct: i % 2 ? 70 : 130 });
    else if (i % 31 === 0 && p.isPrimary) placements.set(p.id, { ...p, isPrimary: false });
  });
  return { ...graph, placements };
}

/** A command built from random picks among the graph's current records (it may well be refused: then skipped). */
const stepArb = fc.record({
  op: fc.constantFrom<ChangeCommand['op']>(
    'move_placement',
    'move_placement',
    'set_allocation',
    'set_fte',
    'set_manager',
    'set_manager',
    'add_actor',
    'add_placement',
    'end_placement',
    'create_position',
    'update_position',
    'fill_position',
    'close_position',
    'set_compensation',
    'move_org_unit',
    'rename_org_unit',
    'create_org_unit',
    'close_org_unit',
    'deactivate_actor',
  ),
  a: fc.nat(),
  b: fc.nat(),
  n: fc.integer({ min: 1, max: 300 }),
  later: fc.boolean(),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function commandFor(graph: OrgGraph, step: Step): ChangeCommand {
  const pick = <T>(items: T[], i: number): T | undefined => (items.length ? items[i % items.length] : undefined);
  const ids = (map: Map<string, { validTo?: string | null; validFrom?: string | null }>) =>
    [...map.entries()].filter(([, r]) => inEffect(r as never, DAY)).map(([id]) => id).sort();
  const actors = ids(graph.actors);
  const placements = ids(graph.placements);
  const units = ids(graph.orgUnits);
  const teamsAndDepartments = units.filter((id) => ['team', 'department'].includes(graph.orgUnits.get(id)!.type));
  const departments = units.filter((id) => graph.orgUnits.get(id)!.type === 'department');
  const positions = ids(graph.positions);
  const filled = new Set(placements.map((id) => graph.placements.get(id)!.positionId));
  const vacant = positions.filter((id) => !filled.has(id));
  const secondary = placements.filter((id) => !graph.placements.get(id)!.isPrimary);
  const date = step.later ? addDays(DAY, -1) : undefined;
  const { op, a, b, n } = step;
  switch (op) {
    case 'move_placement':
      return { op, placement_id: pick(placements, a), org_unit_id: pick(teamsAndDepartments, b) };
    case 'set_allocation':
      return { op, placement_id: pick(placements, a), allocation_pct: n % 150 };
    case 'set_fte':
      return { op, actor_id: pick(actors, a), fte: n / 100 };
    case 'set_manager':
      return { op, actor_id: pick(actors, a), manager_id: b % 7 === 0 ? null : pick(actors, b) };
    case 'add_actor':
      return { op, kind: n % 5 === 0 ? 'agent' : 'human', display_name: `New ${a}`, org_unit_id: pick(teamsAndDepartments, a), manager_id: pick(actors, b), date };
    case 'add_placement':
      return { op, actor_id: pick(actors, a), org_unit_id: pick(teamsAndDepartments, b), allocation_pct: n % 60, is_primary: false };
    case 'end_placement':
      return { op, placement_id: pick(secondary, a), date: addDays(DAY, n % 3 === 0 ? 0 : 1) };
    case 'create_position':
      // Every fifth with no budgeted team yet.
      return { op, org_unit_id: b % 5 === 0 ? undefined : pick(teamsAndDepartments, a), title: `Seat ${a}`, target_salary_minor: n * 100_000, currency: n % 4 === 0 ? 'GBP' : 'EUR' };
    case 'update_position':
      // A seat re-budgeted in another unit, or taken out of its unit ("": no budgeted team).
      return { op, position_id: pick(n % 2 ? vacant : positions, a), org_unit_id: n % 3 === 0 ? '' : pick(teamsAndDepartments, b) };
    case 'fill_position':
      return { op, position_id: pick(vacant, a), actor_id: pick(actors, b) };
    case 'close_position':
      return { op, position_id: pick(n % 2 ? vacant : positions, a) };
    case 'set_compensation':
      return { op, actor_id: pick(actors, a), kind: n % 3 === 0 ? 'day_rate' : 'salary', amount_minor: n * 10_000, currency: n % 5 === 0 ? 'USD' : 'EUR', date };
    case 'move_org_unit':
      return { op, org_unit_id: pick(teamsAndDepartments, a), parent_id: pick(departments, b) };
    case 'rename_org_unit':
      return { op, org_unit_id: pick(units, a), name: `Renamed ${b}` };
    case 'create_org_unit':
      // A department needs a type (one the generated organisation uses); a team needs none.
      return n % 2
        ? { op, type: 'team', name: `Unit ${a}`, parent_id: pick(departments, b) }
        : { op, type: 'department', name: `Unit ${a}`, parent_id: pick(departments, b), department_type_id: departmentType(graph) };
    case 'close_org_unit':
      return { op, org_unit_id: pick(teamsAndDepartments, a) };
    case 'deactivate_actor':
      return { op, actor_id: pick(actors, a) };
    default:
      throw new Error(op);
  }
}

function departmentType(graph: OrgGraph): string | undefined {
  for (const d of graph.departments.values()) if (d.departmentTypeId) return d.departmentTypeId;
  return undefined;
}

/** Applies the steps one batch at a time (refused ones skipped): a chain of derived graphs, like revisions. */
function applySteps(start: OrgGraph, references: ReturnType<typeof organisation>['references'], steps: Step[], perBatch: number): OrgGraph {
  let graph = start;
  let n = 0;
  const newId = () => `de100000-0000-4000-8000-${String(n++).padStart(12, '0')}`;
  for (let i = 0; i < steps.length; i += perBatch) {
    const commands: ChangeCommand[] = [];
    for (const step of steps.slice(i, i + perBatch)) {
      const command = commandFor(graph, step);
      try {
        runCommands(owner, graph, [...commands, command], { today: DAY, references, newId: () => `probe-${n++}` });
        commands.push(command);

      } catch {
        // refused (a cycle, a filled position…): not part of the batch
      }
    }
    if (commands.length) graph = runCommands(owner, graph, commands, { today: DAY, references, newId }).graph;
  }
  return graph;
}

/** Equal up to floating-point noise (sums in another order): 1e-6 on figures, one minor unit on money. */
function expectSameMetrics(actual: OrgMetrics, expected: OrgMetrics): void {
  expect([...actual.units.keys()].sort()).toEqual([...expected.units.keys()].sort());
  expect(actual.reportingCycles).toBe(expected.reportingCycles);
  expect(actual.placementChecks).toEqual(expected.placementChecks);
  const close = (x: UnitMetrics, y: UnitMetrics, where: string) => {
    const flat = (m: UnitMetrics) => JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
    const walk = (p: unknown, q: unknown, path: string): void => {
      if (typeof p === 'number' && typeof q === 'number') {
        const tolerance = path.includes('amountMinor') ? 1 : 1e-6;
        if (Math.abs(p - q) > tolerance) expect.fail(`${where}${path}: ${p} ≠ ${q}`);
      } else if (p && q && typeof p === 'object' && typeof q === 'object') {
        for (const key of new Set([...Object.keys(p), ...Object.keys(q)])) walk((p as Record<string, unknown>)[key], (q as Record<string, unknown>)[key], `${path}.${key}`);
      } else if (p !== q) expect.fail(`${where}${path}: ${String(p)} ≠ ${String(q)}`);
    };
    walk(flat(x), flat(y), '');
  };
  for (const [id, m] of expected.units) close(actual.units.get(id)!, m, id);
  close(actual.unassigned, expected.unassigned, 'unassigned');
  close(actual.total, expected.total, 'total');
}

describe('metrics derived from the root equal a full computation', () => {
  it('after random batches (a chain of working graphs), and for the overlay of the folded changes', () => {
    const { graph: root, references } = organisation('derive');
    const rootMetrics = metricsOf(root, DAY, COST); // the root's state, as Live's warm-up computes it
    for (const check of ['over_allocated', 'under_allocated', 'unplaced', 'no_primary'] as const) expect(rootMetrics.placementChecks[check]).toBeGreaterThan(0);
    let derived = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 15 }), (steps, perBatch) => {
        const graph = applySteps(root, references, steps, perBatch);
        if (graph === root) return;
        expect(derivationOf(graph)?.root).toBe(root);
        const metrics = metricsOf(graph, DAY, COST);
        expectSameMetrics(metrics, computeOrgMetrics(graph, { asOf: DAY, cost: COST }));
        // Derived (not computed in full): units the changes did not reach keep the root's very figures.
        runs++;
        if ([...metrics.units].some(([id, m]) => rootMetrics.units.get(id) === m)) derived++;

        // The same changes as a scenario's overlay on the root (what the graph store builds from the saved rows).
        const edits = [...(derivationOf(graph)!.changed ? collectEdits(root, graph) : [])];
        const overlay = applyOverlay(root, foldEdits(root, new Map(), edits, 1).flatMap((f) => (f.change ? [f.change] : [])));
        expectSameMetrics(metricsOf(overlay, DAY, COST), computeOrgMetrics(overlay, { asOf: DAY, cost: COST }));
        for (const family of Object.keys(root) as (keyof OrgGraph)[]) {
          expect(new Map(overlay[family] as Map<string, unknown>)).toEqual(new Map(graph[family] as Map<string, unknown>));
        }
        expectLookupsLikeScans(graph);
      }),
      { numRuns: 60, seed: 20261128 },
    );
    expect(derived).toBeGreaterThan(runs / 2);

  });

  it('falls back to a full computation when the root has a reporting cycle', () => {
    const { graph: generated, references } = organisation('cycle');
    const lines = [...generated.reportingLines.values()];
    const x = lines.find((l) => lines.some((r) => r.managerId === l.actorId))!;
    const y = lines.find((l) => l.managerId === x.actorId)!;
    const root: OrgGraph = { ...generated, reportingLines: new Map(generated.reportingLines) };
    root.reportingLines.set(x.id, { ...x, managerId: y.actorId }); // x's actor reports to y's, who reports to x's
    expect(metricsOf(root, DAY, COST).reportingCycles).toBe(1);
    const graph = applySteps(root, references, [{ op: 'set_fte', a: 3, b: 0, n: 50, later: false }], 1);
    expectSameMetrics(metricsOf(graph, DAY, COST), computeOrgMetrics(graph, { asOf: DAY, cost: COST }));
  });
});

describe('OverlayMap', () => {
  it('reads through to its base, in the order a copy with the same writes would have', () => {
    const base = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const copy = new Map(base);
    const overlay = OverlayMap.over(base);
    for (const [op, key, value] of [
      ['set', 'b', 20],
      ['set', 'd', 4],
      ['delete', 'a', 0],
      ['set', 'e', 5],
      ['delete', 'd', 0],
      ['delete', 'zz', 0],
    ] as const) {
      if (op === 'set') {
        copy.set(key, value);
        overlay.set(key, value);
      } else {
        expect(overlay.delete(key)).toBe(copy.delete(key));
      }
    }
    expect([...overlay]).toEqual([...copy]);
    expect([...overlay.keys()]).toEqual([...copy.keys()]);
    expect([...overlay.values()]).toEqual([...copy.values()]);
    expect(overlay.size).toBe(copy.size);
    expect(overlay.has('a')).toBe(false);
    expect(overlay.get('b')).toBe(20);
    expect([...base]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const again = OverlayMap.over(overlay, new Map([['c', 30]]));
    expect([...again]).toEqual([
      ['b', 20],
      ['c', 30],
      ['e', 5],
    ]);
    expect([...overlay]).toEqual([...copy]); // the overlay it was built on is unchanged
  });
});

/** WorkingGraph.where (root index + changed records) finds what a scan finds, in the family's order. */
function expectLookupsLikeScans(graph: OrgGraph): void {
  const wg = new WorkingGraph(graph, DAY);
  const check = () => {
    for (const [family, field] of [
      ['placements', 'actorId'],
      ['placements', 'orgUnitId'],
      ['placements', 'positionId'],
      ['reportingLines', 'actorId'],
      ['reportingLines', 'managerId'],
      ['orgUnits', 'parentId'],
      ['compensations', 'actorId'],
    ] as const) {
      const records = [...(wg.graph[family] as unknown as Map<string, Record<string, unknown>>).values()];
      const values = [...new Set(records.map((r) => r[field]))].slice(0, 40);
      for (const value of values) {
        expect(wg.where(family, field as never, value)).toEqual(records.filter((r) => r[field] === value));
      }
    }
  };
  expectManyLookupsLikeScans(wg);
  check();
  expectManyLookupsLikeScans(wg);
  // The same graph as plain maps, which no look-up has indexed yet: whereAny takes one pass over each family.
  const plain = Object.fromEntries(Object.entries(graph).map(([family, map]) => [family, new Map(map as Map<string, unknown>)])) as unknown as OrgGraph;
  expectManyLookupsLikeScans(new WorkingGraph(plain, DAY));
  // Edits made by the batch are found under their new values at once.
  const [line] = [...wg.graph.reportingLines.values()];
  const [placement] = [...wg.graph.placements.values()];
  if (line && placement) {
    wg.update('reportingLines', line.id, { managerId: placement.actorId });
    wg.update('placements', placement.id, { orgUnitId: line.id });
    wg.create('placements', { ...placement, id: 'new-placement' });
    check();
    expectManyLookupsLikeScans(wg);
  }
}

/**
 * WorkingGraph.whereAny (many values at once, through the root's indexes or in one pass) finds what a scan finds, in
 * the family's order: for values of changed and unchanged records, a value nothing has, and null.
 */
function expectManyLookupsLikeScans(wg: WorkingGraph): void {
  const lookups = {
    placements: ['actorId', 'orgUnitId', 'positionId'],
    positions: ['orgUnitId'],
    orgUnits: ['parentId'],
    reportingLines: ['actorId', 'managerId'],
    compensations: ['actorId'],
  } as const;
  const changed = derivationOf(wg.graph)?.changed ?? {};
  for (const [family, fields] of Object.entries(lookups) as [keyof typeof lookups, readonly string[]][]) {
    const records = [...(wg.graph[family] as unknown as Map<string, Record<string, unknown>>).values()];
    const ids = new Set(changed[family] ?? []);
    const sample = records.filter((r, i) => i % 7 === 0 || ids.has(String(r.id)));
    const asked = Object.fromEntries(fields.map((field) => [field, new Set([...sample.map((r) => r[field]), 'no-such-value', null])]));
    const found = wg.whereAny(family, asked as never) as Map<string, Map<unknown, unknown[]>>;
    for (const field of fields) {
      for (const value of asked[field]!) {
        const expected = records.filter((r) => r[field] === value);
        expect(found.get(field)!.get(value) ?? []).toEqual(expected);
      }
    }
  }
}

/** The edits that turn `root` into `graph`, as a batch would record them. */
function collectEdits(root: OrgGraph, graph: OrgGraph) {
  const edits: Parameters<typeof foldEdits>[2][number][] = [];
  for (const [family, ids] of Object.entries(derivationOf(graph)!.changed) as [keyof OrgGraph, ReadonlySet<string>][]) {
    for (const id of ids) {
      const after = (graph[family] as unknown as Map<string, Record<string, unknown>>).get(id);
      const before = (root[family] as unknown as Map<string, Record<string, unknown>>).get(id);
      if (after && before) edits.push({ kind: 'update', family, recordId: id, fields: after });
      else if (after) edits.push({ kind: 'create', family, recordId: id, record: after });
      else if (before) edits.push({ kind: 'delete', family, recordId: id });
    }
  }
  return edits;
}
