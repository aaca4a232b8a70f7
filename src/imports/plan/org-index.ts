import { inEffect } from '../../org/dates.js';
import type { Actor, Compensation, OrgGraph, OrgUnit, Placement, ReportingLine } from '../../org/types.js';
import { sourceKeyOf, unitKey } from '../parse-row.js';

/**
 * Lookups an import needs over the organisation it imports into (Live or a scenario's view), built once per run:
 * actors by source identity, email and external id (former actors too: a rehire is the same person); each actor's
 * current reporting line, primary placement and pay (not ended by today; in effect today preferred); departments and
 * teams by name.
 */
export class OrgIndex {
  readonly bySource = new Map<string, Actor>();
  readonly byEmail = new Map<string, Actor>();
  readonly byExternalUid = new Map<string, Actor>();
  /** Source ids of any HRIS (canonical files' manager_employee_id may name one). */
  readonly bySourceId = new Map<string, Actor>();
  readonly lineOf = new Map<string, ReportingLine>();
  readonly primaryOf = new Map<string, Placement>();
  readonly payOf = new Map<string, Compensation>();
  readonly departmentByKey = new Map<string, OrgUnit>();
  readonly teamByParentKey = new Map<string, OrgUnit>();
  /** Team name → team units with that name anywhere (a team named without its department). */
  readonly teamsByKey = new Map<string, OrgUnit[]>();
  readonly root: OrgUnit | null;

  constructor(
    readonly graph: OrgGraph,
    readonly today: string,
  ) {
    for (const actor of graph.actors.values()) {
      if (actor.sourceHris && actor.sourceHrisId) keep(this.bySource, sourceKeyOf(actor.sourceHris, actor.sourceHrisId), actor, today);
      if (actor.sourceHrisId) keep(this.bySourceId, actor.sourceHrisId, actor, today);
      if (actor.email) keep(this.byEmail, actor.email.toLowerCase(), actor, today);
      keep(this.byExternalUid, actor.externalUid, actor, today);
    }
    const current = (r: DatedRecord) => r.validTo === null || r.validTo > today;
    for (const line of graph.reportingLines.values()) if (current(line)) keep(this.lineOf, line.actorId, line, today);
    for (const placement of graph.placements.values()) if (placement.isPrimary && current(placement)) keep(this.primaryOf, placement.actorId, placement, today);
    for (const pay of graph.compensations.values()) if (current(pay)) keep(this.payOf, pay.actorId, pay, today);
    let root: OrgUnit | null = null;
    for (const unit of graph.orgUnits.values()) {
      if (unit.validTo !== null && unit.validTo <= today) continue;
      if (unit.parentId === null && (!root || (unit.type === 'company' && root.type !== 'company'))) root = unit;
      if (unit.type === 'department') keep(this.departmentByKey, unitKey(unit.name), unit, today);
      if (unit.type === 'team') {
        keep(this.teamByParentKey, `${unit.parentId}|${unitKey(unit.name)}`, unit, today);
        const list = this.teamsByKey.get(unitKey(unit.name));
        if (list) list.push(unit);
        else this.teamsByKey.set(unitKey(unit.name), [unit]);
      }
    }
    this.root = root;
  }

  /** Active actors today (the actor allowance counts these). */
  static activeActors(graph: OrgGraph, today: string): number {
    let n = 0;
    for (const actor of graph.actors.values()) if (inEffect(actor, today)) n++;
    return n;
  }
}

type DatedRecord = { validFrom: string | null; validTo: string | null };

/**
 * Keeps the best record per key: one in effect today beats one that is not; among equals, the open-ended one, then
 * the later start.
 */
function keep<T extends Partial<DatedRecord>>(map: Map<string, T>, key: string, record: T, today: string): void {
  const current = map.get(key);
  if (!current || rank(record, today) > rank(current, today)) map.set(key, record);
}

function rank(record: Partial<DatedRecord>, today: string): number {
  const from = record.validFrom ?? null;
  const to = record.validTo ?? null;
  const effective = (from === null || from <= today) && (to === null || today < to);
  const start = from ? Number(from.replaceAll('-', '')) / 1e8 : 0;
  return (effective ? 4 : 0) + (to === null ? 2 : 0) + start;
}
