/**
 * A deterministic, realistic organisation generator (pure: no database, no clock, no Math.random). Used by the demo
 * seed (SPEC §9), `orgonaut seed --actors N` and the benchmarks. See domain research §4 "Recommended generator".
 */
import { isIsoDate } from '../dates.js';
import type { OrgGraph } from '../types.js';
import { addUnit, createContext, type GenContext } from './context.js';
import { addNonHumans, addSecondaryPlacements, addVacancies } from './extras.js';
import { companyCode } from './company-code.js';
import { DEPARTMENT_TYPES, EXECUTIVE_OFFICE, FUNCTIONS, TEAM_TYPES } from './functions.js';
import { StructureBuilder } from './structure.js';

export interface GeneratedOrg {
  graph: OrgGraph;
  departmentTypes: { id: string; name: string }[];
  teamTypes: { id: string; name: string }[];
  /** Currencies used by compensation and positions, the reporting currency first. */
  currencies: string[];
}

export interface GenerateOrgOptions {
  /** Total actors (humans + robots + agents), 10 to 100,000. */
  actors: number;
  seed: string;
  companyName: string;
  reportingCurrency: 'EUR' | 'USD';
  /** The day the generated organisation is "now"; records start on or before it. Default 2024-01-01. */
  startDate?: string;
  /**
   * Salts the ids, so the same seed generates disjoint ids for two tenants. Ids stay UUID-shaped; a salt of 1–8 hex
   * digits is also written at the start of every id. It does not change the organisation itself.
   */
  idPrefix?: string;
}

export const MIN_ACTORS = 10;
export const MAX_ACTORS = 100_000;
const DEFAULT_START_DATE = '2024-01-01';

function validate(options: GenerateOrgOptions): void {
  const { actors, reportingCurrency, startDate } = options;
  if (!Number.isInteger(actors) || actors < MIN_ACTORS || actors > MAX_ACTORS) {
    throw new RangeError(`actors must be an integer from ${MIN_ACTORS} to ${MAX_ACTORS}, got ${actors}`);
  }
  if (reportingCurrency !== 'EUR' && reportingCurrency !== 'USD') {
    throw new RangeError(`reportingCurrency must be EUR or USD, got ${String(reportingCurrency)}`);
  }
  if (startDate !== undefined && !isIsoDate(startDate)) {
    throw new RangeError(`startDate must be an ISO date (YYYY-MM-DD), got ${startDate}`);
  }
}

/** Robots and agents: about 1–2 % of a company, at least one from 20 actors. */
function nonHumanCount(ctx: GenContext, actors: number): number {
  if (actors < 20) return 0;
  if (actors < 50) return 1;
  return Math.max(1, Math.round(actors * ctx.rng.between(0.01, 0.02)));
}

const UNASSIGNED_CODE = 'UNASSIGNED';

/** The codes of the units generated with the company's own form (teams' and sub-units' have a hyphen, a company's never). */
const OTHER_UNIT_CODES: ReadonlySet<string> = new Set([UNASSIGNED_CODE, ...[...FUNCTIONS, EXECUTIVE_OFFICE].map((fn) => fn.code)]);

function addTopUnits(ctx: GenContext, companyName: string): void {
  const company = addUnit(ctx, { parentId: null, type: 'company', name: companyName, code: companyCode(companyName, OTHER_UNIT_CODES) });
  ctx.companyId = company.id;
  ctx.unitNames.claim(companyName);
  ctx.unitNames.claim('Unassigned');
  addUnit(ctx, { parentId: company.id, type: 'system', name: 'Unassigned', code: UNASSIGNED_CODE });
}

/** Generates a whole organisation; the same options always give the same output, byte for byte. */
export function generateOrg(options: GenerateOrgOptions): GeneratedOrg {
  validate(options);
  const ctx = createContext({
    seed: options.seed,
    companyName: options.companyName,
    reportingCurrency: options.reportingCurrency,
    startDate: options.startDate ?? DEFAULT_START_DATE,
    idPrefix: options.idPrefix ?? '',
  });
  addTopUnits(ctx, options.companyName);
  const robotsAndAgents = nonHumanCount(ctx, options.actors);
  const humans = options.actors - robotsAndAgents;
  new StructureBuilder(ctx).build(humans);
  addNonHumans(ctx, robotsAndAgents);
  addSecondaryPlacements(ctx, humans);
  addVacancies(ctx, humans);
  return {
    graph: ctx.graph,
    departmentTypes: typeList(DEPARTMENT_TYPES, ctx.departmentTypeIds),
    teamTypes: typeList(TEAM_TYPES, ctx.teamTypeIds),
    currencies: currencyList(options.reportingCurrency, ctx.currencies),
  };
}

function currencyList(reporting: string, used: Set<string>): string[] {
  return [reporting, ...[...used].filter((code) => code !== reporting).sort()];
}

function typeList<K extends string>(names: Record<K, string>, ids: Record<K, string>): { id: string; name: string }[] {
  return (Object.keys(names) as K[]).map((key) => ({ id: ids[key], name: names[key] }));
}
