/**
 * The organisation model as the services see it: plain records, one interface per model family.
 *
 * Dates are ISO calendar dates (`YYYY-MM-DD`). `validFrom` is the first day a record is in effect (null = always
 * was); `validTo` is the first day it is no longer in effect (exclusive; null = open-ended). A record is in effect
 * on day `d` when `(validFrom ?? -∞) <= d < (validTo ?? +∞)` — see `inEffect()` in `org/dates.ts`.
 *
 * Money is an integer number of minor units (cents) plus an ISO 4217 currency code.
 */

export const ACTOR_KINDS = ['human', 'robot', 'agent'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const ORG_UNIT_TYPES = ['company', 'department', 'team', 'system'] as const;
export type OrgUnitType = (typeof ORG_UNIT_TYPES)[number];

export const EMPLOYMENT_TYPES = ['perm', 'contractor'] as const;
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];

export const COMPENSATION_KINDS = ['salary', 'day_rate'] as const;
export type CompensationKind = (typeof COMPENSATION_KINDS)[number];

export interface Dated {
  validFrom: string | null;
  validTo: string | null;
}

/** A node of the structural hierarchy. Hierarchy comes only from org units. */
export interface OrgUnit extends Dated {
  id: string;
  parentId: string | null;
  type: OrgUnitType;
  name: string;
  code: string | null;
}

/** Descriptive metadata of a department org unit (1:1, keyed by the org unit id). */
export interface Department {
  orgUnitId: string;
  departmentTypeId: string | null;
  costCenter: string | null;
  leadActorId: string | null;
  description: string | null;
}

/** Descriptive metadata of a team org unit (1:1, keyed by the org unit id). */
export interface Team {
  orgUnitId: string;
  teamTypeId: string | null;
  purpose: string | null;
}

/** A person, robot or AI agent. `fte` is contracted capacity (0.01–3.00); robots and agents may have none. */
export interface Actor extends Dated {
  id: string;
  kind: ActorKind;
  displayName: string;
  email: string | null;
  externalUid: string;
  sourceHris: string | null;
  sourceHrisId: string | null;
  fte: number | null;
  title: string | null;
  level: string | null;
}

/** Solid-line reporting: `actorId` reports to `managerId` while in effect. At most one in effect per actor. */
export interface ReportingLine extends Dated {
  id: string;
  actorId: string;
  managerId: string;
}

/** Membership of an actor in an org unit. Exactly one primary placement per active actor. */
export interface Placement extends Dated {
  id: string;
  actorId: string;
  orgUnitId: string;
  positionId: string | null;
  isPrimary: boolean;
  allocationPct: number;
}

/** A budgeted seat. Filled by an in-effect placement that references it; otherwise vacant. */
export interface Position extends Dated {
  id: string;
  title: string;
  roleType: string | null;
  orgUnitId: string | null;
  plannedFte: number;
  employmentType: EmploymentType;
  targetSalaryMinor: number | null;
  dayRateMinor: number | null;
  currency: string | null;
}

/** Annual base salary (for the contracted FTE) or a day rate, effective-dated. */
export interface Compensation extends Dated {
  id: string;
  actorId: string;
  kind: CompensationKind;
  amountMinor: number;
  currency: string;
}

/** Every model family that lives in Live, snapshots and scenarios, with the record type it holds. */
export interface FamilyRecords {
  orgUnits: OrgUnit;
  departments: Department;
  teams: Team;
  actors: Actor;
  reportingLines: ReportingLine;
  placements: Placement;
  positions: Position;
  compensations: Compensation;
}
export type Family = keyof FamilyRecords;
export const FAMILIES: readonly Family[] = [
  'orgUnits',
  'departments',
  'teams',
  'actors',
  'reportingLines',
  'placements',
  'positions',
  'compensations',
];

/** The whole organisation of one context (Live, a snapshot or a scenario), keyed by record id per family. */
export type OrgGraph = { [F in Family]: Map<string, FamilyRecords[F]> };

/** The tenant's settings that turn compensation into loaded cost in the reporting currency. */
export interface CostSettings {
  reportingCurrency: string;
  /** Employer burden on base salaries, in percent (25 = +25 %). */
  burdenPct: number;
  /** Working days per year for day rates (default 220). */
  workingDaysPerYear: number;
  /** Units of the reporting currency per one unit of the keyed currency. The reporting currency itself is 1. */
  exchangeRates: Record<string, number>;
}

export function emptyGraph(): OrgGraph {
  return {
    orgUnits: new Map(),
    departments: new Map(),
    teams: new Map(),
    actors: new Map(),
    reportingLines: new Map(),
    placements: new Map(),
    positions: new Map(),
    compensations: new Map(),
  };
}

/** The record field that holds a family's key ('id', or 'orgUnitId' for departments and teams). */
export function keyField(family: Family): 'id' | 'orgUnitId' {
  return family === 'departments' || family === 'teams' ? 'orgUnitId' : 'id';
}

/** The id that keys a record in its family map. */
export function recordId<F extends Family>(family: F, record: FamilyRecords[F]): string {
  return (record as unknown as Record<string, string>)[keyField(family)]!;
}

/** A family's records as plain field maps, for code that treats every family alike (deltas, folding, audit). */
export function recordsOf(graph: OrgGraph, family: Family): Map<string, Record<string, unknown>> {
  return graph[family] as unknown as Map<string, Record<string, unknown>>;
}
