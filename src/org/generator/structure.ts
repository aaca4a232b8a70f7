import type { Department, OrgUnit, Team } from '../types.js';
import { drawIcLevel, icTitle, managerLevel, managerTitle } from './catalog.js';
import { addUnit, FOUNDING_DAYS, type GenContext, type TeamInfo } from './context.js';
import { EXECUTIVE_OFFICE, type FunctionSpec, type TeamTypeKey } from './functions.js';
import { NamePool } from './names.js';
import { hireHuman, type HireSpec } from './people.js';
import { planDepartments, splitChildren } from './split.js';

/** Subtrees at least this large get their own (sub-)department unit; smaller ones are groups inside the parent. */
const SUB_DEPARTMENT_MIN = 150;

const PURPOSE: Record<TeamTypeKey, (name: string) => string> = {
  stream: (name) => `Delivers ${name} end to end for its customers.`,
  platform: (name) => `Runs ${name} as an internal service other teams build on.`,
  enabling: (name) => `Helps other teams get better at ${name}.`,
  subsystem: (name) => `Owns the specialist ${name} domain.`,
};

/** A unit that can hold sub-departments, with what naming its children needs. */
interface UnitSlot {
  id: string;
  code: string;
  costCenter: string;
  children: number;
}

type UnitLabels = Pick<UnitSlot, 'code' | 'costCenter'>;

/** A manager and the unit their direct reports are built in. */
interface Node {
  fn: FunctionSpec;
  managerId: string;
  hireOffset: number;
  unit: UnitSlot;
}

interface Pools {
  teams: NamePool;
  areas: NamePool;
}

/**
 * Builds departments, teams and people top-down: the CEO, department heads, (sub-department and group heads for big
 * departments), team leads and individual contributors. Everyone is hired after their manager, so every reporting
 * line is in effect whenever the person is.
 */
export class StructureBuilder {
  private readonly pools = new Map<string, Pools>();

  constructor(private readonly ctx: GenContext) {}

  build(humans: number): void {
    const plans = planDepartments(this.ctx.rng, humans);
    const units = plans.map(({ fn }, i) =>
      this.addDepartmentUnit(fn, this.ctx.companyId, { code: fn.code, costCenter: `CC-${1100 + i * 100}` }, fn.name),
    );
    const executive = plans.findIndex((plan) => plan.fn === EXECUTIVE_OFFICE);
    const ceo = hireHuman(this.ctx, {
      fn: EXECUTIVE_OFFICE,
      unitId: executive >= 0 ? units[executive].id : this.ctx.companyId,
      managerId: null,
      hireOffset: FOUNDING_DAYS,
      level: 'E2',
      title: 'Chief Executive Officer',
      roleType: 'Executive',
      individual: false,
    });
    plans.forEach((plan, i) => this.buildDepartment(plan.fn, plan.size, units[i], ceo.actorId));
  }

  private buildDepartment(fn: FunctionSpec, size: number, unit: UnitSlot, ceoId: string): void {
    const hireOffset = FOUNDING_DAYS * this.ctx.rng.between(0.6, 1);
    const head = this.hireManager({
      fn,
      unitId: unit.id,
      managerId: ceoId,
      hireOffset,
      level: 'E1',
      title: fn.headTitle,
      roleType: 'Executive',
    });
    this.setLead(unit.id, head);
    this.growNode({ fn, managerId: head, hireOffset, unit }, size - 1);
  }

  /** Builds `budget` people below `node.managerId`. */
  private growNode(node: Node, budget: number): void {
    if (budget <= 0) return;
    if (budget <= node.fn.teamCap) {
      this.addTeamMembers(this.addTeamUnit(node), node.managerId, node.hireOffset, budget);
      return;
    }
    for (const size of splitChildren(this.ctx.rng, node.fn, budget)) this.growChild(node, size);
  }

  /** One direct report of `parent` and the `size - 1` people below them. */
  private growChild(parent: Node, size: number): void {
    const { fn } = parent;
    const below = size - 1;
    const hireOffset = parent.hireOffset * this.ctx.rng.between(0.55, 1);
    if (below <= fn.teamCap) {
      const team = this.addTeamUnit(parent);
      const lead = this.hireManager({
        fn,
        unitId: team.unitId,
        managerId: parent.managerId,
        hireOffset,
        level: 'M1',
        ...managerTitle(fn, 'M1'),
      });
      this.addTeamMembers(team, lead, hireOffset, below);
      return;
    }
    const level = managerLevel(below);
    const unit = size >= SUB_DEPARTMENT_MIN ? this.addSubDepartment(parent) : parent.unit;
    const head = this.hireManager({
      fn,
      unitId: unit.id,
      managerId: parent.managerId,
      hireOffset,
      level,
      ...managerTitle(fn, level),
    });
    if (unit !== parent.unit) this.setLead(unit.id, head);
    this.growNode({ fn, managerId: head, hireOffset, unit }, below);
  }

  private hireManager(spec: Omit<HireSpec, 'individual'>): string {
    return hireHuman(this.ctx, { ...spec, individual: false }).actorId;
  }

  /** `count` individual contributors in `team`, reporting to `managerId` and hired after them. */
  private addTeamMembers(team: TeamInfo, managerId: string, managerOffset: number, count: number): void {
    const { rng } = this.ctx;
    const { fn } = team;
    for (let i = 0; i < count; i++) {
      const role = rng.pick(fn.icRoles);
      const level = drawIcLevel(rng, fn.seniority);
      const hireOffset = managerOffset * rng.next() ** 1.3;
      const hire = hireHuman(this.ctx, {
        fn,
        unitId: team.unitId,
        managerId,
        hireOffset,
        level,
        title: icTitle(fn, role, level),
        roleType: role,
        individual: true,
      });
      this.ctx.members.push({ actorId: hire.actorId, hireOffset, placement: hire.placement, team });
    }
  }

  private addDepartmentUnit(fn: FunctionSpec, parentId: string, slot: UnitLabels, name: string): UnitSlot {
    const { code, costCenter } = slot;
    this.ctx.unitNames.claim(name);
    const unit = addUnit(this.ctx, { parentId, type: 'department', name, code });
    const department: Department = {
      orgUnitId: unit.id,
      departmentTypeId: this.ctx.departmentTypeIds[fn.departmentType],
      costCenter,
      leadActorId: null,
      description: name === fn.name ? fn.description : `Part of ${fn.name}.`,
    };
    this.ctx.graph.departments.set(unit.id, department);
    return { id: unit.id, code, costCenter, children: 0 };
  }

  private addSubDepartment(parent: Node): UnitSlot {
    const n = ++parent.unit.children;
    const suffix = String(n).padStart(2, '0');
    const name = this.poolsFor(parent.fn).areas.next();
    const slot = { code: `${parent.unit.code}-${suffix}`, costCenter: `${parent.unit.costCenter}-${suffix}` };
    return this.addDepartmentUnit(parent.fn, parent.unit.id, slot, name);
  }

  private addTeamUnit(parent: Node): TeamInfo {
    const { fn } = parent;
    const name = this.poolsFor(fn).teams.next();
    const code = `${fn.code}-T${String(++this.ctx.counters.team).padStart(5, '0')}`;
    const unit: OrgUnit = addUnit(this.ctx, { parentId: parent.unit.id, type: 'team', name, code });
    const type = teamType(fn, name);
    const team: Team = { orgUnitId: unit.id, teamTypeId: this.ctx.teamTypeIds[type], purpose: PURPOSE[type](name) };
    this.ctx.graph.teams.set(unit.id, team);
    const info: TeamInfo = { unitId: unit.id, fn };
    this.ctx.teams.push(info);
    return info;
  }

  private setLead(unitId: string, actorId: string): void {
    const department = this.ctx.graph.departments.get(unitId);
    if (department) department.leadActorId = actorId;
  }

  private poolsFor(fn: FunctionSpec): Pools {
    let pools = this.pools.get(fn.key);
    if (!pools) {
      const { rng, unitNames } = this.ctx;
      const bases = fn.teams.map(([name]) => name);
      pools = {
        teams: new NamePool(rng, unitNames, bases, fn.qualifiers, fn.qualifiedFirst),
        areas: new NamePool(rng, unitNames, fn.areas, fn.areaQualifiers),
      };
      this.pools.set(fn.key, pools);
    }
    return pools;
  }
}

/** The team type of the vocabulary entry a generated name was built from. */
function teamType(fn: FunctionSpec, name: string): TeamTypeKey {
  let best: readonly [string, TeamTypeKey] | undefined;
  for (const entry of fn.teams) {
    const base = entry[0];
    if ((name === base || name.startsWith(`${base} `)) && (!best || base.length > best[0].length)) best = entry;
  }
  return best ? best[1] : 'stream';
}
