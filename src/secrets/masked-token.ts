import { randomBytes } from 'node:crypto';
import { sameSecret } from './compare.js';

/**
 * A secret written into a page (a form's CSRF token) in a new disguise each time: a random pad, then the token's
 * bytes XOR that pad, together in base64url. Every answer then carries different bytes for the same token, so a page
 * compressed with attacker-chosen text beside it (BREACH) leaks nothing about the token through its compressed size.
 * The server keeps and compares the plain token; `matchesMasked` takes either form.
 */
export function maskToken(token: string): string {
  const plain = Buffer.from(token, 'utf8');
  const pad = randomBytes(plain.length);
  return Buffer.concat([pad, xor(pad, plain)]).toString('base64url');
}

/** Whether `given` is `expected`, masked (as every page writes it) or plain (as a client may have kept it), in constant time. */
export function matchesMasked(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const bytes = Buffer.from(given, 'base64url');
  const size = Buffer.byteLength(expected, 'utf8');
  const unmasked = bytes.length === 2 * size ? xor(bytes.subarray(0, size), bytes.subarray(size)).toString('utf8') : null;
  // Both comparisons always run, so the answer's time does not tell which form was sent.
  const masked = sameSecret(expected, unmasked ?? '');
  const plain = sameSecret(expected, given);
  return masked || plain;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
