import type { ImportFormat } from '../fields.js';
import { personKey, sourceKeyOf, type ManagerRef, type RowInput } from '../parse-row.js';
import { quarantine, type Quarantine } from '../reasons.js';
import { listed } from '../../util/words.js';
import { addDays } from '../../org/dates.js';
import type { Actor } from '../../org/types.js';
import type { OrgIndex } from './org-index.js';
import type { LiveSince } from './since.js';

/** A manager reference that names someone: an employee id, an email and/or a name (used when neither of the others is given). */
type Named = Omit<Extract<ManagerRef, { none: false }>, 'none'>;

/** A manager reference as people read it: the id, else the email, else the name in quotes. */
function refLabel(ref: Named): string {
  return ref.employeeId ?? ref.email ?? `“${ref.name ?? ''}”`;
}

/** The column a manager reference comes from. */
function fieldOf(ref: Named): string {
  return ref.employeeId ? 'manager_employee_id' : ref.email || !ref.name ? 'manager_email' : 'manager_name';
}

/**
 * Who each row is, and who their manager is (reference/csv-field-reference.md): match by source identity
 * (source_hris + source_hris_id) first, then by email; duplicates inside the run and identities that point at two
 * different actors are quarantined; manager references must resolve to a row of the run or to an actor already in the
 * organisation, and may not close a reporting loop. Quarantining a row can strand the rows that named it as their
 * manager, so manager resolution repeats until nothing changes. A row quarantined for one problem is still checked
 * for the others (`addProblem`), so every problem of every row is said in one run. Pure.
 *
 * It works on each row's identity only (`RowIdentity`, a few fields): the rest of a row is read again, page by page,
 * when its records are built, so a large file's parsed rows are never all in memory.
 */
export type RowIdentity = Pick<RowInput, 'rowNumber' | 'sourceHris' | 'sourceHrisId' | 'email' | 'emailKey' | 'employeeId' | 'kind' | 'manager'> & {
  /** What the row lacks to make a new actor: a name, a department or team, or both (empty when nothing). */
  incomplete: Missing;
  /**
   * The day the row ends the person (an end date, or an inactive status: today), null when it says they are active,
   * undefined when it says nothing about it (a partial HRIS event, no status or end date column).
   */
  endsOn: string | null | undefined;
  /** A team named without its department: its name key (several teams may share it). */
  looseTeam: string | null;
  /** The person's name (`personKey`), when the row gives one: what a manager named by name is found by. */
  nameKey: string | null;
};

type Missing = readonly ('name' | 'department')[];
/** The lists `incomplete` can be, shared: a large file's rows allocate none. */
const MISSING: Record<'none' | 'name' | 'department' | 'both', Missing> = { none: [], name: ['name'], department: ['department'], both: ['name', 'department'] };

/** What a new actor would lack: `name` and/or `department` (a department or team), as a shared list. */
export function missingOf(name: boolean, department: boolean): Missing {
  return MISSING[name ? (department ? 'both' : 'name') : department ? 'department' : 'none'];
}

export function identityOf(row: RowInput): RowIdentity {
  const { rowNumber, sourceHris, sourceHrisId, email, emailKey, employeeId, kind, manager } = row;
  return {
    rowNumber,
    sourceHris,
    sourceHrisId,
    email,
    emailKey,
    employeeId,
    kind,
    manager,
    incomplete: missingOf(!row.displayName, !row.department && !row.team),
    endsOn: row.validTo ?? row.inactiveFrom ?? (row.validTo === null ? null : undefined),
    looseTeam: row.team && !row.department ? row.team.key : null,
    nameKey: row.displayName ? personKey(row.displayName) : null,
  };
}

export interface ResolvedRow<Row extends RowIdentity | RowInput = RowInput> {
  input: Row;
  actorId: string;
  isNew: boolean;
  /** The manager's actor id, null for "no manager", undefined when the row says nothing about it. */
  managerId?: string | null;
}

/**
 * A resolved row, always written out whole: one hidden class for all of them. (`{ ...row, managerId }` gave each its
 * own — shape, descriptors and property array, ~300 bytes a row, 30 MB of a 100k-row run.)
 */
export function resolvedRow<Row extends RowIdentity | RowInput>(input: Row, actorId: string, isNew: boolean, managerId: string | null | undefined): ResolvedRow<Row> {
  return { input, actorId, isNew, managerId };
}

export interface PriorKeys {
  /**
   * Identity keys of rows this run already imported, each with its row: a fixed row may not duplicate them, nor reach
   * the person one of them imported through another identity.
   */
  emails: ReadonlyMap<string, number>;
  sources: ReadonlyMap<string, number>;
  /** Employee ids of an Orgonaut CSV (external ids: one person each). */
  employeeIds: ReadonlyMap<string, number>;
  /**
   * The actor each of those rows imported: a fixed row that finds one of them is refused even when Live has given
   * them another email or HRIS id since (the keys above are the file's, not Live's).
   */
  actors: ReadonlyMap<string, number>;
}

/**
 * Which rows of the step carry each identity key (every row, quarantined ones too): the first row of each key, and
 * every row of a key several rows carry (so a duplicate names the others; only duplicates keep a list).
 */
export interface KeyRows {
  first: Map<string, number>;
  several: Map<string, number[]>;
}

export interface KeyCounts {
  emails: KeyRows;
  sources: KeyRows;
  /** Employee ids of an Orgonaut CSV (external ids: one person each). */
  employeeIds?: KeyRows;
}

export function keyRows(): KeyRows {
  return { first: new Map(), several: new Map() };
}

export function countKey(rows: KeyRows, key: string | null, rowNumber: number): void {
  if (!key) return;
  const first = rows.first.get(key);
  if (first === undefined) return void rows.first.set(key, rowNumber);
  const several = rows.several.get(key);
  if (several) several.push(rowNumber);
  else rows.several.set(key, [first, rowNumber]);
}

/**
 * “rows 3 and 10 of this run” for the other rows of the step carrying a key, and “row 12, which this run already
 * imported” for the row of an earlier step that did.
 */
function elsewhere(rows: KeyRows, key: string, rowNumber: number, priorRow: number | undefined): string {
  const others = (rows.several.get(key) ?? []).filter((n) => n !== rowNumber);
  const earlier = priorRow === undefined ? null : `row ${priorRow}, which this run already imported`;
  if (!others.length) return earlier ?? 'another row of this run';
  const numbers = others.length > 5 ? `${others.slice(0, 5).join(', ')} and ${others.length - 5} more` : listed(others.map(String));
  const inStep = `row${others.length > 1 ? 's' : ''} ${numbers} of this run`;
  return earlier ? `${inStep} and on ${earlier}` : inStep;
}

/**
 * Notes a problem of a row: its reason when it has none yet, else one of its `others` (each code and field once) — a
 * row quarantined for one thing is still checked for the rest, so a reviewer learns of everything at once.
 */
export function addProblem(rejected: Map<number, Quarantine>, rowNumber: number, problem: Quarantine): void {
  const reason = rejected.get(rowNumber);
  if (!reason) return void rejected.set(rowNumber, problem);
  const { code, field, detail } = problem;
  if ([reason, ...(reason.others ?? [])].some((p) => p.code === code && p.field === field)) return;
  rejected.set(rowNumber, { ...reason, others: [...(reason.others ?? []), { code, field, detail }] });
}

/** Who each row is: `accepted` rows go on to their managers; `held` ones are quarantined, kept for the checks across rows. */
export interface Identified {
  accepted: ResolvedRow<RowIdentity>[];
  /** Quarantined rows with an identity, each with the actor it would be (a placeholder id for a new one). */
  held: ResolvedRow<RowIdentity>[];
}

/**
 * Identities of the rows that have one: duplicates in the run, matching, conflicts, required fields of new actors.
 * `rows` holds rows already quarantined (for their cells) too: they are checked all the same, their problems noted as
 * further ones, and they come back `held`.
 */
export function resolveIdentities(
  rows: readonly RowIdentity[],
  counts: KeyCounts,
  index: OrgIndex,
  format: ImportFormat,
  prior: PriorKeys,
  newId: () => string,
  rejected: Map<number, Quarantine>,
  since?: LiveSince,
  /** What a new person needs that no column of the file is mapped to (`unmappedForNewPeople`): said on their rows. */
  unmapped: ReadonlySet<'name' | 'department'> = new Set(),
): Identified {
  noteDuplicates(rows, counts, prior, rejected);
  return identify(rows, index, format, prior, newId, rejected, since, unmapped);
}

function noteDuplicates(rows: readonly RowIdentity[], { emails, sources, employeeIds }: KeyCounts, prior: PriorKeys, rejected: Map<number, Quarantine>): void {
  for (const row of rows) {
    if (employeeIds && row.employeeId && (employeeIds.several.has(row.employeeId) || prior.employeeIds.has(row.employeeId))) {
      addProblem(rejected, row.rowNumber, quarantine('duplicate_source_identity', 'employee_id', `employee id “${row.employeeId}” is also on ${elsewhere(employeeIds, row.employeeId, row.rowNumber, prior.employeeIds.get(row.employeeId))}`));
    }
    const source = row.sourceHris && row.sourceHrisId ? sourceKeyOf(row.sourceHris, row.sourceHrisId) : null;
    if (source && (sources.several.has(source) || prior.sources.has(source))) {
      addProblem(rejected, row.rowNumber, quarantine('duplicate_source_identity', 'source_hris_id', `${row.sourceHris} id “${row.sourceHrisId}” is also on ${elsewhere(sources, source, row.rowNumber, prior.sources.get(source))}`));
    }
    if (row.emailKey && (emails.several.has(row.emailKey) || prior.emails.has(row.emailKey))) {
      addProblem(rejected, row.rowNumber, quarantine('duplicate_email', 'email', `${row.email} is also on ${elsewhere(emails, row.emailKey, row.rowNumber, prior.emails.get(row.emailKey))}`));
    }
  }
}

/** Why a new person's name or department is missing on every row: no column of the file is imported as it. */
const UNMAPPED = {
  name: ', and no column of this file is imported as a name: map the column that holds names to name (or two to first_name and last_name) — on the mapping page before the import starts, else upload the file again',
  department: ', and no column of this file is imported as a department or team: map the column that holds departments to department (or teams to team) — on the mapping page before the import starts, else upload the file again',
} as const;

/** The id a quarantined row's new person would get: a placeholder, never written. */
const placeholderId = (rowNumber: number): string => `row:${rowNumber}`;

function identify(rows: readonly RowIdentity[], index: OrgIndex, format: ImportFormat, prior: PriorKeys, newId: () => string, rejected: Map<number, Quarantine>, since: LiveSince | undefined, unmapped: ReadonlySet<'name' | 'department'>): Identified {
  const out: ResolvedRow<RowIdentity>[] = [];
  const held: ResolvedRow<RowIdentity>[] = [];
  for (const row of rows) {
    const reason = identityProblem(row, index, format);
    if (reason) addProblem(rejected, row.rowNumber, reason);
    const matched = (row.sourceHris && row.sourceHrisId ? index.bySource.get(sourceKeyOf(row.sourceHris, row.sourceHrisId)) : undefined) ?? (row.emailKey ? index.byEmail.get(row.emailKey) : undefined);
    // On reprocessing, Live may have changed under the row since the run read the file (since.ts).
    const moved = since?.problem(row, matched, index);
    if (moved) addProblem(rejected, row.rowNumber, moved);
    // A row lacking both a name and a department says both, not the name alone (then the department on the next round).
    if (!matched) {
      for (const field of row.incomplete) {
        addProblem(rejected, row.rowNumber, quarantine('missing_required_field', field, `is required for a new ${row.kind === 'robot' || row.kind === 'agent' ? row.kind : 'person'}${unmapped.has(field) ? UNMAPPED[field] : ''}`));
      }
    }
    // The person a row of an earlier step imported, reached through another identity (the same one is a duplicate).
    const earlierRow = matched && !sharesPriorKey(row, prior) ? priorRowOf(matched, prior) : undefined;
    if (earlierRow !== undefined) {
      addProblem(rejected, row.rowNumber, quarantine('identity_conflict', matchedBy(row, index), `${identityLabel(row)} finds the person row ${earlierRow} of this run already imported (by another identity): one person, one row`));
    }
    if (rejected.has(row.rowNumber)) held.push(resolvedRow(row, matched?.id ?? placeholderId(row.rowNumber), !matched, undefined));
    else out.push(resolvedRow(row, matched?.id ?? newId(), !matched, undefined));
  }
  // Two rows reaching the same actor through different identities: neither can be trusted. A quarantined row that
  // reaches the person another row imports is told so (it would overwrite that row once fixed).
  const byActor = new Map<string, ResolvedRow<RowIdentity>[]>();
  for (const group of [out, held]) for (const r of group) if (!r.isNew) byActor.set(r.actorId, [...(byActor.get(r.actorId) ?? []), r]);
  const clashing = new Set<number>();
  for (const group of byActor.values()) {
    if (group.length < 2) continue;
    const numbers = group.map((r) => r.input.rowNumber);
    const accepted = group.filter((r) => !rejected.has(r.input.rowNumber));
    for (const r of group) {
      if (accepted.includes(r)) {
        if (accepted.length < 2) continue;
        clashing.add(r.input.rowNumber);
        rejected.set(r.input.rowNumber, quarantine('identity_conflict', 'email', `rows ${numbers.join(', ')} resolve to the same actor through different identities`));
        continue;
      }
      // Rows sharing this row's identity are duplicates of it, already said.
      const others = group.filter((o) => o !== r && !sameKey(o.input, r.input)).map((o) => o.input.rowNumber);
      if (!others.length) continue;
      addProblem(rejected, r.input.rowNumber, quarantine('identity_conflict', matchedBy(r.input, index), `${identityLabel(r.input)} finds the same person as ${others.length > 1 ? 'rows' : 'row'} ${listed(others.map(String))} of this run (by another identity): one person, one row`));
    }
  }
  if (!clashing.size) return { accepted: out, held };
  return { accepted: out.filter((r) => !clashing.has(r.input.rowNumber)), held: [...held, ...out.filter((r) => clashing.has(r.input.rowNumber))] };
}

/** The earlier row of the run that imported an actor: the row that became them, else one of the actor's identity keys. */
function priorRowOf(actor: { id: string; sourceHris: string | null; sourceHrisId: string | null; email: string | null }, prior: PriorKeys): number | undefined {
  return prior.actors.get(actor.id) ?? (actor.sourceHris && actor.sourceHrisId ? prior.sources.get(sourceKeyOf(actor.sourceHris, actor.sourceHrisId)) : undefined) ?? (actor.email ? prior.emails.get(actor.email.toLowerCase()) : undefined);
}

function sharesPriorKey(row: RowIdentity, prior: PriorKeys): boolean {
  return Boolean((row.emailKey && prior.emails.has(row.emailKey)) || (row.sourceHris && row.sourceHrisId && prior.sources.has(sourceKeyOf(row.sourceHris, row.sourceHrisId))) || (row.employeeId && prior.employeeIds.has(row.employeeId)));
}

function sameKey(a: RowIdentity, b: RowIdentity): boolean {
  return Boolean((a.emailKey && a.emailKey === b.emailKey) || (a.sourceHris && a.sourceHrisId && a.sourceHris === b.sourceHris && a.sourceHrisId === b.sourceHrisId) || (a.employeeId && a.employeeId === b.employeeId));
}

/** The field a row found its actor by: its source identity first, else its email. */
function matchedBy(row: RowIdentity, index: OrgIndex): 'source_hris_id' | 'email' {
  return row.sourceHris && row.sourceHrisId && index.bySource.has(sourceKeyOf(row.sourceHris, row.sourceHrisId)) ? 'source_hris_id' : 'email';
}

/** How a row names its person: their email, else their source identity. */
function identityLabel(row: RowIdentity): string {
  return row.email ?? `${row.sourceHris}/${row.sourceHrisId}`;
}

function identityProblem(row: RowIdentity, index: OrgIndex, format: ImportFormat): Quarantine | null {
  const bySource = row.sourceHris && row.sourceHrisId ? index.bySource.get(sourceKeyOf(row.sourceHris, row.sourceHrisId)) : undefined;
  const byEmail = row.emailKey ? index.byEmail.get(row.emailKey) : undefined;
  if (bySource && byEmail && bySource.id !== byEmail.id) {
    return quarantine('identity_conflict', 'email', `the source identity ${row.sourceHris}/${row.sourceHrisId} belongs to one actor and ${row.email} to another`);
  }
  if (!bySource && byEmail && row.sourceHrisId && byEmail.sourceHrisId && (byEmail.sourceHris !== row.sourceHris || byEmail.sourceHrisId !== row.sourceHrisId)) {
    return quarantine('identity_conflict', 'source_hris_id', `${row.email} belongs to an actor with another source identity (${byEmail.sourceHris}/${byEmail.sourceHrisId})`);
  }
  const matched = bySource ?? byEmail;
  if (format === 'orgonaut' && row.employeeId) {
    const owner = index.byExternalUid.get(row.employeeId);
    if (owner && owner.id !== matched?.id) return quarantine('identity_conflict', 'employee_id', `employee id “${row.employeeId}” already belongs to another actor`);
  }
  return null;
}

/**
 * Resolves manager references until no row is newly quarantined (a quarantined manager strands their reports). A
 * person who is current after the row may not report to a leaver — someone this file ends by today, or whom the
 * organisation has as ended (`inactive_manager`); a leaver's own row may name a manager who left too (their line is
 * history).
 *
 * `held` rows (quarantined before managers, for their cells or identity) are checked too, as they would be once fixed:
 * a manager who is nowhere, has left or closes a loop is noted as a further problem of theirs; and a report of a held
 * row is told what will still be wrong once that row is fixed (a loop through it, the manager leaving), not only to
 * wait for it.
 */
export function resolveManagers(
  rows: ResolvedRow<RowIdentity>[],
  index: OrgIndex,
  format: ImportFormat,
  rejected: Map<number, Quarantine>,
  counts?: KeyCounts,
  held: readonly ResolvedRow<RowIdentity>[] = [],
): ResolvedRow<RowIdentity>[] {
  const { today } = index;
  /** The day an actor ends after the run (their row's word, else the organisation's), null when they stay. */
  const endOf = (actorId: string, row: RowIdentity | undefined): string | null => {
    if (row && row.endsOn !== undefined) return row.endsOn;
    return index.graph.actors.get(actorId)?.validTo ?? null;
  };
  /** The row of the run that carries a manager reference, when that row is quarantined: fixing it is the fix. */
  const quarantinedRow = (ref: Named): string | null => {
    const row = (ref.employeeId && format === 'bamboohr' ? counts?.sources.first.get(sourceKeyOf('bamboohr', ref.employeeId)) : undefined) ?? (ref.email ? counts?.emails.first.get(ref.email) : undefined);
    const reason = row === undefined ? undefined : rejected.get(row);
    return reason ? `${refLabel(ref)} is on row ${row}, which is quarantined (${reason.code}): fix that row, and this one follows when reprocessed` : null;
  };
  // Every row with an identity, held ones too (an accepted row, else the first, wins a clash): whether a manager's
  // row is quarantined is asked of `rejected`, as rows are quarantined.
  const lookup = new RowLookup([rows, held], format);
  /** Whether the manager has left by today while the row's person stays after today. */
  const leaver = (managerId: string, managerRow: RowIdentity | undefined, row: ResolvedRow<RowIdentity>): boolean => {
    const managerEnd = endOf(managerId, managerRow);
    if (managerEnd === null || managerEnd > today) return false;
    const ownEnd = endOf(row.actorId, row.input);
    return ownEnd === null || ownEnd > today;
  };
  const inactive = (ref: Named, managerId: string, managerRow: RowIdentity | undefined): Quarantine => {
    const lastDay = addDays(endOf(managerId, managerRow)!, -1);
    const where = managerRow && managerRow.endsOn !== undefined ? `row ${managerRow.rowNumber} of this file ends their employment: last day ${lastDay}` : `their last day in the organisation was ${lastDay}`;
    return quarantine('inactive_manager', fieldOf(ref), `${refLabel(ref)} is a leaver (${where}), so cannot be the manager of someone who stays`);
  };
  const loopReason = (ref: Named, loop: string[]): Quarantine => {
    const shown = loop.length > 8 ? [...loop.slice(0, 5), `… (${loop.length - 1} people)`, loop[loop.length - 1]!] : loop;
    return quarantine('reporting_cycle', fieldOf(ref), `would close a reporting loop: ${shown.join(' → ')}`);
  };

  // Loops the file makes once its held rows are fixed: only looked for when a held row names a manager.
  const fileLoops = held.some((r) => r.input.manager && !r.input.manager.none) ? fileCycles([...held, ...rows], lookup, index) : new Map<string, string[]>();
  for (const row of held) {
    const ref = row.input.manager;
    if (!ref || ref.none) continue;
    const managerId = lookup.manager(ref, index);
    const managerRow = managerId ? lookup.rowOf(managerId) : undefined;
    const loop = fileLoops.get(row.actorId);
    if (!managerId) {
      addProblem(rejected, row.input.rowNumber, quarantine('unknown_manager', fieldOf(ref), lookup.notFound(ref, index, `${refLabel(ref)} is neither a row of this file nor an actor of the organisation`)));
    } else if (managerId === row.actorId) {
      addProblem(rejected, row.input.rowNumber, quarantine('reporting_cycle', fieldOf(ref), 'names the person as their own manager'));
    } else if (loop) {
      addProblem(rejected, row.input.rowNumber, loopReason(ref, loop));
    } else if (leaver(managerId, managerRow, row)) {
      addProblem(rejected, row.input.rowNumber, inactive(ref, managerId, managerRow));
    }
  }

  let current = rows;
  for (;;) {
    const next: ResolvedRow<RowIdentity>[] = [];
    for (const row of current) {
      const ref = row.input.manager;
      if (!ref) {
        next.push(row);
        continue;
      }
      if (ref.none) {
        next.push(resolvedRow(row.input, row.actorId, row.isNew, null));
        continue;
      }
      let managerId = lookup.manager(ref, index);
      let managerRow = managerId ? lookup.rowOf(managerId) : undefined;
      if (managerRow && rejected.has(managerRow.rowNumber)) {
        // The manager's row is quarantined: the organisation's actor stays the manager, if there is one.
        const [heldId, heldRow] = [managerId!, managerRow];
        managerRow = undefined;
        if (!index.graph.actors.has(managerId!)) managerId = lookup.known(ref, index);
        if (!managerId) {
          const loop = fileLoops.get(row.actorId);
          const waits = `${refLabel(ref)} is on row ${heldRow.rowNumber}, which is quarantined (${rejected.get(heldRow.rowNumber)!.code}): fix that row, and this one follows when reprocessed`;
          rejected.set(row.input.rowNumber, loop ? loopReason(ref, loop) : leaver(heldId, heldRow, row) ? inactive(ref, heldId, heldRow) : quarantine('unknown_manager', fieldOf(ref), waits));
          continue;
        }
      }
      if (!managerId) {
        const detail = quarantinedRow(ref) ?? lookup.notFound(ref, index, `${refLabel(ref)} is neither a row of this file that was accepted nor an actor of the organisation`);
        rejected.set(row.input.rowNumber, quarantine('unknown_manager', fieldOf(ref), detail));
      } else if (managerId === row.actorId) {
        rejected.set(row.input.rowNumber, quarantine('reporting_cycle', fieldOf(ref), 'names the person as their own manager'));
      } else if (leaver(managerId, managerRow, row)) {
        rejected.set(row.input.rowNumber, inactive(ref, managerId, managerRow));
      } else {
        next.push(resolvedRow(row.input, row.actorId, row.isNew, managerId));
      }
    }
    const inCycles = cycleRows(next, index);
    for (const [row, loop] of inCycles) rejected.set(row.input.rowNumber, loopReason(row.input.manager && !row.input.manager.none ? row.input.manager : { email: null, employeeId: null, name: null }, loop));
    const kept = inCycles.size ? next.filter((r) => !inCycles.has(r)) : next;
    if (kept.length === current.length) return kept;
    current = kept;
  }
}

class RowLookup {
  private readonly byEmail = new Map<string, string>();
  private readonly byEmployeeId = new Map<string, string>();
  private readonly byActor = new Map<string, RowIdentity>();
  /** The rows' people by name (`personKey`): each name's actors, with the first row of each; made when first asked. */
  private byName: Map<string, Map<string, number>> | null = null;
  /** The organisation's actors by name, made when a manager is first named by name. */
  private orgByName: Map<string, Actor[]> | null = null;

  constructor(
    private readonly groups: readonly (readonly ResolvedRow<RowIdentity>[])[],
    private readonly format: ImportFormat,
  ) {
    const first = <K>(map: Map<K, string>, key: K, actorId: string) => void (map.has(key) || map.set(key, actorId));
    for (const rows of groups) for (const r of rows) {
      if (!this.byActor.has(r.actorId)) this.byActor.set(r.actorId, r.input);
      if (r.input.emailKey) first(this.byEmail, r.input.emailKey, r.actorId);
      const id = format === 'bamboohr' ? r.input.sourceHrisId : r.input.employeeId;
      if (id) first(this.byEmployeeId, id, r.actorId);
    }
  }

  /** The rows' people with a name (`personKey`), each with their first row. */
  private rowsNamed(key: string): Map<string, number> | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (const rows of this.groups) for (const r of rows) {
        if (!r.input.nameKey) continue;
        const named = this.byName.get(r.input.nameKey) ?? new Map<string, number>();
        if (!named.has(r.actorId)) named.set(r.actorId, r.input.rowNumber);
        this.byName.set(r.input.nameKey, named);
      }
    }
    return this.byName.get(key);
  }

  /** The row of an actor, if the run has one. */
  rowOf(actorId: string): RowIdentity | undefined {
    return this.byActor.get(actorId);
  }

  /** The manager a reference names: a row of the run, else an actor of the organisation. */
  manager(ref: Named, index: OrgIndex): string | null {
    if (ref.employeeId) {
      const fromRow = this.byEmployeeId.get(ref.employeeId);
      if (fromRow) return fromRow;
    }
    const known = this.known({ email: null, employeeId: ref.employeeId, name: null }, index);
    if (known) return known;
    if (ref.email) return this.byEmail.get(ref.email) ?? index.byEmail.get(ref.email)?.id ?? null;
    return byNameOnly(ref) ? this.named(ref.name, index).id : null;
  }

  /**
   * The one person with a name: among the rows, else among the organisation's actors (its current ones first). Null
   * with the rows or the count of actors who share it, when several do.
   */
  named(name: string, index: OrgIndex): { id: string | null; rows: number[]; actors: number } {
    const key = personKey(name);
    const rows = this.rowsNamed(key);
    if (rows) return rows.size === 1 ? { id: [...rows.keys()][0]!, rows: [], actors: 0 } : { id: null, rows: [...rows.values()].sort((a, b) => a - b), actors: 0 };
    const candidates = this.orgCandidates(key, index);
    return candidates.length === 1 ? { id: candidates[0]!.id, rows: [], actors: 0 } : { id: null, rows: [], actors: candidates.length };
  }

  /** The organisation's actors with a name: its current ones, else its former ones. */
  private orgCandidates(key: string, index: OrgIndex): Actor[] {
    if (!this.orgByName) {
      this.orgByName = new Map();
      for (const actor of index.graph.actors.values()) {
        const named = personKey(actor.displayName);
        this.orgByName.set(named, [...(this.orgByName.get(named) ?? []), actor]);
      }
    }
    const actors = this.orgByName.get(key) ?? [];
    const current = actors.filter((a) => !a.validTo || a.validTo > index.today);
    return current.length ? current : actors;
  }

  /** Why a manager reference finds nobody: for a name, that several people have it, or no one; else `otherwise`. */
  notFound(ref: Named, index: OrgIndex, otherwise: string): string {
    if (!byNameOnly(ref)) return otherwise;
    const { rows, actors } = this.named(ref.name, index);
    const instead = 'write the manager’s email instead of the name (in this column too), or map a column with their email or employee id';
    if (rows.length) return `${rows.length} rows of this file are people named “${ref.name}” (rows ${listed(rows.map(String))}), so the name does not say which is the manager: ${instead}`;
    if (actors) return `${actors} people of the organisation are named “${ref.name}”, so the name does not say which is the manager: ${instead}`;
    return `no one in this file or the organisation is named “${ref.name}”: correct the spelling to the manager’s name as their own row writes it, or ${instead}`;
  }

  /** The manager a reference names among the organisation's actors only. */
  known(ref: Named, index: OrgIndex): string | null {
    if (ref.employeeId) {
      const known =
        this.format === 'bamboohr'
          ? index.bySource.get(sourceKeyOf('bamboohr', ref.employeeId))
          : (index.byExternalUid.get(ref.employeeId) ?? index.bySourceId.get(ref.employeeId));
      if (known) return known.id;
    }
    if (ref.email) return index.byEmail.get(ref.email)?.id ?? null;
    if (!byNameOnly(ref)) return null;
    const candidates = this.orgCandidates(personKey(ref.name), index);
    return candidates.length === 1 ? candidates[0]!.id : null;
  }
}

/** A reference that names the manager by name alone (a name is used only when the row gives no email or id). */
function byNameOnly(ref: { email: string | null; employeeId: string | null; name?: string | null }): ref is Named & { name: string } {
  return !ref.email && !ref.employeeId && !!ref.name;
}

/**
 * The loops the file's manager references make, held rows' included, once they replace the organisation's lines:
 * each actor on one, with the loop from them round to them again.
 */
function fileCycles(rows: readonly ResolvedRow<RowIdentity>[], lookup: RowLookup, index: OrgIndex): Map<string, string[]> {
  const edges: ResolvedRow<RowIdentity>[] = [];
  for (const r of rows) {
    const ref = r.input.manager;
    if (!ref) continue;
    const managerId = ref.none ? null : lookup.manager(ref, index);
    if (managerId !== null || ref.none) edges.push(resolvedRow(r.input, r.actorId, r.isNew, managerId));
  }
  return new Map([...cycleRows(edges, index)].map(([r, loop]) => [r.actorId, loop]));
}

/**
 * Rows whose own manager edge lies on a reporting loop, once the run's edges replace the organisation's, each with the
 * loop as people read it (emails, else ids), from that row's person round to them again.
 */
function cycleRows(rows: readonly ResolvedRow<RowIdentity>[], index: OrgIndex): Map<ResolvedRow<RowIdentity>, string[]> {
  const edge = new Map<string, string | null>();
  const rowOf = new Map<string, ResolvedRow<RowIdentity>>();
  for (const r of rows) {
    rowOf.set(r.actorId, r);
    if (r.managerId !== undefined) edge.set(r.actorId, r.managerId);
  }
  const managerOf = (actorId: string): string | null => (edge.has(actorId) ? edge.get(actorId)! : index.currentManagerOf(actorId));
  const label = (id: string): string => {
    const row = rowOf.get(id)?.input;
    const actor = index.graph.actors.get(id);
    return row?.email ?? row?.sourceHrisId ?? row?.employeeId ?? actor?.email ?? actor?.sourceHrisId ?? actor?.displayName ?? id;
  };
  const state = new Map<string, 1 | 2>();
  const found = new Map<ResolvedRow<RowIdentity>, string[]>();
  for (const start of edge.keys()) {
    const path: string[] = [];
    let at: string | null = start;
    while (at !== null && !state.has(at)) {
      state.set(at, 1);
      path.push(at);
      at = managerOf(at);
    }
    if (at !== null && state.get(at) === 1) {
      const loop = path.slice(path.indexOf(at));
      loop.forEach((id, i) => {
        const row = rowOf.get(id);
        if (row && edge.has(id)) found.set(row, [...loop.slice(i), ...loop.slice(0, i + 1)].map(label));
      });
    }
    for (const id of path) state.set(id, 2);
  }
  return found;
}
