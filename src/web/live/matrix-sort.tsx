import { InvalidInput } from '../../errors.js';
import type { MatrixRow } from './matrix-rows.js';

/**
 * Sorting the People table (and its CSV) by a column: `?sort=<column>&dir=asc|desc`. By name is the default, paged by
 * the service's cursor; any other order sorts every matching row and pages by `?page=`. Cost is a column only for a
 * principal with `costs.read`: sorting by it otherwise would rank people by pay they may not see, so it is refused.
 * Empty values (no title, no manager, unknown cost) go last in either direction; ties keep the order by name.
 */
export type SortColumn = 'name' | 'kind' | 'title' | 'unit' | 'fte' | 'allocation' | 'manager' | 'cost';
export type SortDir = 'asc' | 'desc';
export interface MatrixSort {
  column: SortColumn;
  dir: SortDir;
}

type Value = string | number | null;
const COLUMNS: Record<SortColumn, { value: (r: MatrixRow) => Value; numeric: boolean }> = {
  name: { value: (r) => r.name, numeric: false },
  kind: { value: (r) => r.kind, numeric: false },
  title: { value: (r) => r.title, numeric: false },
  unit: { value: (r) => r.primaryUnit, numeric: false },
  fte: { value: (r) => r.fte, numeric: true },
  allocation: { value: (r) => r.allocationPct, numeric: true },
  manager: { value: (r) => r.manager, numeric: false },
  cost: { value: (r) => r.annualCost?.amountMinor ?? null, numeric: true },
};

/** The columns this principal may sort by (allocation with `placements.read`, cost with `costs.read`). */
export function sortColumns(show: { cost: boolean; allocation: boolean }): SortColumn[] {
  return (Object.keys(COLUMNS) as SortColumn[]).filter((k) => (k !== 'cost' || show.cost) && (k !== 'allocation' || show.allocation));
}

/** Reads `sort` and `dir`; a column the principal may not sort by, or an unknown one, is a clear 400. */
export function parseSort(sort: string | undefined, dir: string | undefined, allowed: SortColumn[]): MatrixSort {
  const column = (sort?.trim() || 'name') as SortColumn;
  if (!allowed.includes(column)) throw new InvalidInput('sort', `must be one of ${allowed.join(', ')}`);
  const d = dir?.trim() || defaultDir(column);
  if (d !== 'asc' && d !== 'desc') throw new InvalidInput('dir', 'must be asc or desc');
  return { column, dir: d };
}

/** Figures start with the largest (the costliest, the most FTE), names from A. */
export function defaultDir(column: SortColumn): SortDir {
  return COLUMNS[column].numeric ? 'desc' : 'asc';
}

export function isDefaultSort(s: MatrixSort): boolean {
  return s.column === 'name' && s.dir === 'asc';
}

/** The rows in the asked order (a new array; rows arrive sorted by name, which breaks ties). */
export function sortRows(rows: MatrixRow[], s: MatrixSort): MatrixRow[] {
  const { value, numeric } = COLUMNS[s.column];
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
}

/**
 * A sortable column header: a link that sorts by the column (again: the other way), with `aria-sort` on the column
 * the table is sorted by and an arrow beside its label.
 */
export function SortHeader(props: { column: SortColumn; label: string; sort: MatrixSort; href: (s: MatrixSort) => string; num?: boolean }) {
  const current = props.sort.column === props.column;
  const next: MatrixSort = { column: props.column, dir: current ? (props.sort.dir === 'asc' ? 'desc' : 'asc') : defaultDir(props.column) };
  return (
    <th scope="col" class={props.num ? 'num' : undefined} aria-sort={current ? (props.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a class="sort" href={props.href(next)} title={`Sort by ${props.label.toLowerCase()}, ${next.dir === 'asc' ? 'ascending' : 'descending'}`}>
        {props.label}
        {current ? <span aria-hidden="true">{props.sort.dir === 'asc' ? '\u00a0▲' : '\u00a0▼'}</span> : null}
      </a>
    </th>
  );
}
