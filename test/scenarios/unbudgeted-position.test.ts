import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/access/policy.js';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { rollupCosts } from '../../src/org/read-history.js';
import { computeOrgMetrics } from '../../src/org/metrics.js';
import { getOrgMetrics } from '../../src/org/metrics-service.js';
import { listPositions } from '../../src/org/read-people.js';
import { unitMetricsReport } from '../../src/org/read-reports.js';
import type { CostSettings, OrgGraph } from '../../src/org/types.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { changeRunner } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A position with no budgeted team yet (positions can exist before the team structure is settled): create_position
 * without org_unit_id, update_position setting and clearing it, fill_position refused until the seat has a unit; the
 * seat's budget counts in the organisation's total (and in `unassigned`), in no unit. Then through a scenario's
 * delta to Live (PGlite, or PostgreSQL with DATABASE_URL).
 *
 * Fixture: pos_p1 (Platform) is filled by p1; pos_m_open (Mobile) and pos_f_open (Field) are vacant; every seat has
 * a target salary of 90,000.00 EUR; m1 is placed in Mobile.
 */

const TODAY = '2026-06-01';
const SALT = 'unbudgeted-position';
const { id, units } = fixtureIds(SALT);
const COST: CostSettings = { reportingCurrency: 'EUR', burdenPct: 25, workingDaysPerYear: 220, exchangeRates: { USD: 0.92 } };
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY, currencies: ['EUR', 'USD'] });

const NEW_SEAT: ChangeCommand = { op: 'create_position', title: 'Staff engineer', target_salary_minor: 12_000_000, currency: 'EUR', ref: 'staff' };
/** 120,000.00 EUR with the 25 % burden, in cents. */
const LOADED = 15_000_000;
const metrics = (graph: OrgGraph) => computeOrgMetrics(graph, { asOf: TODAY, cost: COST });

describe('create_position without a budgeted team', () => {
  it('creates the seat with no unit; its budget is in the organisation’s total and in `unassigned`, in no unit', () => {
    const before = metrics(buildFixtureOrg(SALT));
    const { graph, created } = run([NEW_SEAT]);
    expect(created).toMatchObject([{ family: 'positions', id: 'new-0' }]);
    expect(graph.positions.get('new-0')).toMatchObject({ title: 'Staff engineer', orgUnitId: null, targetSalaryMinor: 12_000_000, currency: 'EUR' });

    const after = metrics(graph);
    expect(after.total.positions).toMatchObject({ budgeted: before.total.positions.budgeted + 1, vacant: before.total.positions.vacant + 1 });
    expect(after.total.cost.vacantAnnual.amountMinor).toBe(before.total.cost.vacantAnnual.amountMinor! + LOADED);
    expect(after.unassigned.positions).toEqual({ budgeted: 1, filled: 0, vacant: 1, vacancyRate: 1 });
    expect(after.unassigned.cost.vacantAnnual.amountMinor).toBe(LOADED);
    expect(before.unassigned.positions.budgeted).toBe(0);
    // No unit's figures move (the company's roll-up neither: the seat is in none of its units).
    for (const [unitId, unit] of before.units) expect(after.units.get(unitId)!.positions).toEqual(unit.positions);
    // A roll-up of one subtree leaves the seat out.
    expect(computeOrgMetrics(graph, { asOf: TODAY, cost: COST, rootIds: [units.C] }).total.positions.budgeted).toBe(before.total.positions.budgeted);
  });

  it('a blank org_unit_id is no unit too', () => {
    expect(run([{ ...NEW_SEAT, org_unit_id: '' }]).graph.positions.get('new-0')!.orgUnitId).toBeNull();
    expect(run([{ ...NEW_SEAT, org_unit_id: null }]).graph.positions.get('new-0')!.orgUnitId).toBeNull();
  });
});

describe('update_position sets and clears the budgeted team', () => {
  it('budgets a seat without a unit in one, and clears a vacant seat’s with null or ""', () => {
    const budgeted = run([NEW_SEAT, { op: 'update_position', position_id: '$staff', org_unit_id: units.M }]).graph;
    expect(budgeted.positions.get('new-0')!.orgUnitId).toBe(units.M);
    expect(metrics(budgeted).unassigned.positions.budgeted).toBe(0);

    for (const blank of ['', null]) {
      const { graph } = run([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: blank }]);
      expect(graph.positions.get(id('pos_m_open'))!.orgUnitId).toBeNull();
      const after = metrics(graph);
      expect(after.units.get(units.M)!.positions.budgeted).toBe(0);
      expect(after.unassigned.cost.vacantAnnual.amountMinor).toBe(11_250_000);
      expect(after.total.positions.budgeted).toBe(metrics(buildFixtureOrg(SALT)).total.positions.budgeted);
    }
  });

  it('refuses to clear the unit of a filled seat, naming who fills it', () => {
    const error = refusal([{ op: 'update_position', position_id: id('pos_p1'), org_unit_id: '' }]);
    expect(error.field).toBe('changes[0].org_unit_id');
    expect(error.message).toMatch(/cannot be cleared: the position is filled by “p1”/);
  });
});

describe('fill_position needs a budgeted team', () => {
  it('refuses a seat with no unit, naming org_unit_id and the unit to budget it in', () => {
    const error = refusal([NEW_SEAT, { op: 'fill_position', position_id: '$staff', actor_id: id('m1') }]);
    expect(error.field).toBe('changes[1].position_id');
    expect(error.message).toMatch(/has no budgeted team yet \(no org_unit_id\)/);
    expect(error.message).toContain(`update_position with org_unit_id ${units.M}`);
    // add_actor into such a seat is refused the same way.
    const added = refusal([NEW_SEAT, { op: 'add_actor', kind: 'human', display_name: 'Nia', org_unit_id: units.M, position_id: '$staff' }]);
    expect(added.message).toMatch(/has no budgeted team yet/);
  });

  it('fills it once update_position has budgeted it where the person is', () => {
    const { graph } = run([
      NEW_SEAT,
      { op: 'update_position', position_id: '$staff', org_unit_id: units.M },
      { op: 'fill_position', position_id: '$staff', actor_id: id('m1') },
    ]);
    expect([...graph.placements.values()].some((p) => p.actorId === id('m1') && p.positionId === 'new-0' && p.validTo === null)).toBe(true);
    expect(metrics(graph).units.get(units.M)!.positions).toMatchObject({ budgeted: 2, filled: 1 });
  });
});

describe('a seat without a budgeted team through a scenario to Live', () => {
  let database: Database;
  let tenant: Tenant;
  let ctx: ServiceContext;
  const DB_SALT = 'unbudgeted-position-db';
  const db = fixtureIds(DB_SALT);

  beforeAll(async () => {
    database = await testDatabase();
    tenant = await buildTenant(database, { plan: 'enterprise' });
    tenant = await writeGraph(database, tenant, buildFixtureOrg(DB_SALT));
    ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
  });
  afterAll(() => database?.close());

  it('shows the new seat in the delta and its budget in the total; reads list it; promotion carries it to Live', async () => {
    const sid = (await createScenario(ctx, { name: 'Hire ahead of the reorg' })).id;
    const { created } = (await applyBatch(ctx, sid, [{ op: 'create_position', title: 'Principal engineer', target_salary_minor: 12_000_000, currency: 'EUR' }])) as unknown as {
      created: { family: string; id: string }[];
    };
    const seatId = created[0]!.id;

    const delta = (await scenarioDelta(ctx, { scenarioId: sid })) as unknown as {
      families: { position?: { added: Record<string, unknown>[] } };
      metrics: { total: Record<string, { from: number; to: number }> };
    };
    expect(delta.families.position!.added.find((a) => a.id === seatId)).toMatchObject({ title: 'Principal engineer', org_unit_id: null });
    expect(delta.metrics.total.vacant_positions).toMatchObject({ to: delta.metrics.total.vacant_positions!.from + 1 });
    const budget = delta.metrics.total.vacant_seats_annual_cost_minor!;
    expect(budget.to - budget.from).toBeGreaterThan(0);

    // The scenario's reads: the positions list, the org-unit metrics report and the cost roll-up.
    const listed = await listPositions(ctx, { scenarioId: sid });
    expect(listed.page.items.find((p) => p.id === seatId)).toMatchObject({ org_unit_id: null, status: 'vacant' });
    expect((await listPositions(ctx, { scenarioId: sid, orgUnitId: db.units.C, includeSubunits: true })).page.items.map((p) => p.id)).not.toContain(seatId);
    const report = await unitMetricsReport(ctx, { scenarioId: sid });
    expect(report.unassigned).toMatchObject({ positions: { budgeted: 1, vacant: 1 }, cost: { vacant_seats_annual: { amount_minor: budget.to - budget.from } } });
    expect(report.total!.cost!.vacant_seats_annual.amount_minor).toBe(budget.to);
    expect((await unitMetricsReport(ctx, { scenarioId: sid, orgUnitId: db.units.C })).unassigned).toBeNull();
    const rollup = await rollupCosts(ctx, { scenarioId: sid });
    expect(rollup.unassigned).toMatchObject({ positions: 1, vacant_seats_annual: { amount_minor: budget.to - budget.from } });
    expect(rollup.total.vacant_seats_annual.amount_minor).toBe(budget.to);
    expect((await rollupCosts(ctx, {})).unassigned).toBeNull(); // Live has none yet

    const finished = await (await promoteScenario(ctx, sid)).done;
    expect(finished.status).toBe('succeeded');
    expect((await listPositions(ctx, {})).page.items.find((p) => p.id === seatId)).toMatchObject({ title: 'Principal engineer', org_unit_id: null });
    expect((await getOrgMetrics(ctx, {})).metrics!.positions.vacant).toBe(delta.metrics.total.vacant_positions!.to);
  });
});
