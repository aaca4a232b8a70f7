import { can, type Principal } from '../access/policy.js';
import { inEffect } from './dates.js';
import type { MoneyFigure } from './cost.js';
import type { Actor, Compensation, CostSettings, Department, OrgGraph, OrgUnit, Placement, Position, ReportingLine, Team } from './types.js';
import { actorAnnualCost, compensationInEffect, positionAnnualCost } from './cost.js';

/**
 * Presenters decide what leaves the server: snake_case fields picked explicitly, and money only when the principal
 * has `costs.read`. REST bodies, MCP structured content and pages all use these, so the cost rule is written once.
 */

export interface MoneyOut {
  amount_minor: number;
  currency: string;
}

export function money(amountMinor: number | null, currency: string | null): MoneyOut | null {
  return amountMinor === null || currency === null ? null : { amount_minor: amountMinor, currency };
}

export function presentOrgUnit(unit: OrgUnit, asOf: string, extra: { department?: Department; team?: Team } = {}) {
  return {
    id: unit.id,
    name: unit.name,
    type: unit.type,
    parent_id: unit.parentId,
    code: unit.code,
    active: inEffect(unit, asOf),
    valid_from: unit.validFrom,
    valid_to: unit.validTo,
    ...(extra.department ? { department: presentDepartmentMeta(extra.department) } : {}),
    ...(extra.team ? { team: presentTeamMeta(extra.team) } : {}),
  };
}

export function presentDepartmentMeta(d: Department) {
  return {
    department_type_id: d.departmentTypeId,
    cost_center: d.costCenter,
    lead_actor_id: d.leadActorId,
    description: d.description,
  };
}

export function presentTeamMeta(t: Team) {
  return { team_type_id: t.teamTypeId, purpose: t.purpose };
}

export function presentActor(actor: Actor, asOf: string, links: { managerId: string | null; primaryOrgUnitId: string | null }) {
  return {
    id: actor.id,
    kind: actor.kind,
    display_name: actor.displayName,
    email: actor.email,
    title: actor.title,
    level: actor.level,
    fte: actor.fte,
    external_uid: actor.externalUid,
    source_hris: actor.sourceHris,
    source_hris_id: actor.sourceHrisId,
    active: inEffect(actor, asOf),
    valid_from: actor.validFrom,
    valid_to: actor.validTo,
    manager_id: links.managerId,
    primary_org_unit_id: links.primaryOrgUnitId,
  };
}

export function presentReportingLine(line: ReportingLine, asOf: string) {
  return {
    id: line.id,
    actor_id: line.actorId,
    manager_id: line.managerId,
    active: inEffect(line, asOf),
    valid_from: line.validFrom,
    valid_to: line.validTo,
  };
}

export function presentPlacement(p: Placement, asOf: string, actorFte: number | null) {
  return {
    id: p.id,
    actor_id: p.actorId,
    org_unit_id: p.orgUnitId,
    position_id: p.positionId,
    is_primary: p.isPrimary,
    allocation_pct: p.allocationPct,
    effective_fte: round((actorFte ?? 0) * (p.allocationPct / 100), 4),
    active: inEffect(p, asOf),
    valid_from: p.validFrom,
    valid_to: p.validTo,
  };
}

export type PositionStatus = 'filled' | 'vacant' | 'closed';

/**
 * An actor's annual loaded cost on `asOf` with, where there is none to give, why: someone who left by the day costs
 * nothing now (their pay ended with them); someone with no pay recorded has an unknown cost — null, as the org
 * metrics count them ("without pay"), never a 0 that reads as free.
 */
export function presentActorCost(graph: OrgGraph, actor: Actor, asOf: string, cost: CostSettings): { annual_loaded_cost: ReturnType<typeof presentMoneyFigure> | null; cost_note?: string } {
  const left = leftBy(actor, asOf);
  if (left) return { annual_loaded_cost: null, cost_note: `Left on ${left}: no current cost — their pay ended when they left.` };
  if (!compensationInEffect(graph, actor.id, asOf)) return { annual_loaded_cost: null, cost_note: 'No pay recorded on this day: cost unknown (not counted as 0).' };
  return { annual_loaded_cost: presentMoneyFigure(actorAnnualCost(graph, actor.id, asOf, cost)) };
}

/** The day `actor` left, if they had left by `day` (null: still in the organisation, or leaving later). */
export function leftBy(actor: Actor, day: string): string | null {
  return actor.validTo !== null && actor.validTo <= day ? actor.validTo : null;
}

/** A loaded cost figure as it leaves the server: minor units in the reporting currency, or null with the currencies lacking a rate. */
export function presentMoneyFigure(figure: MoneyFigure) {
  return { amount_minor: figure.amountMinor, currency: figure.currency, unconvertible: figure.unconvertible };
}

/** A position; with `costs.read`, its target pay and — given the cost settings — the loaded annual cost of its seat. */
export function presentPosition(p: Position, principal: Principal, state: { status: PositionStatus; filledBy: string[] }, cost?: CostSettings) {
  const loaded = cost ? positionAnnualCost(p, cost) : null;
  return {
    id: p.id,
    title: p.title,
    role_type: p.roleType,
    org_unit_id: p.orgUnitId,
    planned_fte: p.plannedFte,
    employment_type: p.employmentType,
    status: state.status,
    filled_by: state.filledBy,
    valid_from: p.validFrom,
    valid_to: p.validTo,
    ...(can(principal, 'costs.read')
      ? {
          target_salary: money(p.targetSalaryMinor, p.currency),
          day_rate: money(p.dayRateMinor, p.currency),
          ...(cost ? { annual_loaded_cost: loaded ? presentMoneyFigure(loaded) : null } : {}),
        }
      : {}),
  };
}

/**
 * Compensation is money through and through: callers must have checked `costs.read`. `actorLeft`: the day the actor
 * left, when by `asOf` — pay still open then ended with them (`ended_on`, not active).
 */
export function presentCompensation(c: Compensation, asOf: string, actorLeft: string | null = null) {
  const endedWithActor = actorLeft !== null && (c.validTo === null || c.validTo > actorLeft) && (c.validFrom === null || c.validFrom < actorLeft);
  return {
    id: c.id,
    actor_id: c.actorId,
    kind: c.kind,
    amount: money(c.amountMinor, c.currency)!,
    active: actorLeft === null && inEffect(c, asOf),
    valid_from: c.validFrom,
    valid_to: c.validTo,
    ...(endedWithActor ? { ended_on: actorLeft } : {}),
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
