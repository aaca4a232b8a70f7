import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { startRun } from '../../src/imports/runs.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import type { ServiceContext } from '../../src/context.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember } from '../support/factories.js';
import { csvOf, importFile, importTenant } from '../imports/support.js';

/**
 * The review page reads a queued fix again before it is reprocessed (src/imports/review.ts `checkQueuedRows`): a row
 * quarantined because it names a department beside a team of that name is told, after a fix that leaves the clash, that
 * it still clashes — not that it "reads well", as it was for the reasons only the import run checked.
 */

let database: Database;
let app: TestApp;
let owner: string;
let ctx: ServiceContext;
const HOST = 'webreviewcheck.localhost';
const PASSWORD = 'correct horse battery';
const HEADER = ['email', 'name', 'department', 'parent_department', 'team', 'manager_email', 'job_title'];

async function get(path: string) {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
}

async function post(path: string, form: Record<string, string>) {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, location: response.headers.get('location') };
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  const made = await importTenant(database, { slug: 'webreviewcheck' });
  ctx = made.owner;
  owner = await signInThroughForm(app, HOST, (await buildMember(database, made.tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
  // Engineering, with a team Platform in it.
  await importFile(
    ctx,
    csvOf(HEADER, [
      ['vp@x.test', 'Vp', 'Engineering', '', '', '', 'VP'],
      ['ken@x.test', 'Ken', 'Engineering', '', 'Platform', 'vp@x.test', 'Engineer'],
    ]),
  );
});
afterAll(() => database?.close());

describe('a row naming a department beside a team of its name, on the review page', () => {
  it('still says so after a fix that leaves the clash, and reads well once the team is named as a team', async () => {
    const run = await createRunFromUpload(ctx, { body: csvOf(HEADER, [['linus@x.test', 'Linus', 'Platform', 'Engineering', '', 'vp@x.test', 'Lead']]), fileName: 'platform.csv' });
    await (await startRun(ctx, run.id)).done;
    const review = `/imports/${run.id}/review`;
    const first = pageText((await get(review)).html);
    expect(first).toContain('A team here already has this name department_named_like_team in department — “Engineering” has a team named “Platform”');
    expect(first).toContain('If the person belongs in that team, write the team in the team column');
    const csrf = hiddenField((await get(review)).html, 'csrf');

    // Only the job title corrected: the department still clashes with the team, and the page says so before reprocessing.
    expect((await post(`/imports/${run.id}/rows/1/fix`, { csrf, cell_6: 'Platform Lead' })).status).toBe(303);
    const still = pageText((await get(review)).html);
    expect(still).not.toContain('With the fix, the row reads well');
    expect(still).toContain('Still a problem with the fix: A team here already has this name department_named_like_team in department — “Engineering” has a team named “Platform”');

    // Written as the fix says — the team in the team column, its department in the department column — it reads well.
    expect((await post(`/imports/${run.id}/rows/1/fix`, { csrf, cell_2: 'Engineering', cell_3: '', cell_4: 'Platform' })).status).toBe(303);
    expect(pageText((await get(review)).html)).toContain('With the fix, the row reads well. Reprocess to import it');
  });
});

describe('an import into a scenario promoted since', () => {
  it('still names its scenario on the import list and the run’s pages (it read “into scenario a scenario”)', async () => {
    const scenario = (await createScenario(ctx, { name: 'Hiring wave Q3' })).id;
    await importFile(ctx, csvOf(HEADER, [['wave@x.test', 'Wave', 'Engineering', '', 'Platform', 'vp@x.test', 'Engineer']]), { fileName: 'wave.csv', target: { kind: 'scenario', scenario_id: scenario } });
    await (await promoteScenario(ctx, scenario)).done;
    const list = pageText((await get('/imports')).html);
    expect(list).toMatch(/wave\.csv .*Scenario Hiring wave Q3/);
    const id = /\/imports\/([0-9a-f-]{36})/.exec((await get('/imports')).html)![1]!; // the newest run, listed first
    for (const path of [`/imports/${id}/progress`, `/imports/${id}/review`]) expect(pageText((await get(path)).html), path).toContain('into scenario Hiring wave Q3');
  });
});
