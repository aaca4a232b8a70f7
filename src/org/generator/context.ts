import { addDays } from '../dates.js';
import { emptyGraph, type OrgGraph, type OrgUnit, type OrgUnitType, type Placement } from '../types.js';
import {
  DEPARTMENT_TYPES,
  TEAM_TYPES,
  type DepartmentTypeKey,
  type FunctionSpec,
  type TeamTypeKey,
} from './functions.js';
import { companyDomain, PersonNamer, UsedNames } from './names.js';
import { IdFactory, Rng } from './random.js';

/** How far back the company was founded; hire dates spread over this window before `startDate`. */
export const FOUNDING_DAYS = 3650;

/** ISO dates counted in days before `startDate`, computed once per offset (100k actors share a few thousand dates). */
export class DateBook {
  private readonly cache = new Map<number, string>();

  constructor(readonly startDate: string) {}

  daysBefore(days: number): string {
    const offset = Math.max(0, Math.round(days));
    let date = this.cache.get(offset);
    if (date === undefined) {
      date = addDays(this.startDate, -offset);
      this.cache.set(offset, date);
    }
    return date;
  }

  get founding(): string {
    return this.daysBefore(FOUNDING_DAYS);
  }
}

/** A team and what later passes need to know about it. */
export interface TeamInfo {
  unitId: string;
  fn: FunctionSpec;
}

/** A human placed in a team, remembered for secondary placements and vacancy spreading. */
export interface TeamMember {
  actorId: string;
  hireOffset: number;
  placement: Placement;
  team: TeamInfo;
}

export interface GenContext {
  rng: Rng;
  ids: IdFactory;
  graph: OrgGraph;
  dates: DateBook;
  reportingCurrency: 'EUR' | 'USD';
  people: PersonNamer;
  unitNames: UsedNames;
  companyId: string;
  departmentTypeIds: Record<DepartmentTypeKey, string>;
  teamTypeIds: Record<TeamTypeKey, string>;
  teams: TeamInfo[];
  members: TeamMember[];
  currencies: Set<string>;
  counters: { employee: number; team: number; robot: number; agent: number };
}

export interface ContextOptions {
  seed: string;
  companyName: string;
  reportingCurrency: 'EUR' | 'USD';
  startDate: string;
  idPrefix: string;
}

function typeIds<K extends string>(ids: IdFactory, keys: readonly K[]): Record<K, string> {
  const result = {} as Record<K, string>;
  for (const key of keys) result[key] = ids.next();
  return result;
}

export function createContext(options: ContextOptions): GenContext {
  const rng = new Rng(options.seed);
  const ids = new IdFactory(options.seed, options.idPrefix);
  const departmentTypeIds = typeIds(ids, Object.keys(DEPARTMENT_TYPES) as DepartmentTypeKey[]);
  const teamTypeIds = typeIds(ids, Object.keys(TEAM_TYPES) as TeamTypeKey[]);
  return {
    rng,
    ids,
    graph: emptyGraph(),
    dates: new DateBook(options.startDate),
    reportingCurrency: options.reportingCurrency,
    people: new PersonNamer(rng, companyDomain(options.companyName)),
    unitNames: new UsedNames(),
    companyId: '',
    departmentTypeIds,
    teamTypeIds,
    teams: [],
    members: [],
    currencies: new Set([options.reportingCurrency]),
    counters: { employee: 0, team: 0, robot: 0, agent: 0 },
  };
}

/** Adds an org unit that exists since the company was founded. */
export function addUnit(
  ctx: GenContext,
  unit: { parentId: string | null; type: OrgUnitType; name: string; code: string | null },
): OrgUnit {
  const record: OrgUnit = { id: ctx.ids.next(), ...unit, validFrom: ctx.dates.founding, validTo: null };
  ctx.graph.orgUnits.set(record.id, record);
  return record;
}
