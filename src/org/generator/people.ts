import type { Actor, Compensation, EmploymentType, Placement, Position } from '../types.js';
import { bandMidMinor, drawDayRateMinor, drawSalaryMinor, OTHER_CURRENCIES, type Level } from './catalog.js';
import type { GenContext } from './context.js';
import type { FunctionSpec } from './functions.js';

const CONTRACTOR_SHARE_OF_ICS = 0.035;
const PART_TIME_SHARE_OF_ICS = 0.06;
const PART_TIME_FTES = [0.5, 0.6, 0.7, 0.8];
const OTHER_CURRENCY_SHARE = 0.05;
const RAISE_HISTORY_SHARE = 0.12;

export interface HireSpec {
  fn: FunctionSpec;
  unitId: string;
  managerId: string | null;
  /** Days before `startDate` the person joined. */
  hireOffset: number;
  level: Level;
  title: string;
  roleType: string;
  /** Individual contributors may be part-time or contractors; managers are full-time employees. */
  individual: boolean;
}

export interface Hire {
  actorId: string;
  placement: Placement;
}

interface Terms {
  employmentType: EmploymentType;
  fte: number;
  currency: string;
}

function drawTerms(ctx: GenContext, spec: HireSpec): Terms {
  const { rng } = ctx;
  const contractor = spec.individual && rng.chance(CONTRACTOR_SHARE_OF_ICS);
  const partTime = spec.individual && !contractor && rng.chance(PART_TIME_SHARE_OF_ICS);
  const currency = rng.chance(OTHER_CURRENCY_SHARE)
    ? rng.pick(OTHER_CURRENCIES[ctx.reportingCurrency])
    : ctx.reportingCurrency;
  ctx.currencies.add(currency);
  return {
    employmentType: contractor ? 'contractor' : 'perm',
    fte: partTime ? rng.pick(PART_TIME_FTES) : 1,
    currency,
  };
}

/** Creates a person with their filled position, primary placement, solid reporting line and pay. */
export function hireHuman(ctx: GenContext, spec: HireSpec): Hire {
  const terms = drawTerms(ctx, spec);
  const hired = ctx.dates.daysBefore(spec.hireOffset);
  const actor = addHumanActor(ctx, spec, terms.fte, hired);
  const position = addFilledPosition(ctx, spec, terms, hired);
  const placement: Placement = {
    id: ctx.ids.next(),
    actorId: actor.id,
    orgUnitId: spec.unitId,
    positionId: position.id,
    isPrimary: true,
    allocationPct: 100,
    validFrom: hired,
    validTo: null,
  };
  ctx.graph.placements.set(placement.id, placement);
  if (spec.managerId !== null) {
    const line = { id: ctx.ids.next(), actorId: actor.id, managerId: spec.managerId, validFrom: hired, validTo: null };
    ctx.graph.reportingLines.set(line.id, line);
  }
  addPay(ctx, actor.id, spec, terms);
  return { actorId: actor.id, placement };
}

function addHumanActor(ctx: GenContext, spec: HireSpec, fte: number, hired: string): Actor {
  const name = ctx.people.next();
  const actor: Actor = {
    id: ctx.ids.next(),
    kind: 'human',
    displayName: name.displayName,
    email: name.email,
    externalUid: `EMP-${String(++ctx.counters.employee).padStart(6, '0')}`,
    sourceHris: null,
    sourceHrisId: null,
    fte,
    title: spec.title,
    level: spec.level,
    validFrom: hired,
    validTo: null,
  };
  ctx.graph.actors.set(actor.id, actor);
  return actor;
}

function addFilledPosition(ctx: GenContext, spec: HireSpec, terms: Terms, hired: string): Position {
  return addPosition(ctx, {
    fn: spec.fn,
    level: spec.level,
    title: spec.title,
    roleType: spec.roleType,
    unitId: spec.unitId,
    fte: terms.fte,
    employmentType: terms.employmentType,
    currency: terms.currency,
    validFrom: hired,
  });
}

export interface PositionSpec {
  fn: FunctionSpec;
  level: Level;
  title: string;
  roleType: string;
  unitId: string;
  fte: number;
  employmentType: EmploymentType;
  currency: string;
  validFrom: string;
}

/** A budgeted seat priced at the band mid (salary for the planned FTE, or a day rate for contractors). */
export function addPosition(ctx: GenContext, spec: PositionSpec): Position {
  const mid = bandMidMinor(spec.fn, spec.level, spec.currency);
  const contractor = spec.employmentType === 'contractor';
  const position: Position = {
    id: ctx.ids.next(),
    title: spec.title,
    roleType: spec.roleType,
    orgUnitId: spec.unitId,
    plannedFte: spec.fte,
    employmentType: spec.employmentType,
    targetSalaryMinor: contractor ? null : Math.round(mid * spec.fte),
    dayRateMinor: contractor ? Math.round((mid * 1.4) / 220 / 500) * 500 : null,
    currency: spec.currency,
    validFrom: spec.validFrom,
    validTo: null,
  };
  ctx.graph.positions.set(position.id, position);
  return position;
}

/** Current pay, and for some long-serving employees the record it replaced at their last raise. */
function addPay(ctx: GenContext, actorId: string, spec: HireSpec, terms: Terms): void {
  const { rng, dates } = ctx;
  if (terms.employmentType === 'contractor') {
    const amount = drawDayRateMinor(rng, spec.fn, spec.level, terms.currency);
    addCompensation(ctx, actorId, 'day_rate', amount, terms.currency, dates.daysBefore(spec.hireOffset), null);
    return;
  }
  const amount = Math.round((drawSalaryMinor(rng, spec.fn, spec.level, terms.currency) * terms.fte) / 100) * 100;
  const hired = dates.daysBefore(spec.hireOffset);
  if (spec.hireOffset > 400 && rng.chance(RAISE_HISTORY_SHARE)) {
    const raised = dates.daysBefore(rng.int(30, spec.hireOffset - 200));
    const before = Math.round((amount * rng.between(0.86, 0.96)) / 10_000) * 10_000;
    addCompensation(ctx, actorId, 'salary', before, terms.currency, hired, raised);
    addCompensation(ctx, actorId, 'salary', amount, terms.currency, raised, null);
    return;
  }
  addCompensation(ctx, actorId, 'salary', amount, terms.currency, hired, null);
}

export function addCompensation(
  ctx: GenContext,
  actorId: string,
  kind: Compensation['kind'],
  amountMinor: number,
  currency: string,
  validFrom: string,
  validTo: string | null,
): void {
  const record: Compensation = { id: ctx.ids.next(), actorId, kind, amountMinor, currency, validFrom, validTo };
  ctx.graph.compensations.set(record.id, record);
}
