import { InvalidInput } from '../errors.js';
import { inEffect } from './dates.js';
import type { GraphIndex } from './graph-index.js';
import type { Placement } from './types.js';

/**
 * Placement checks (reference: placements and allocation — "one clear primary per actor; realistic totals"): who is
 * placed for more than their whole capacity, for less of it, nowhere, or with no primary placement to home them.
 * Total allocation over 100% is allowed — these checks keep it visible rather than refuse it.
 */
export const PLACEMENT_CHECKS = ['over_allocated', 'under_allocated', 'unplaced', 'no_primary'] as const;
export type PlacementCheck = (typeof PLACEMENT_CHECKS)[number];

/** What each check finds, in words for people and assistants. */
export const PLACEMENT_CHECK_MEANING: Record<PlacementCheck, string> = {
  over_allocated: 'placements in effect add up to more than 100% allocation',
  under_allocated: 'placed, but placements in effect add up to less than 100% allocation',
  unplaced: 'no placement in effect (in no org unit)',
  no_primary: 'placed, but no placement in effect is primary (no home unit)',
};

export type PlacementCheckCounts = Record<PlacementCheck, number>;

export const noPlacementChecks = (): PlacementCheckCounts => ({ over_allocated: 0, under_allocated: 0, unplaced: 0, no_primary: 0 });

/** An active actor's placements in effect on a day (none: undefined) — as the metrics keep them. */
interface PlacedOnDay {
  all: readonly Placement[];
  home: Placement | undefined;
  allocationSum: number;
}

/** Allocation totals are compared in hundredths of a percent, so 33.33 + 33.33 + 33.34 is exactly 100. */
const HUNDRED = 10_000;

/** The checks an active actor fails, from their placements in effect (undefined: none). */
export function checksOf(own: PlacedOnDay | undefined): PlacementCheck[] {
  if (!own?.all.length) return ['unplaced'];
  const checks: PlacementCheck[] = [];
  const total = Math.round(own.allocationSum * 100);
  if (total > HUNDRED) checks.push('over_allocated');
  if (total < HUNDRED) checks.push('under_allocated');
  if (!own.home) checks.push('no_primary');
  return checks;
}

/** Adds (`by` 1) or takes away (-1) an active actor's failed checks. */
export function countChecks(counts: PlacementCheckCounts, own: PlacedOnDay | undefined, by: 1 | -1): void {
  for (const check of checksOf(own)) counts[check] += by;
}

/** The checks one active actor fails on `day`, and their total allocation then (from the graph's index). */
export function placementChecksOf(index: GraphIndex, actorId: string, day: string): { checks: PlacementCheck[]; totalAllocationPct: number } {
  const all = (index.placementsByActor.get(actorId) ?? []).filter((p) => inEffect(p, day));
  let allocationSum = 0;
  for (const p of all) allocationSum += p.allocationPct;
  const home = all.find((p) => p.isPrimary);
  return { checks: checksOf({ all, home, allocationSum }), totalAllocationPct: Math.round(allocationSum * 100) / 100 };
}

/** A requested check, or a clear refusal naming the choices. */
export function checkPlacementCheck(value: string | null | undefined, field = 'placement_check'): PlacementCheck | null {
  if (!value) return null;
  if (!(PLACEMENT_CHECKS as readonly string[]).includes(value)) throw new InvalidInput(field, `must be one of ${PLACEMENT_CHECKS.join(', ')}`);
  return value as PlacementCheck;
}
