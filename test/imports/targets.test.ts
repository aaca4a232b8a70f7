import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { scenarioChanges, tenants } from '../../src/db/schema/index.js';
import type { ServiceContext } from '../../src/context.js';
import { startRun, updateRunSettings } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { createScenario, createSnapshot, getScenario } from '../../src/scenarios/lifecycle.js';
import { loadScenario } from '../../src/scenarios/store.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { contextFor, principalFor } from '../support/factories.js';
import { csvOf, importFile, importTenant, liveState } from './support.js';

/** Where an import lands: a planning scenario only (its overlay), never Live; and never beyond the actor allowance. */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;

const HEADER = ['email', 'name', 'department', 'team', 'job_title', 'manager_email'];
const BASE = csvOf(HEADER, [
  ['ceo@x.test', 'Cee O', 'Executive', '', 'CEO', ''],
  ['eng@x.test', 'Eng Head', 'Engineering', '', 'VP Engineering', 'ceo@x.test'],
  ['dev@x.test', 'Dev One', 'Engineering', 'Platform', 'Engineer', 'eng@x.test'],
]);
const CHANGES = csvOf(HEADER, [
  ['dev@x.test', 'Dev One', 'Engineering', 'Platform', 'Senior Engineer', 'eng@x.test'],
  ['new@x.test', 'New Hire', 'Engineering', 'Mobile', 'Engineer', 'eng@x.test'],
]);

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database));
  expect((await importFile(owner, BASE)).status).toBe('completed');
});
afterAll(() => database?.close());

describe('an import into a planning scenario', () => {
  it('lands in the scenario’s overlay only; Live is untouched; importing again changes nothing', async () => {
    const scenario = await createScenario(owner, { name: 'Imported plans' });
    const live = await liveState(database, tenant.id);
    const run = await importFile(owner, CHANGES, { target: { kind: 'scenario', scenario_id: scenario.id } });
    expect(run).toMatchObject({ status: 'completed', target: { kind: 'scenario', scenario_id: scenario.id }, snapshot_id: null });
    expect(run.summary).toMatchObject({ rows: { created: 1, updated: 1 }, scenario: { scenario_id: scenario.id } });
    expect(await liveState(database, tenant.id)).toEqual(live);

    const view = await owner.graphs.scenario(await loadScenario(database.db, tenant.id, scenario.id));
    const byEmail = new Map([...view.actors.values()].map((a) => [a.email, a]));
    expect(byEmail.get('new@x.test')).toBeTruthy();
    expect(byEmail.get('dev@x.test')!.title).toBe('Senior Engineer');
    const liveGraph = (await owner.graphs.live(tenant.id)).graph;
    expect([...liveGraph.actors.values()].some((a) => a.email === 'new@x.test')).toBe(false);
    const changes = await database.db.select().from(scenarioChanges).where(and(eq(scenarioChanges.tenantId, tenant.id), eq(scenarioChanges.scenarioId, scenario.id)));
    expect(changes.find((c) => c.family === 'actors' && c.op === 'change')).toMatchObject({ values: { title: 'Senior Engineer' }, base: { title: 'Engineer' } });
    expect(changes.filter((c) => c.op === 'add').map((c) => c.family).sort()).toEqual(['actors', 'orgUnits', 'placements', 'positions', 'reportingLines', 'teams']);

    const revision = (await getScenario(owner, scenario.id)).revision;
    const again = await importFile(owner, CHANGES, { target: { kind: 'scenario', scenario_id: scenario.id } });
    expect(again.summary).toMatchObject({ rows: { unchanged: 2, created: 0, updated: 0 } });
    expect((await getScenario(owner, scenario.id)).revision).toBe(revision);
  });

  it('refuses a snapshot or another tenant’s scenario as the target', async () => {
    const snapshot = await createSnapshot(owner, { name: 'Frozen' });
    await expect(createRunFromUpload(owner, { body: CHANGES, target: { kind: 'scenario', scenario_id: snapshot.id } })).rejects.toMatchObject({ code: 'read_only' });
    const other = await importTenant(database);
    const theirs = await createScenario(other.owner, { name: 'Theirs' });
    await expect(createRunFromUpload(owner, { body: CHANGES, target: { kind: 'scenario', scenario_id: theirs.id } })).rejects.toMatchObject({ code: 'not_found' });
    const run = await createRunFromUpload(owner, { body: CHANGES });
    await expect(updateRunSettings(owner, run.id, { target: { kind: 'scenario', scenario_id: theirs.id } })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('the actor allowance', () => {
  it('refuses an import that would exceed it before anything is applied, naming the limit and the plan', async () => {
    const small = await importTenant(database, { plan: 'business' });
    await database.db.update(tenants).set({ actorAllowance: 2 }).where(eq(tenants.id, small.tenant.id));
    const ctx = contextFor(database, { ...small.tenant, actorAllowance: 2 }, principalFor(small.tenant, 'owner'));
    const before = await liveState(database, small.tenant.id);
    const run = await importFile(ctx, BASE);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ code: 'plan_limit', message: expect.stringMatching(/^This organisation's allowance \(set for it; the business plan's is 2,500\) allows 2 active actors; this would make \d+\.$/) });
    expect(await liveState(database, small.tenant.id)).toEqual(before);

    // Raised allowance: the same run can be started again and completes.
    const roomy = contextFor(database, { ...small.tenant, actorAllowance: 10 }, principalFor(small.tenant, 'owner'));
    const retried = await (await startRun(roomy, run.id)).done;
    expect(retried).toMatchObject({ status: 'completed', step: 2, summary: { rows: { imported: 3 } } });
    expect((await liveState(database, small.tenant.id)).actors).toBe(3);
  });
});
