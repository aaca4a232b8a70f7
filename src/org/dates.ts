import type { Dated } from './types.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in UTC as `YYYY-MM-DD`. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
/** What a refused day is told: 2026-02-30 is written right but is no day. */
export const ISO_DATE_RULE = 'must be a real date written YYYY-MM-DD';

export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Whether a dated record is in effect on `day` (validFrom inclusive, validTo exclusive). */
export function inEffect(record: Dated, day: string): boolean {
  return (record.validFrom === null || record.validFrom <= day) && (record.validTo === null || day < record.validTo);
}

/** Adds `days` (may be negative) to an ISO date. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
