import { inEffect } from '../../org/dates.js';
import type { Actor, Compensation, OrgGraph, OrgUnit, Placement, ReportingLine } from '../../org/types.js';
import { sourceKeyOf, unitKey } from '../parse-row.js';

/**
 * Lookups an import needs over the organisation it imports into (Live or a scenario's view), built once per run:
 * actors by source identity, email and external id (former actors too: a rehire is the same person); each actor's
 * reporting line and primary placement — the current one, else the latest even if it has ended (a leaver's records are
 * matched again, never recreated on each re-import) —, current pay (not ended by today; in effect today preferred);
 * departments and teams by name.
 */
export class OrgIndex {
  readonly bySource = new Map<string, Actor>();
  readonly byEmail = new Map<string, Actor>();
  readonly byExternalUid = new Map<string, Actor>();
  /** Source ids of any HRIS (canonical files' manager_employee_id may name one). */
  readonly bySourceId = new Map<string, Actor>();
  /** Each actor's reporting line: in effect today, else open-ended, else the latest (ended ones too). */
  readonly lineOf = new Map<string, ReportingLine>();
  /** Each actor's primary placement, chosen like `lineOf`. */
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
    for (const line of graph.reportingLines.values()) keep(this.lineOf, line.actorId, line, today);
    for (const placement of graph.placements.values()) if (placement.isPrimary) keep(this.primaryOf, placement.actorId, placement, today);
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

  /** The manager an actor reports to now or from a future day (not by a line that has ended). */
  currentManagerOf(actorId: string): string | null {
    const line = this.lineOf.get(actorId);
    return line && !ended(line, this.today) ? line.managerId : null;
  }

  /** Active actors today (the actor allowance counts these). */
  static activeActors(graph: OrgGraph, today: string): number {
    let n = 0;
    for (const actor of graph.actors.values()) if (inEffect(actor, today)) n++;
    return n;
  }
}

type DatedRecord = { validFrom: string | null; validTo: string | null };

/** Whether a record ended on or before `today`. */
export function ended(record: { validTo: string | null }, today: string): boolean {
  return record.validTo !== null && record.validTo <= today;
}

/**
 * Keeps the best record per key: one in effect today beats one that is not; among equals, the open-ended one, then
 * the later start, then the later end (the latest of ended records).
 */
function keep<T extends Partial<DatedRecord>>(map: Map<string, T>, key: string, record: T, today: string): void {
  const current = map.get(key);
  if (!current || better(record, current, today)) map.set(key, record);
}

function better(a: Partial<DatedRecord>, b: Partial<DatedRecord>, today: string): boolean {
  const ea = effective(a, today);
  if (ea !== effective(b, today)) return ea;
  const toA = a.validTo ?? null;
  const toB = b.validTo ?? null;
  if ((toA === null) !== (toB === null)) return toA === null;
  const fromA = a.validFrom ?? '';
  const fromB = b.validFrom ?? '';
  if (fromA !== fromB) return fromA > fromB;
  return toA !== null && toB !== null && toA > toB;
}

function effective(record: Partial<DatedRecord>, today: string): boolean {
  const from = record.validFrom ?? null;
  const to = record.validTo ?? null;
  return (from === null || from <= today) && (to === null || today < to);
}
