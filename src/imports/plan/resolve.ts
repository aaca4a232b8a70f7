import type { ImportFormat } from '../fields.js';
import { sourceKeyOf, type ParsedRow, type RowInput } from '../parse-row.js';
import { quarantine, type Quarantine } from '../reasons.js';
import type { OrgIndex } from './org-index.js';

/**
 * Who each row is, and who their manager is (reference/csv-field-reference.md): match by source identity
 * (source_hris + source_hris_id) first, then by email; duplicates inside the run and identities that point at two
 * different actors are quarantined; manager references must resolve to a row of the run or to an actor already in the
 * organisation, and may not close a reporting loop. Quarantining a row can strand the rows that named it as their
 * manager, so manager resolution repeats until nothing changes. Pure.
 */
export interface ResolvedRow {
  input: RowInput;
  actorId: string;
  isNew: boolean;
  /** The manager's actor id, null for "no manager", undefined when the row says nothing about it. */
  managerId?: string | null;
}

export interface PriorKeys {
  /** Identity keys of rows this run already imported (a fixed row may not duplicate them). */
  emails: ReadonlySet<string>;
  sources: ReadonlySet<string>;
}

export interface Resolution {
  resolved: ResolvedRow[];
  rejected: Map<number, Quarantine>;
}

/** Identities: duplicates in the run, matching, conflicts, required fields of new actors. */
export function resolveIdentities(parsed: readonly ParsedRow[], index: OrgIndex, format: ImportFormat, prior: PriorKeys, newId: () => string): Resolution {
  const rejected = new Map<number, Quarantine>();
  for (const row of parsed) if (row.reason) rejected.set(row.rowNumber, row.reason);
  const valid = parsed.filter((r) => !r.reason).map((r) => r.input!);
  const candidates = rejectDuplicates(parsed, valid, prior, rejected);
  return { resolved: identify(candidates, index, format, newId, rejected), rejected };
}

export function resolveRows(parsed: readonly ParsedRow[], index: OrgIndex, format: ImportFormat, prior: PriorKeys, newId: () => string): Resolution {
  const { resolved, rejected } = resolveIdentities(parsed, index, format, prior, newId);
  return { resolved: resolveManagers(resolved, index, format, rejected), rejected };
}

function rejectDuplicates(parsed: readonly ParsedRow[], valid: RowInput[], prior: PriorKeys, rejected: Map<number, Quarantine>): RowInput[] {
  const emails = countBy(parsed.map((r) => r.keys.emailKey));
  const sources = countBy(parsed.map((r) => r.keys.sourceKey));
  return valid.filter((row) => {
    const source = row.sourceHris && row.sourceHrisId ? sourceKeyOf(row.sourceHris, row.sourceHrisId) : null;
    if (source && ((sources.get(source) ?? 0) > 1 || prior.sources.has(source))) {
      rejected.set(row.rowNumber, quarantine('duplicate_source_identity', 'source_hris_id', `${row.sourceHris} id “${row.sourceHrisId}” is on several rows of this run`));
      return false;
    }
    if (row.emailKey && ((emails.get(row.emailKey) ?? 0) > 1 || prior.emails.has(row.emailKey))) {
      rejected.set(row.rowNumber, quarantine('duplicate_email', 'email', `${row.email} is on several rows of this run`));
      return false;
    }
    return true;
  });
}

function countBy(keys: (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function identify(rows: RowInput[], index: OrgIndex, format: ImportFormat, newId: () => string, rejected: Map<number, Quarantine>): ResolvedRow[] {
  const out: ResolvedRow[] = [];
  for (const row of rows) {
    const reason = identityProblem(row, index, format);
    if (reason) {
      rejected.set(row.rowNumber, reason);
      continue;
    }
    const matched = (row.sourceHris && row.sourceHrisId ? index.bySource.get(sourceKeyOf(row.sourceHris, row.sourceHrisId)) : undefined) ?? (row.emailKey ? index.byEmail.get(row.emailKey) : undefined);
    if (!matched) {
      const missing = !row.displayName ? 'name' : !row.department && !row.team ? 'department' : null;
      if (missing) {
        rejected.set(row.rowNumber, quarantine('missing_required_field', missing, `is required for a new ${row.kind === 'robot' || row.kind === 'agent' ? row.kind : 'person'}`));
        continue;
      }
    }
    out.push({ input: row, actorId: matched?.id ?? newId(), isNew: !matched });
  }
  // Two rows reaching the same actor through different identities: neither can be trusted.
  const byActor = new Map<string, ResolvedRow[]>();
  for (const r of out) if (!r.isNew) byActor.set(r.actorId, [...(byActor.get(r.actorId) ?? []), r]);
  const clashing = new Set<number>();
  for (const group of byActor.values()) {
    if (group.length < 2) continue;
    const numbers = group.map((r) => r.input.rowNumber);
    for (const r of group) {
      clashing.add(r.input.rowNumber);
      rejected.set(r.input.rowNumber, quarantine('identity_conflict', 'email', `rows ${numbers.join(', ')} resolve to the same actor through different identities`));
    }
  }
  return out.filter((r) => !clashing.has(r.input.rowNumber));
}

function identityProblem(row: RowInput, index: OrgIndex, format: ImportFormat): Quarantine | null {
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

/** Resolves manager references until no row is newly quarantined (a quarantined manager strands their reports). */
export function resolveManagers(rows: ResolvedRow[], index: OrgIndex, format: ImportFormat, rejected: Map<number, Quarantine>): ResolvedRow[] {
  let current = rows;
  for (;;) {
    const lookup = new RowLookup(current, format);
    const next: ResolvedRow[] = [];
    for (const row of current) {
      const ref = row.input.manager;
      if (!ref) {
        next.push(row);
        continue;
      }
      if (ref.none) {
        next.push({ ...row, managerId: null });
        continue;
      }
      const managerId = lookup.manager(ref, index);
      if (!managerId) {
        rejected.set(row.input.rowNumber, quarantine('unknown_manager', ref.employeeId ? 'manager_employee_id' : 'manager_email', `${ref.employeeId ?? ref.email} is neither a row of this run that was accepted nor an actor of the organisation`));
      } else if (managerId === row.actorId) {
        rejected.set(row.input.rowNumber, quarantine('reporting_cycle', ref.employeeId ? 'manager_employee_id' : 'manager_email', 'names the person as their own manager'));
      } else {
        next.push({ ...row, managerId });
      }
    }
    const inCycles = cycleRows(next, index);
    for (const row of inCycles) {
      rejected.set(row.input.rowNumber, quarantine('reporting_cycle', row.input.manager && !row.input.manager.none && row.input.manager.employeeId ? 'manager_employee_id' : 'manager_email', 'the reporting lines of this run would form a loop'));
    }
    const kept = inCycles.size ? next.filter((r) => !inCycles.has(r)) : next;
    if (kept.length === current.length) return kept;
    current = kept;
  }
}

class RowLookup {
  private readonly byEmail = new Map<string, string>();
  private readonly byEmployeeId = new Map<string, string>();

  constructor(
    rows: readonly ResolvedRow[],
    private readonly format: ImportFormat,
  ) {
    for (const r of rows) {
      if (r.input.emailKey) this.byEmail.set(r.input.emailKey, r.actorId);
      const id = format === 'bamboohr' ? r.input.sourceHrisId : r.input.employeeId;
      if (id) this.byEmployeeId.set(id, r.actorId);
    }
  }

  manager(ref: { email: string | null; employeeId: string | null }, index: OrgIndex): string | null {
    if (ref.employeeId) {
      const fromRow = this.byEmployeeId.get(ref.employeeId);
      if (fromRow) return fromRow;
      const known =
        this.format === 'bamboohr'
          ? index.bySource.get(sourceKeyOf('bamboohr', ref.employeeId))
          : (index.byExternalUid.get(ref.employeeId) ?? index.bySourceId.get(ref.employeeId));
      if (known) return known.id;
    }
    if (ref.email) return this.byEmail.get(ref.email) ?? index.byEmail.get(ref.email)?.id ?? null;
    return null;
  }
}

/** Rows whose own manager edge lies on a reporting loop, once the run's edges replace the organisation's. */
function cycleRows(rows: readonly ResolvedRow[], index: OrgIndex): Set<ResolvedRow> {
  const edge = new Map<string, string | null>();
  const rowOf = new Map<string, ResolvedRow>();
  for (const r of rows) {
    rowOf.set(r.actorId, r);
    if (r.managerId !== undefined) edge.set(r.actorId, r.managerId);
  }
  const managerOf = (actorId: string): string | null => (edge.has(actorId) ? edge.get(actorId)! : (index.lineOf.get(actorId)?.managerId ?? null));
  const state = new Map<string, 1 | 2>();
  const found = new Set<ResolvedRow>();
  for (const start of edge.keys()) {
    const path: string[] = [];
    let at: string | null = start;
    while (at !== null && !state.has(at)) {
      state.set(at, 1);
      path.push(at);
      at = managerOf(at);
    }
    if (at !== null && state.get(at) === 1) {
      for (const id of path.slice(path.indexOf(at))) {
        const row = rowOf.get(id);
        if (row && edge.has(id)) found.add(row);
      }
    }
    for (const id of path) state.set(id, 2);
  }
  return found;
}
