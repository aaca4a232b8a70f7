import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * The documented task examples (/docs/api.json) read as a task really does: what a promotion or restore answers when
 * it starts (a pending task: nothing started, finished, produced or failed yet), and what polling it returns once it
 * succeeded (its result's fields). An integration builder writes the polling loop from these examples.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
let doc: any;
const HOST = 'taskdoc.localhost';
const { id } = fixtureIds('task-doc');

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'taskdoc', plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('task-doc'));
  app = testApp(database);
  token = await memberToken(database, tenant, 'owner');
  doc = await (await app.request('/docs/api.json', { host: HOST })).json();
});
afterAll(() => database?.close());

async function call(path: string, init: { method?: string; json?: unknown } = {}) {
  const response = await app.request(path, { host: HOST, token, ...init });
  return { status: response.status, body: (await response.json()) as any };
}

async function settled(taskId: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const task = (await call(`/api/v1/tasks/${taskId}`)).body.data;
    if (task.finished_at) return task;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${taskId} did not finish`);
}

function example(method: string, path: string, status: number): any {
  return doc.paths[path][method].responses[String(status)].content['application/json'].example.data;
}

/** What a reader takes from a task: its kind and status, and which of its fields are set. */
function shape(task: any) {
  return {
    kind: task.kind,
    status: task.status,
    set: Object.keys(task).filter((key) => task[key] !== null).sort(),
    result: task.result ? Object.keys(task.result).sort() : null,
  };
}

describe('documented task examples', () => {
  it('show a started promotion and restore as pending (no result, no error, not started or finished), of their own kind', async () => {
    const scenario = (await call('/api/v1/scenarios', { method: 'POST', json: { name: 'Task example' } })).body.data;
    await call(`/api/v1/scenarios/${scenario.id}/changes`, { method: 'POST', json: { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.9 }] } });
    const snapshot = (await call('/api/v1/snapshots', { method: 'POST', json: { name: 'Before the task example' } })).body.data;

    const promoted = await call(`/api/v1/scenarios/${scenario.id}/promote`, { method: 'POST' });
    expect(promoted.status).toBe(202);
    expect(shape(example('post', '/api/v1/scenarios/{id}/promote', 202))).toEqual(shape(promoted.body.data));
    const promotion = await settled(promoted.body.data.id);
    expect(promotion.status).toBe('succeeded');

    const restored = await call(`/api/v1/snapshots/${snapshot.id}/restore`, { method: 'POST' });
    expect(restored.status).toBe(202);
    expect(shape(example('post', '/api/v1/snapshots/{id}/restore', 202))).toEqual(shape(restored.body.data));
    const restore = await settled(restored.body.data.id);
    expect(restore.status).toBe('succeeded');

    // Polling: the task as it is once it succeeded, with the fields of its result.
    expect(shape(example('get', '/api/v1/tasks/{id}', 200))).toEqual(shape(promotion));
    const listed = doc.paths['/api/v1/tasks'].get.responses['200'].content['application/json'].example.data;
    expect(listed.map(shape)).toEqual(expect.arrayContaining([shape(promotion), shape(restore)]));
  });

  it('never show a task both pending and finished, or failed without an error', () => {
    const tasks: [string, any][] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, any>)) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        for (const [status, response] of Object.entries(op.responses ?? {}) as [string, any][]) {
          const media = response.content?.['application/json'];
          const ref = media?.schema?.properties?.data?.$ref ?? media?.schema?.properties?.data?.items?.$ref;
          if (!status.startsWith('2') || ref !== '#/components/schemas/Task') continue;
          const data = media.example.data;
          for (const task of Array.isArray(data) ? data : [data]) tasks.push([`${method.toUpperCase()} ${path}`, task]);
        }
      }
    }
    expect(tasks.length).toBeGreaterThanOrEqual(6);
    for (const [key, task] of tasks) {
      const done = task.status === 'succeeded' || task.status === 'failed';
      expect(Boolean(task.finished_at), `${key}: finished_at of a ${task.status} task`).toBe(done);
      expect(task.error !== null, `${key}: error of a ${task.status} task`).toBe(task.status === 'failed');
      expect(task.result !== null, `${key}: result of a ${task.status} task`).toBe(task.status === 'succeeded');
    }
  });
});
