import { asciiSlug } from './names.js';

/** Codes longer than this read as a cut name, not a code. */
const MAX_CODE = 12;

/**
 * The company unit's code as a person would write it: the first word of the name when it is 3–12 letters or digits
 * ("Acme Corporation" → "ACME"), else the initials of two words or more ("International Business Machines" → "IBM"),
 * else the name cut to 12 ("Supercalifragilistic" → "SUPERCALIFRA"). A code is how a list `query` and `search` find
 * a unit, so one that `taken` holds (a department's, the system unit's) is passed over for the next, ending in
 * "…CO" and then "COMPANY".
 */
export function companyCode(companyName: string, taken: ReadonlySet<string>): string {
  const words = companyName
    .split(/[^\p{L}\p{N}]+/u)
    .map((word) => asciiSlug(word).toUpperCase())
    .filter(Boolean);
  const first = words[0] ?? '';
  const initials = words.length > 1 ? words.map((word) => word[0]).join('').slice(0, MAX_CODE) : '';
  const cut = words.join('').slice(0, MAX_CODE);
  const candidates = [
    first.length >= 3 && first.length <= MAX_CODE ? first : '',
    initials.length >= 2 ? initials : '',
    cut,
    cut && `${cut.slice(0, MAX_CODE - 2)}CO`,
  ];
  return candidates.find((code) => code && !taken.has(code)) ?? 'COMPANY';
}
