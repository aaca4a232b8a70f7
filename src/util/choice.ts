import { InvalidInput } from '../errors.js';
import { editDistance } from './edit-distance.js';

/**
 * A value outside a fixed choice (`kind: "person"` where human, robot or agent go): refused naming the values
 * allowed, as words and as data (`allowed`), and — when the value is a near spelling of one (`"Human"`, `"day-rate"`,
 * `"contracter"`) — the one probably meant (`did_you_mean`). Every surface shows both: REST as problem members, MCP
 * in the result's fix.
 */
export function notAChoice(field: string, allowed: readonly string[], given: unknown): InvalidInput {
  const meant = typeof given === 'string' ? nearest(given, allowed) : null;
  return new InvalidInput(field, `must be one of ${allowed.join(', ')}`, { allowed: [...allowed], ...(meant ? { did_you_mean: meant } : {}) });
}

/** `value` when it is one of `allowed`; else the refusal of `notAChoice`. */
export function oneOf<T extends string>(field: string, allowed: readonly T[], value: unknown): T {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw notAChoice(field, allowed, value);
}

const MAX_EDITS = 2;

/** The one allowed value within two edits of `given` (case, spaces, hyphens and underscores aside); null if none or several. */
function nearest(given: string, allowed: readonly string[]): string | null {
  const wanted = normalised(given);
  if (!wanted) return null;
  const distances = allowed.map((value) => ({ value, distance: editDistance(wanted, normalised(value), MAX_EDITS) }));
  const fewest = Math.min(...distances.map((d) => d.distance));
  const closest = distances.filter((d) => d.distance === fewest);
  return fewest <= MAX_EDITS && closest.length === 1 ? closest[0]!.value : null;
}

function normalised(value: string): string {
  return value.trim().toLowerCase().replace(/[\s_-]+/g, '_');
}
