import { InvalidInput } from '../../errors.js';
import type { ChangeCommand } from '../commands.js';
import type { WorkingGraph } from '../working-graph.js';
import { refused } from './refusals.js';

/** What every op handler gets: the working graph, the command, the day it takes effect, and reference lists. */
export interface OpContext {
  wg: WorkingGraph;
  command: ChangeCommand;
  /** `changes[3]` — prefixed to field names in errors. */
  path: string;
  day: string;
  newId: () => string;
  references: ReferenceLists;
  /** Records the command created, reported back to the caller. */
  created: { family: string; id: string }[];
  /**
   * Shared by the batch: record id → the id of the record that continues it from the day an earlier command of the
   * batch changed it (see `changeFromDay` in ops/dated.ts).
   */
  successors: Map<string, string>;
  /** Shared by the batch: the id of each record an earlier command created → that command's index (`changes[i]`). */
  createdBy: ReadonlyMap<string, number>;
}

export interface ReferenceLists {
  activeCurrencies: ReadonlySet<string>;
  departmentTypes: ReadonlySet<string>;
  teamTypes: ReadonlySet<string>;
}

/** The field name as the caller sees it: `changes[3].parent_id`. */
export function fieldOf(ctx: OpContext, field: string): string {
  return `${ctx.path}.${field}`;
}

/** A required string field (blank counts as missing). */
export function requiredString(ctx: OpContext, field: keyof ChangeCommand): string {
  const value = ctx.command[field];
  if (typeof value !== 'string' || !value.trim()) throw requiredField(ctx, field);
  return value.trim();
}

/** An optional id field: blank and null count as absent. */
export function optionalId(ctx: OpContext, field: keyof ChangeCommand): string | null {
  const value = ctx.command[field];
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

export function requiredNumber(ctx: OpContext, field: keyof ChangeCommand): number {
  const value = ctx.command[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw requiredField(ctx, field);
  return value;
}

function requiredField(ctx: OpContext, field: string) {
  return refused(fieldOf(ctx, field), `is required for ${ctx.command.op}`, { reason: 'required', op: ctx.command.op });
}

export function checkFte(ctx: OpContext, value: number, field = 'fte'): number {
  if (value < 0.01 || value > 3 || !hundredths(value)) {
    throw new InvalidInput(fieldOf(ctx, field), 'must be from 0.01 to 3.00, with at most two decimals');
  }
  return value;
}

export function checkAllocation(ctx: OpContext, value: number): number {
  if (value < 0 || value > 300 || !hundredths(value)) {
    throw new InvalidInput(fieldOf(ctx, 'allocation_pct'), 'must be from 0 to 300 (percent), with at most two decimals');
  }
  return value;
}

export function checkCurrency(ctx: OpContext, field: keyof ChangeCommand = 'currency'): string {
  const code = requiredString(ctx, field).toUpperCase();
  if (!ctx.references.activeCurrencies.has(code)) {
    throw new InvalidInput(fieldOf(ctx, field), `${code} is not an active currency of this tenant (see settings)`);
  }
  return code;
}

/** The largest amount of money a change may name, in minor units. */
export const MAX_MINOR_AMOUNT = 1e12;

export function checkMinorAmount(ctx: OpContext, value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_MINOR_AMOUNT) {
    throw new InvalidInput(fieldOf(ctx, field), 'must be a whole number of minor units (cents) from 0 to 1,000,000,000,000');
  }
  return value;
}

/** At most two decimals (tolerating binary floating point: 0.29 * 100 is 28.999999999999996). */
function hundredths(value: number): boolean {
  return Math.abs(Math.round(value * 100) - value * 100) < 1e-6;
}
