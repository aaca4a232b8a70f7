import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { auditEvents, lineageEntries, scenarios, tasks } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, type TestApp } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';
import { settledStatus } from '../support/settle.js';

/**
 * Restoring a snapshot (SPEC §6, reference/snapshots.md) over REST and on its web page: a snapshot Live already
 * matches is refused before anything is written — no archive of Live, no Live version, no task, no lineage entry —
 * the way an empty promotion is; the page says so before the button is pressed.
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
let cookie: string;
let viewerCookie: string;
const HOST = 'snaprestore.localhost';
const SALT = 'snapshot-restore';
const { units } = fixtureIds(SALT);

type Body = { data: any; [key: string]: any };

async function call(path: string, json?: unknown) {
  const response = await app.request(path, { host: HOST, token, ...(json !== undefined ? { method: 'POST', json } : {}) });
  return { status: response.status, body: (await response.json()) as Body, type: response.headers.get('content-type') ?? '' };
}
const post = (path: string, json: unknown = {}) => call(path, json);

async function page(path: string, form?: Record<string, string>, as = cookie) {
  const response = await app.request(path, { host: HOST, cookie: as, headers: { origin: `http://${HOST}`, accept: 'text/html' }, ...(form ? { form } : {}) });
  const html = await response.text();
  return { status: response.status, html, text: html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replace(/\s+/g, ' '), location: response.headers.get('location') };
}

const settled = (taskId: string) => settledStatus(async () => (await call(`/api/v1/tasks/${taskId}`)).body.data, `task ${taskId}`);

/** Everything a restore writes: Live's version, snapshots and other scenarios, tasks, lineage and audit events. */
async function written() {
  const n = async (table: typeof scenarios | typeof tasks | typeof lineageEntries) =>
    Number((await database.db.select({ n: count() }).from(table).where(eq(table.tenantId, tenant.id)))[0]!.n);
  const restored = await database.db.select({ n: count() }).from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.action, 'restored')));
  return { live: await currentLiveVersion(database.db, tenant.id), scenarios: await n(scenarios), tasks: await n(tasks), lineage: await n(lineageEntries), restoredEvents: Number(restored[0]!.n) };
}

/** Renames an org unit in Live through a promoted scenario, as a planner would. */
async function renameInLive(unitId: string, name: string) {
  const sid = (await post('/api/v1/scenarios', { name: `Rename to ${name}` })).body.data.id;
  expect((await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: unitId, name }] })).status).toBe(200);
  const promoted = await post(`/api/v1/scenarios/${sid}/promote`);
  expect(promoted.status).toBe(202);
  expect((await settled(promoted.body.data.id)).status).toBe('succeeded');
}

beforeAll(async () => {
  site = await fixtureSite({ slug: 'snaprestore', salt: SALT });
  ({ database, tenant, app } = site);
  ({ token, cookie } = await site.signInWithToken('owner'));
  viewerCookie = await site.signIn('viewer');
});
afterAll(() => database?.close());

describe('restoring a snapshot Live already matches', () => {
  it('is refused over REST with a 409 nothing_to_restore problem, and nothing is written', async () => {
    const snapshot = (await post('/api/v1/snapshots', { name: 'Just now' })).body.data.id;
    const before = await written();
    const refused = await post(`/api/v1/snapshots/${snapshot}/restore`);
    expect(refused.status).toBe(409);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      status: 409,
      code: 'nothing_to_restore',
      detail: 'This snapshot matches Live, so there is nothing to restore; Live was not changed.',
      fix: expect.stringContaining('Choose another snapshot'),
      snapshot_id: snapshot,
    });
    expect(await written()).toEqual(before);
    expect((await call('/api/v1/lineage')).body.data.filter((e: { type: string }) => e.type === 'restore')).toEqual([]);
    const document = (await call('/docs/api.json')).body;
    expect(document.paths['/api/v1/snapshots/{id}/restore'].post.description).toContain('`nothing_to_restore`');
    expect(Object.keys(document.paths['/api/v1/snapshots/{id}/restore'].post.responses)).toContain('409');
  });

  it('is refused when Live was changed and changed back since (the same records, a later version)', async () => {
    const snapshot = (await post('/api/v1/snapshots', { name: 'Before the round trip' })).body.data.id;
    await renameInLive(units.F, 'Field Sales');
    await renameInLive(units.F, 'Field');
    const before = await written();
    const refused = await post(`/api/v1/snapshots/${snapshot}/restore`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('nothing_to_restore');
    expect(await written()).toEqual(before);
  });

  it('is said on the restore page before the button is pressed, with no form to press, and refused if posted anyway', async () => {
    const snapshot = (await post('/api/v1/snapshots', { name: 'Same as Live' })).body.data.id;
    const shown = await page(`/snapshots/${snapshot}/restore`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('This snapshot matches Live, so there is nothing to restore');
    expect(shown.html).not.toContain('Restore into Live');
    expect(shown.html).toContain('href="/snapshots"');

    // A page opened earlier (or a second tab) posts anyway: a clear refusal, nothing written.
    const csrf = hiddenField((await page('/snapshots')).html, 'csrf');
    const before = await written();
    const posted = await page(`/snapshots/${snapshot}/restore`, { csrf, confirm: 'yes' });
    expect(posted.status).toBe(409);
    expect(posted.text).toContain('This snapshot matches Live, so there is nothing to restore');
    expect(posted.html).not.toContain('Internal');
    expect(await written()).toEqual(before);
  });

  it('restores it once Live has changed since, from a link on the snapshot’s page, on the page and over REST alike', async () => {
    const snapshot = (await post('/api/v1/snapshots', { name: 'Before Platform Core' })).body.data.id;
    await renameInLive(units.P, 'Platform Core');
    // The snapshot's own page leads to its restore, for those who may restore.
    const link = `href="/snapshots/${snapshot}/restore"`;
    expect((await page(`/scenarios/${snapshot}`)).html).toContain(link);
    expect((await page(`/scenarios/${snapshot}`, undefined, viewerCookie)).html).not.toContain(link);
    const shown = await page(`/snapshots/${snapshot}/restore`);
    expect(shown.text).not.toContain('matches Live');
    expect(shown.html).toContain('Restore into Live');

    const before = await written();
    const csrf = hiddenField(shown.html, 'csrf');
    const restored = await page(`/snapshots/${snapshot}/restore`, { csrf, confirm: 'yes' });
    expect(restored.status).toBe(303);
    const taskId = restored.location!.split('/').pop()!;
    expect(await settled(taskId)).toMatchObject({ kind: 'restore', status: 'succeeded', result: { records_written: 1 } });
    expect((await call(`/api/v1/org-units/${units.P}`)).body.data.name).toBe('Platform');
    expect(await written()).toMatchObject({ live: before.live + 1, scenarios: before.scenarios + 1, tasks: before.tasks + 1, lineage: before.lineage + 1, restoredEvents: before.restoredEvents + 1 });

    // Restored, the snapshot matches Live: a second restore is refused.
    expect((await post(`/api/v1/snapshots/${snapshot}/restore`)).body.code).toBe('nothing_to_restore');
    expect((await page(`/snapshots/${snapshot}/restore`)).text).toContain('This snapshot matches Live');
  });
});
