import { InvalidInput } from '../errors.js';
import { isImportField, type ColumnMapping, type ImportField } from './fields.js';

/**
 * A mapping edit: `[{ column, field }]` for the columns to change (field null = do not import the column). Columns
 * not named keep their mapping — unless an edit maps their field to another column: the field moves there. Each
 * field may be mapped from one column only (two edits naming one field are refused).
 */
export function checkMapping(headers: readonly string[], edits: readonly { column: number; field: string | null }[], current?: readonly ColumnMapping[]): ColumnMapping[] {
  const byColumn = new Map<number, ImportField | null>((current ?? []).map((m) => [m.column, m.field]));
  edits.forEach((edit, i) => {
    if (!Number.isInteger(edit.column) || edit.column < 0 || edit.column >= headers.length) {
      throw new InvalidInput(`mapping[${i}].column`, `must be a column index from 0 to ${headers.length - 1}`);
    }
    if (edit.field !== null && !isImportField(edit.field)) throw new InvalidInput(`mapping[${i}].field`, 'is not an import field (GET /api/v1/imports/fields lists them)');
    byColumn.set(edit.column, edit.field as ImportField | null);
  });
  const edited = new Set(edits.map((e) => e.column));
  const moved = new Set(edits.map((e) => e.field).filter((f): f is string => f !== null));
  for (const [column, field] of byColumn) if (!edited.has(column) && field && moved.has(field)) byColumn.set(column, null);
  const seen = new Map<ImportField, number>();
  const mapping = headers.map((header, column) => ({ column, header, field: byColumn.get(column) ?? null }));
  for (const m of mapping) {
    if (!m.field) continue;
    if (seen.has(m.field)) {
      const first = seen.get(m.field)!;
      const named = (column: number) => `“${(headers[column] || `column ${column + 1}`).slice(0, 40)}”`;
      throw new InvalidInput('mapping', `field ${m.field} is mapped from two columns (${first} and ${m.column}), ${named(first)} and ${named(m.column)}; map it from one`, { columns: [first, m.column] });
    }
    seen.set(m.field, m.column);
  }
  return mapping;
}

/** What a new person needs that no column of the mapping gives: a name (name, first or last name), a department or team. */
export function unmappedForNewPeople(mapping: readonly ColumnMapping[]): Set<'name' | 'department'> {
  const fields = new Set(mapping.map((m) => m.field).filter(Boolean));
  const missing = new Set<'name' | 'department'>();
  if (!fields.has('name') && !fields.has('first_name') && !fields.has('last_name')) missing.add('name');
  if (!fields.has('department') && !fields.has('team')) missing.add('department');
  return missing;
}
