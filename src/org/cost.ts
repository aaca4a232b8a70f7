import { CURRENCIES } from '../db/reference-data.js';
import { inEffect } from './dates.js';
import { indexGraph } from './graph-index.js';
import { supersedes } from './precedence.js';
import type { Compensation, CostSettings, OrgGraph, Position } from './types.js';

/**
 * An amount in the reporting currency. `amountMinor` is the rounded sum of the parts that could be converted;
 * `unconvertible` lists (sorted, distinct) the currencies of parts that had no exchange rate. `amountMinor` is null
 * only when something was unconvertible and nothing was convertible (or when a per-unit division has no divisor).
 */
export type MoneyFigure = { amountMinor: number | null; currency: string; unconvertible: string[] };

/** An actor's loaded annual cost in the reporting currency (unrounded), or why there is none. */
export type ActorCost =
  | { kind: 'none' }
  | { kind: 'converted'; amount: number }
  | { kind: 'unconvertible'; currency: string };

/** A running sum of cost shares; `parts` counts the convertible shares added. */
export interface MoneySum {
  amount: number;
  parts: number;
  unconvertible: Set<string>;
}

const ISO_MINOR_UNITS = new Map(CURRENCIES.map(([code, , minorUnits]) => [code, minorUnits]));
const minorUnitsCache = new Map<string, number>();

/** ISO 4217 minor units of a currency: amounts are stored in minor units, but rates are quoted per major unit. */
export function minorUnits(currency: string): number {
  const known = ISO_MINOR_UNITS.get(currency) ?? minorUnitsCache.get(currency);
  if (known !== undefined) return known;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not a well-formed currency code: keep the common default; the missing rate will flag it anyway.
  }
  minorUnitsCache.set(currency, digits);
  return digits;
}

/** Minor units as an amount of the currency's major unit: 1234 is €12.34 but ¥1,234 (the yen has no minor unit). */
export function toMajor(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** minorUnits(currency);
}

/** Minor units written as the currency's major unit with its code, for prose: 28750000 EUR → "287,500.00 EUR". */
export function formatMinor(amountMinor: number, currency: string): string {
  return `${toMajor(amountMinor, currency).toLocaleString('en-US', { minimumFractionDigits: minorUnits(currency) })} ${currency}`;
}

/** An amount typed in the currency's major unit as whole minor units (€12.34 → 1234, ¥1,234 → 1234). */
export function toMinor(amount: number, currency: string): number {
  return Math.round(amount * 10 ** minorUnits(currency));
}

/** Converts minor units of `currency` into (unrounded) minor units of the reporting currency; null without a rate. */
export function convertMinor(amountMinor: number, currency: string, cost: CostSettings): number | null {
  const target = cost.reportingCurrency;
  if (currency === target) return amountMinor;
  const rate = cost.exchangeRates[currency];
  if (rate === undefined || !Number.isFinite(rate) || rate <= 0) return null;
  return amountMinor * rate * 10 ** (minorUnits(target) - minorUnits(currency));
}

/** Loaded annual cost of one compensation record (or a position's target pay): salary plus burden, or day rate times working days. */
export function loadedAnnualCost(comp: Pick<Compensation, 'kind' | 'amountMinor' | 'currency'> | undefined, cost: CostSettings): ActorCost {
  if (comp === undefined) return { kind: 'none' };
  const annual =
    comp.kind === 'salary' ? comp.amountMinor * (1 + cost.burdenPct / 100) : comp.amountMinor * cost.workingDaysPerYear;
  const amount = convertMinor(annual, comp.currency, cost);
  return amount === null ? { kind: 'unconvertible', currency: comp.currency } : { kind: 'converted', amount };
}

/** The compensation of every actor in effect on `asOf` (the latest-starting one when several overlap). */
export function compensationsByActor(graph: OrgGraph, asOf: string): Map<string, Compensation> {
  const byActor = new Map<string, Compensation>();
  for (const comp of graph.compensations.values()) {
    if (inEffect(comp, asOf) && supersedes(comp, byActor.get(comp.actorId))) byActor.set(comp.actorId, comp);
  }
  return byActor;
}

/**
 * The compensation of one actor in effect on `asOf`, if any. Reads the actor's own records from the graph's index:
 * a list or export asks this for every row, and scanning every compensation of the organisation per row made a
 * page of 10,000 people quadratic.
 */
export function compensationInEffect(graph: OrgGraph, actorId: string, asOf: string): Compensation | undefined {
  let best: Compensation | undefined;
  for (const comp of indexGraph(graph).compensationsByActor.get(actorId) ?? []) {
    if (inEffect(comp, asOf) && supersedes(comp, best)) best = comp;
  }
  return best;
}

/**
 * What a position's seat costs as the cost figures count an actor: its target salary plus the burden, or its day rate
 * times the working days, in the reporting currency; null for a position budgeted without pay.
 */
export function positionAnnualCost(position: Position, cost: CostSettings): MoneyFigure | null {
  const loaded = positionLoadedCost(position, cost);
  if (loaded.kind === 'none') return null;
  const sum = emptyMoneySum();
  addCostShare(sum, loaded, 1);
  return moneyFigure(sum, cost.reportingCurrency);
}

/** `positionAnnualCost` unrounded, as a share to add to a sum (kind 'none' for a position budgeted without pay). */
export function positionLoadedCost(position: Pick<Position, 'currency' | 'targetSalaryMinor' | 'dayRateMinor'>, cost: CostSettings): ActorCost {
  if (!position.currency) return NO_COST;
  if (position.targetSalaryMinor !== null) return loadedAnnualCost({ kind: 'salary', amountMinor: position.targetSalaryMinor, currency: position.currency }, cost);
  if (position.dayRateMinor !== null) return loadedAnnualCost({ kind: 'day_rate', amountMinor: position.dayRateMinor, currency: position.currency }, cost);
  return NO_COST;
}

const NO_COST: ActorCost = { kind: 'none' };

/** Loaded annual cost of an actor in the reporting currency (amount 0 when the actor has no compensation). */
export function actorAnnualCost(graph: OrgGraph, actorId: string, asOf: string, cost: CostSettings): MoneyFigure {
  const sum = emptyMoneySum();
  addCostShare(sum, loadedAnnualCost(compensationInEffect(graph, actorId, asOf), cost), 1);
  return moneyFigure(sum, cost.reportingCurrency);
}

export function emptyMoneySum(): MoneySum {
  return { amount: 0, parts: 0, unconvertible: new Set() };
}

export function addCostShare(sum: MoneySum, cost: ActorCost, share: number): void {
  if (cost.kind === 'converted') {
    sum.amount += cost.amount * share;
    sum.parts += 1;
  } else if (cost.kind === 'unconvertible') {
    sum.unconvertible.add(cost.currency);
  }
}

export function mergeMoneySum(into: MoneySum, from: MoneySum): void {
  into.amount += from.amount;
  into.parts += from.parts;
  for (const code of from.unconvertible) into.unconvertible.add(code);
}

/** The figure for `sum / divisor`, rounded to whole minor units; a zero divisor gives a null amount. */
export function moneyFigure(sum: MoneySum, currency: string, divisor = 1): MoneyFigure {
  const unconvertible = [...sum.unconvertible].sort();
  const nothingConvertible = sum.parts === 0 && unconvertible.length > 0;
  const amountMinor = nothingConvertible || divisor === 0 ? null : Math.round(sum.amount / divisor);
  return { amountMinor, currency, unconvertible };
}
