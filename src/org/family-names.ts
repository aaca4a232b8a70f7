import { FAMILIES, type Family } from './types.js';

/**
 * How model families and their fields are named outside the server (deltas, changes, conflicts, audit entries):
 * singular snake_case entities and snake_case fields. And which record fields hold money.
 */
export const ENTITY_TYPES: Record<Family, string> = {
  orgUnits: 'org_unit',
  departments: 'department',
  teams: 'team',
  actors: 'actor',
  reportingLines: 'reporting_line',
  placements: 'placement',
  positions: 'position',
  compensations: 'compensation',
};

export const FAMILY_OF_ENTITY: ReadonlyMap<string, Family> = new Map(FAMILIES.map((f) => [ENTITY_TYPES[f], f]));

/**
 * The engine names the family of a record a batch created in plural snake case (`org_units`); every answer names it
 * as the activity log's `entity_type` does (`org_unit`). An entity type is kept as it is.
 */
export function entityOfCreated(family: string): string {
  const engine = FAMILIES.find((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) === family);
  return engine ? ENTITY_TYPES[engine] : family;
}

/** Record fields (camelCase) that are money or say which money: left out without `costs.read`. */
export const MONEY_FIELDS: ReadonlySet<string> = new Set(['targetSalaryMinor', 'dayRateMinor', 'currency', 'amountMinor']);

export function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Stored JSON (an audit event's before/after) with every key in the snake_case every surface answers in, at any depth. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [snake(key), snakeKeys(v)]));
}

export function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
