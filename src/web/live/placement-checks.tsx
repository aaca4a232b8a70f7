import { can } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { getOrgMetrics } from '../../org/metrics-service.js';
import { PLACEMENT_CHECK_MEANING, PLACEMENT_CHECKS, type PlacementCheck, type PlacementCheckCounts } from '../../org/placement-checks.js';
import { count, num } from './format.js';
import { link, type ViewParams } from './context.js';
import { TableScroll } from '../table-scroll.js';

/**
 * Placement checks on the pages (reference: placements and allocation — "one clear primary per actor; realistic
 * totals"). A total allocation over 100 % is allowed: these keep it visible. The service decides who fails what
 * (org/placement-checks.ts); the pages name each check, say what it finds, and link to who fails it.
 */

/** Each check's short name, as the filter, the card and the actor page say it. */
export const PLACEMENT_CHECK_LABEL: Record<PlacementCheck, string> = {
  over_allocated: 'Over-allocated',
  under_allocated: 'Under-allocated',
  unplaced: 'Unplaced',
  no_primary: 'No primary placement',
};

/** The People list of those who fail `check`, in the same view (scenario, day). */
export function placementCheckLink(params: ViewParams, check: PlacementCheck): string {
  return link('/live/matrix', params, { check });
}

/**
 * The organisation's placement checks: how many actors fail each, in words, each count a link to who they are.
 * All zero reads as one line saying there is nothing to fix.
 */
export function PlacementChecksCard(props: { counts: PlacementCheckCounts; params: ViewParams; asOf: string }) {
  const { counts, params } = props;
  const failing = PLACEMENT_CHECKS.some((check) => counts[check] > 0);
  return (
    <section class="card" aria-labelledby="placement-checks-title">
      <h2 id="placement-checks-title">Placement checks</h2>
      {failing ? (
        <>
          <p class="hint">
            Everyone in the organisation on {props.asOf}, whichever unit they are in. A total allocation over 100 % is allowed; it is shown here so it
            is seen.
          </p>
          <TableScroll label="Placement checks">
            <table class="placement-checks">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col" class="num">
                    Actors
                  </th>
                  <th scope="col">What it finds</th>
                </tr>
              </thead>
              <tbody>
                {PLACEMENT_CHECKS.map((check) => (
                  <tr>
                    <th scope="row">{PLACEMENT_CHECK_LABEL[check]}</th>
                    <td class="num">
                      {counts[check] > 0 ? (
                        <a href={placementCheckLink(params, check)}>
                          {count(counts[check], 'actor', 'actors')}
                          <span class="visually-hidden"> {PLACEMENT_CHECK_LABEL[check].toLowerCase()}</span>
                        </a>
                      ) : (
                        num(0, 0)
                      )}
                    </td>
                    <td>{capitalised(PLACEMENT_CHECK_MEANING[check])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : (
        <p class="notice ok">
          No placement problems on {props.asOf}: everyone is placed, with a primary placement, and their placements add up to 100 %.
        </p>
      )}
    </section>
  );
}

/** What a failed check means for one actor, with their total allocation: "placements add up to 130 %". */
export function placementCheckWords(check: PlacementCheck, totalAllocationPct: number, asOf: string): string {
  switch (check) {
    case 'over_allocated':
      return `placements add up to ${num(totalAllocationPct)} %, more than their whole capacity`;
    case 'under_allocated':
      return `placements add up to ${num(totalAllocationPct)} %, less than their whole capacity`;
    case 'unplaced':
      return `no placement in effect on ${asOf}: they are in no org unit`;
    case 'no_primary':
      return 'none of their placements is primary, so they have no home unit';
  }
}

/**
 * The organisation's placement check counts in a view, for someone who may see who is placed where
 * (`placements.read`) and the organisation's metrics; null for anyone else, who sees no checks.
 */
export async function placementCheckCounts(ctx: ServiceContext, params: ViewParams): Promise<PlacementCheckCounts | null> {
  if (!can(ctx.principal, 'placements.read') || !can(ctx.principal, 'org-metrics.read')) return null;
  return (await getOrgMetrics(ctx, params)).placementChecks;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
