import { randomUUID } from 'node:crypto';
import { FAMILIES, type Family, type OrgGraph } from '../../org/types.js';
import { parseRow, type ParseContext, type ParsedRow } from '../parse-row.js';
import { REASONS, type Quarantine } from '../reasons.js';
import type { Stage } from '../progress.js';
import { Changeset, type FamilyCounts } from './changeset.js';
import { OrgIndex } from './org-index.js';
import { PeopleBuilder } from './people.js';
import { resolveIdentities, resolveManagers, type PriorKeys, type ResolvedRow } from './resolve.js';
import { StructureBuilder, type TypeRegistry } from './structure.js';

/**
 * Plans an import step: every stage but `finalize`, in memory and without writing anything. The plan says what each
 * row becomes (imported with its actor, or quarantined with a reason) and holds the changed records, ready to be
 * written to Live or folded into a scenario in one transaction. Previews run the same plan and throw it away.
 */
export interface StoredRow {
  rowNumber: number;
  values: (string | null)[];
}

export type RowResult = { status: 'imported'; outcome: 'created' | 'updated' | 'unchanged'; actorId: string } | { status: 'quarantined'; reason: Quarantine };

export interface PlanInput {
  /** The step's rows, page by page (each page is parsed and dropped: raw values are never all in memory). */
  rows: AsyncIterable<readonly StoredRow[]> | readonly StoredRow[];
  /** How many rows `rows` yields (for progress). */
  total: number;
  prior: PriorKeys;
  parse: ParseContext;
  base: OrgGraph;
  companyName: string;
  types: TypeRegistry;
  /** Called at stage boundaries and every few thousand rows; awaited (progress is written, heartbeats run). */
  progress?: (stage: Stage, done: number, total: number) => Promise<void>;
  newId?: () => string;
}

export type FamilySummary = Record<Family, FamilyCounts & { quarantined: number }>;

export interface ImportPlan {
  changes: Changeset;
  rows: Map<number, RowResult>;
  families: FamilySummary;
  activeActors: { before: number; after: number };
}

const STEP = 2_000;

export async function planImport(input: PlanInput): Promise<ImportPlan> {
  const newId = input.newId ?? randomUUID;
  const report = input.progress ?? (async () => {});
  const total = input.total;
  const today = input.parse.today;
  const each = async <T>(stage: Stage, items: readonly T[], fn: (item: T) => void) => {
    await report(stage, 0, items.length);
    for (let i = 0; i < items.length; i++) {
      fn(items[i]!);
      if ((i + 1) % STEP === 0) await report(stage, i + 1, items.length);
    }
    await report(stage, items.length, items.length);
  };

  const parsed: ParsedRow[] = [];
  await report('parse', 0, total);
  const pages = Symbol.asyncIterator in input.rows ? (input.rows as AsyncIterable<readonly StoredRow[]>) : [input.rows as readonly StoredRow[]];
  for await (const page of pages) {
    for (const row of page) parsed.push(parseRow(row.rowNumber, row.values, input.parse));
    await report('parse', parsed.length, Math.max(total, parsed.length));
  }

  const index = new OrgIndex(input.base, today);
  await report('actors', 0, total);
  const identities = resolveIdentities(parsed, index, input.parse.format, input.prior, newId);
  await report('actors', total, total);
  await report('managers', 0, total);
  const resolved = resolveManagers(identities.resolved, index, input.parse.format, identities.rejected);
  const rejected = identities.rejected;
  await report('managers', total, total);

  const changes = new Changeset(input.base);
  const structure = new StructureBuilder(changes, index, input.types, input.companyName, newId);
  const units = new Map<ResolvedRow, { departmentId?: string; unitId?: string }>();
  await each('teams', resolved, (r) => units.set(r, structure.unitFor(r.input)));
  await each('departments', resolved, (r) => structure.describe(r.input, units.get(r)!.departmentId));

  const people = new PeopleBuilder(changes, index, { today, format: input.parse.format, newId });
  const changed = new Map<ResolvedRow, boolean>();
  await each('placements', resolved, (r) => changed.set(r, people.person(r, units.get(r)!.unitId)));
  await each('positions', resolved, (r) => changed.set(r, people.seat(r) || changed.get(r)!));
  await each('compensations', resolved, (r) => changed.set(r, people.payOf(r) || changed.get(r)!));

  const rows = new Map<number, RowResult>();
  for (const [rowNumber, reason] of rejected) rows.set(rowNumber, { status: 'quarantined', reason });
  for (const r of resolved) {
    rows.set(r.input.rowNumber, { status: 'imported', outcome: r.isNew ? 'created' : changed.get(r) ? 'updated' : 'unchanged', actorId: r.actorId });
  }
  const families = {} as FamilySummary;
  for (const family of FAMILIES) families[family] = { ...changes.counts(family), quarantined: 0 };
  for (const reason of rejected.values()) families[REASONS[reason.code].family].quarantined++;
  const before = OrgIndex.activeActors(input.base, today);
  const after = changes.counts('actors').created + changes.counts('actors').updated ? OrgIndex.activeActors(changes.target(), today) : before;
  return { changes, rows, families, activeActors: { before, after } };
}
