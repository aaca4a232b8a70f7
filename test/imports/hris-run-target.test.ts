import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/access/policy.js';
import type { Database } from '../../src/db/connection.js';
import { hrisEvents, hrisIntegrations } from '../../src/db/schema/index.js';
import { flushHrisEvents } from '../../src/integrations/batches.js';
import { getRun, listRuns } from '../../src/imports/runs.js';
import { operationalStatus } from '../../src/imports/status.js';
import { createRunFromRecords } from '../../src/imports/upload.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, contextFor, principalFor } from '../support/factories.js';
import { csvOf, importFile, importTenant } from './support.js';

/**
 * Runs an HRIS starts say where they import as CSV runs do, on every surface: `target` is { kind, scenario_id,
 * scenario_name } — null id and name for Live, the scenario's name for a scenario — in the answer that starts them
 * (sync now), the run and the run list, and the operational status assistants read.
 */

let database: Database;
let tenant: Tenant;
let scenarioId: string;

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant } = await importTenant(database, { slug: 'hristarget', plan: 'business' }));
  const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  scenarioId = (await createScenario(owner, { name: 'HRIS plans' })).id;
  await importFile(owner, csvOf(['email', 'name', 'department'], [['csv@hristarget.test', 'Csv Person', 'Ops']]));
  await database.db.insert(hrisIntegrations).values({ tenantId: tenant.id, provider: 'bamboohr', status: 'connected', applyToLive: true, applyScenarioIds: [scenarioId] });
  await database.db.insert(hrisEvents).values({ tenantId: tenant.id, provider: 'bamboohr', employeeId: '71', action: 'created', fields: { firstName: 'Ida', lastName: 'Event', workEmail: 'ida@hristarget.test', department: 'Ops' } });
  const finished = await flushHrisEvents({ db: database.db, graphs: owner.graphs }, tenant.id);
  expect(finished.map((r) => r.status)).toEqual(['completed', 'completed']);
});
afterAll(() => database?.close());

const LIVE = { kind: 'live', scenario_id: null, scenario_name: null };

describe('where an HRIS run imports', () => {
  it('is said in the answer that creates it (sync now), with the scenario’s name', async () => {
    const system = contextFor(database, tenant, systemPrincipal(tenant.id, tenant.plan));
    const input = { source: 'hris_sync' as const, fileName: 'BambooHR sync (1 employees)', headers: ['id', 'firstName'], rows: [['9', 'Nine']], format: 'bamboohr' as const };
    const intoScenario = await createRunFromRecords(system, { ...input, target: { kind: 'scenario', scenario_id: scenarioId } });
    expect(intoScenario.target).toEqual({ kind: 'scenario', scenario_id: scenarioId, scenario_name: 'HRIS plans' });
    const intoLive = await createRunFromRecords(system, { ...input, target: { kind: 'live' } });
    expect(intoLive.target).toEqual(LIVE);
  });

  it('reads the same in the run list, the run and the operational status as a CSV run’s target does', async () => {
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
    const runs = (await listRuns(owner, { limit: 50 })).items;
    const csv = runs.find((r) => r.source === 'upload')!;
    expect(csv.target).toEqual(LIVE);
    const hris = runs.filter((r) => r.source === 'hris_webhook');
    expect(hris.map((r) => r.target).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([LIVE, { kind: 'scenario', scenario_id: scenarioId, scenario_name: 'HRIS plans' }]);
    for (const run of hris) expect((await getRun(owner, run.id)).target).toEqual(run.target);
    const status = await operationalStatus(owner, { recentRuns: 50 });
    for (const run of runs) expect(status.imports.recent_runs.find((r) => r.id === run.id)?.target, run.source).toEqual(run.target);
  });

  it('leaves the scenario unnamed in the status for someone who may not read scenarios, as the run list does', async () => {
    const owner = principalFor(tenant, 'owner');
    const reader = contextFor(database, tenant, { ...owner, abilities: new Set([...owner.abilities].filter((a) => a !== 'scenarios.read')) });
    const status = await operationalStatus(reader, { recentRuns: 50 });
    expect(status.imports.recent_runs.filter((r) => r.target.kind === 'scenario').map((r) => r.target)).toContainEqual({ kind: 'scenario', scenario_id: scenarioId, scenario_name: null });
  });

  it('is shown on the progress page as changes the HRIS sent, applied on their own — not a file to check and start', async () => {
    const app = testApp(database);
    const host = 'hristarget.localhost';
    const cookie = await signInThroughForm(app, host, (await buildMember(database, tenant, 'owner', { password: 'correct horse battery' })).email, 'correct horse battery');
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
    const runs = (await listRuns(owner, { limit: 50 })).items;
    const page = async (id: string) => (await (await app.request(`/imports/${id}/progress`, { host, cookie, headers: { accept: 'text/html' } })).text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    const pending = await page(runs.find((r) => r.source === 'hris_sync' && r.status === 'pending')!.id);
    expect(pending).toContain('These HRIS changes have not been applied yet: they start on their own');
    expect(pending).not.toContain('Check its mapping and start it');
    const applied = await page(runs.find((r) => r.source === 'hris_webhook' && r.target.kind === 'live')!.id);
    expect(applied).toContain('Into Live Employees received 1');
    const csv = await page(runs.find((r) => r.source === 'upload')!.id);
    expect(csv).toContain('Into Live Rows in the file 1');
  });
});
