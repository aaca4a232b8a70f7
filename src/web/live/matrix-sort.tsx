import { InvalidInput } from '../../errors.js';
import type { MatrixRow } from './matrix-rows.js';

/**
 * Sorting a table (People, scenarios, spans, a unit's positions) by a column: `?sort=<column>&dir=asc|desc`. A
 * table's own order (People by name, scenarios newest first, spans by how far out of range) is paged by the service's
 * cursor; any other order sorts every matching row and pages by `?page=`. Money is a column only for a principal with
 * `costs.read`: sorting by it otherwise would rank people or posts by pay they may not see, so it is refused.
 * Empty values (no title, no manager, unknown cost) go last in either direction; ties keep the table's own order.
 */
export type SortDir = 'asc' | 'desc';
export interface TableSort<C extends string = string> {
  column: C;
  dir: SortDir;
}

type Value = string | number | null;
export interface SortColumnDef<R> {
  value: (r: R) => Value;
  /** Figures (and dates, as ISO text or epoch) start with the largest: the costliest, the widest span, the newest. */
  largestFirst: boolean;
  numeric: boolean;
}

/** The sorting of one table's rows by its columns. */
export function tableSorting<R, C extends string>(columns: Record<C, SortColumnDef<R>>) {
  const firstDir = (column: C): SortDir => (columns[column].largestFirst ? 'desc' : 'asc');
  return {
    firstDir,
    /**
     * Reads `sort` and `dir`; a column the principal may not sort by, or an unknown one, is a clear 400. Without
     * `sort`, `fallback` (null: the table's own order).
     */
    parse<F extends TableSort<C> | null>(sort: string | undefined, dir: string | undefined, allowed: readonly C[], fallback: F): TableSort<C> | F {
      const asked = sort?.trim();
      if (!asked && !dir?.trim()) return fallback;
      const column = (asked || fallback?.column || '') as C;
      if (!allowed.includes(column)) throw new InvalidInput('sort', `must be one of ${allowed.join(', ')}`);
      const d = dir?.trim() || firstDir(column);
      if (d !== 'asc' && d !== 'desc') throw new InvalidInput('dir', 'must be asc or desc');
      return { column, dir: d };
    },
    /** The rows in the asked order (a new array; the rows' own order breaks ties). */
    sort(rows: readonly R[], s: TableSort<C>): R[] {
      const { value, numeric } = columns[s.column];
      const sign = s.dir === 'asc' ? 1 : -1;
      const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
      return rows
        .map((row, i) => ({ row, i, v: value(row) }))
        .sort((a, b) => {
          if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
          const c = numeric ? (a.v as number) - (b.v as number) : collator.compare(String(a.v), String(b.v));
          return c === 0 ? a.i - b.i : sign * c;
        })
        .map((x) => x.row);
    },
  };
}

/** `?page=` of a table sorted in memory: a whole number from 1 (absent: the first). */
export function pageNumber(value: string | undefined): number {
  if (!value) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInput('page', 'must be a whole number from 1');
  return n;
}

/** The People table: by name by default. */
export type SortColumn = 'name' | 'kind' | 'title' | 'unit' | 'fte' | 'allocation' | 'manager' | 'cost';
export type MatrixSort = TableSort<SortColumn>;

const text = (value: (r: MatrixRow) => Value): SortColumnDef<MatrixRow> => ({ value, largestFirst: false, numeric: false });
const figure = (value: (r: MatrixRow) => Value): SortColumnDef<MatrixRow> => ({ value, largestFirst: true, numeric: true });
const MATRIX = tableSorting<MatrixRow, SortColumn>({
  name: text((r) => r.name),
  kind: text((r) => r.kind),
  title: text((r) => r.title),
  unit: text((r) => r.primaryUnit),
  fte: figure((r) => r.fte),
  allocation: figure((r) => r.allocationPct),
  manager: text((r) => r.manager),
  cost: figure((r) => r.annualCost?.amountMinor ?? null),
});
const MATRIX_COLUMNS: SortColumn[] = ['name', 'kind', 'title', 'unit', 'fte', 'allocation', 'manager', 'cost'];

/** The columns this principal may sort by (allocation with `placements.read`, cost with `costs.read`). */
export function sortColumns(show: { cost: boolean; allocation: boolean }): SortColumn[] {
  return MATRIX_COLUMNS.filter((k) => (k !== 'cost' || show.cost) && (k !== 'allocation' || show.allocation));
}

export function parseSort(sort: string | undefined, dir: string | undefined, allowed: SortColumn[]): MatrixSort {
  return MATRIX.parse(sort, dir, allowed, { column: 'name', dir: 'asc' } as MatrixSort);
}

export function isDefaultSort(s: MatrixSort): boolean {
  return s.column === 'name' && s.dir === 'asc';
}

export function sortRows(rows: MatrixRow[], s: MatrixSort): MatrixRow[] {
  return MATRIX.sort(rows, s);
}

/**
 * A sortable column header: a link that sorts by the column (again: the other way), with `aria-sort` on the column
 * the table is sorted by and an arrow beside its label. `first`: the direction a first click sorts in (default:
 * largest first for a `num` column, else A first). `sort` null: the table is in its own order.
 */
export function SortHeader<C extends string>(props: { column: C; label: string; sort: TableSort<C> | null; href: (s: TableSort<C>) => string; num?: boolean; first?: SortDir }) {
  const current = props.sort?.column === props.column;
  const first = props.first ?? (props.num ? 'desc' : 'asc');
  const next: TableSort<C> = { column: props.column, dir: current ? (props.sort!.dir === 'asc' ? 'desc' : 'asc') : first };
  return (
    <th scope="col" class={props.num ? 'num' : undefined} aria-sort={current ? (props.sort!.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a class="sort" href={props.href(next)} title={`Sort by ${props.label.toLowerCase()}, ${next.dir === 'asc' ? 'ascending' : 'descending'}`}>
        {props.label}
        {current ? <span aria-hidden="true">{props.sort!.dir === 'asc' ? '\u00a0▲' : '\u00a0▼'}</span> : null}
      </a>
    </th>
  );
}

/** A filter form's hidden `sort` and `dir`, so filtering keeps the table's order (null: the table's own order). */
export function SortInputs(props: { sort: TableSort | null }) {
  return props.sort ? (
    <>
      <input type="hidden" name="sort" value={props.sort.column} />
      <input type="hidden" name="dir" value={props.sort.dir} />
    </>
  ) : null;
}
