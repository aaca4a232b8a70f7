import { inEffect } from '../org/dates.js';
import type { OrgGraph } from '../org/types.js';
import { formatCsvRecord, type Delimiter } from './csv/parser.js';

/**
 * An organisation as canonical Orgonaut CSV: one row per active actor with their home placement, manager, position
 * and current pay — the file the importer reads back. Secondary placements are not part of the format (one row per
 * person). Robots and agents, which have no email, carry the source identity `orgonaut` + their external id.
 */
export const CANONICAL_HEADERS = [
  'email',
  'first_name',
  'last_name',
  'name',
  'kind',
  'source_hris',
  'source_hris_id',
  'employee_id',
  'department',
  'parent_department',
  'department_type',
  'cost_center',
  'team',
  'team_type',
  'job_title',
  'level',
  'manager_email',
  'fte',
  'allocation_pct',
  'employment_type',
  'start_date',
  'currency',
  'base_salary_cents',
  'daily_rate_cents',
] as const;

export type CanonicalRow = Record<(typeof CANONICAL_HEADERS)[number], string>;

export function canonicalRows(graph: OrgGraph, types: { departmentTypes: Map<string, string>; teamTypes: Map<string, string> }, asOf: string): CanonicalRow[] {
  const home = new Map<string, { orgUnitId: string; allocationPct: number; positionId: string | null }>();
  for (const p of graph.placements.values()) if (p.isPrimary && inEffect(p, asOf)) home.set(p.actorId, p);
  const managerOf = new Map<string, string>();
  for (const l of graph.reportingLines.values()) if (inEffect(l, asOf)) managerOf.set(l.actorId, l.managerId);
  const pay = new Map<string, { kind: string; amountMinor: number; currency: string }>();
  for (const c of graph.compensations.values()) if (inEffect(c, asOf)) pay.set(c.actorId, c);
  const rows: CanonicalRow[] = [];
  for (const actor of graph.actors.values()) {
    if (!inEffect(actor, asOf)) continue;
    const placement = home.get(actor.id);
    const unit = placement ? graph.orgUnits.get(placement.orgUnitId) : undefined;
    const team = unit?.type === 'team' ? unit : undefined;
    const department = unit?.type === 'department' ? unit : team?.parentId ? graph.orgUnits.get(team.parentId) : undefined;
    const parent = department?.parentId ? graph.orgUnits.get(department.parentId) : undefined;
    const manager = managerOf.has(actor.id) ? graph.actors.get(managerOf.get(actor.id)!) : undefined;
    const position = placement?.positionId ? graph.positions.get(placement.positionId) : undefined;
    const money = pay.get(actor.id);
    const human = actor.kind === 'human';
    const [first, ...rest] = actor.displayName.split(' ');
    const departmentRecord = department ? graph.departments.get(department.id) : undefined;
    const teamRecord = team ? graph.teams.get(team.id) : undefined;
    rows.push({
      email: actor.email ?? '',
      first_name: human ? first! : '',
      last_name: human ? rest.join(' ') : '',
      name: human ? '' : actor.displayName,
      kind: actor.kind,
      source_hris: actor.sourceHris ?? (actor.email ? '' : 'orgonaut'),
      source_hris_id: actor.sourceHrisId ?? (actor.email ? '' : actor.externalUid),
      employee_id: human ? actor.externalUid : '',
      department: department?.type === 'department' ? department.name : '',
      parent_department: parent?.type === 'department' ? parent.name : '',
      department_type: departmentRecord?.departmentTypeId ? (types.departmentTypes.get(departmentRecord.departmentTypeId) ?? '') : '',
      cost_center: departmentRecord?.costCenter ?? '',
      team: team?.name ?? '',
      team_type: teamRecord?.teamTypeId ? (types.teamTypes.get(teamRecord.teamTypeId) ?? '') : '',
      job_title: actor.title ?? '',
      level: actor.level ?? '',
      manager_email: manager?.email ?? '',
      fte: actor.fte === null ? '' : String(actor.fte),
      allocation_pct: placement ? String(placement.allocationPct) : '',
      employment_type: position?.employmentType ?? '',
      start_date: actor.validFrom ?? '',
      currency: money?.currency ?? '',
      base_salary_cents: money?.kind === 'salary' ? String(money.amountMinor) : '',
      daily_rate_cents: money?.kind === 'day_rate' ? String(money.amountMinor) : '',
    });
  }
  return rows;
}

/** Rows as CSV text (header row first, CRLF line ends as RFC 4180 has them). */
export function toCsv(rows: readonly CanonicalRow[], delimiter: Delimiter = ','): string {
  const lines = [formatCsvRecord(CANONICAL_HEADERS, delimiter)];
  for (const row of rows) lines.push(formatCsvRecord(CANONICAL_HEADERS.map((h) => row[h]), delimiter));
  return `${lines.join('\r\n')}\r\n`;
}
