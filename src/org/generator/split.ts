import { EXECUTIVE_OFFICE, FUNCTIONS, type FunctionSpec } from './functions.js';
import type { Rng } from './random.js';

/** Everyone in a department, its head included. */
export interface DepartmentPlan {
  fn: FunctionSpec;
  size: number;
}

const MIN_DEPARTMENT = 2;
/** The Executive Office is a share of the company, but a 100k company's CEO office is still a few dozen people. */
const EXECUTIVE_SHARE = 0.015;
const EXECUTIVE_CAP = 30;
const EXECUTIVE_MIN_HUMANS = 60;
const WEIGHT_JITTER = 0.1;
/** Functions whose teams may be this large get some very wide teams (span 15+). */
const WIDE_TEAM_CAP = 15;
const WIDE_WEIGHT = 1.45;
const POOL_WEIGHT = 1.8;

/**
 * Splits `total` into integer parts proportional to `weights` (largest remainder), then lifts parts below `min` by
 * taking from the largest part. Callers guarantee `total >= min * weights.length`.
 */
export function apportion(total: number, weights: readonly number[], min: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k][1]]++;
  for (let i = 0; i < parts.length; i++) {
    while (parts[i] < min) {
      const largest = parts.indexOf(Math.max(...parts));
      parts[largest]--;
      parts[i]++;
    }
  }
  return parts;
}

/** The largest prefix of FUNCTIONS (by weight) whose smallest member still gets `MIN_DEPARTMENT` people. */
function chooseFunctions(people: number): FunctionSpec[] {
  let count = 1;
  let weightSum = FUNCTIONS[0].weight;
  while (count < FUNCTIONS.length) {
    const next = FUNCTIONS[count];
    if ((people * next.weight) / (weightSum + next.weight) < MIN_DEPARTMENT + 0.5) break;
    weightSum += next.weight;
    count++;
  }
  return FUNCTIONS.slice(0, count);
}

/** Departments and their sizes for `humans` people; the CEO is not counted in any department. */
export function planDepartments(rng: Rng, humans: number): DepartmentPlan[] {
  const staff = humans - 1;
  const executive =
    humans >= EXECUTIVE_MIN_HUMANS ? Math.min(EXECUTIVE_CAP, Math.max(2, Math.round(humans * EXECUTIVE_SHARE))) : 0;
  const rest = staff - executive;
  const chosen = chooseFunctions(rest);
  const weights = chosen.map((fn) => fn.weight * rng.between(1 - WEIGHT_JITTER, 1 + WEIGHT_JITTER));
  const sizes = apportion(rest, weights, MIN_DEPARTMENT);
  const plans = chosen.map((fn, i) => ({ fn, size: sizes[i] }));
  return executive > 0 ? [{ fn: EXECUTIVE_OFFICE, size: executive }, ...plans] : plans;
}

/**
 * How a manager's `budget` people divide among their direct reports' subtrees (each subtree = a report plus the
 * people below them). Near the bottom the parts are teams of about `teamMean`. Higher up, the span is the smallest
 * that still reaches teams within the fewest layers the function's widest span allows, so the tree is about as
 * shallow as that span permits; uneven weights then make some branches a layer deeper, as in real organisations.
 */
export function splitChildren(rng: Rng, fn: FunctionSpec, budget: number): number[] {
  const teamsNeeded = budget / (fn.teamMean + 1);
  const [spanMin, spanMax] = fn.span;
  if (teamsNeeded <= spanMax) {
    const fitting = Math.max(Math.round(teamsNeeded), Math.ceil(budget / (fn.teamCap + 1)));
    const count = Math.max(2, Math.min(fitting, Math.floor(budget / 2)));
    const weights = Array.from({ length: count }, () => teamWeight(rng, fn));
    // Frontline functions run one big pool per manager (e.g. Tier 1), so wide spans show up even in a small org.
    if (fn.teamCap >= WIDE_TEAM_CAP) weights[0] = POOL_WEIGHT;
    const parts = apportion(budget, weights, 2);
    return capParts(parts, fn.teamCap + 1);
  }
  const layers = Math.ceil(Math.log(teamsNeeded) / Math.log(spanMax));
  const balanced = Math.max(spanMin, Math.ceil(teamsNeeded ** (1 / layers)));
  const count = Math.min(spanMax, balanced + rng.int(0, 1));
  return apportion(budget, Array.from({ length: count }, () => rng.between(0.7, 1.3)), 2);
}

/**
 * Moves people from parts above `cap` to the smallest parts, so an uneven draw never turns a team into a group of
 * two teams (which would add a layer). Callers guarantee the parts fit: sum <= cap * parts.length.
 */
function capParts(parts: number[], cap: number): number[] {
  let excess = 0;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] > cap) {
      excess += parts[i] - cap;
      parts[i] = cap;
    }
  }
  while (excess > 0) {
    const smallest = parts.indexOf(Math.min(...parts));
    parts[smallest]++;
    excess--;
  }
  return parts;
}

/** Mostly even teams; a few tiny ones (narrow spans) and, where teams may be large, a few very wide ones. */
function teamWeight(rng: Rng, fn: FunctionSpec): number {
  const roll = rng.next();
  if (roll < 0.05) return 0.2;
  if (roll < 0.1 && fn.teamCap >= WIDE_TEAM_CAP) return WIDE_WEIGHT;
  return rng.between(0.65, 1.35);
}
