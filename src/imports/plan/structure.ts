import type { OrgUnit } from '../../org/types.js';
import type { NamedUnit, RowInput } from '../parse-row.js';
import type { Changeset } from './changeset.js';
import type { OrgIndex } from './org-index.js';

/**
 * Departments and teams named by rows: found by name (departments anywhere, teams inside their department), created
 * under the company (or their parent department) when missing. A type or cost center is taken from the first row
 * that gives one for a unit; existing departments are never moved (restructuring is scenario work).
 */
export interface TypeRegistry {
  /** Lowercased name → id, for the tenant's department and team types. */
  departmentTypes: Map<string, string>;
  teamTypes: Map<string, string>;
  createMissing: boolean;
  /** Types the import creates (written in its transaction). */
  created: { departmentTypes: { id: string; name: string }[]; teamTypes: { id: string; name: string }[] };
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
  ) {
    this.rootId = index.root?.id ?? null;
    for (const [key, unit] of index.departmentByKey) this.departments.set(key, unit.id);
    for (const [key, unit] of index.teamByParentKey) this.teams.set(key, unit.id);
  }

  /** The department and the org unit a row's primary placement goes to (undefined: the row names none). */
  unitFor(row: RowInput): { departmentId?: string; unitId?: string } {
    const departmentId = row.department ? this.department(row.department, row.department.parent) : undefined;
    return { departmentId, unitId: row.team ? this.team(row.team, departmentId) : departmentId };
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
      this.cs.update('orgUnits', found, {});
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

  private team(named: NamedUnit & { typeName: string | null }, departmentId: string | undefined): string {
    let id = departmentId ? this.teams.get(`${departmentId}|${named.key}`) : this.uniqueTeam(named.key);
    if (!id) {
      id = this.newId();
      const parentId = departmentId ?? this.root();
      this.cs.create('orgUnits', unit(id, parentId, 'team', named.name));
      this.cs.create('teams', { orgUnitId: id, teamTypeId: null, purpose: null });
      this.teams.set(`${parentId}|${named.key}`, id);
    } else {
      this.cs.update('orgUnits', id, {});
    }
    if (named.typeName && !this.decided.has(`tt:${id}`)) {
      if (!this.cs.get('teams', id)) this.cs.create('teams', { orgUnitId: id, teamTypeId: null, purpose: null });
      this.cs.update('teams', id, { teamTypeId: this.typeId(this.types.teamTypes, this.types.created.teamTypes, named.typeName) });
      this.decided.add(`tt:${id}`);
    }
    return id;
  }

  /** A team named without its department: the one team of that name, if there is exactly one. */
  private uniqueTeam(key: string): string | undefined {
    const existing = this.index.teamsByKey.get(key) ?? [];
    if (existing.length === 1) return existing[0]!.id;
    const created = [...this.teams].filter(([k]) => k.endsWith(`|${key}`));
    return existing.length === 0 && created.length === 1 ? created[0]![1] : undefined;
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
