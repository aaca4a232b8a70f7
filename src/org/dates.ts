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

/**
 * Whether a dated record is in effect on some day: one ending on (or before) the day it starts — a zero-length
 * fragment older data may hold — never is, and reads with history leave it out as they leave out nothing else.
 */
export function everInEffect(record: Dated): boolean {
  return record.validFrom === null || record.validTo === null || record.validFrom < record.validTo;
}

/** A list's filter: in effect on `day`, or (with `history`) on some day. */
export function listedOn(record: Dated, day: string, history: boolean | undefined): boolean {
  return history ? everInEffect(record) : inEffect(record, day);
}

/** Adds `days` (may be negative) to an ISO date. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
