import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { hrisEvents, importRuns, tasks } from '../../src/db/schema/index.js';
import type { ServiceContext } from '../../src/context.js';
import { getRun, startRun } from '../../src/imports/runs.js';
import { createRunFromUpload, removeAbandonedUploads } from '../../src/imports/upload.js';
import { recoverInterruptedImports, WORKER_ID } from '../../src/imports/worker.js';
import { applyDueHrisWork } from '../../src/integrations/batches.js';
import { putIntegration } from '../../src/integrations/settings.js';
import { GraphStore } from '../../src/org/graph-store.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importTenant, liveState } from './support.js';

/** Housekeeping: runs of a dead process are failed and can run again; abandoned uploads go; queued HRIS work is applied. */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
const FILE = csvOf(['email', 'name', 'department'], [['a@rec.test', 'Ann', 'Ops'], ['b@rec.test', 'Bo', 'Ops']]);

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database, { plan: 'business' }));
});
afterAll(() => database?.close());

async function orphan(workerId: string, secondsAgo: number) {
  const run = await createRunFromUpload(owner, { body: FILE });
  const [task] = await database.db.insert(tasks).values({ tenantId: tenant.id, kind: 'import', status: 'running' }).returning();
  await database.db
    .update(importRuns)
    .set({ status: 'processing', step: 1, workerId, taskId: task!.id, heartbeatAt: sql`now() - make_interval(secs => ${secondsAgo}::double precision)` })
    .where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.id, run.id)));
  return { runId: run.id, taskId: task!.id };
}

describe('interrupted runs', () => {
  it('fails runs whose worker stopped stamping them, with their tasks; leaves live ones alone', async () => {
    const dead = await orphan('dead-worker', 60);
    const alive = await orphan('other-live-worker', 1);
    const mine = await orphan(WORKER_ID, 60);
    expect(await recoverInterruptedImports(database.db)).toBe(1);
    expect(await getRun(owner, dead.runId)).toMatchObject({ status: 'failed', error: { code: 'interrupted', message: expect.stringContaining('nothing was applied') } });
    const [task] = await database.db.select().from(tasks).where(eq(tasks.id, dead.taskId));
    expect(task!.status).toBe('failed');
    expect((await getRun(owner, alive.runId)).status).toBe('processing');
    expect((await getRun(owner, mine.runId)).status).toBe('processing');
    // At start-up on an embedded database every run left processing by another worker is failed at once.
    expect(await recoverInterruptedImports(database.db, 0)).toBe(1);
    await database.db.update(importRuns).set({ status: 'failed' }).where(eq(importRuns.id, mine.runId));

    const before = await liveState(database, tenant.id);
    const again = await (await startRun(owner, dead.runId)).done;
    expect(again).toMatchObject({ status: 'completed', summary: { rows: { imported: 2 } } });
    expect((await liveState(database, tenant.id)).actors).toBe(before.actors + 2);
  });

  it('removes uploads whose file never finished arriving', async () => {
    const [stale] = await database.db.insert(importRuns).values({ tenantId: tenant.id, createdAt: new Date(Date.now() - 2 * 3600_000) }).returning();
    const [fresh] = await database.db.insert(importRuns).values({ tenantId: tenant.id }).returning();
    expect(await removeAbandonedUploads(database.db)).toBe(1);
    const left = await database.db.select({ id: importRuns.id }).from(importRuns).where(eq(importRuns.tenantId, tenant.id));
    expect(left.map((r) => r.id)).toContain(fresh!.id);
    expect(left.map((r) => r.id)).not.toContain(stale!.id);
  });
});

describe('queued HRIS work', () => {
  it('applies events that waited too long (their process may have died), and holds them while paused', async () => {
    await putIntegration(owner, { provider: 'bamboohr', subdomain: 'rec', api_key: 'k', webhook_secret: 'whsec-recovery-0123456789', status: 'paused' });
    await database.db.insert(hrisEvents).values({
      tenantId: tenant.id,
      provider: 'bamboohr',
      employeeId: '77',
      action: 'created',
      fields: { firstName: 'Queued', lastName: 'Person', workEmail: 'queued@rec.test', department: 'Ops' },
      receivedAt: new Date(Date.now() - 60_000),
    });
    const deps = { db: database.db, graphs: new GraphStore(database.db) };
    await applyDueHrisWork(deps);
    expect((await database.db.select().from(hrisEvents).where(eq(hrisEvents.tenantId, tenant.id)))[0]!.status).toBe('queued');
    await putIntegration(owner, { status: 'connected' });
    await applyDueHrisWork(deps);
    const [event] = await database.db.select().from(hrisEvents).where(eq(hrisEvents.tenantId, tenant.id));
    expect(event).toMatchObject({ status: 'batched', runIds: [expect.any(String)] });
    expect(await getRun(owner, event!.runIds[0]!)).toMatchObject({ status: 'completed', source: 'hris_webhook', summary: { rows: { created: 1 } } });
  });
});
