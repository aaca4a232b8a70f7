import type { OrgUnit } from '../../org/types.js';
import { unitKey, type NamedUnit, type RowInput } from '../parse-row.js';
import { quarantine, type Quarantine } from '../reasons.js';
import { quoted } from '../../util/words.js';
import type { Changeset } from './changeset.js';
import type { OrgIndex } from './org-index.js';
import { addProblem, type ResolvedRow, type RowIdentity } from './resolve.js';

/**
 * Departments and teams named by rows: found by name (departments anywhere, teams inside their department), created
 * under the company (or their parent department) when missing. A type or cost center is taken from the first row
 * that gives one for a unit; existing departments are never moved (restructuring is scenario work).
 *
 * A team named without its department is the one team of that name — existing, or named with a department by rows of
 * the run —, else created under the company. When several teams have the name, the row is `ambiguous_team` unless its
 * actor is already placed in one of them (they stay there): a re-import never creates another team of the name.
 *
 * One parent never gets two units of one name: a new team named like its own department, or like a department beside
 * it, is that department (`departmentNamedLike`); a department the run would create beside an existing team of its
 * name is quarantined (`departmentNamedLikeTeam`).
 */
export interface TypeRegistry {
  /** Lowercased name → id, for the tenant's department and team types. */
  departmentTypes: Map<string, string>;
  teamTypes: Map<string, string>;
  createMissing: boolean;
  /** Types the import creates (written in its transaction). */
  created: { departmentTypes: { id: string; name: string }[]; teamTypes: { id: string; name: string }[] };
}

type Department = NonNullable<RowInput['department']>;

/**
 * The units the run's rows name: which departments each team is named in (team key → department key → the department
 * as named), and each department with the parent the first row naming it gives (the one it is created under). Noted
 * from every row that parsed, before resolution, so a team can tell it is named like a department a later row makes.
 */
export class FileUnits {
  private readonly byTeam = new Map<string, Map<string, Department>>();
  private readonly departments = new Map<string, Department>();

  /** Notes a parsed row (before resolution: every row that parsed). */
  add(row: RowInput): void {
    if (row.department && !this.departments.has(row.department.key)) this.departments.set(row.department.key, row.department);
    if (!row.team || !row.department) return;
    let departments = this.byTeam.get(row.team.key);
    if (!departments) this.byTeam.set(row.team.key, (departments = new Map()));
    if (!departments.has(row.department.key)) departments.set(row.department.key, row.department);
  }

  /** The departments rows name the team in. */
  of(teamKey: string): ReadonlyMap<string, Department> {
    return this.byTeam.get(teamKey) ?? new Map();
  }

  /** A department the rows name, as the first of them names it (with its parent). */
  department(key: string): Department | undefined {
    return this.departments.get(key);
  }
}

/**
 * The teams a team name without a department may mean: the existing teams of that name, and the ones rows of the run
 * name in a department that does not have it yet (named by department).
 */
function teamCandidates(key: string, index: OrgIndex, named: FileUnits): { existing: OrgUnit[]; planned: Department[] } {
  const existing = index.teamsByKey.get(key) ?? [];
  const planned: Department[] = [];
  for (const [departmentKey, department] of named.of(key)) {
    const departmentId = index.departmentByKey.get(departmentKey)?.id;
    if (!departmentId || !index.teamByParentKey.has(`${departmentId}|${key}`)) planned.push(department);
  }
  return { existing, planned };
}

/**
 * Quarantines rows that name a team without its department when several teams have that name (`ambiguous_team`),
 * unless the row's actor is already placed in one of them. Runs before managers are resolved, so rows naming a
 * quarantined person as their manager are quarantined too. Rows already quarantined (held) get it as a further problem.
 */
export function rejectAmbiguousTeams(rows: ResolvedRow<RowIdentity>[], index: OrgIndex, named: FileUnits, rejected: Map<number, Quarantine>): ResolvedRow<RowIdentity>[] {
  return rows.filter((r) => {
    const key = r.input.looseTeam;
    if (!key) return true;
    const { existing, planned } = teamCandidates(key, index, named);
    if (existing.length + planned.length < 2) return true;
    const placedIn = r.isNew ? undefined : index.primaryOf.get(r.actorId)?.orgUnitId;
    if (placedIn && existing.some((unit) => unit.id === placedIn)) return true;
    const where = [...existing.map((unit) => (unit.parentId ? index.graph.orgUnits.get(unit.parentId)?.name : undefined) ?? 'the company'), ...planned.map((d) => d.name)];
    const listed = where.length > 4 ? `${where.slice(0, 4).join(', ')}…` : where.join(', ');
    addProblem(rejected, r.input.rowNumber, quarantine('ambiguous_team', 'team', `${where.length} teams have this name (in ${listed}) and the row names no department`));
    return false;
  });
}

/**
 * A department the row would create under a parent (its parent department, else the company) that already has a team
 * of that name: the import neither makes a second unit of the name there nor turns the team into a department.
 * Checked as the row's cells are (before resolution), so its reports wait for it like any quarantined manager's.
 */
export function departmentNamedLikeTeam(row: RowInput, index: OrgIndex): Quarantine | undefined {
  const department = row.department;
  if (!department || index.departmentByKey.has(department.key)) return undefined;
  const parent = department.parent ? index.departmentByKey.get(department.parent.key) : index.root;
  const team = parent && index.teamByParentKey.get(`${parent.id}|${department.key}`);
  if (!parent || !team) return undefined;
  return quarantine('department_named_like_team', 'department', `${quoted(parent.name)} has a team named ${quoted(team.name)}; the row names a department of that name, which the import would create beside it`);
}

export class StructureBuilder {
  private rootId: string | null;
  private readonly departments = new Map<string, string>();
  private readonly teams = new Map<string, string>();
  private readonly decided = new Set<string>();

  constructor(
    private readonly cs: Changeset,
    private readonly index: OrgIndex,
    private readonly types: TypeRegistry,
    private readonly companyName: string,
    private readonly newId: () => string,
    private readonly named: FileUnits = new FileUnits(),
  ) {
    this.rootId = index.root?.id ?? null;
    for (const [key, unit] of index.departmentByKey) this.departments.set(key, unit.id);
    for (const [key, unit] of index.teamByParentKey) this.teams.set(key, unit.id);
  }

  /**
   * The department and the org unit a row's primary placement goes to (undefined: the row names none); `placedIn` is
   * the unit the actor is placed in now (a team named without its department keeps them in theirs).
   */
  unitFor(row: RowInput, placedIn?: string): { departmentId?: string; unitId?: string } {
    const departmentId = row.department ? this.department(row.department, row.department.parent) : undefined;
    return { departmentId, unitId: row.team ? this.team(row.team, departmentId, placedIn) : departmentId };
  }

  /** A department's type and cost center, from the first row that gives them. */
  describe(row: RowInput, departmentId: string | undefined): void {
    if (row.department && departmentId) this.describeDepartment(departmentId, row.department);
  }

  private root(): string {
    if (!this.rootId) {
      this.rootId = this.newId();
      this.cs.create('orgUnits', unit(this.rootId, null, 'company', this.companyName));
    }
    return this.rootId;
  }

  private department(named: NamedUnit, parent: NamedUnit | null): string {
    const found = this.departments.get(named.key);
    if (found) {
      this.touch(found, 'departments');
      return found;
    }
    const parentId = parent ? this.department(parent, null) : this.root();
    const id = this.newId();
    this.cs.create('orgUnits', unit(id, parentId, 'department', named.name));
    this.cs.create('departments', { orgUnitId: id, departmentTypeId: null, costCenter: null, leadActorId: null, description: null });
    this.departments.set(named.key, id);
    return id;
  }

  private describeDepartment(id: string, d: NonNullable<RowInput['department']>): void {
    if (!d.typeName && !d.costCenter) {
      if (this.cs.get('departments', id)) this.cs.update('departments', id, {});
      return;
    }
    if (!this.cs.get('departments', id)) this.cs.create('departments', { orgUnitId: id, departmentTypeId: null, costCenter: null, leadActorId: null, description: null });
    const fields: { departmentTypeId?: string; costCenter?: string } = {};
    if (d.typeName && !this.decided.has(`dt:${id}`)) {
      fields.departmentTypeId = this.typeId(this.types.departmentTypes, this.types.created.departmentTypes, d.typeName);
      this.decided.add(`dt:${id}`);
    }
    if (d.costCenter && !this.decided.has(`cc:${id}`)) {
      fields.costCenter = d.costCenter;
      this.decided.add(`cc:${id}`);
    }
    this.cs.update('departments', id, fields);
  }

  private team(named: NamedUnit & { typeName: string | null }, departmentId: string | undefined, placedIn: string | undefined): string {
    let id: string | undefined;
    let parentId: string | undefined = departmentId;
    if (!parentId) {
      const { existing, planned } = teamCandidates(named.key, this.index, this.named);
      const mine = existing.find((u) => u.id === placedIn);
      if (mine) id = mine.id;
      else if (existing.length + planned.length > 1) throw new Error(`import: ambiguous team ${named.name} passed validation`);
      else if (existing.length === 1) id = existing[0]!.id;
      else parentId = planned.length === 1 ? this.department(planned[0]!, planned[0]!.parent) : this.root();
    }
    if (!id && parentId) id = this.teams.get(`${parentId}|${named.key}`);
    if (!id) {
      parentId ??= this.root();
      const department = this.departmentNamedLike(named.key, parentId);
      if (department) return department;
      id = this.newId();
      this.cs.create('orgUnits', unit(id, parentId, 'team', named.name));
      this.cs.create('teams', { orgUnitId: id, teamTypeId: null, purpose: null });
      this.teams.set(`${parentId}|${named.key}`, id);
    } else {
      this.touch(id, 'teams');
    }
    if (named.typeName && !this.decided.has(`tt:${id}`)) {
      if (!this.cs.get('teams', id)) this.cs.create('teams', { orgUnitId: id, teamTypeId: null, purpose: null });
      this.cs.update('teams', id, { teamTypeId: this.typeId(this.types.teamTypes, this.types.created.teamTypes, named.typeName) });
      this.decided.add(`tt:${id}`);
    }
    return id;
  }

  /**
   * The department a new team of this name under `parentId` would be: its own department (HR exports fill the team
   * column with the department when there is no team), or a department of the name beside it — existing, or one rows of
   * the run make under the same parent (two units of one parent may not share a name, as in the change tray).
   */
  private departmentNamedLike(key: string, parentId: string): string | undefined {
    const parent = this.cs.get('orgUnits', parentId);
    if (parent?.type === 'department' && unitKey(parent.name) === key) return parentId;
    const existing = this.departments.get(key);
    if (existing) {
      if (this.cs.get('orgUnits', existing)?.parentId !== parentId) return undefined;
      this.touch(existing, 'departments');
      return existing;
    }
    const named = this.named.department(key);
    const beside = named && (named.parent ? this.departments.get(named.parent.key) === parentId : parentId === this.rootId);
    return beside ? this.department(named, named.parent) : undefined;
  }

  /** An existing unit a row names: its org unit and its department or team record count in the summary (unchanged unless changed later). */
  private touch(id: string, family: 'departments' | 'teams'): void {
    this.cs.update('orgUnits', id, {});
    if (this.cs.get(family, id)) this.cs.update(family, id, {});
  }

  private typeId(known: Map<string, string>, created: { id: string; name: string }[], name: string): string {
    const key = name.toLowerCase();
    let id = known.get(key);
    if (!id) {
      if (!this.types.createMissing) throw new Error(`import: unknown type ${name} passed validation`);
      id = this.newId();
      known.set(key, id);
      created.push({ id, name });
    }
    return id;
  }
}

function unit(id: string, parentId: string | null, type: OrgUnit['type'], name: string): OrgUnit {
  return { id, parentId, type, name, code: null, validFrom: null, validTo: null };
}
