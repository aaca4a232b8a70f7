import type { ActorKind, CompensationKind } from '../types.js';
import type { FunctionSpec, Seniority } from './functions.js';
import type { Rng } from './random.js';

export const IC_LEVELS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'] as const;
export const MANAGER_LEVELS = ['M1', 'M2', 'M3', 'M4'] as const;
export type Level = (typeof IC_LEVELS)[number] | (typeof MANAGER_LEVELS)[number] | 'E1' | 'E2';

/** Illustrative annual base mids in USD, ~20–25 % apart (domain research §4.6); not market data. */
const BAND_MID_USD: Record<Level, number> = {
  P1: 60_000, P2: 75_000, P3: 95_000, P4: 120_000, P5: 150_000, P6: 185_000,
  M1: 130_000, M2: 160_000, M3: 200_000, M4: 250_000, E1: 320_000, E2: 450_000,
};

/** Local-currency units per USD for the illustrative bands (not exchange rates the tenant uses). */
const CURRENCY_FACTOR: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79 };

const IC_MIX: Record<Seniority, readonly (readonly [Level, number])[]> = {
  knowledge: [['P1', 10], ['P2', 28], ['P3', 32], ['P4', 18], ['P5', 9], ['P6', 3]],
  frontline: [['P1', 25], ['P2', 40], ['P3', 24], ['P4', 8], ['P5', 3]],
};

const IC_PREFIX: Record<string, string> = {
  P1: 'Junior ', P2: '', P3: 'Senior ', P4: 'Lead ', P5: 'Principal ', P6: 'Distinguished ',
};
/** Engineering ladders say "Staff" where others say "Lead". */
const ENGINEERING_P4 = 'Staff ';

export function drawIcLevel(rng: Rng, seniority: Seniority): Level {
  return rng.weighted(IC_MIX[seniority]);
}

export function icTitle(fn: FunctionSpec, role: string, level: Level): string {
  const prefix = level === 'P4' && fn.key === 'engineering' ? ENGINEERING_P4 : IC_PREFIX[level];
  return `${prefix}${role}`;
}

/** The level of a manager of managers from the number of people below them (team leads are M1). */
export function managerLevel(peopleBelow: number): Level {
  if (peopleBelow >= 2000) return 'E1';
  if (peopleBelow >= 600) return 'M4';
  if (peopleBelow >= 120) return 'M3';
  return 'M2';
}

export interface RoleTitle {
  title: string;
  roleType: string;
}

export function managerTitle(fn: FunctionSpec, level: Level): RoleTitle {
  switch (level) {
    case 'M1':
      return { title: fn.managerRole, roleType: fn.managerRole };
    case 'M2':
      return { title: `Senior ${fn.managerRole}`, roleType: fn.managerRole };
    case 'M3':
      return { title: `Director of ${fn.label}`, roleType: 'Director' };
    case 'M4':
      return { title: `Senior Director of ${fn.label}`, roleType: 'Director' };
    default:
      return { title: `VP of ${fn.label}`, roleType: 'Executive' };
  }
}

/** A full-time annual salary in minor units: the band mid for the function and currency, ±15 %, rounded to 100. */
export function drawSalaryMinor(rng: Rng, fn: FunctionSpec, level: Level, currency: string): number {
  const mid = bandMidMinor(fn, level, currency);
  return Math.round((mid * rng.between(0.85, 1.15)) / 10_000) * 10_000;
}

export function bandMidMinor(fn: FunctionSpec, level: Level, currency: string): number {
  const major = BAND_MID_USD[level] * fn.payFactor * (CURRENCY_FACTOR[currency] ?? 1);
  return Math.round(major / 100) * 10_000;
}

/** Contractors cost roughly 1.4× an employee's base spread over 220 days. */
export function drawDayRateMinor(rng: Rng, fn: FunctionSpec, level: Level, currency: string): number {
  const daily = (bandMidMinor(fn, level, currency) * 1.4) / 220;
  return Math.round((daily * rng.between(0.85, 1.15)) / 500) * 500;
}

/** Currencies a minority of people are paid in, by reporting currency. */
export const OTHER_CURRENCIES: Record<'EUR' | 'USD', readonly string[]> = {
  EUR: ['GBP', 'GBP', 'USD'],
  USD: ['GBP', 'EUR', 'EUR'],
};

export interface NonHumanSpec {
  name: string;
  kind: Exclude<ActorKind, 'human'>;
  functionKey: string;
  fte: number | null;
  cost: { kind: CompensationKind; min: number; max: number } | null;
}

const salary = (min: number, max: number) => ({ kind: 'salary' as const, min, max });
const daily = (min: number, max: number) => ({ kind: 'day_rate' as const, min, max });

/** Robots and AI agents; amounts in major units of the reporting currency (annual running cost or per day). */
export const NON_HUMANS: readonly NonHumanSpec[] = [
  { name: 'Warehouse Picking Robot', kind: 'robot', functionKey: 'operations', fte: 2, cost: salary(35_000, 60_000) },
  { name: 'Autonomous Forklift', kind: 'robot', functionKey: 'operations', fte: 2, cost: salary(28_000, 45_000) },
  { name: 'Parcel Sorting Robot', kind: 'robot', functionKey: 'operations', fte: 3, cost: salary(40_000, 70_000) },
  { name: 'Inventory Scanning Drone', kind: 'robot', functionKey: 'operations', fte: null, cost: salary(8e3, 15e3) },
  { name: 'Support Triage Agent', kind: 'agent', functionKey: 'support', fte: null, cost: daily(40, 120) },
  { name: 'Refund Resolution Agent', kind: 'agent', functionKey: 'support', fte: 1, cost: daily(30, 90) },
  { name: 'Invoice Matching Bot', kind: 'agent', functionKey: 'finance', fte: null, cost: daily(15, 40) },
  { name: 'Expense Audit Agent', kind: 'agent', functionKey: 'finance', fte: null, cost: null },
  { name: 'Code Review Agent', kind: 'agent', functionKey: 'engineering', fte: null, cost: daily(60, 150) },
  { name: 'Incident Response Agent', kind: 'agent', functionKey: 'engineering', fte: null, cost: daily(50, 120) },
  { name: 'Test Generation Agent', kind: 'agent', functionKey: 'engineering', fte: 0.5, cost: null },
  { name: 'Lead Qualification Agent', kind: 'agent', functionKey: 'sales', fte: null, cost: daily(30, 80) },
  { name: 'Campaign Copy Agent', kind: 'agent', functionKey: 'marketing', fte: null, cost: daily(20, 60) },
  { name: 'Candidate Screening Agent', kind: 'agent', functionKey: 'people', fte: null, cost: daily(20, 50) },
  { name: 'Contract Review Agent', kind: 'agent', functionKey: 'legal', fte: null, cost: daily(50, 140) },
  { name: 'Release Notes Agent', kind: 'agent', functionKey: 'product', fte: null, cost: null },
];
