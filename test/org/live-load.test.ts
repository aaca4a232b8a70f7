import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { loadLiveGraph, writeLive } from '../../src/db/live-store.js';
import { FAMILIES, type Actor, type Compensation, type Department, type OrgUnit, type Placement, type Position, type ReportingLine, type Team } from '../../src/org/types.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { newId } from '../../src/util/ids.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * Loading a Live graph (each family comes from the database as one JSON text on the embedded database, as rows on
 * PostgreSQL): every family's values read back as written — numbers with fractions, large money amounts, booleans,
 * nulls, dates, odd text — at the current version and at an earlier one, and a family with no rows is empty.
 */

let database: Database;
let tenant: Tenant;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database);
});
afterAll(() => database?.close());

describe('loadLiveGraph', () => {
  it('reads every family back as written, at each version', async () => {
    const root: OrgUnit = { id: newId(), parentId: null, type: 'company', name: 'Acme "Ltd" \\ Zoë 👩‍💻', code: 'AC\n1', validFrom: null, validTo: null };
    const dept: OrgUnit = { id: newId(), parentId: root.id, type: 'department', name: 'Sales', code: null, validFrom: '2024-02-29', validTo: '2031-01-01' };
    const team: OrgUnit = { id: newId(), parentId: dept.id, type: 'team', name: 'Deals', code: null, validFrom: '2025-01-01', validTo: null };
    const boss: Actor = { id: newId(), kind: 'human', displayName: 'Ada', email: 'ada@acme.test', externalUid: 'E-1', sourceHris: 'workday', sourceHrisId: 'W-1', fte: 1, title: 'CEO', level: 'E2', validFrom: '2020-01-01', validTo: null };
    const bot: Actor = { id: newId(), kind: 'robot', displayName: 'R2', email: null, externalUid: 'R-2', sourceHris: null, sourceHrisId: null, fte: null, title: null, level: null, validFrom: null, validTo: '2029-12-31' };
    const person: Actor = { ...boss, id: newId(), displayName: 'Bo', email: null, externalUid: 'E-2', sourceHrisId: null, fte: 0.35 };
    const department: Department = { orgUnitId: dept.id, departmentTypeId: null, costCenter: 'CC-1', leadActorId: boss.id, description: 'Sells' };
    const teamMeta: Team = { orgUnitId: team.id, teamTypeId: null, purpose: null };
    const line: ReportingLine = { id: newId(), actorId: person.id, managerId: boss.id, validFrom: '2024-01-01', validTo: null };
    const position: Position = { id: newId(), title: 'Seller', roleType: null, orgUnitId: dept.id, plannedFte: 0.5, employmentType: 'perm', targetSalaryMinor: 9_007_199_254_740, dayRateMinor: null, currency: 'EUR', validFrom: null, validTo: null };
    const contract: Position = { ...position, id: newId(), employmentType: 'contractor', targetSalaryMinor: null, dayRateMinor: 65_050, currency: 'USD', plannedFte: 1.25 };
    const placement: Placement = { id: newId(), actorId: person.id, orgUnitId: dept.id, positionId: position.id, isPrimary: true, allocationPct: 62.5, validFrom: '2024-01-01', validTo: null };
    const second: Placement = { ...placement, id: newId(), orgUnitId: team.id, positionId: null, isPrimary: false, allocationPct: 37.5 };
    const pay: Compensation = { id: newId(), actorId: person.id, kind: 'salary', amountMinor: 12_345_678_901, currency: 'EUR', validFrom: '2024-01-01', validTo: null };
    const rate: Compensation = { id: newId(), actorId: bot.id, kind: 'day_rate', amountMinor: 99, currency: 'GBP', validFrom: null, validTo: null };

    const first = await database.db.transaction((tx) =>
      writeLive(tx, tenant.id, {
        orgUnits: { upsert: [root, dept, team] },
        departments: { upsert: [department] },
        teams: { upsert: [teamMeta] },
        actors: { upsert: [boss, bot, person] },
        reportingLines: { upsert: [line] },
        positions: { upsert: [position, contract] },
        placements: { upsert: [placement, second] },
        compensations: { upsert: [pay, rate] },
      }),
    );
    const renamed: Actor = { ...person, displayName: 'Bo Ng', fte: 0.9 };
    const second_ = await database.db.transaction((tx) =>
      writeLive(tx, tenant.id, { actors: { upsert: [renamed] }, compensations: { remove: [rate.id] }, teams: { remove: [team.id] } }),
    );

    const before = await loadLiveGraph(database.db, tenant.id, first);
    expect([...before.orgUnits.values()]).toEqual(expect.arrayContaining([root, dept, team]));
    expect(before.departments.get(dept.id)).toEqual(department);
    expect(before.teams.get(team.id)).toEqual(teamMeta);
    expect(before.actors.get(boss.id)).toEqual(boss);
    expect(before.actors.get(bot.id)).toEqual(bot);
    expect(before.actors.get(person.id)).toEqual(person);
    expect(before.reportingLines.get(line.id)).toEqual(line);
    expect(before.positions.get(position.id)).toEqual(position);
    expect(before.positions.get(contract.id)).toEqual(contract);
    expect(before.placements.get(placement.id)).toEqual(placement);
    expect(before.placements.get(second.id)).toEqual(second);
    expect(before.compensations.get(pay.id)).toEqual(pay);
    expect(before.compensations.get(rate.id)).toEqual(rate);

    for (const version of [second_, 'current'] as const) {
      const after = await loadLiveGraph(database.db, tenant.id, version);
      expect(after.actors.get(person.id)).toEqual(renamed);
      expect(after.compensations.has(rate.id)).toBe(false);
      expect(after.teams.size).toBe(0);
      expect(after.compensations.get(pay.id)).toEqual(pay);
      for (const family of FAMILIES) if (family !== 'actors' && family !== 'compensations' && family !== 'teams') expect(after[family]).toEqual(before[family]);
    }
  });

  it('gives an empty graph for a tenant with nothing in Live', async () => {
    const empty = await buildTenant(database);
    const graph = await loadLiveGraph(database.db, empty.id, 'current');
    for (const family of FAMILIES) expect(graph[family].size).toBe(0);
  });
});
