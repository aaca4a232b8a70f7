import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { importRows, importRuns } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, testApp, type TestApp, signInThroughForm } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember } from '../support/factories.js';
import { csvOf, importTenant, liveState } from '../imports/support.js';

/**
 * The import pages (SPEC §8 "imports"; reference/import-workflow-and-runs.md, fix-common-import-errors.md): upload
 * through the multipart form, edit the mapping, start, follow the progress to the summary, review a quarantined row,
 * fix it and reprocess, ignore another, undo; a viewer is refused; another tenant's run id is not found.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let other: Tenant;
let owner: string;
let viewer: string;
let otherOwner: string;
const HOST = 'webimp.localhost';
const OTHER_HOST = 'webimpother.localhost';
const PASSWORD = 'correct horse battery';

const HEADER = ['Work Email', 'First Name', 'Last Name', 'Department', 'Team', 'Job Title', 'Manager Email', 'FTE', 'Grade Band'];
const FTE_COLUMN = 7;
const FILE = csvOf(HEADER, [
  ['ceo@webimp.test', 'Cee', 'Oh', 'Executive', '', 'CEO', '', '1', 'L9'],
  ['ann@webimp.test', 'Ann', 'Lee', 'Engineering', 'Platform', 'Engineer', 'ceo@webimp.test', '1', 'L5'],
  ['bad@webimp.test', 'Bad', 'Fte', 'Engineering', 'Platform', 'Engineer', 'ceo@webimp.test', '9', 'L4'],
  ['not-an-email', 'No', 'Body', 'Engineering', '', 'Engineer', '', '1', 'L1'],
]);

/** Signs in through the sign-in form, as a browser does; returns the cookie header to send back. */
const signIn = (host: string, email: string) => signInThroughForm(app, host, email, PASSWORD);

async function get(path: string, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text(), headers: response.headers };
}

async function post(path: string, form: Record<string, string>, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { origin: `http://${host}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

/** Posts the upload form as a browser does: multipart/form-data with the file. */
async function upload(cookie: string, fields: Record<string, string>, csv: string, name = 'people.csv', host = HOST) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new File([csv], name, { type: 'text/csv' }));
  const response = await app.app.request('/imports', { method: 'POST', headers: { host, cookie, origin: `http://${host}`, accept: 'text/html' }, body: form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

async function csrfFor(cookie: string, path = '/imports', host = HOST): Promise<string> {
  return hiddenField((await get(path, cookie, host)).html, 'csrf');
}

/** Follows the progress page (as its Refresh header asks) until the run has finished. */
async function finished(id: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const page = await get(`/imports/${id}/progress`, owner);
    expect(page.status).toBe(200);
    if (!page.headers.get('refresh')) return page.html;
    expect(page.headers.get('refresh')).toBe('2');
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('run did not finish');
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replaceAll('&quot;', '"').replace(/\s+/g, ' ');
const h1 = (html: string) => /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() ?? '';

async function runCount(t: Tenant) {
  return Number((await database.db.select({ n: count() }).from(importRuns).where(eq(importRuns.tenantId, t.id)))[0]!.n);
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant } = await importTenant(database, { slug: 'webimp' }));
  ({ tenant: other } = await importTenant(database, { slug: 'webimpother' }));
  owner = await signIn(HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email);
  viewer = await signIn(HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email);
  otherOwner = await signIn(OTHER_HOST, (await buildMember(database, other, 'owner', { password: PASSWORD })).email);
});
afterAll(() => database?.close());

let runId: string;

describe('the import pages for an owner', () => {
  it('lists imports in the navigation, and sends a signed-out browser to sign-in', async () => {
    const { html } = await get('/live', owner);
    expect(html).toContain('<a href="/imports">Imports</a>');
    const response = await app.request('/imports', { host: HOST, headers: { accept: 'text/html' } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sign-in?return_to=%2Fimports');
  });

  it('shows the upload form with labelled fields and no inline script or style', async () => {
    const page = await get('/imports', owner);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe('Imports');
    expect(page.html).toContain('<a href="/imports" aria-current="page">');
    expect(page.html).toContain('enctype="multipart/form-data"');
    for (const id of ['upload-file', 'upload-target', 'upload-format', 'upload-types', 'f-status']) expect(page.html).toContain(`<label for="${id}">`);
    expect(page.html).toContain('No imports yet.');
    expect(page.html).not.toMatch(/<script>|style="/);
  });

  it('uploads a file through the multipart form and opens its mapping and preview', async () => {
    const created = await upload(owner, { csrf: await csrfFor(owner), target: 'live', format: '' }, FILE);
    expect(created.status, created.html).toBe(303);
    const match = /^\/imports\/([0-9a-f-]{36})\?notice=uploaded$/.exec(created.location ?? '');
    expect(match, created.location ?? '').not.toBeNull();
    runId = match![1]!;

    const page = await get(created.location!, owner);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe('Import: people.csv');
    expect(page.html).toContain('File received.');
    // Each detected column has a labelled select with its field chosen; "Grade Band" is not recognised.
    expect(page.html).toContain(`<label for="field-${FTE_COLUMN}" class="visually-hidden">`);
    expect(page.html).toMatch(new RegExp(`name="field_${FTE_COLUMN}"[\\s\\S]*?<option value="fte" selected="">`));
    expect(page.html).toMatch(/name="field_8"><option value="" selected="">— not imported —/);
    // The preview: rows as read, the quarantine reasons in plain words, and the dry run's counts.
    const words = text(page.html);
    expect(words).toContain('The FTE is not a valid number invalid_fte');
    // What exactly is wrong, not only the kind of problem.
    expect(words).toContain('The FTE is not a valid number invalid_fte in fte — 9 must be from 0.01 to 3.00. Fix:');
    expect(words).toContain('Would import 2');
    expect(words).toContain('Would quarantine 2');
    // What becomes of each row comes right after its number, before the file's columns (a wide file scrolls them
    // away), in a cell wide enough to read its reason and fix as lines.
    expect(page.html).toMatch(/<th scope="col">Row<\/th><th scope="col">Would be<\/th><th scope="col">email<\/th>/);
    expect(page.html).toMatch(/<td class="num">3<\/td><td class="outcome"><span class="badge warn">quarantined<\/span>/);
    expect(page.html).not.toMatch(/<script>|style="/);
    expect((await liveState(database, tenant.id)).actors).toBe(0);
  });

  it('names the format once, where it is chosen, and says what a BambooHR file’s columns mean under it', async () => {
    const page = await get(`/imports/${runId}`, owner);
    const words = text(page.html);
    expect(words.match(/\bFormat\b/g), 'one “Format”: the settings field').toHaveLength(1);
    expect(page.html).toMatch(/<label for="m-format">Format<\/label><select id="m-format" name="format">/);
    expect(page.html).not.toContain('m-format-hint');
    const csrf = await csrfFor(owner, `/imports/${runId}`);
    const other = await upload(owner, { csrf, target: 'live', format: 'bamboohr' }, FILE, 'directory.csv');
    expect(other.status, other.html).toBe(303);
    const bamboo = await get(other.location!, owner);
    expect(text(bamboo.html).match(/\bFormat\b/g)).toHaveLength(1);
    expect(bamboo.html).toContain('<select id="m-format" name="format" aria-describedby="m-format-hint">');
    expect(bamboo.html).toContain('<p class="hint" id="m-format-hint">PersonID is the source identity, SupervisorID links managers.</p>');
  });

  it('lists the pending run and filters by status', async () => {
    const all = await get('/imports', owner);
    expect(all.html).toContain(`<a href="/imports/${runId}">people.csv</a>`);
    expect((await get('/imports?status=completed', owner)).html).toContain('No import run has this status.');
    expect((await get('/imports?status=pending', owner)).html).toContain(`/imports/${runId}`);
    const bad = await get('/imports?status=done', owner);
    expect(bad.status).toBe(400);
  });

  it('edits the mapping in place', async () => {
    const csrf = await csrfFor(owner, `/imports/${runId}`);
    const saved = await post(`/imports/${runId}/settings`, { csrf, format: 'orgonaut', target: 'live', field_8: 'level', create_missing_types: 'on' }, owner);
    expect(saved.status, saved.html).toBe(303);
    expect(saved.location).toBe(`/imports/${runId}?notice=saved`);
    const [run] = await database.db.select().from(importRuns).where(eq(importRuns.id, runId));
    expect(run!.mapping[8]).toEqual({ column: 8, header: 'Grade Band', field: 'level' });
    expect(run!.mapping[FTE_COLUMN]!.field).toBe('fte');
    expect(run!.options).toMatchObject({ create_missing_types: true });
    const page = await get(`/imports/${runId}`, owner);
    expect(page.html).toMatch(/name="field_8">[\s\S]*?<option value="level" selected="">/);

    // The form sends every column's choice: one field chosen for two columns is refused.
    const twice = await post(`/imports/${runId}/settings`, { csrf, format: 'orgonaut', target: 'live', field_0: 'email', field_8: 'email' }, owner);
    expect(twice.status).toBe(400);
    expect(text(twice.html)).toContain('field email is mapped from two columns');
  });

  it('shows a pending run’s progress page refreshing, then starts it and shows the summary when completed', async () => {
    const pending = await get(`/imports/${runId}/progress`, owner);
    expect(pending.headers.get('refresh')).toBe('2');
    expect(pending.html).toContain('This import has not been started.');

    const started = await post(`/imports/${runId}/start`, { csrf: await csrfFor(owner, `/imports/${runId}`) }, owner);
    expect(started.status, started.html).toBe(303);
    expect(started.location).toBe(`/imports/${runId}/progress`);
    const html = await finished(runId);
    const words = text(html);
    expect(h1(html)).toBe('Progress: people.csv');
    expect(html).toContain('<span class="badge ok">completed</span>');
    expect(html).toMatch(/<progress id="run-percent" max="100" value="100">/);
    expect(words).toContain('Finalize done');
    expect(words).toMatch(/Imported 2 Created 2/);
    expect(words).toMatch(/People and other actors 2 0 0 2/);
    expect(words).toContain('1 × The FTE is not a valid number invalid_fte');
    expect(html).toContain(`action="/imports/${runId}/undo"`);
    expect(html).not.toMatch(/<script>|style="/);
    // Once started, the mapping page sends the browser to the progress.
    const mapping = await app.request(`/imports/${runId}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    expect(mapping.status).toBe(303);
    expect(mapping.headers.get('location')).toBe(`/imports/${runId}/progress`);
    expect((await liveState(database, tenant.id)).actors).toBe(2);
    // Live's lineage lists the import by name, with the run it came from named by its file, as Activity names it
    // (not a lower-case 'import' and a dash, nor 'the import run').
    const lineage = await get('/live/lineage', owner);
    expect(lineage.html).toContain('<h2 id="lineage-title">Promotions, restores and imports</h2>');
    expect(lineage.html).toMatch(new RegExp(`<span class="badge accent">Import</span>[\\s\\S]*?<a href="/imports/${runId}/progress">Import of “people.csv”</a>`));
  });

  it('reviews quarantined rows: reasons in plain words with the fix, filtered by resolution', async () => {
    const page = await get(`/imports/${runId}/review`, owner);
    expect(page.status).toBe(200);
    expect(h1(page.html)).toBe('Review: people.csv');
    const words = text(page.html);
    expect(words).toContain('Row 3');
    expect(words).toContain('The FTE is not a valid number invalid_fte in fte');
    expect(words).toContain('Fix: Use a number from 0.01 to 3.00');
    expect(words).toContain('Row 4');
    expect(words).toContain('missing_required_field');
    expect(page.html).toContain(`<label for="r3-c${FTE_COLUMN}">FTE`);
    expect(page.html).toContain(`name="cell_${FTE_COLUMN}" value="9"`);
    expect(page.html).toContain('<label for="f-resolution">Resolution</label>');
    expect(page.html).not.toMatch(/<script>|style="/);
    const failed = await get(`/imports/${runId}/review?resolution=fixed`, owner);
    expect(failed.html).toContain('No quarantined row has this resolution.');
  });

  it('fixes a row in place, ignores another, reprocesses, and imports the fixed row', async () => {
    const csrf = await csrfFor(owner, `/imports/${runId}/review`);
    const fixed = await post(`/imports/${runId}/rows/3/fix`, { csrf, resolution: 'pending', [`cell_${FTE_COLUMN}`]: '0.9', cell_0: 'bad@webimp.test' }, owner);
    expect(fixed.status, fixed.html).toBe(303);
    expect(fixed.location).toBe(`/imports/${runId}/review?notice=fixed&resolution=pending#row-3`);
    // The resolution filter counts the rows as they are now, not as the import left them.
    const options = (html: string) => text(/<select id="f-resolution"[\s\S]*?<\/select>/.exec(html)![0]);
    expect(options((await get(`/imports/${runId}/review`, owner)).html)).toContain('waiting for review (1) queued for reprocessing (1) failed again');
    const ignored = await post(`/imports/${runId}/rows/4/ignore`, { csrf }, owner);
    expect(ignored.status).toBe(303);
    expect(options((await get(`/imports/${runId}/review`, owner)).html)).toContain('All waiting for review queued for reprocessing (1) failed again fixed and imported ignored (1)');

    const queued = await get(`/imports/${runId}/review?resolution=reprocessing`, owner);
    expect(text(queued.html)).toContain('1 fixed row is queued.');
    expect(queued.html).toContain(`name="cell_${FTE_COLUMN}" value="0.9"`);
    const [row] = await database.db.select().from(importRows).where(and(eq(importRows.runId, runId), eq(importRows.rowNumber, 3)));
    expect(row!.values[FTE_COLUMN]).toBe('0.9');
    expect(row!.original![FTE_COLUMN]).toBe('9');

    const again = await post(`/imports/${runId}/reprocess`, { csrf }, owner);
    expect(again.status, again.html).toBe(303);
    expect(again.location).toBe(`/imports/${runId}/progress`);
    const html = await finished(runId);
    expect(text(html)).toContain('Step 2 (reprocessing)');
    expect(text(html)).toMatch(/Imported 3 Created 3/);
    // What the run changed, all steps together — as its rows are counted — not only what reprocessing added (+1).
    expect(text(html)).toMatch(/Headcount \+3 FTE \+2\.9 /);
    expect((await liveState(database, tenant.id)).actors).toBe(3);

    const reviewHtml = (await get(`/imports/${runId}/review`, owner)).html;
    const review = text(reviewHtml);
    expect(review).toContain('fixed and imported');
    // The imported row's problem is history, folded away: not set out as if it still had to be fixed.
    const row3 = /<li id="row-3">[\s\S]*?<\/li>/.exec(reviewHtml)![0];
    expect(row3).toMatch(/<details><summary>Quarantined before its fix: The FTE is not a valid number<\/summary>/);
    expect(row3.replace(/<details>[\s\S]*?<\/details>/, '')).not.toContain('Fix:');
    expect(review).toContain('ignored');
    const nothing = await post(`/imports/${runId}/reprocess`, { csrf }, owner);
    expect(nothing.status).toBe(409);
    expect(text(nothing.html)).toContain('No rows are waiting to be reprocessed.');
    // What to do, in the page's own words (the button to press), not only the API's.
    expect(text(nothing.html)).toContain('on the review page “Save fix and queue” (also for a row that needs no change, such as the one to keep of two duplicates once the other is ignored)');
    expect(text(nothing.html)).not.toContain('PATCH a row');
  });

  it('says on the preview of the same file uploaded again that it was imported into Live already', async () => {
    const again = await upload(owner, { csrf: await csrfFor(owner), target: 'live', format: '' }, FILE, 'people-copy.csv');
    expect(again.status, again.html).toBe(303);
    const words = text((await get(again.location!, owner)).html);
    expect(words).toContain('Check before starting');
    expect(words).toMatch(new RegExp(`This very file was imported into Live already on \\d{4}-\\d{2}-\\d{2} at \\d{2}:\\d{2} UTC \\(import ${runId}\\)`));
  });

  it('undoes the import by restoring the snapshot taken before it', async () => {
    const undo = await post(`/imports/${runId}/undo`, { csrf: await csrfFor(owner, `/imports/${runId}/progress`) }, owner);
    expect(undo.status, undo.html).toBe(303);
    expect(undo.location).toMatch(/^\/scenarios\/[0-9a-f-]{36}\/tasks\/[0-9a-f-]{36}$/);
    for (let i = 0; i < 400; i++) {
      const task = await get(undo.location!, owner);
      if (!task.headers.get('refresh')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await liveState(database, tenant.id)).actors).toBe(0);
    const after = await get(`/imports/${runId}/progress`, owner);
    expect(text(after.html)).toContain('This import was undone');
    // Not “Live is now version …”: after the undo it is not.
    expect(text(after.html)).toMatch(/This import made Live version \d+ \(it was \d+\)/);
    expect(after.html).not.toContain(`action="/imports/${runId}/undo"`);
    // The list says so too: “completed” alone reads as if its changes were in Live.
    expect(text((await get('/imports', owner)).html)).toContain('completed undone: Live went back to before it');
    const again = await post(`/imports/${runId}/undo`, { csrf: await csrfFor(owner, `/imports/${runId}/progress`) }, owner);
    expect(again.status).toBe(409);
    expect(text(again.html)).toContain('This import has already been undone.');
    expect((await liveState(database, tenant.id)).actors).toBe(0);
    // Its review is no dead end: no fix forms whose rows could never be imported, and why.
    const review = await get(`/imports/${runId}/review`, owner);
    expect(text(review.html)).toContain('This import was undone: its rows can no longer be fixed or imported.');
    expect(review.html).not.toContain(`action="/imports/${runId}/rows/`);
    expect(review.html).toMatch(/<button type="submit" disabled="">\s*Reprocess queued rows/);
    const refix = await post(`/imports/${runId}/rows/4/fix`, { csrf: await csrfFor(owner, `/imports/${runId}/review`), cell_0: 'nobody@webimp.test' }, owner);
    expect(refix.status).toBe(409);
    expect(text(refix.html)).toContain('This import has been undone; its rows can no longer be fixed or imported.');
    // The undone import left nothing in Live: the same file uploaded again is no repeat.
    const reupload = await upload(owner, { csrf: await csrfFor(owner), target: 'live', format: '' }, FILE);
    expect(text((await get(reupload.location!, owner)).html)).not.toContain('imported into Live already');
  });

  it('re-renders the form with the reason when a file is refused, storing nothing', async () => {
    const before = await runCount(tenant);
    const refused = await upload(owner, { csrf: await csrfFor(owner), target: 'live' }, 'email,name\n"a@x.test,Ann\n', 'broken.csv');
    expect(refused.status).toBe(422);
    expect(text(refused.html)).toContain('The file is not a well-formed CSV');
    expect(refused.html).toContain('enctype="multipart/form-data"');
    const sheet = await upload(owner, { csrf: await csrfFor(owner), target: 'live' }, 'x', 'people.xlsx');
    expect(sheet.status).toBe(422);
    expect(text(sheet.html)).toContain('upload a .csv or .txt file');
    const forged = await upload(owner, { csrf: 'forged', target: 'live' }, FILE);
    expect(forged.status).toBe(403);
    expect(await runCount(tenant)).toBe(before);
  });
});

describe('who may use the import pages', () => {
  it('refuses a viewer with a clear page and hides the navigation item', async () => {
    const live = await get('/live', viewer);
    expect(live.html).not.toContain('href="/imports"');
    for (const path of ['/imports', `/imports/${runId}`, `/imports/${runId}/progress`, `/imports/${runId}/review`]) {
      const page = await get(path, viewer);
      expect(page.status, path).toBe(403);
      expect(h1(page.html), path).toBe('Imports: not available for your role');
      expect(page.html, path).toContain('imports.manage');
    }
    const before = await runCount(tenant);
    const refused = await upload(viewer, { csrf: await csrfFor(viewer, '/live'), target: 'live' }, FILE);
    expect(refused.status).toBe(403);
    expect(await runCount(tenant)).toBe(before);
  });

  it('answers 404 for another tenant’s run, on every page and action', async () => {
    for (const path of [`/imports/${runId}`, `/imports/${runId}/progress`, `/imports/${runId}/review`]) {
      const page = await get(path, otherOwner, OTHER_HOST);
      expect(page.status, path).toBe(404);
      expect(page.html, path).not.toContain('people.csv');
    }
    const csrf = await csrfFor(otherOwner, '/imports', OTHER_HOST);
    for (const action of ['start', 'reprocess', 'undo', 'rows/3/ignore']) {
      const response = await post(`/imports/${runId}/${action}`, { csrf }, otherOwner, OTHER_HOST);
      expect(response.status, action).toBe(404);
    }
    expect((await get('/imports/not-a-uuid/progress', owner)).status).toBe(404);
  });
});

describe('the review journey, where it used to be rough', () => {
  const JOURNEY = csvOf(HEADER, [
    ['boss@journey.test', 'Bo', 'Ss', 'Executive', '', 'CEO', '', '1', 'L9'],
    ['dan@journey.test', 'Dan', 'Fi', 'Engineering', 'Platform', 'Engineer', 'boss@journey.test', 'full', 'L4'],
  ]);
  let id: string;

  it('keeps the mapping choices made when saving them is refused, and names the two columns by their headers', async () => {
    const uploaded = await upload(owner, { csrf: await csrfFor(owner), target: 'live' }, JOURNEY, 'journey.csv');
    expect(uploaded.status, uploaded.html).toBe(303);
    id = /\/imports\/([0-9a-f-]{36})/.exec(uploaded.location!)![1]!;
    const csrf = await csrfFor(owner, `/imports/${id}`);
    // Grade Band is chosen as level, and by mistake Manager Email as email too.
    const refused = await post(`/imports/${id}/settings`, { csrf, format: 'orgonaut', target: 'live', field_0: 'email', field_6: 'email', field_8: 'level', create_missing_types: 'on' }, owner);
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain('field email is mapped from two columns (0 and 6), “Work Email” and “Manager Email”; map it from one');
    // What was chosen is still there to correct: the level, the checkbox, and both email choices, marked.
    expect(refused.html).toMatch(/name="field_8">[\s\S]*?<option value="level" selected="">/);
    expect(refused.html).toMatch(/<input id="m-types" name="create_missing_types" type="checkbox" checked=""\/>/);
    expect(refused.html).toMatch(/name="field_6" aria-invalid="true">[\s\S]*?<option value="email" selected="">/);
    expect(refused.html).toMatch(/name="field_0" aria-invalid="true">/);
    expect(text(refused.html)).toContain('Chosen for another column too: choose it for one.');
    // Nothing was saved.
    const [run] = await database.db.select().from(importRuns).where(eq(importRuns.id, id));
    expect(run!.mapping[8]!.field).toBeNull();
    expect(run!.mapping[6]!.field).toBe('manager_email');
  });

  it('says whether a fixed row reads well before it is reprocessed, keeps what was typed when a fix is refused, and links the imported person', async () => {
    const started = await post(`/imports/${id}/start`, { csrf: await csrfFor(owner, `/imports/${id}`) }, owner);
    expect(started.status, started.html).toBe(303);
    await finished(id);
    const csrf = await csrfFor(owner, `/imports/${id}/review`);

    // A fix that is still wrong says so on the review page, with the reason it would be quarantined for now.
    expect((await post(`/imports/${id}/rows/2/fix`, { csrf, [`cell_${FTE_COLUMN}`]: 'one' }, owner)).status).toBe(303);
    const still = text((await get(`/imports/${id}/review`, owner)).html);
    expect(still).toContain('Still a problem with the fix: The FTE is not a valid number invalid_fte in fte — “one” is not a number.');
    expect(still).toContain('Quarantined for: The FTE is not a valid number');

    // A refused fix (a pasted cell over the limit) shows the cells as they were typed, not as they were stored.
    const refused = await post(`/imports/${id}/rows/2/fix`, { csrf, [`cell_${FTE_COLUMN}`]: '0.75', cell_8: 'L'.repeat(10_001) }, owner);
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain('must be at most 10,000 characters');
    expect(refused.html).toContain(`name="cell_${FTE_COLUMN}" value="0.75"`);
    expect(text(refused.html)).toContain('Invalid values.8: (“Grade Band”) must be at most 10,000 characters');

    expect((await post(`/imports/${id}/rows/2/fix`, { csrf, [`cell_${FTE_COLUMN}`]: '1' }, owner)).status).toBe(303);
    expect(text((await get(`/imports/${id}/review`, owner)).html)).toContain('With the fix, the row reads well. Reprocess to import it');

    expect((await post(`/imports/${id}/reprocess`, { csrf }, owner)).status).toBe(303);
    await finished(id);
    const [dan] = (await database.db.select().from(importRows).where(and(eq(importRows.runId, id), eq(importRows.rowNumber, 2))));
    expect(dan!.status).toBe('imported');
    const review = await get(`/imports/${id}/review`, owner);
    expect(review.html).toMatch(new RegExp(`Imported\\s*as <a href="/live/actors/${dan!.actorId}">this person</a>`));
  });
});
