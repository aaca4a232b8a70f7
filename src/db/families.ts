import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Family } from '../org/types.js';
export { keyField } from '../org/types.js';
import {
  actors,
  compensations,
  departments,
  orgUnits,
  placements,
  positions,
  reportingLines,
  teams,
} from './schema/index.js';

/**
 * The Live table of each model family. Table column property names equal the record field names of org/types.ts,
 * so a record is a row's field columns (everything but tenant and version bookkeeping).
 */
export interface FamilyTable {
  table: PgTable;
  /** The column that identifies a record across versions. */
  key: PgColumn;
  /** Field columns by record field name. */
  fields: Record<string, PgColumn>;
  tenantId: PgColumn;
  versionFrom: PgColumn;
  versionTo: PgColumn;
}

const BOOKKEEPING = new Set(['tenantId', 'versionFrom', 'versionTo']);

function describe<T extends PgTable & { tenantId: PgColumn; versionFrom: PgColumn; versionTo: PgColumn }>(
  table: T,
  key: PgColumn,
): FamilyTable {
  const fields: Record<string, PgColumn> = {};
  for (const [name, column] of Object.entries(getTableColumns(table))) {
    if (!BOOKKEEPING.has(name)) fields[name] = column as PgColumn;
  }
  return { table, key, fields, tenantId: table.tenantId, versionFrom: table.versionFrom, versionTo: table.versionTo };
}

export const FAMILY_TABLES: Record<Family, FamilyTable> = {
  orgUnits: describe(orgUnits, orgUnits.id),
  departments: describe(departments, departments.orgUnitId),
  teams: describe(teams, teams.orgUnitId),
  actors: describe(actors, actors.id),
  reportingLines: describe(reportingLines, reportingLines.id),
  placements: describe(placements, placements.id),
  positions: describe(positions, positions.id),
  compensations: describe(compensations, compensations.id),
};
