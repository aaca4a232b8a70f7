import { FAMILY_OF_ENTITY } from '../org/family-names.js';
import { FAMILIES } from '../org/types.js';
import { paginate, sortByKey, type PageRequest, type SortKey } from '../util/pagination.js';
import { notAChoice } from '../util/choice.js';

/**
 * A delta's records a page at a time, for every surface (MCP `scenario.delta`, `GET /api/v1/scenarios/{id}/delta`, the
 * CLI): a scenario that moves a big department changes thousands of records, too many for one answer. Records are
 * paged across families in one order — family (as `families` lists them: org_unit, department, team, actor,
 * reporting_line, placement, position, compensation), then added, removed, changed, then id — so a walk has no
 * duplicates or gaps. `family` keeps one family's records. `counts` says how many records each family has in all
 * (every family, whatever `family` or the page holds); conflicts, metrics and withheld are not paged: every page
 * carries them whole.
 */
export const DELTA_PAGE_DEFAULT = 100;

export const DELTA_RECORD_KINDS = ['added', 'removed', 'changed'] as const;
type Kind = (typeof DELTA_RECORD_KINDS)[number];

type DeltaRecord = Record<string, unknown>;
type FamilyRecords = Record<Kind, DeltaRecord[]>;
export type DeltaCounts = Record<string, Record<Kind, number>>;

export interface DeltaPageRequest extends PageRequest {
  /** Only this family's records (`actor`, `placement`…, as `families` names them). */
  family?: string | null;
}

/** The family a delta page asks for (null: every family); a name that is no family is invalid input naming them all. */
export function deltaFamily(name: string | null | undefined): string | null {
  const wanted = name?.trim() || null;
  if (wanted && !FAMILY_OF_ENTITY.has(wanted)) throw notAChoice('family', [...FAMILY_OF_ENTITY.keys()], wanted);
  return wanted;
}

/**
 * One page of a delta's records (`limit`, default {@link DELTA_PAGE_DEFAULT}, across families): `families` holds the
 * page's records — a family with none on the page is absent, one with some has all three lists — `counts` every
 * family's totals and `next_cursor` the page after (null on the last). The cursor is valid only for the same
 * scenario, `compare` and `family`.
 */
export function pageDelta<D extends { scenario: { id: string }; compare: string; families: Partial<Record<string, FamilyRecords>> }>(
  delta: D,
  request: DeltaPageRequest = {},
): D & { counts: DeltaCounts; next_cursor: string | null } {
  return { ...delta, ...pageRecords(delta.families, { scenarioId: delta.scenario.id, compare: delta.compare }, request) };
}

/** {@link pageDelta} on a delta's `families` alone; `of` (scenario and compare mode) shapes the cursor with `family`. */
export function pageRecords(
  all: Partial<Record<string, FamilyRecords>>,
  of: { scenarioId: string; compare: string },
  request: DeltaPageRequest,
): { families: Partial<Record<string, FamilyRecords>>; counts: DeltaCounts; next_cursor: string | null } {
  const family = deltaFamily(request.family);
  const counts: DeltaCounts = {};
  const rows: { family: string; kind: Kind; record: DeltaRecord; key: SortKey }[] = [];
  for (const [name, records] of Object.entries(all)) {
    if (!records) continue;
    counts[name] = { added: records.added.length, removed: records.removed.length, changed: records.changed.length };
    if (family && name !== family) continue;
    const order = FAMILIES.indexOf(FAMILY_OF_ENTITY.get(name)!);
    DELTA_RECORD_KINDS.forEach((kind, k) => {
      for (const record of records[kind]) rows.push({ family: name, kind, record, key: [order, k, String(record.id)] });
    });
  }
  const keyOf = (row: (typeof rows)[number]) => row.key;
  const page = paginate('scenario delta', sortByKey(rows, keyOf), keyOf, { limit: request.limit ?? DELTA_PAGE_DEFAULT, cursor: request.cursor, ...of, family });
  const families: Partial<Record<string, FamilyRecords>> = {};
  for (const row of page.items) (families[row.family] ??= { added: [], removed: [], changed: [] })[row.kind].push(row.record);
  return { families, counts, next_cursor: page.nextCursor };
}

/** How many records `counts` holds in all (of one family, when given). */
export function countedRecords(counts: DeltaCounts, family?: string | null): number {
  return Object.entries(counts)
    .filter(([name]) => !family || name === family)
    .reduce((sum, [, c]) => sum + c.added + c.removed + c.changed, 0);
}
