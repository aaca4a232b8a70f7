import type { Dated } from './types.js';

type Keyed = Dated & { id: string };

/**
 * Whether `candidate` wins over `current` when several records of one kind are in effect at once (data that should
 * not happen but can be imported): the one that started last wins, and the smaller id breaks ties so that results
 * never depend on map iteration order.
 */
export function supersedes(candidate: Keyed, current: Keyed | undefined): boolean {
  if (current === undefined) return true;
  const a = candidate.validFrom ?? '';
  const b = current.validFrom ?? '';
  if (a !== b) return a > b;
  return candidate.id < current.id;
}
