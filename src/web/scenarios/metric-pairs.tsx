import { can, type Principal } from '../../access/policy.js';
import { PLACEMENT_CHECKS } from '../../org/placement-checks.js';
import { money, signedMoney } from '../live/format.js';
import { PLACEMENT_CHECK_LABEL } from '../live/placement-checks.js';
import { VACANT_SEATS, WITHOUT_PAY } from './values.js';

/** A metric's value before and after, as the delta service gives it (money in minor units of the reporting currency). */
export type Pair = { from: number | null; to: number | null; delta: number | null; unconvertible?: string[]; from_unconvertible?: string[]; to_unconvertible?: string[] };

/** The metrics the scenario pages show, in order: key, label, decimals (money keys end in `_minor`). */
export const METRICS: [string, string, number][] = [
  ['headcount', 'Headcount', 0],
  ['robots', 'Robots', 0],
  ['agents', 'Agents', 0],
  ['fte', 'FTE', 2],
  ['effective_fte', 'Effective FTE', 2],
  ['vacant_positions', 'Vacant positions', 0],
  ['span_average', 'Average span', 2],
  ['span_median', 'Median span', 1],
  ['layers', 'Layers', 0],
  ['annual_cost_minor', 'Annual cost', 0],
  ['monthly_cost_minor', 'Monthly cost', 0],
  // Budgeted, not paid: the vacant seats at their target pay, apart from the cost of the people in seats above.
  ['vacant_seats_annual_cost_minor', VACANT_SEATS, 0],
  // Their cost is unknown, so the cost rows leave them out: a hire without pay moves this, not the cost.
  ['without_compensation', WITHOUT_PAY, 0],
  // Placement checks: how many actors fail each, across the whole organisation (in the total only, never per unit).
  ...PLACEMENT_CHECKS.map((check): [string, string, number] => [check, `${PLACEMENT_CHECK_LABEL[check]} (actors)`, 0]),
];

const PLACEMENT_CHECK_METRICS: ReadonlySet<string> = new Set(PLACEMENT_CHECKS);

/**
 * The metric rows `principal` is shown: the placement checks only with `placements.read`, as Live's placement checks
 * card — they count who is placed where.
 */
export function metricsFor(principal: Principal): [string, string, number][] {
  return can(principal, 'placements.read') ? METRICS : METRICS.filter(([key]) => !PLACEMENT_CHECK_METRICS.has(key));
}

export function isMoneyMetric(key: string): boolean {
  return key.endsWith('_minor');
}

const noRate = (codes: string[]) => `no ${codes.join(', ')} ${codes.length === 1 ? 'rate' : 'rates'}`;

/**
 * One side of a cost delta, as the org pages show a cost with currencies lacking an exchange rate: the convertible
 * part and "excludes CHF", or "unknown" when nothing was convertible.
 */
export function CostSide(props: { amount: number | null; unconvertible: string[] | undefined; currency: string }) {
  const codes = props.unconvertible ?? [];
  if (!codes.length) return <>{money(props.amount, props.currency)}</>;
  if (props.amount === null) return <span title={`No exchange rate for ${codes.join(', ')}`}>unknown ({noRate(codes)})</span>;
  return (
    <>
      {money(props.amount, props.currency)}{' '}
      <span class="badge warn" title={`No exchange rate for ${codes.join(', ')}`}>
        excludes {codes.join(', ')}
      </span>
    </>
  );
}

/** The change of a cost: unknown when a side holds currencies without an exchange rate (never counted as 0). */
export function CostChange(props: { pair: Pair; currency: string }) {
  const codes = props.pair.unconvertible ?? [];
  if (codes.length && props.pair.delta === null) return <span title={`No exchange rate for ${codes.join(', ')}`}>unknown ({noRate(codes)})</span>;
  return <>{signedMoney(props.pair.delta, props.currency)}</>;
}
