import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string (ids from clients are checked before they reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A random UUID as a flat string. Node's randomUUID() concatenates its pieces, which V8 keeps as a rope of 19 cons
 * strings (~500 bytes instead of ~60) until something flattens it: 500k ids held 245 MB instead of 32 MB, which a
 * large import or change batch keeps until it is written. toLowerCase (a no-op on its text) returns it flat.
 */
export function newId(): string {
  return randomUUID().toLowerCase();
}
