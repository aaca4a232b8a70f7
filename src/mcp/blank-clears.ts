import type { z } from 'zod';

/**
 * Fields where a blank value (`""`, or `null`) is an answer, not "no value": in update_team an empty purpose or team
 * type clears it. The boundary drops blank optional fields everywhere else (assistants send them for "not used"); it
 * keeps these, as `""`, which the change ops read as "clear".
 */
const clearing = new WeakSet<z.ZodType>();

export function clearsWhenBlank<T extends z.ZodType>(schema: T): T {
  clearing.add(schema);
  return schema;
}

export function blankClears(schema: z.ZodType | undefined): boolean {
  return schema !== undefined && clearing.has(schema);
}
