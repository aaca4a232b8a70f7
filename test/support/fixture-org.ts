import { emptyGraph, type ActorKind, type OrgGraph, type OrgUnitType } from '../../src/org/types.js';
import { uid } from './factories.js';

/**
 * A small organisation whose metrics are computed by hand in the tests (test/org/services.test.ts).
 *
 *   Fixture Co (C) ─ Engineering (E) ─ Platform (P), Mobile (M)
 *                 └ Sales (S) ─ Field (F)
 *
 * As of 2026-06-01: ceo (C); eng_head (E); sales_head (S, paid in USD); p1 (P, fills pos_p1), p2 (P, FTE 0.5);
 * m1 (M 60 % + P 40 %); f1 (F, day rate); f2 (F, paid in GBP: no rate); bot (agent in P, no pay).
 * `former` (P) left on 2026-01-01. pos_m_open (M) and pos_f_open (F, from 2026-03-01) are vacant.
 * Reporting: heads → ceo; p1, p2, m1 (and former until 2026-01-01) → eng_head; f1, f2 → sales_head.
 */
export const AS_OF = '2026-06-01';
export const PAST = '2025-06-01';

export function fixtureIds(salt: string) {
  const id = (name: string) => uid(name, salt);
  return {
    id,
    units: { C: id('C'), E: id('E'), S: id('S'), P: id('P'), M: id('M'), F: id('F') },
  };
}

export function buildFixtureOrg(salt: string): OrgGraph {
  const { id } = fixtureIds(salt);
  const g = emptyGraph();
  const unit = (key: string, name: string, parent: string | null, type: OrgUnitType) =>
    g.orgUnits.set(id(key), { id: id(key), parentId: parent ? id(parent) : null, type, name, code: null, validFrom: null, validTo: null });
  unit('C', 'Fixture Co', null, 'company');
  unit('E', 'Engineering', 'C', 'department');
  unit('S', 'Sales', 'C', 'department');
  unit('P', 'Platform', 'E', 'team');
  unit('M', 'Mobile', 'E', 'team');
  unit('F', 'Field', 'S', 'team');
  g.departments.set(id('E'), { orgUnitId: id('E'), departmentTypeId: null, costCenter: 'CC-ENG', leadActorId: id('eng_head'), description: null });
  g.teams.set(id('P'), { orgUnitId: id('P'), teamTypeId: null, purpose: 'Runs the platform' });

  const actor = (key: string, kind: ActorKind, fte: number | null, validTo: string | null = null) =>
    g.actors.set(id(key), {
      id: id(key),
      kind,
      displayName: key,
      email: kind === 'human' ? `${key}@fixture.test` : null,
      externalUid: key,
      sourceHris: null,
      sourceHrisId: null,
      fte,
      title: key === 'ceo' ? 'Chief Executive' : null,
      level: null,
      validFrom: '2024-01-01',
      validTo,
    });
  const place = (key: string, actorKey: string, unitKey: string, alloc = 100, primary = true, extra: { positionId?: string; validTo?: string } = {}) =>
    g.placements.set(id(key), {
      id: id(key),
      actorId: id(actorKey),
      orgUnitId: id(unitKey),
      positionId: extra.positionId ? id(extra.positionId) : null,
      isPrimary: primary,
      allocationPct: alloc,
      validFrom: '2024-01-01',
      validTo: extra.validTo ?? null,
    });
  const report = (actorKey: string, managerKey: string, validTo: string | null = null) =>
    g.reportingLines.set(id(`rl-${actorKey}`), { id: id(`rl-${actorKey}`), actorId: id(actorKey), managerId: id(managerKey), validFrom: '2024-01-01', validTo });
  const pay = (actorKey: string, kind: 'salary' | 'day_rate', amountMinor: number, currency: string) =>
    g.compensations.set(id(`comp-${actorKey}`), { id: id(`comp-${actorKey}`), actorId: id(actorKey), kind, amountMinor, currency, validFrom: '2024-01-01', validTo: null });
  const position = (key: string, unitKey: string, validFrom: string | null = null) =>
    g.positions.set(id(key), { id: id(key), title: key, roleType: null, orgUnitId: id(unitKey), plannedFte: 1, employmentType: 'perm', targetSalaryMinor: 9_000_000, dayRateMinor: null, currency: 'EUR', validFrom, validTo: null });

  actor('ceo', 'human', 1);
  actor('eng_head', 'human', 1);
  actor('sales_head', 'human', 1);
  actor('p1', 'human', 1);
  actor('p2', 'human', 0.5);
  actor('m1', 'human', 1);
  actor('f1', 'human', 1);
  actor('f2', 'human', 1);
  actor('bot', 'agent', null);
  actor('former', 'human', 1, '2026-01-01');

  place('pl-ceo', 'ceo', 'C');
  place('pl-eng_head', 'eng_head', 'E');
  place('pl-sales_head', 'sales_head', 'S');
  place('pl-p1', 'p1', 'P', 100, true, { positionId: 'pos_p1' });
  place('pl-p2', 'p2', 'P');
  place('pl-m1', 'm1', 'M', 60);
  place('pl-m1-p', 'm1', 'P', 40, false);
  place('pl-f1', 'f1', 'F');
  place('pl-f2', 'f2', 'F');
  place('pl-bot', 'bot', 'P');
  place('pl-former', 'former', 'P', 100, true, { validTo: '2026-01-01' });

  report('eng_head', 'ceo');
  report('sales_head', 'ceo');
  for (const k of ['p1', 'p2', 'm1']) report(k, 'eng_head');
  report('former', 'eng_head', '2026-01-01');
  for (const k of ['f1', 'f2']) report(k, 'sales_head');

  pay('ceo', 'salary', 20_000_000, 'EUR');
  pay('eng_head', 'salary', 15_000_000, 'EUR');
  pay('sales_head', 'salary', 12_000_000, 'USD');
  pay('p1', 'salary', 10_000_000, 'EUR');
  pay('p2', 'salary', 5_000_000, 'EUR');
  pay('m1', 'salary', 9_000_000, 'EUR');
  pay('f1', 'day_rate', 50_000, 'EUR');
  pay('f2', 'salary', 6_000_000, 'GBP');
  pay('former', 'salary', 8_000_000, 'EUR');

  position('pos_p1', 'P');
  position('pos_m_open', 'M');
  position('pos_f_open', 'F', '2026-03-01');
  return g;
}
