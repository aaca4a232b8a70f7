import type { Family } from '../org/types.js';
import type { ScenarioChange } from './overlay.js';

/**
 * How one edit to a record folds into the scenario's existing change for that record. Pure; the scenario engine
 * validates edits before they get here.
 */
export type RecordEdit =
  | { kind: 'create'; family: Family; recordId: string; record: Record<string, unknown> }
  | { kind: 'update'; family: Family; recordId: string; fields: Record<string, unknown> }
  | { kind: 'delete'; family: Family; recordId: string };

/**
 * The scenario's change for the record after `edit`, or null when the record ends up as in the source (nothing to
 * keep). `source` is the record as the scenario's source has it now (undefined when it has none).
 */
export function foldEdit(
  existing: ScenarioChange | undefined,
  source: Record<string, unknown> | undefined,
  edit: RecordEdit,
  revision: number,
): ScenarioChange | null {
  const { family, recordId } = edit;
  if (edit.kind === 'delete') {
    if (existing?.op === 'add' || !source) return null;
    return { family, recordId, op: 'remove', values: null, base: { ...source }, revision };
  }
  if (existing?.op === 'add' || (!source && edit.kind === 'create')) {
    const values = edit.kind === 'create' ? edit.record : { ...existing?.values, ...edit.fields };
    return { family, recordId, op: 'add', values: { ...values }, base: null, revision };
  }
  if (!source) return null;
  const fields = edit.kind === 'create' ? edit.record : edit.fields;
  const previous = existing?.op === 'change' ? existing : undefined;
  const values: Record<string, unknown> = { ...previous?.values };
  const base: Record<string, unknown> = { ...previous?.base };
  for (const [field, value] of Object.entries(fields)) {
    if (!(field in base)) base[field] = source[field] ?? null;
    values[field] = value;
  }
  for (const field of Object.keys(values)) {
    if (sameValue(values[field], source[field])) {
      delete values[field];
      delete base[field];
    }
  }
  if (!Object.keys(values).length) return null;
  return { family, recordId, op: 'change', values, base, revision };
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
