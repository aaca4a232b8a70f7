import { normaliseHeader, type ColumnMapping, type ImportField } from './fields.js';
import { holdsEmail } from './parse-row.js';

/**
 * Columns that name a person's manager without saying how — “Reports To”, “Supervisor”, “Manager” —: what they hold
 * decides. Emails (`Lovelace, Ada <ada@x.com>` too, as mail clients copy them) are read as manager_email, ids (1002,
 * E-1002) as manager_employee_id; names (“Ada Lovelace”, “Lovelace, Ada”, as BambooHR's, Personio's and HiBob's
 * exports write them) as manager_name — only when no other column gives the manager's email or id, which find them
 * surely: a name finds a manager only when one person has it.
 */
const MANAGER_HEADERS = new Set([
  'reports_to', 'reporting_to', 'supervisor', 'manager', 'line_manager', 'direct_manager', 'manager_name', 'supervisor_name', 'reports_to_name',
  'direct_supervisor', 'manager_full_name', 'supervisor_full_name', 'line_manager_name', 'direct_manager_name',
  // Personio's German export (“Vorgesetzte(r)”), French and Spanish ones.
  'vorgesetzte_r', 'vorgesetzter', 'vorgesetzte', 'responsable', 'manager_direct', 'jefe', 'jefe_directo',
]);

const ID = /^[A-Za-z]{0,4}[-_#]?\d[\d-]{0,15}$/;
const NAME = /\p{L}.*[\s,].*\p{L}/u;

type Sample = readonly (readonly (string | null)[])[];

function filled(sample: Sample, column: number): string[] {
  return sample.map((row) => row[column]?.trim() ?? '').filter(Boolean);
}

function isManagerColumn(mapping: ColumnMapping): boolean {
  return !mapping.field && MANAGER_HEADERS.has(normaliseHeader(mapping.header));
}

/** The mapping with the manager columns the first rows show to hold emails or ids mapped (to a field not mapped yet). */
export function mapManagerColumns(mapping: readonly ColumnMapping[], sample: Sample): ColumnMapping[] {
  const used = new Set(mapping.map((m) => m.field).filter(Boolean));
  return mapping.map((m) => {
    if (!isManagerColumn(m)) return m;
    const values = filled(sample, m.column);
    if (!values.length) return m;
    const names = values.some((v) => NAME.test(v)) && !values.some(holdsEmail) && !used.has('manager_email') && !used.has('manager_employee_id');
    const field: ImportField | null = values.every(holdsEmail) ? 'manager_email' : values.every((v) => ID.test(v)) ? 'manager_employee_id' : names ? 'manager_name' : null;
    if (!field || used.has(field)) return m;
    used.add(field);
    return { ...m, field };
  });
}

/** An unmapped manager column holding names, with one of them: what the preview names when no manager column is mapped. */
export function managerNameColumn(mapping: readonly ColumnMapping[], sample: Sample): { header: string; example: string } | null {
  for (const m of mapping) {
    if (!isManagerColumn(m)) continue;
    const example = filled(sample, m.column).find((v) => NAME.test(v) && !holdsEmail(v));
    if (example) return { header: m.header, example };
  }
  return null;
}
