import type { Actor, Compensation, Placement, Position } from '../../org/types.js';
import type { ImportFormat } from '../fields.js';
import type { Changeset } from './changeset.js';
import { ended, type OrgIndex } from './org-index.js';
import type { ResolvedRow } from './resolve.js';

/**
 * What one accepted row does to its actor and the records hanging off them: the actor itself, the primary
 * placement, the solid reporting line, the position the person fills (humans with a job title) and current pay.
 * Existing records are updated in place with the fields the row gives, except what has a history: a pay change starts
 * a new compensation record on its effective day, a move to another unit or manager ends the placement or reporting
 * line today and starts a new one (the seat moves with the person); an end date or an inactive status ends the placement and the reporting line
 * with the actor. A placement or reporting line that has ended is still the actor's (a leaver's records are matched,
 * not recreated, on every re-import); only an actor who is active again (a rehire) gets new ones, from today.
 */
export class PeopleBuilder {
  constructor(
    private readonly cs: Changeset,
    private readonly index: OrgIndex,
    private readonly options: { today: string; format: ImportFormat; newId: () => string; enteredToday?: ReadonlySet<string> },
  ) {}

  /** The actor, their primary placement and reporting line; returns whether anything changed. */
  person(r: ResolvedRow, unitId: string | undefined): boolean {
    const { actor, changed: actorChanged } = this.actor(r);
    const { changed: placed } = this.placement(r, actor, unitId);
    return this.reportingLine(r, actor) || actorChanged || placed || r.isNew;
  }

  /** The position a person fills (after `person`). */
  seat(r: ResolvedRow): boolean {
    const actor = this.cs.get('actors', r.actorId)!;
    const current = this.index.primaryOf.get(r.actorId);
    const placement = this.createdPlacement.get(r.actorId) ?? (current ? this.cs.get('placements', current.id) : undefined);
    return placement && actor.kind === 'human' ? this.position(r, actor, placement) : false;
  }

  /** Current pay (after `person`). */
  payOf(r: ResolvedRow): boolean {
    return this.pay(r, this.cs.get('actors', r.actorId)!);
  }

  private readonly createdPlacement = new Map<string, Placement>();

  private actor(r: ResolvedRow): { actor: Actor; changed: boolean } {
    const row = r.input;
    if (r.isNew) {
      const kind = row.kind ?? 'human';
      this.cs.create('actors', {
        id: r.actorId,
        kind,
        displayName: row.displayName!,
        email: row.email,
        externalUid: this.options.format === 'orgonaut' && row.employeeId ? row.employeeId : `orgonaut-${r.actorId}`,
        sourceHris: row.sourceHris,
        sourceHrisId: row.sourceHrisId,
        fte: row.fte !== undefined ? row.fte : kind === 'human' ? 1 : null,
        title: row.title ?? null,
        level: row.level ?? null,
        validFrom: row.validFrom ?? null,
        validTo: row.validTo ?? row.inactiveFrom ?? null,
      });
      return { actor: this.cs.get('actors', r.actorId)!, changed: true };
    }
    const existing = this.cs.get('actors', r.actorId)!;
    const emailChanged = row.email !== null && row.email.toLowerCase() !== existing.email?.toLowerCase();
    const changed = this.cs.update('actors', r.actorId, {
      kind: row.kind,
      displayName: row.displayName,
      email: emailChanged ? row.email : undefined,
      sourceHris: row.sourceHris ?? undefined,
      sourceHrisId: row.sourceHrisId ?? undefined,
      fte: row.fte ?? undefined,
      title: row.title,
      level: row.level,
      validFrom: row.validFrom ?? undefined,
      // Inactive without an end date: an actor who already has an end date keeps it; only an open one ends today.
      validTo: row.validTo !== undefined ? row.validTo : row.inactiveFrom !== undefined && existing.validTo === null ? row.inactiveFrom : undefined,
    });
    return { actor: this.cs.get('actors', r.actorId)!, changed };
  }

  /** The day a record ends with its actor, when the actor ends before it does. */
  private endWith(actor: Actor, record: { validTo: string | null }): string | undefined {
    if (actor.validTo === null) return undefined;
    return record.validTo === null || record.validTo > actor.validTo ? actor.validTo : undefined;
  }

  /**
   * A record of the actor's that ended, while the actor is active today (a rehire): it stays as history and a new one
   * starts. A leaver's own ended records are theirs and are matched.
   */
  private restart(actor: Actor, record: { validTo: string | null } | undefined): boolean {
    const { today } = this.options;
    return !!record && ended(record, today) && (actor.validTo === null || actor.validTo > today);
  }

  /** When a record that replaces an ended one starts: the actor's start if it is after the old end, else today. */
  private restartFrom(actor: Actor, previous: { validTo: string | null }): string {
    return actor.validFrom !== null && previous.validTo !== null && actor.validFrom >= previous.validTo ? actor.validFrom : this.options.today;
  }

  private placement(r: ResolvedRow, actor: Actor, unitId: string | undefined): { placement?: Placement; changed: boolean } {
    const latest = r.isNew ? undefined : this.index.primaryOf.get(r.actorId);
    const current = this.restart(actor, latest) ? undefined : latest;
    if (current && unitId !== undefined && unitId !== current.orgUnitId && this.splits(actor, current)) return this.move(r, actor, current, unitId);
    if (current) {
      const changed = this.cs.update('placements', current.id, { orgUnitId: unitId, allocationPct: r.input.allocationPct, validTo: this.endWith(actor, current) });
      return { placement: this.cs.get('placements', current.id), changed };
    }
    if (!unitId) return { changed: false };
    const placement: Placement = {
      id: this.options.newId(),
      actorId: actor.id,
      orgUnitId: unitId,
      positionId: null,
      isPrimary: true,
      allocationPct: r.input.allocationPct ?? 100,
      validFrom: latest ? this.restartFrom(actor, latest) : actor.validFrom,
      validTo: actor.validTo,
    };
    this.cs.create('placements', placement);
    this.createdPlacement.set(actor.id, placement);
    return { placement, changed: true };
  }

  /**
   * Whether a change to a record of an active actor is history: the record was in effect before today, so it ends
   * today and a new one starts (reads of earlier days keep showing the old unit or manager). Corrected in place
   * instead: a record that started today (an earlier move of the day), one that came into the organisation today (an
   * earlier import of the day — with no start date it would otherwise keep the mistake as history on every earlier
   * day), one of a person who has not started yet (start date today or later), and a leaver's.
   */
  private splits(actor: Actor, record: { id: string; validFrom: string | null; validTo: string | null }): boolean {
    const { today, enteredToday } = this.options;
    if (enteredToday?.has(record.id)) return false;
    if (actor.validFrom !== null && actor.validFrom >= today) return false;
    return (record.validFrom === null || record.validFrom < today) && !ended(record, today) && !ended(actor, today);
  }

  /** A move to another unit: the placement ends today and one starts there; the seat the person fills moves with them. */
  private move(r: ResolvedRow, actor: Actor, current: Placement, unitId: string): { placement: Placement; changed: true } {
    const { today } = this.options;
    this.cs.update('placements', current.id, { validTo: today });
    const seat = current.positionId ? this.cs.get('positions', current.positionId) : undefined;
    let positionId: string | null = null;
    if (seat && (seat.validTo === null || seat.validTo > today)) {
      this.cs.update('positions', seat.id, { validTo: today });
      positionId = this.options.newId();
      this.cs.create('positions', { ...seat, id: positionId, orgUnitId: unitId, validFrom: today, validTo: null });
    }
    const placement: Placement = {
      ...current,
      id: this.options.newId(),
      orgUnitId: unitId,
      positionId,
      allocationPct: r.input.allocationPct ?? current.allocationPct,
      validFrom: today,
      validTo: actor.validTo,
    };
    this.cs.create('placements', placement);
    this.createdPlacement.set(actor.id, placement);
    return { placement, changed: true };
  }

  private reportingLine(r: ResolvedRow, actor: Actor): boolean {
    const { today } = this.options;
    const latest = r.isNew ? undefined : this.index.lineOf.get(r.actorId);
    const line = this.restart(actor, latest) ? undefined : latest;
    if (r.managerId === undefined) return line ? this.cs.update('reportingLines', line.id, { validTo: this.endWith(actor, line) }) : false;
    if (r.managerId === null) {
      if (!line) return false;
      const end = line.validFrom && line.validFrom > today ? line.validFrom : today;
      return this.cs.update('reportingLines', line.id, { validTo: line.validTo === null || line.validTo > end ? end : undefined });
    }
    if (line && line.managerId !== r.managerId && this.splits(actor, line)) {
      // A new manager from today; the old line stays as history.
      this.cs.update('reportingLines', line.id, { validTo: today });
      return this.cs.create('reportingLines', { id: this.options.newId(), actorId: actor.id, managerId: r.managerId, validFrom: today, validTo: actor.validTo });
    }
    if (line) return this.cs.update('reportingLines', line.id, { managerId: r.managerId, validTo: this.endWith(actor, line) });
    return this.cs.create('reportingLines', {
      id: this.options.newId(),
      actorId: actor.id,
      managerId: r.managerId,
      validFrom: r.isNew || ended(actor, today) ? actor.validFrom : latest ? this.restartFrom(actor, latest) : today,
      validTo: actor.validTo,
    });
  }

  private position(r: ResolvedRow, actor: Actor, placement: Placement): boolean {
    const row = r.input;
    const pay = row.pay;
    const money: Partial<Position> = !pay
      ? {}
      : pay.kind === 'salary'
        ? { targetSalaryMinor: pay.amountMinor, dayRateMinor: null, currency: pay.currency }
        : { targetSalaryMinor: null, dayRateMinor: pay.amountMinor, currency: pay.currency };
    const existing = placement.positionId ? this.cs.get('positions', placement.positionId) : undefined;
    if (existing) {
      return this.cs.update('positions', existing.id, {
        title: row.title,
        roleType: row.roleType,
        orgUnitId: placement.orgUnitId,
        plannedFte: row.fte ?? undefined,
        employmentType: row.employmentType,
        ...money,
      });
    }
    if (!row.title) return false;
    const position: Position = {
      id: this.options.newId(),
      title: row.title,
      roleType: row.roleType ?? null,
      orgUnitId: placement.orgUnitId,
      plannedFte: actor.fte ?? 1,
      employmentType: row.employmentType ?? 'perm',
      targetSalaryMinor: null,
      dayRateMinor: null,
      currency: null,
      validFrom: actor.validFrom,
      validTo: null,
      ...money,
    };
    this.cs.create('positions', position);
    this.cs.update('placements', placement.id, { positionId: position.id });
    if (this.createdPlacement.has(actor.id)) this.createdPlacement.set(actor.id, this.cs.get('placements', placement.id)!);
    return true;
  }

  private pay(r: ResolvedRow, actor: Actor): boolean {
    const pay = r.input.pay;
    if (!pay) return false;
    const current = r.isNew ? undefined : this.index.payOf.get(r.actorId);
    if (current && current.kind === pay.kind && current.amountMinor === pay.amountMinor && current.currency === pay.currency) {
      return this.cs.update('compensations', current.id, {});
    }
    const fresh = (validFrom: string | null): Compensation => ({ id: this.options.newId(), actorId: actor.id, kind: pay.kind, amountMinor: pay.amountMinor, currency: pay.currency, validFrom, validTo: null });
    if (!current) return this.cs.create('compensations', fresh(pay.effective ?? actor.validFrom));
    const start = pay.effective ?? this.options.today;
    if (current.validFrom !== null && current.validFrom >= start) {
      return this.cs.update('compensations', current.id, { kind: pay.kind, amountMinor: pay.amountMinor, currency: pay.currency });
    }
    this.cs.update('compensations', current.id, { validTo: start });
    return this.cs.create('compensations', fresh(start));
  }
}
