import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, lineageEntries } from '../../src/db/schema/index.js';
import type { CanonicalRow } from '../../src/imports/export.js';
import { undoRun } from '../../src/imports/runs.js';
import { getOrgMetrics } from '../../src/org/metrics-service.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { generatedExport, importFile, importTenant, liveState, RATES } from './support.js';

/**
 * A realistic 5,000-actor export (the generator's organisation written as canonical CSV) into an empty tenant: the
 * organisation's metrics equal what the CSV rows say, computed here by hand; importing the file again changes
 * nothing; the import is in lineage and the activity log, and restoring its snapshot undoes it.
 */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
const { rows, csv } = generatedExport(5_000, 'imports-5k');

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database));
});
afterAll(() => database?.close());

/** The expected organisation, from the CSV rows alone. */
function expectedFrom(rows: CanonicalRow[]) {
  const humans = rows.filter((r) => r.kind === 'human');
  const fte = (r: CanonicalRow) => (r.fte === '' ? 0 : Number(r.fte));
  const byEmail = new Map(rows.filter((r) => r.email).map((r) => [r.email, r]));
  const depth = (r: CanonicalRow): number => (r.manager_email ? 1 + depth(byEmail.get(r.manager_email)!) : 1);
  const managers = new Set(humans.map((r) => r.manager_email).filter(Boolean));
  let annual = 0;
  for (const r of rows) {
    if (r.base_salary_cents) annual += Number(r.base_salary_cents) * 1.25 * RATES[r.currency]!;
    if (r.daily_rate_cents) annual += Number(r.daily_rate_cents) * 220 * RATES[r.currency]!;
  }
  return {
    headcount: humans.length,
    robots: rows.filter((r) => r.kind === 'robot').length,
    agents: rows.filter((r) => r.kind === 'agent').length,
    fte: Math.round(rows.reduce((s, r) => s + fte(r), 0) * 100) / 100,
    effectiveFte: Math.round(rows.reduce((s, r) => s + (fte(r) * Number(r.allocation_pct)) / 100, 0) * 100) / 100,
    departments: new Set(rows.flatMap((r) => [r.department, r.parent_department]).filter(Boolean)).size,
    teams: new Set(rows.filter((r) => r.team).map((r) => `${r.department}/${r.team}`)).size,
    positions: humans.filter((r) => r.job_title).length,
    managers: managers.size,
    reports: humans.filter((r) => r.manager_email).length,
    layers: Math.max(...humans.map(depth)),
    annual,
  };
}

describe('a 5,000-row export into an empty tenant', () => {
  it('imports every row, and the org metrics match the CSV', async () => {
    expect(rows.length).toBe(5_000);
    const before = await liveState(database, tenant.id);
    const run = await importFile(owner, csv);
    expect(run.status).toBe('completed');
    expect(run.error).toBeNull();
    expect(run.format).toBe('orgonaut');
    expect(run.summary).toMatchObject({ rows: { total: 5_000, imported: 5_000, created: 5_000, quarantined: 0 } });
    expect((run.summary as any).families.actors).toMatchObject({ created: 5_000, updated: 0, quarantined: 0 });
    expect(run.progress.percent).toBe(100);
    expect(run.progress.stages.map((s) => s.name)).toEqual(['parse', 'actors', 'managers', 'teams', 'departments', 'placements', 'positions', 'compensations', 'finalize']);
    const after = await liveState(database, tenant.id);
    expect(after).toMatchObject({ version: before.version + 1, actors: 5_000, snapshots: before.snapshots + 1, lineage: before.lineage + 1 });

    const expected = expectedFrom(rows);
    const { metrics } = await getOrgMetrics(owner);
    expect(metrics).toMatchObject({
      headcount: expected.headcount,
      robots: expected.robots,
      agents: expected.agents,
      fte: expected.fte,
      effective_fte: expected.effectiveFte,
      positions: { budgeted: expected.positions, filled: expected.positions, vacant: 0 },
      span: { managers: expected.managers, reports: expected.reports },
      layers: expected.layers,
    });
    expect(Math.abs(metrics!.cost!.annual.amount_minor! - expected.annual)).toBeLessThanOrEqual(1);
    const live = await owner.graphs.live(tenant.id);
    const units = [...live.graph.orgUnits.values()];
    expect(units.filter((u) => u.type === 'department').length).toBe(expected.departments);
    expect(units.filter((u) => u.type === 'team').length).toBe(expected.teams);
    expect(units.filter((u) => u.type === 'company').map((u) => u.name)).toEqual([tenant.name]);
    expect(live.graph.departments.size).toBe(expected.departments);
  });

  it('is recorded in lineage (type import) and the activity log', async () => {
    const [entry] = await database.db.select().from(lineageEntries).where(and(eq(lineageEntries.tenantId, tenant.id), eq(lineageEntries.type, 'import')));
    expect(entry).toMatchObject({ type: 'import', toScenarioId: null });
    expect(entry!.deltas).toMatchObject({ headcount: expectedFrom(rows).headcount });
    const events = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'import_run')));
    expect(events.map((e) => e.action)).toEqual(['imported']);
  });

  it('changes nothing when the same file is imported again: no new Live version, no snapshot', async () => {
    const before = await liveState(database, tenant.id);
    const run = await importFile(owner, csv);
    expect(run.status).toBe('completed');
    expect(run.summary).toMatchObject({ rows: { total: 5_000, imported: 5_000, created: 0, updated: 0, unchanged: 5_000 } });
    for (const counts of Object.values((run.summary as any).families) as { created: number; updated: number }[]) {
      expect(counts).toMatchObject({ created: 0, updated: 0 });
    }
    expect(run.snapshot_id).toBeNull();
    expect(await liveState(database, tenant.id)).toEqual(before);
  });

  it('can be undone by restoring the snapshot taken before it', async () => {
    const [first] = (await database.db.select().from(lineageEntries).where(eq(lineageEntries.tenantId, tenant.id))).filter((e) => e.type === 'import');
    const runId = (first!.deltas as { import_run_id: string }).import_run_id;
    const task = await (await undoRun(owner, runId)).done;
    expect(task.status).toBe('succeeded');
    expect((await liveState(database, tenant.id)).actors).toBe(0);
  });
});
