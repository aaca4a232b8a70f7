import { z } from 'zod';
import { PLACEMENT_CHECK_MEANING, PLACEMENT_CHECKS, type PlacementCheck } from '../org/placement-checks.js';

/**
 * The placement checks (org/placement-checks.ts) as the MCP tools show them: one output schema for the counts
 * `org.metrics.get` and `org.summary` both give, and the names of the pairs a scenario delta's total carries.
 */

/** How many actors in effect fail each placement check, across the whole organisation. */
export const placementChecksOut = z
  .object(Object.fromEntries(PLACEMENT_CHECKS.map((c) => [c, z.number().describe(`Actors whose ${PLACEMENT_CHECK_MEANING[c]}`)])) as Record<PlacementCheck, z.ZodNumber>)
  .describe(
    'Across the whole organisation: how many actors in effect fail each placement check (all 0 is clean; over 100% is allowed, kept visible). Name them with `org.actors.list` and `placement_check`.',
  );

/** The placement-check pairs of a scenario delta's total (and a preview's), named for descriptions. */
export const PLACEMENT_CHECK_PAIRS = PLACEMENT_CHECKS.map((c) => `\`${c}\``).join(', ');
