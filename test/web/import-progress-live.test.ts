import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { importRows, importRuns } from '../../src/db/schema/index.js';
import { fixRow, listRows } from '../../src/imports/review.js';
import { getRun, reprocessRun } from '../../src/imports/runs.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember } from '../support/factories.js';
import { csvOf, importFile, importTenant } from '../imports/support.js';

/**
 * The progress page of an import into Live when other changes reach Live around it (a promotion, a restore, another
 * import): while a step runs on a Live version that has moved on, it says the step will stop with nothing applied;
 * a run whose steps had other changes between them says which versions were its own; and an undo Live has moved past
 * is explained instead of offered.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let owner: ServiceContext;
let cookie: string;
const HOST = 'progresslive.localhost';
const HEADER = ['email', 'name', 'department', 'manager_email', 'fte'];

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replace(/\s+/g, ' ');
const page = async (id: string) => {
  const response = await app.request(`/imports/${id}/progress`, { host: HOST, cookie, headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  return response.text();
};

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant, owner } = await importTenant(database, { slug: 'progresslive' }));
  const member = await buildMember(database, tenant, 'owner', { password: 'correct horse battery' });
  cookie = await signInThroughForm(app, HOST, member.email, 'correct horse battery');
});
afterAll(() => database?.close());

describe('the progress page when Live changes around a run', () => {
  it('says which Live versions each step made when another change landed between them, and why undo is refused', async () => {
    const run = await importFile(owner, csvOf(HEADER, [
      ['ada@pl.test', 'Ada', 'Ops', '', '1'],
      ['bo@pl.test', 'Bo', 'Ops', '', 'lots'],
    ]));
    const first = run.live_version_after!;
    expect(run.progress.live_version).toBe(run.live_version_before);
    // Another import reaches Live before the fixed row is reprocessed.
    await importFile(owner, csvOf(HEADER, [['cy@pl.test', 'Cy', 'Ops', '', '1']]));
    await fixRow(owner, run.id, 2, { fte: '1' });
    const done = await (await reprocessRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ live: { version_before: first - 1, version_after: first + 2, changed: true } });
    const shown = text(await page(run.id));
    expect(shown).toContain('This import changed Live in steps, and other changes reached Live between them:');
    expect(shown).toContain(`Step 1: made Live version ${first} (it was ${first - 1}).`);
    expect(shown).toContain(`Between step 1 and step 2: Live version ${first + 1} came from other changes (a promotion, a restore or another import), not from this import.`);
    expect(shown).toContain(`Step 2: made Live version ${first + 2} (it was ${first + 1}).`);
    expect(shown).not.toContain(`This import made Live version ${first + 2} (it was ${first - 1})`);
    // Undo would throw the other import away: the page says so rather than offering a button that is refused.
    expect(shown).toContain(`Live changed since this import by a later import (Live is now at version ${first + 2})`);
    expect(shown).toContain('Restore a snapshot from Snapshots instead');
    expect(await page(run.id)).not.toContain(`action="/imports/${run.id}/undo"`);
  });

  it('says while a step runs that Live has moved past the version it read, so it will stop with nothing applied', async () => {
    const run = await importFile(owner, csvOf(HEADER, [['di@pl.test', 'Di', 'Ops', '', 'lots']]));
    const read = run.progress.live_version!;
    await importFile(owner, csvOf(HEADER, [['ed@pl.test', 'Ed', 'Ops', '', '1']]));
    // As a reprocessing step that read Live before that import is while it runs (its work ends in one transaction).
    await database.db.update(importRuns).set({ status: 'processing', step: 2, progress: { ...(run.progress as object), stage: 'placements', percent: 40 } }).where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.id, run.id)));
    const shown = text(await page(run.id));
    expect(shown).toContain(`Live changed while this step runs: it read Live version ${read}, and another change (a promotion, a restore or an HRIS update) has made version ${read + 1} since.`);
    expect(shown).toContain('When the step reaches Finalize it stops with nothing applied; start it again then');
    await database.db.update(importRuns).set({ status: 'completed', step: 1 }).where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.id, run.id)));
  });

  it('starts a failed reprocessing step again as a reprocess: rows stranded by their manager are taken again too', async () => {
    const run = await importFile(owner, csvOf(HEADER, [
      ['lead@pl.test', 'Lead', 'Ops', '', 'lots'],
      ['rep@pl.test', 'Rep', 'Ops', 'lead@pl.test', '1'],
    ]));
    await fixRow(owner, run.id, 1, { fte: '1' });
    // What a reprocessing step refused at Finalize (Live moved meanwhile) leaves: the rows as they were, the run failed.
    await database.db
      .update(importRuns)
      .set({ status: 'failed', step: sql`${importRuns.step} + 1`, error: 'Live changed while this import was running; nothing was applied.', errorCode: 'conflict' })
      .where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.id, run.id)));
    const failed = text(await page(run.id));
    expect(failed).toContain('Live changed while this import was running; nothing was applied.');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page(run.id))![1]!;
    const start = await app.request(`/imports/${run.id}/start`, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf } });
    expect(start.status).toBeLessThan(400);
    for (let i = 0; i < 400 && (await getRun(owner, run.id)).status === 'processing'; i++) await new Promise((r) => setTimeout(r, 25));
    const rows = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(rows.map((r) => [r.row_number, r.status])).toEqual([[1, 'imported'], [2, 'imported']]);
    expect(await database.db.select({ n: sql<number>`count(*)::int` }).from(importRows).where(and(eq(importRows.runId, run.id), eq(importRows.status, 'quarantined')))).toEqual([{ n: 0 }]);
  });
});
