import type { Actor, Placement } from '../types.js';
import { drawIcLevel, icTitle, managerTitle, NON_HUMANS, type NonHumanSpec } from './catalog.js';
import type { GenContext, TeamInfo, TeamMember } from './context.js';
import { addCompensation, addPosition } from './people.js';

const SECONDARY_SHARE = 0.05;
const SECONDARY_PCTS = [20, 25, 30, 40, 50];
const SAME_FUNCTION_SECONDARY = 0.7;
const VACANCY_RATE: readonly [number, number] = [0.055, 0.075];
const VACANT_MANAGER_SHARE = 0.1;
const VACANT_CONTRACTOR_SHARE = 0.05;

/** Robots and agents placed in teams of the function they serve; no reporting line, no position. */
export function addNonHumans(ctx: GenContext, count: number): void {
  const byFunction = groupTeams(ctx.teams);
  const fitting = NON_HUMANS.filter((spec) => byFunction.has(spec.functionKey));
  const specs = fitting.length > 0 ? fitting : NON_HUMANS;
  const used = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const spec = ctx.rng.pick(specs);
    const n = (used.get(spec.name) ?? 0) + 1;
    used.set(spec.name, n);
    addNonHuman(ctx, spec, n === 1 ? spec.name : `${spec.name} ${n}`, pickTeam(ctx, byFunction, spec.functionKey));
  }
}

function addNonHuman(ctx: GenContext, spec: NonHumanSpec, displayName: string, team: TeamInfo): void {
  const { rng, dates } = ctx;
  const since = dates.daysBefore(rng.int(0, 900));
  const counter = spec.kind === 'robot' ? ++ctx.counters.robot : ++ctx.counters.agent;
  const actor: Actor = {
    id: ctx.ids.next(),
    kind: spec.kind,
    displayName,
    email: null,
    externalUid: `${spec.kind === 'robot' ? 'RBT' : 'AGT'}-${String(counter).padStart(5, '0')}`,
    sourceHris: null,
    sourceHrisId: null,
    fte: spec.fte,
    title: null,
    level: null,
    validFrom: since,
    validTo: null,
  };
  ctx.graph.actors.set(actor.id, actor);
  const home = { actorId: actor.id, orgUnitId: team.unitId, positionId: null, isPrimary: true, allocationPct: 100 };
  addPlacement(ctx, home, since);
  if (spec.cost) {
    const major = rng.int(spec.cost.min, spec.cost.max);
    const rounded = spec.cost.kind === 'salary' ? Math.round(major / 500) * 500 : major;
    addCompensation(ctx, actor.id, spec.cost.kind, rounded * 100, ctx.reportingCurrency, since, null);
  }
}

type TeamsByFunction = Map<string, TeamInfo[]>;

function groupTeams(teams: readonly TeamInfo[]): TeamsByFunction {
  const byFunction: TeamsByFunction = new Map();
  for (const team of teams) {
    const list = byFunction.get(team.fn.key);
    if (list) list.push(team);
    else byFunction.set(team.fn.key, [team]);
  }
  return byFunction;
}

function pickTeam(ctx: GenContext, byFunction: TeamsByFunction, functionKey: string): TeamInfo {
  return ctx.rng.pick(byFunction.get(functionKey) ?? ctx.teams);
}

type PlacementFields = Omit<Placement, 'id' | 'validFrom' | 'validTo'>;

function addPlacement(ctx: GenContext, fields: PlacementFields, validFrom: string): void {
  const placement: Placement = { id: ctx.ids.next(), ...fields, validFrom, validTo: null };
  ctx.graph.placements.set(placement.id, placement);
}

/**
 * About 5 % of people also work 20–50 % in another team (mostly of their own function); their primary allocation
 * drops by the same amount so the total stays 100 %.
 */
export function addSecondaryPlacements(ctx: GenContext, humans: number): void {
  const { rng, members } = ctx;
  const probability = Math.min(1, (SECONDARY_SHARE * humans) / Math.max(1, members.length));
  const byFunction = groupTeams(ctx.teams);
  for (const member of members) {
    if (!rng.chance(probability)) continue;
    const other = otherTeam(ctx, byFunction, member);
    if (!other) continue;
    const pct = rng.pick(SECONDARY_PCTS);
    member.placement.allocationPct = 100 - pct;
    const since = ctx.dates.daysBefore(Math.min(member.hireOffset, rng.int(0, 540)));
    const secondary = { actorId: member.actorId, orgUnitId: other.unitId, positionId: null, isPrimary: false };
    addPlacement(ctx, { ...secondary, allocationPct: pct }, since);
  }
}

function otherTeam(ctx: GenContext, byFunction: TeamsByFunction, member: TeamMember): TeamInfo | null {
  const { rng, teams } = ctx;
  for (let attempt = 0; attempt < 8; attempt++) {
    const sameFunction = rng.chance(SAME_FUNCTION_SECONDARY);
    const candidate = sameFunction ? pickTeam(ctx, byFunction, member.team.fn.key) : rng.pick(teams);
    if (candidate.unitId !== member.team.unitId) return candidate;
  }
  return null;
}

/** Open seats (no placement) at a 5.5–7.5 % vacancy rate, in teams picked in proportion to their size. */
export function addVacancies(ctx: GenContext, filled: number): void {
  const { rng, dates, members } = ctx;
  if (members.length === 0) return;
  const rate = rng.between(VACANCY_RATE[0], VACANCY_RATE[1]);
  const count = Math.max(1, Math.round((filled * rate) / (1 - rate)));
  for (let i = 0; i < count; i++) {
    const { fn, unitId } = rng.pick(members).team;
    const manager = rng.chance(VACANT_MANAGER_SHARE);
    const role = rng.pick(fn.icRoles);
    const level = manager ? 'M1' : drawIcLevel(rng, fn.seniority);
    const { title, roleType } = manager ? managerTitle(fn, 'M1') : { title: icTitle(fn, role, level), roleType: role };
    const contractor = !manager && rng.chance(VACANT_CONTRACTOR_SHARE);
    addPosition(ctx, {
      fn,
      level,
      title,
      roleType,
      unitId,
      fte: 1,
      employmentType: contractor ? 'contractor' : 'perm',
      currency: ctx.reportingCurrency,
      validFrom: dates.daysBefore(rng.int(0, 180)),
    });
  }
}
