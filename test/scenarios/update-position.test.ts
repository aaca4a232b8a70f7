import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { auditEvents } from '../../src/db/schema/index.js';
import { MissingAbility } from '../../src/errors.js';
import { inEffect } from '../../src/org/dates.js';
import { computeOrgMetrics } from '../../src/org/metrics.js';
import { listPositions } from '../../src/org/read-people.js';
import type { CostSettings, OrgGraph, Position } from '../../src/org/types.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { and, eq } from 'drizzle-orm';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { changeRunner, sessionOf } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * update_position: a budgeted seat changed in place — re-budgeted (title, role type, FTE, employment, target pay) or
 * moved to another unit — keeping its id, on the fixture organisation without a database; then through a scenario
 * to Live by promotion (PGlite, or PostgreSQL with DATABASE_URL).
 *
 * Fixture: pos_p1 (Platform) is filled by p1; pos_m_open (Mobile) and pos_f_open (Field, from 2026-03-01) are vacant;
 * every seat has a target salary of 90,000.00 EUR.
 */

const TODAY = '2026-06-01';
const LATER = '2027-01-01';
const SALT = 'update-position';
const { id, units } = fixtureIds(SALT);
const COST: CostSettings = { reportingCurrency: 'EUR', burdenPct: 25, workingDaysPerYear: 220, exchangeRates: { USD: 0.92 } };
const member = sessionOf('member');
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY, currencies: ['EUR', 'USD'] });

const seat = (graph: OrgGraph, key: string): Position => graph.positions.get(id(key))!;
const vacantIn = (graph: OrgGraph, unit: string, day = TODAY) => computeOrgMetrics(graph, { asOf: day, cost: COST }).units.get(unit)!.positions;

describe('update_position re-budgets a seat in place', () => {
  it('changes the fields given, keeps the others and the id (and whoever fills it)', () => {
    const { graph, created } = run([{ op: 'update_position', position_id: id('pos_p1'), title: ' Staff engineer ', role_type: 'engineering', planned_fte: 0.8, employment_type: 'contractor' }]);
    expect(created).toEqual([]);
    expect(seat(graph, 'pos_p1')).toEqual({
      ...seat(buildFixtureOrg(SALT), 'pos_p1'),
      title: 'Staff engineer',
      roleType: 'engineering',
      plannedFte: 0.8,
      employmentType: 'contractor',
    });
    expect(graph.placements.get(id('pl-p1'))!.positionId).toBe(id('pos_p1')); // still filled by p1
    // The same values again change nothing; an empty role type clears it.
    expect(run([{ op: 'update_position', position_id: id('pos_p1'), title: 'pos_p1', planned_fte: 1 }]).edits).toEqual([]);
    expect(seat(run([{ op: 'update_position', position_id: id('pos_p1'), role_type: 'x' }, { op: 'update_position', position_id: id('pos_p1'), role_type: '' }]).graph, 'pos_p1').roleType).toBeNull();
  });

  it('target pay: a day rate replaces the salary, a new amount keeps the seat’s currency unless one is given, null clears it', () => {
    const dayRate = seat(run([{ op: 'update_position', position_id: id('pos_m_open'), day_rate_minor: 60_000 }]).graph, 'pos_m_open');
    expect(dayRate).toMatchObject({ targetSalaryMinor: null, dayRateMinor: 60_000, currency: 'EUR' });
    const dollars = seat(run([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: 12_000_000, currency: 'usd' }]).graph, 'pos_m_open');
    expect(dollars).toMatchObject({ targetSalaryMinor: 12_000_000, dayRateMinor: null, currency: 'USD' });
    const none = seat(run([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null }]).graph, 'pos_m_open');
    expect(none).toMatchObject({ targetSalaryMinor: null, dayRateMinor: null, currency: null });
    // A seat without pay gets some only with a currency.
    const unpriced = run([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null }]).graph;
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), day_rate_minor: 50_000 }], unpriced).details).toMatchObject({ field: 'changes[0].currency', reason: 'required' });
  });

  it('null clears the target pay whichever kind the seat has, with its currency; a currency with it is refused', () => {
    const paidByDay = run([{ op: 'update_position', position_id: id('pos_m_open'), day_rate_minor: 60_000 }]).graph;
    for (const field of ['target_salary_minor', 'day_rate_minor'] as const) {
      const cleared = seat(run([{ op: 'update_position', position_id: id('pos_m_open'), [field]: null }], paidByDay).graph, 'pos_m_open');
      expect(cleared, field).toMatchObject({ targetSalaryMinor: null, dayRateMinor: null, currency: null });
    }
    // A null beside a new amount of the other kind: the new amount replaces the old one.
    const replaced = seat(run([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null, day_rate_minor: 70_000 }]).graph, 'pos_m_open');
    expect(replaced).toMatchObject({ targetSalaryMinor: null, dayRateMinor: 70_000, currency: 'EUR' });
    const withCurrency = refusal([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null, currency: 'USD' }]);
    expect(withCurrency.field).toBe('changes[0].currency');
  });

  it('the vacant seat’s budget moves with its pay: what Mobile’s vacancies would cost a year', () => {
    const before = computeOrgMetrics(buildFixtureOrg(SALT), { asOf: TODAY, cost: COST }).units.get(units.M)!.cost.vacantAnnual.amountMinor;
    const after = computeOrgMetrics(run([{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: 10_000_000 }]).graph, { asOf: TODAY, cost: COST }).units.get(units.M)!.cost.vacantAnnual
      .amountMinor;
    expect([before, after]).toEqual([11_250_000, 12_500_000]); // loaded with the 25 % burden
  });

  it('refuses what create_position refuses, and a change that names nothing or only a currency', () => {
    const field = (command: ChangeCommand) => refusal([command]).details.field;
    expect(field({ op: 'update_position', position_id: id('pos_m_open'), planned_fte: 0 })).toBe('changes[0].planned_fte');
    expect(field({ op: 'update_position', position_id: id('pos_m_open'), employment_type: 'intern' })).toBe('changes[0].employment_type');
    expect(field({ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: 1, day_rate_minor: 1 })).toBe('changes[0].day_rate_minor');
    expect(field({ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: -5 })).toBe('changes[0].target_salary_minor');
    expect(field({ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: 1, currency: 'JPY' })).toBe('changes[0].currency');
    expect(field({ op: 'update_position', position_id: id('pos_m_open'), title: '  ' })).toBe('changes[0].title');
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), currency: 'USD' }]).reasonText).toMatch(/^goes with a new amount/);
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open') }]).message).toMatch(/^Invalid changes\[0\]: names nothing to change: give one or more of title, /);
    expect(refusal([{ op: 'update_position', title: 'x' }]).details).toMatchObject({ field: 'changes[0].position_id', reason: 'required', op: 'update_position' });
  });

  it('applies from today: a position’s fields have no history, so another date is refused', () => {
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), title: 'Later', date: LATER }]).details).toEqual({
      field: 'changes[0].date',
      reason: 'undated_only',
      op: 'update_position',
      date: LATER,
    });
    expect(seat(run([{ op: 'update_position', position_id: id('pos_m_open'), title: 'Now', date: TODAY }]).graph, 'pos_m_open').title).toBe('Now');
  });

  it('refuses a closed position, saying when it closed; one that opens later can still be changed', () => {
    const closed = run([{ op: 'close_position', position_id: id('pos_m_open'), date: '2026-05-01' }]).graph;
    expect(seat(closed, 'pos_m_open').validTo).toBe('2026-05-01');
    const refused = refusal([{ op: 'update_position', position_id: id('pos_m_open'), title: 'Again' }], closed);
    expect(refused.details).toEqual({ field: 'changes[0].position_id', reason: 'not_active', kind: 'position', id: id('pos_m_open'), day: TODAY, ended_on: '2026-05-01' });
    expect(refused.reasonText).toContain('closed on 2026-05-01');
    const later = run([{ op: 'create_position', org_unit_id: units.P, title: 'Next year', date: LATER, ref: 'next' }, { op: 'update_position', position_id: '$next', planned_fte: 0.5 }]).graph;
    expect(later.positions.get('new-0')).toMatchObject({ plannedFte: 0.5, validFrom: LATER });
  });

  it('refuses a money change without costs.read; the rest of a seat a member may change', () => {
    for (const command of [
      { op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: 1 },
      { op: 'update_position', position_id: id('pos_m_open'), day_rate_minor: null },
      { op: 'update_position', position_id: id('pos_m_open'), currency: 'USD' },
    ] as ChangeCommand[]) {
      expect(() => run([command], undefined, member), JSON.stringify(command)).toThrow(MissingAbility);
    }
    const { graph } = run([{ op: 'update_position', position_id: id('pos_m_open'), title: 'Mobile lead', org_unit_id: units.P }], undefined, member);
    expect(seat(graph, 'pos_m_open')).toMatchObject({ title: 'Mobile lead', orgUnitId: units.P, targetSalaryMinor: 9_000_000 });
  });
});

describe('update_position moves a seat to another unit', () => {
  it('a vacant seat: the vacancy leaves one unit and counts in the other, same id', () => {
    const { graph } = run([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P }]);
    expect(seat(graph, 'pos_m_open')).toMatchObject({ id: id('pos_m_open'), orgUnitId: units.P, validFrom: null, validTo: null });
    expect(vacantIn(buildFixtureOrg(SALT), units.M)).toMatchObject({ budgeted: 1, vacant: 1 });
    expect(vacantIn(graph, units.M)).toMatchObject({ budgeted: 0, vacant: 0 });
    expect(vacantIn(graph, units.P)).toMatchObject({ budgeted: 2, filled: 1, vacant: 1 });
    // The engine fills it where it is budgeted now, no longer in Mobile.
    expect(() => run([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P }, { op: 'fill_position', position_id: id('pos_m_open'), actor_id: id('p2') }])).not.toThrow();
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P }, { op: 'add_actor', kind: 'human', display_name: 'M', org_unit_id: units.M, position_id: id('pos_m_open') }]).reasonText).toMatch(
      /budgeted in Platform, not in Mobile/,
    );
  });

  it('refuses to move a filled seat away from the person in it, naming the placement and move_placement', () => {
    const refused = refusal([{ op: 'update_position', position_id: id('pos_p1'), org_unit_id: units.M }]);
    expect(refused.details).toMatchObject({ field: 'changes[0].org_unit_id', reason: 'position_filled', placements: [id('pl-p1')], suggested_op: 'move_placement' });
    expect(refused.reasonText).toMatch(/filled by “p1” \(placement .* in “Platform”\).*move the placement to “Mobile” first \(move_placement/);
    // A placement planned to fill it later counts too (filled from a later day).
    const filledLater = run([{ op: 'fill_position', position_id: id('pos_m_open'), actor_id: id('m1'), date: LATER }]).graph;
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P }], filledLater).details).toMatchObject({ reason: 'position_filled' });
  });

  it('moves a filled seat with its person in one batch: move the placement, move the seat, fill it again', () => {
    const { graph } = run([
      { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M },
      { op: 'update_position', position_id: id('pos_p1'), org_unit_id: units.M },
      { op: 'fill_position', position_id: id('pos_p1'), actor_id: id('p1') },
    ]);
    expect(seat(graph, 'pos_p1').orgUnitId).toBe(units.M);
    const p1Now = [...graph.placements.values()].filter((p) => p.actorId === id('p1') && inEffect(p, TODAY));
    expect(p1Now.map((p) => [p.orgUnitId, p.positionId])).toEqual([[units.M, id('pos_p1')]]);
    expect(vacantIn(graph, units.M)).toMatchObject({ budgeted: 2, filled: 1, vacant: 1 });
    expect(vacantIn(graph, units.P)).toMatchObject({ budgeted: 0 });
  });

  it('refuses a unit not open on the day (or on a later seat’s first day), or closing while the seat stays open', () => {
    const closing = run([
      { op: 'create_org_unit', type: 'team', name: 'Short lived', parent_id: units.E, ref: 'short' },
      { op: 'close_org_unit', org_unit_id: '$short', date: LATER },
    ]).graph;
    const short = [...closing.orgUnits.values()].find((u) => u.name === 'Short lived')!;
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: short.id }], closing).reasonText).toBe(
      `“Short lived” closes on ${LATER} while the position stays open: choose a unit that stays open, or close the position by then`,
    );
    // Closed by then, the seat may move there.
    const seatCloses = run([{ op: 'close_position', position_id: id('pos_m_open'), date: '2026-12-01' }], closing).graph;
    expect(seat(run([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: short.id }], seatCloses).graph, 'pos_m_open').orgUnitId).toBe(short.id);
    const notYet = run([{ op: 'create_org_unit', type: 'team', name: 'Next', parent_id: units.E, date: LATER }]).graph;
    const next = [...notYet.orgUnits.values()].find((u) => u.name === 'Next')!;
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: next.id }], notYet).details).toMatchObject({ reason: 'not_active', kind: 'org_unit', day: TODAY });
    expect(refusal([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: 'nowhere' }]).details).toMatchObject({ reason: 'no_such_record', kind: 'org_unit' });
  });

  it('merging teams: close_org_unit points at update_position, and closes once the seats have moved', () => {
    const emptyMobile: ChangeCommand = { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E };
    const refused = refusal([emptyMobile, { op: 'close_org_unit', org_unit_id: units.M }]);
    expect(refused.details).toMatchObject({ reason: 'open_positions', suggested_op: 'update_position', alternative_op: 'close_position' });
    expect(refused.reasonText).toMatch(/move them to another unit \(update_position, which keeps each seat\) or close them first \(close_position\)/);
    const { graph } = run([emptyMobile, { op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.P }, { op: 'close_org_unit', org_unit_id: units.M }]);
    expect(graph.orgUnits.get(units.M)!.validTo).toBe(TODAY);
    expect(seat(graph, 'pos_m_open')).toMatchObject({ orgUnitId: units.P, validTo: null });
  });
});

describe('update_position through a scenario to Live', () => {
  let database: Database;
  let tenant: Tenant;
  let ctx: ServiceContext;
  const DB_SALT = 'update-position-db';
  const db = fixtureIds(DB_SALT);

  beforeAll(async () => {
    database = await testDatabase();
    tenant = await buildTenant(database, { plan: 'enterprise' });
    tenant = await writeGraph(database, tenant, buildFixtureOrg(DB_SALT));
    ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
  });
  afterAll(() => database?.close());

  it('shows the moved, re-budgeted seat in the delta and the audit trail, and promotion carries it to Live with its id', async () => {
    const sid = (await createScenario(ctx, { name: 'Merge Mobile into Platform' })).id;
    const seatId = db.id('pos_m_open');
    await applyBatch(ctx, sid, [
      { op: 'move_placement', placement_id: db.id('pl-m1'), org_unit_id: db.units.E },
      { op: 'update_position', position_id: seatId, org_unit_id: db.units.P, title: 'Mobile engineer', target_salary_minor: 9_500_000 },
      { op: 'close_org_unit', org_unit_id: db.units.M },
    ]);

    const delta = (await scenarioDelta(ctx, { scenarioId: sid })) as unknown as {
      families: { position?: { changed: { id: string; fields: Record<string, { from: unknown; to: unknown }> }[] } };
      metrics: { by_org_unit: { org_unit_id: string; vacant_positions?: { from: number; to: number }; vacant_seats_annual_cost_minor?: { from: number; to: number } }[] };
    };
    const changed = delta.families.position!.changed.find((c) => c.id === seatId)!;
    expect(changed.fields).toMatchObject({
      org_unit_id: { from: db.units.M, to: db.units.P },
      title: { from: 'pos_m_open', to: 'Mobile engineer' },
      target_salary_minor: { from: 9_000_000, to: 9_500_000 },
    });
    const platform = delta.metrics.by_org_unit.find((u) => u.org_unit_id === db.units.P)!;
    expect(platform.vacant_positions).toMatchObject({ from: 0, to: 1 });
    // The seat's budget moved with it, re-budgeted: 95,000.00 EUR loaded with the tenant's burden.
    const mobile = delta.metrics.by_org_unit.find((u) => u.org_unit_id === db.units.M)!;
    const burdened = platform.vacant_seats_annual_cost_minor!.to;
    expect(platform.vacant_seats_annual_cost_minor!.from).toBe(0);
    expect(mobile.vacant_seats_annual_cost_minor).toMatchObject({ to: 0 });
    expect(burdened / mobile.vacant_seats_annual_cost_minor!.from).toBeCloseTo(95 / 90, 6);

    const [audited] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.scenarioId, sid), eq(auditEvents.entityId, seatId)));
    expect(audited).toMatchObject({ entityType: 'position', action: 'updated', before: { orgUnitId: db.units.M }, after: { orgUnitId: db.units.P, title: 'Mobile engineer' } });

    const finished = await (await promoteScenario(ctx, sid)).done;
    expect(finished.status).toBe('succeeded');
    const live = await listPositions(ctx, { orgUnitId: db.units.P });
    const promoted = live.page.items.find((p) => p.id === seatId);
    expect(promoted).toMatchObject({ id: seatId, title: 'Mobile engineer', org_unit_id: db.units.P });
  });
});
