import { isDeepStrictEqual } from 'node:util';
import { Conflict } from '../../errors.js';
import { newId as newIdDefault } from '../../util/ids.js';
import { FAMILIES, type Family, type OrgGraph } from '../../org/types.js';
import { unmappedForNewPeople } from '../mapping.js';
import { parseRow, type ParseContext, type RowInput } from '../parse-row.js';
import { quarantine, REASONS, type Quarantine } from '../reasons.js';
import type { Stage } from '../progress.js';
import { Changeset, type FamilyCounts } from './changeset.js';
import { earlierSteps, NO_EARLIER_STEPS } from './earlier.js';
import { OrgIndex } from './org-index.js';
import { PeopleBuilder } from './people.js';
import { exactRepeats } from './repeats.js';
import { addProblem, countKey, identityOf, keyRows, missingOf, resolveIdentities, resolveManagers, type KeyCounts, type PriorKeys, type ResolvedRow, type RowIdentity } from './resolve.js';
import type { LiveSince } from './since.js';
import { departmentNamedLikeTeam, FileUnits, rejectAmbiguousTeams, StructureBuilder, type TypeRegistry } from './structure.js';

/**
 * Plans an import step: every stage but `finalize`, in memory and without writing anything. The plan says what each
 * row becomes (imported with its actor, or quarantined with a reason) and holds the changed records, ready to be
 * written to Live or folded into a scenario in one transaction. Previews run the same plan and throw it away.
 */
export interface StoredRow {
  rowNumber: number;
  values: (string | null)[];
  /** The actor a row imported in an earlier step became (see `PlanInput.earlier`). */
  actorId?: string | null;
}

export type RowResult = { status: 'imported'; outcome: 'created' | 'updated' | 'unchanged'; actorId: string } | { status: 'quarantined'; reason: Quarantine };

export interface PlanInput {
  /**
   * The step's rows, page by page. Read twice: once to resolve who each row is (only identities are kept), once to
   * build the records (each page is parsed and dropped): raw values and parsed rows are never all in memory.
   */
  rows: () => AsyncIterable<readonly StoredRow[]>;
  /** How many rows `rows` yields (for progress). */
  total: number;
  /**
   * On reprocessing, the rows earlier steps of the run imported: a row of this step may not repeat their identities,
   * and the records they went through are not counted again (`earlier.ts`).
   */
  earlier?: () => AsyncIterable<readonly StoredRow[]>;
  parse: ParseContext;
  base: OrgGraph;
  companyName: string;
  types: TypeRegistry;
  /** Called at stage boundaries and every page; awaited (progress is written, heartbeats run). */
  progress?: (stage: Stage | readonly Stage[], done: number, total: number) => Promise<void>;
  newId?: () => string;
  /**
   * Placements and reporting lines that came into the organisation today (`liveRecordsEnteredToday`): another unit
   * or manager for one of them corrects it in place instead of keeping history.
   */
  enteredToday?: ReadonlySet<string>;
  /** On reprocessing into Live, what changed in Live since the run's last step (since.ts). */
  since?: LiveSince;
}

export type FamilySummary = Record<Family, FamilyCounts & { quarantined: number }>;

export interface ImportPlan {
  changes: Changeset;
  rows: Map<number, RowResult>;
  families: FamilySummary;
  /**
   * On reprocessing, the units earlier steps of the run went through that this step changes (a fixed row gives a
   * department a cost center): counted `updated` in `families`, though the run may have counted them already
   * (finalize.ts sets the run's totals right).
   */
  revisited: Partial<Record<Family, string[]>>;
  activeActors: { before: number; after: number };
  /**
   * The existing people the rows left quarantined found by their identities: what a scenario run keeps of them as they
   * were (since.ts), so a reprocess can tell whether the scenario changed them since.
   */
  foundByQuarantined: ReadonlySet<string>;
}

/** The stages that build records: they run together, row by row. */
const BUILD_STAGES = ['teams', 'departments', 'placements', 'positions', 'compensations'] as const;

export async function planImport(input: PlanInput): Promise<ImportPlan> {
  const newId = input.newId ?? newIdDefault;
  const report = input.progress ?? (async () => {});
  const { parse } = input;
  const index = new OrgIndex(input.base, parse.today);
  const earlier = input.earlier ? await earlierSteps(input.earlier(), index, parse, input.types, input.companyName, newId) : NO_EARLIER_STEPS;
  const { resolved, rejected, fileUnits, foundByQuarantined, repeats } = await resolveRows(input, index, earlier.prior, newId, report);
  for (const [repeat, first] of repeats) {
    const reason = rejected.get(first);
    if (reason) rejected.set(repeat, quarantine(reason.code, reason.field, `repeats row ${first} cell for cell, which is quarantined: fix that row and ignore this one`));
  }

  // teams … compensations: the records, reading the rows again page by page, row by row. That equals stage by stage:
  // units are still found or created in row order, and the other records a row touches are its own actor's.
  const changes = new Changeset(input.base);
  const structure = new StructureBuilder(changes, index, input.types, input.companyName, newId, fileUnits);
  const people = new PeopleBuilder(changes, index, { today: parse.today, format: parse.format, newId, enteredToday: input.enteredToday });
  const rows = new Map<number, RowResult>();
  for (const [rowNumber, reason] of rejected) rows.set(rowNumber, { status: 'quarantined', reason });
  const toBuild = resolved.size;
  let built = 0;
  await report(BUILD_STAGES, 0, toBuild);
  for await (const page of input.rows()) {
    for (const row of page) {
      const r = reread(row, resolved.get(row.rowNumber), parse);
      if (!r) continue;
      resolved.delete(row.rowNumber);
      const unit = structure.unitFor(r.input, r.isNew ? undefined : index.primaryOf.get(r.actorId)?.orgUnitId);
      structure.describe(r.input, unit.departmentId);
      const placed = people.person(r, unit.unitId);
      const seated = people.seat(r);
      const paid = people.payOf(r);
      rows.set(r.input.rowNumber, { status: 'imported', outcome: r.isNew ? 'created' : placed || seated || paid ? 'updated' : 'unchanged', actorId: r.actorId });
      built++;
    }
    await report(BUILD_STAGES, built, toBuild);
  }
  if (built !== toBuild) throw rowsChanged();
  for (const [repeat, first] of repeats) {
    const result = rows.get(first);
    if (result?.status === 'imported') rows.set(repeat, { status: 'imported', outcome: 'unchanged', actorId: result.actorId });
  }

  const families = {} as FamilySummary;
  for (const family of FAMILIES) families[family] = { ...changes.counts(family, earlier.counted[family]), quarantined: 0 };
  for (const reason of rejected.values()) families[REASONS[reason.code].family].quarantined++;
  const revisited: ImportPlan['revisited'] = {};
  for (const [family, ids] of Object.entries(earlier.counted) as [Family, ReadonlySet<string>][]) {
    const again = changes.changedAmong(family, ids);
    if (again.length) revisited[family] = again;
  }
  // Sealed before the target graph is built: the working maps it drops are as large as the target's own.
  changes.seal();
  const before = OrgIndex.activeActors(input.base, parse.today);
  const after = families.actors.created + families.actors.updated ? OrgIndex.activeActors(changes.target(), parse.today) : before;
  return { changes, rows, families, revisited, activeActors: { before, after }, foundByQuarantined };
}

/**
 * parse → actors → managers: who each row is, from identities only. What it keeps per row (the identities, the
 * counts of each key) is dropped when it returns; the build stages keep only the resolved rows, and each is dropped
 * once its records are built.
 */
async function resolveRows(input: PlanInput, index: OrgIndex, prior: PriorKeys, newId: () => string, report: NonNullable<PlanInput['progress']>) {
  const { total, parse } = input;
  const rejected = new Map<number, Quarantine>();
  const identities: RowIdentity[] = [];
  const counts: KeyCounts = { emails: keyRows(), sources: keyRows(), employeeIds: keyRows() };
  const fileUnits = new FileUnits();
  let read = 0;
  await report('parse', 0, total);
  for await (const page of input.rows()) {
    for (const row of page) {
      const parsed = parseRow(row.rowNumber, row.values, parse);
      countKey(counts.emails, parsed.keys.emailKey, row.rowNumber);
      countKey(counts.sources, parsed.keys.sourceKey, row.rowNumber);
      countKey(counts.employeeIds!, parsed.keys.employeeIdKey ?? null, row.rowNumber);
      const cells = parsed.input ?? parsed.partial;
      const clash = cells && departmentNamedLikeTeam(cells, index);
      if (parsed.reason) rejected.set(row.rowNumber, parsed.reason);
      if (clash) addProblem(rejected, row.rowNumber, clash);
      const reason = rejected.get(row.rowNumber);
      if (reason) {
        // Still checked against the other rows (duplicates, managers, loops), to say all that is wrong with it at once.
        if (cells) identities.push(heldIdentity(cells, reason));
      } else if (parsed.input) {
        identities.push(identityOf(parsed.input));
        fileUnits.add(parsed.input);
      }
    }
    read += page.length;
    await report('parse', read, Math.max(total, read));
  }
  const repeats = await exactRepeats(input.rows(), counts);
  for (const n of repeats.keys()) rejected.delete(n);
  const distinct = repeats.size ? identities.filter((identity) => !repeats.has(identity.rowNumber)) : identities;
  await report('actors', 0, read);
  // A team named without its department that several teams share: quarantined before managers are resolved.
  const { accepted, held } = resolveIdentities(distinct, counts, index, parse.format, prior, newId, rejected, input.since, unmappedForNewPeople(parse.mapping));
  if (held.length) rejectAmbiguousTeams(held, index, fileUnits, rejected);
  const identified = rejectAmbiguousTeams(accepted, index, fileUnits, rejected);
  if (identified.length !== accepted.length) for (const r of accepted) if (rejected.has(r.input.rowNumber)) held.push(r);
  await report('actors', read, read);
  await report('managers', 0, read);
  const resolved = new Map(resolveManagers(identified, index, parse.format, rejected, counts, held).map((r) => [r.input.rowNumber, r]));
  await report('managers', read, read);
  const foundByQuarantined = new Set<string>();
  for (const group of [held, identified]) for (const r of group) if (!r.isNew && rejected.has(r.input.rowNumber)) foundByQuarantined.add(r.actorId);
  return { resolved, rejected, fileUnits, foundByQuarantined, repeats };
}

/**
 * The identity of a row quarantined for its cells: a field at fault is missing from it, so a missing department or
 * team says that a new person cannot be made only when no department or team cell was at fault, and a team is named
 * without its department only when no department cell was (a unit that did not read is the row's own problem, already
 * said). A missing name is always said: no cell of a name can be at fault.
 */
function heldIdentity(partial: RowInput, reason: Quarantine): RowIdentity {
  const identity = identityOf(partial);
  const problems = [reason, ...(reason.others ?? [])];
  const unitAtFault = problems.some((p) => p.field?.startsWith('department') || p.field?.startsWith('team') || p.field === 'parent_department');
  if (unitAtFault) identity.incomplete = missingOf(identity.incomplete.includes('name'), false);
  if (problems.some((p) => p.field?.startsWith('department') || p.field === 'parent_department')) identity.looseTeam = null;
  return identity;
}

/**
 * A row read again to build its records, with what resolution made of it; none for a row resolution quarantined
 * (or never saw). The step's rows cannot change while it runs (review waits for it), but if one did, the plan
 * would no longer be what was resolved: refused, with nothing written.
 */
function reread(row: StoredRow, resolved: ResolvedRow<RowIdentity> | undefined, parse: ParseContext): ResolvedRow | null {
  if (!resolved) return null;
  const { input } = parseRow(row.rowNumber, row.values, parse);
  if (!input || !isDeepStrictEqual(identityOf(input), resolved.input)) throw rowsChanged();
  // Not `resolvedRow`: this copy dies with its row, and sharing that function's allocation site with the resolved rows
  // that live through the run made V8 pretenure these too — 100k dead objects in the old generation, +90 MB no-op peak.
  return { input, actorId: resolved.actorId, isNew: resolved.isNew, managerId: resolved.managerId };
}

function rowsChanged(): Conflict {
  return new Conflict('Rows of this import changed while it was running; nothing was applied.', 'Start the import again.');
}
