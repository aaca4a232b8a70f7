import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { loadLiveGraph, writeLive } from '../../src/db/live-store.js';
import { Changeset } from '../../src/imports/plan/changeset.js';
import { emptyGraph, type Actor } from '../../src/org/types.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { newId } from '../../src/util/ids.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * The records an import builds and the Live graph it leaves cached are as compact as object literals of their fields:
 * records built field by field, or copied by one spread that saw every family's shapes, kept most of their fields in a
 * separate property array (~25–30 bytes more per record, 15 MB of a 100k-row import each). Measured as the heap a
 * set of records holds after a full collection, beside the same records written as literals.
 */

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const N = 20_000;

function actor(i: number): Actor {
  const id = newId();
  return { id, kind: 'human', displayName: `Person ${i}`, email: `p${i}@acme.test`, externalUid: `x-${i}`, sourceHris: null, sourceHrisId: null, fte: 1, title: 'Engineer', level: 'L2', validFrom: '2024-01-01', validTo: null };
}

/**
 * Heap held by the records (their values shared) beside the same records written as literals of `fields`, each set
 * in an array. `holder.records` must be the only reference to them: it is dropped to measure.
 */
function sizeBesideLiterals(holder: { records: Record<string, unknown>[] | null }, literal: (r: Record<string, unknown>) => object): number {
  const withRecords = heapAfterGc();
  const literals = literalsOf(holder, literal);
  const both = heapAfterGc();
  holder.records = null;
  const literalsOnly = heapAfterGc();
  expect(literals.length).toBe(N);
  return (both - literalsOnly) / (both - withRecords);
}

/** In a frame of its own, so that no register of the caller's keeps the records alive. */
function literalsOf(holder: { records: Record<string, unknown>[] | null }, literal: (r: Record<string, unknown>) => object): object[] {
  return holder.records!.map(literal);
}

/** N placements as an import into an empty Live leaves them (created, then given a position), after every family's shapes. */
function importedPlacements(): { records: Record<string, unknown>[] } {
  const cs = new Changeset(emptyGraph());
  const unit = newId();
  cs.create('orgUnits', { id: unit, parentId: null, type: 'department', name: 'D', code: null, validFrom: null, validTo: null });
  cs.create('departments', { orgUnitId: unit, departmentTypeId: null, costCenter: null, leadActorId: null, description: null });
  cs.create('teams', { orgUnitId: unit, teamTypeId: null, purpose: null });
  cs.create('reportingLines', { id: newId(), actorId: unit, managerId: unit, validFrom: null, validTo: null });
  cs.create('positions', { id: newId(), title: 'T', roleType: null, orgUnitId: unit, plannedFte: 1, employmentType: 'perm', targetSalaryMinor: null, dayRateMinor: null, currency: null, validFrom: null, validTo: null });
  cs.create('compensations', { id: newId(), actorId: unit, kind: 'salary', amountMinor: 1, currency: 'EUR', validFrom: null, validTo: null });
  cs.create('actors', actor(0));
  const ids = Array.from({ length: N }, () => newId());
  for (const id of ids) cs.create('placements', { id, actorId: unit, orgUnitId: unit, positionId: null, isPrimary: true, allocationPct: 100, validFrom: null, validTo: null });
  for (const id of ids.slice(0, N / 2)) cs.update('placements', id, { positionId: id });
  cs.seal();
  return { records: [...cs.target().placements.values()] as unknown as Record<string, unknown>[] };
}

async function loadedActors(): Promise<{ records: Record<string, unknown>[] }> {
  const version = await database.db.transaction((tx) => writeLive(tx, tenant.id, { actors: { upsert: Array.from({ length: N }, (_, i) => actor(i)) } }));
  return { records: [...(await loadLiveGraph(database.db, tenant.id, version)).actors.values()] as unknown as Record<string, unknown>[] };
}

let database: Database;
let tenant: Tenant;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database);
});
afterAll(() => database?.close());

describe('record layout', () => {
  it('the changeset copies records of every family without growing them', () => {
    const ratio = sizeBesideLiterals(importedPlacements(), (p) => ({ id: p.id, actorId: p.actorId, orgUnitId: p.orgUnitId, positionId: p.positionId, isPrimary: p.isPrimary, allocationPct: p.allocationPct, validFrom: p.validFrom, validTo: p.validTo }));
    expect(ratio).toBeLessThan(1.08);
  });

  it('a Live graph read from the database holds its records as literals would', async () => {
    const holder = await loadedActors();
    expect(holder.records.length).toBe(N);
    const ratio = sizeBesideLiterals(holder, (a) => ({ id: a.id, kind: a.kind, displayName: a.displayName, email: a.email, externalUid: a.externalUid, sourceHris: a.sourceHris, sourceHrisId: a.sourceHrisId, fte: a.fte, title: a.title, level: a.level, validFrom: a.validFrom, validTo: a.validTo }));
    expect(ratio).toBeLessThan(1.08);
  });
});
