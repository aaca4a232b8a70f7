import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` is the secret `expected` (a CSRF token, the metrics token), in a time that depends on neither value
 * nor on their lengths: both are hashed to 32 bytes first, so any input — another length, characters that take more
 * bytes in UTF-8 — is compared in constant time and never makes `timingSafeEqual` throw.
 */
export function sameSecret(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || !given || !expected) return false;
  return timingSafeEqual(sha256(expected), sha256(given));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
