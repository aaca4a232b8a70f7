import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { tasks } from '../../src/db/schema/index.js';
import { failInterruptedTasks, startTask } from '../../src/scenarios/tasks.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { WORKER_ID } from '../../src/util/worker-id.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * Background tasks carry their process's id and a heartbeat: a task of a process that stopped beating (it died) is
 * failed by the next instance that looks; live work, this process's or another's, is left alone.
 */
let database: Database;
let tenant: Tenant;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'liveness', plan: 'business' });
});
afterAll(() => database?.close());

async function insertTask(workerId: string | null, heartbeatSecondsAgo: number | null): Promise<string> {
  const [row] = await database.db
    .insert(tasks)
    .values({
      tenantId: tenant.id,
      kind: 'promotion',
      status: 'running',
      workerId,
      heartbeatAt: heartbeatSecondsAgo === null ? null : sql`now() - make_interval(secs => ${heartbeatSecondsAgo})`,
      createdAt: sql`now() - interval '1 hour'`,
    })
    .returning({ id: tasks.id });
  return row!.id;
}

async function statuses(ids: string[]): Promise<Record<string, string>> {
  const rows = await database.db.select({ id: tasks.id, status: tasks.status }).from(tasks).where(and(eq(tasks.tenantId, tenant.id), inArray(tasks.id, ids)));
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

describe('task liveness', () => {
  it('fails the tasks of a process that stopped beating, and only those', async () => {
    const dead = await insertTask(randomUUID(), 60);
    const legacy = await insertTask(null, null);
    const otherAlive = await insertTask(randomUUID(), 1);
    const mine = await insertTask(WORKER_ID, 600);
    expect(await failInterruptedTasks(database.db)).toBe(2);
    expect(await statuses([dead, legacy, otherAlive, mine])).toEqual({ [dead]: 'failed', [legacy]: 'failed', [otherAlive]: 'running', [mine]: 'running' });
    const [row] = await database.db.select().from(tasks).where(eq(tasks.id, dead));
    expect(row!.error).toMatch(/nothing was applied/);
  });

  it('stamps a running task with this process and keeps its heartbeat fresh', async () => {
    let release!: () => void;
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
    const started = await startTask(ctx, 'promotion', {}, () => new Promise((resolve) => (release = () => resolve({ ok: true }))));
    const [first] = await database.db.select().from(tasks).where(eq(tasks.id, started.task.id));
    expect(first!.workerId).toBe(WORKER_ID);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const [later] = await database.db.select().from(tasks).where(eq(tasks.id, started.task.id));
    expect(later!.heartbeatAt!.getTime()).toBeGreaterThan(first!.heartbeatAt!.getTime());
    release();
    expect((await started.done).status).toBe('succeeded');
  });
});
