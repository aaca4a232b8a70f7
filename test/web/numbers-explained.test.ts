import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import { csvOf, importTenant } from '../imports/support.js';

/**
 * Numbers a person reads on the organisation and import pages say how they are made (usability audit): a cost is a
 * loaded cost (salary plus the organisation's employer burden, or day rate × working days), so a salary of 100,000
 * shown as €125,000 is not a riddle; an import's row in the activity log is named and leads back to the import; and a unit's roster, which lists only who is placed directly in it, says so next
 * to metrics that count the whole subtree; a scenario with no change yet is not said to "already have 0 changed records".
 */
let database: Database;
let app: TestApp;
let tenant: Tenant;
let owner: string;
let viewer: string;
const HOST = 'numbers.localhost';
const IMPORT_HOST = 'numbersimp.localhost';
const PASSWORD = 'correct horse battery';
const { id, units } = fixtureIds('numbers-explained');

const squash = (html: string) => html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replaceAll('&quot;', '"').replace(/\s+/g, ' ');

async function page(path: string, cookie: string, host = HOST): Promise<string> {
  const response = await app.request(path, { host, cookie, headers: { accept: 'text/html' } });
  const html = await response.text();
  expect(response.status, `${path}: ${html.slice(0, 300)}`).toBe(200);
  return squash(html);
}

async function post(path: string, form: Record<string, string>, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { origin: `http://${host}`, accept: 'text/html' }, form });
  return { status: response.status, location: response.headers.get('location') };
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  tenant = await buildTenant(database, { slug: 'numbers', plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('numbers-explained'));
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
  viewer = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

const PAGES = () => ['/live', `/live/units/${units.E}`, `/live/actors/${id('p1')}`, '/live/matrix'];

describe('cost figures say how they are made', () => {
  it('next to the totals, a unit’s metrics, a person’s loaded cost and the People table, in the organisation’s settings', async () => {
    for (const path of PAGES()) {
      expect(await page(path, owner), path).toContain(
        'Costs are loaded costs in EUR: annual salary plus the 25 % employer burden, or day rate × 220 working days ( cost settings ).',
      );
    }
    // p1 is paid 100,000 a year: the 125,000 shown is that plus the 25 % the note names.
    expect(await page(`/live/actors/${id('p1')}`, owner)).toMatch(/Loaded annual cost: €125,000 .*€100,000/);
  });

  it('follows the cost settings when they change', async () => {
    const csrf = hiddenField(await (await app.request('/settings/organisation', { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text(), 'csrf');
    const saved = await post('/settings/organisation/costs', { csrf, burden_pct: '30', working_days_per_year: '200' }, owner);
    expect(saved).toEqual({ status: 303, location: '/settings/organisation?saved=1' });
    const actor = await page(`/live/actors/${id('p1')}`, owner);
    expect(actor).toContain('Loaded annual cost: €130,000');
    expect(actor).toContain('annual salary plus the 30 % employer burden, or day rate × 200 working days');
    expect(await page('/live', owner)).toContain('plus the 30 % employer burden');
  });

  it('is not shown to a role that sees no money', async () => {
    for (const path of PAGES()) expect(await page(path, viewer), path).not.toContain('loaded costs');
  });
});

describe('a unit’s roster beside metrics of the whole subtree', () => {
  it('says the roster is who is placed directly in the unit while the metrics count the units below', async () => {
    const engineering = await page(`/live/units/${units.E}`, owner);
    expect(engineering).toContain(
      'Who is placed directly in Engineering. The metrics above also count everyone in the units below it, each with its own roster; everyone placed in Engineering and below is one list in the People table, to sort and export.',
    );
    // The company: its metrics count the teams two levels down too.
    expect(await page(`/live/units/${units.C}`, owner)).toContain('Who is placed directly in Fixture Co. The metrics above also count everyone in the units below it');
  });

  it('says nothing of the kind for a unit with no units below', async () => {
    expect(await page(`/live/units/${units.P}`, owner)).not.toContain('Who is placed directly');
  });
});

describe('an import into Live, as its pages and the activity log tell it', () => {
  it('says its cost change is a loaded cost (90,000 a year reads +€9,375 a month), titles its records table in words, lists its snapshot, and names its rows in the activity log with a link back', async () => {
    const { tenant: imports } = await importTenant(database, { slug: 'numbersimp' });
    const cookie = await signInThroughForm(app, IMPORT_HOST, (await buildMember(database, imports, 'owner', { password: PASSWORD })).email, PASSWORD);
    const csrf = hiddenField(await (await app.request('/imports', { host: IMPORT_HOST, cookie, headers: { accept: 'text/html' } })).text(), 'csrf');
    const form = new FormData();
    for (const [k, v] of Object.entries({ csrf, target: 'live', format: '' })) form.set(k, v);
    const csv = csvOf(['email', 'first_name', 'last_name', 'department', 'job_title', 'fte', 'base_salary', 'currency'], [
      ['una@numbers.test', 'Una', 'One', 'Engineering', 'Engineer', '1', '90000', 'EUR'],
      ['bea@numbers.test', 'Bea', 'Two', 'Engineering', 'Engineer', '9', '80000', 'EUR'],
    ]);
    form.set('file', new File([csv], 'people.csv', { type: 'text/csv' }));
    const uploaded = await app.app.request('/imports', { method: 'POST', headers: { host: IMPORT_HOST, cookie, origin: `http://${IMPORT_HOST}`, accept: 'text/html' }, body: form });
    expect(uploaded.status).toBe(303);
    const runId = /\/imports\/([0-9a-f-]{36})/.exec(uploaded.headers.get('location') ?? '')![1]!;
    const started = await post(`/imports/${runId}/start`, { csrf }, cookie, IMPORT_HOST);
    expect(started.status).toBe(303);
    let progress = '';
    for (let i = 0; i < 400; i++) {
      const response = await app.request(`/imports/${runId}/progress`, { host: IMPORT_HOST, cookie, headers: { accept: 'text/html' } });
      progress = squash(await response.text());
      if (!response.headers.get('refresh')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(progress).toContain('Monthly cost +€9,375');
    expect(progress).toContain('Costs are loaded costs in EUR: annual salary plus the 25 % employer burden');
    // Its table of records written is titled in words, not the code's "model family".
    expect(progress).toContain('Records by kind Kind of record Created Updated Unchanged');
    expect(progress).not.toMatch(/model family/i);
    // The snapshot it took is listed, under a hint that names imports among what takes one (it said promotion and restore).
    const snapshots = await page('/snapshots', cookie, IMPORT_HOST);
    expect(snapshots).toContain('One is taken automatically before every promotion, restore and import into Live.');
    expect(snapshots).toContain('Live before import “people.csv”');
    // Its restore page quotes the name, which has quotes of its own, in single quotes: never “Live before import “people.csv””.
    const listed = await (await app.request('/snapshots', { host: IMPORT_HOST, cookie, headers: { accept: 'text/html' } })).text();
    const snapshotId = /href="\/scenarios\/([0-9a-f-]{36})">Live before import “people\.csv”<\/a>/.exec(listed)![1]!;
    const restore = await page(`/snapshots/${snapshotId}/restore`, cookie, IMPORT_HOST);
    expect(restore).toContain('Restore ‘Live before import “people.csv”’?');
    expect(restore).not.toContain('“Live before');

    // Fixing its quarantined row is in the activity log, in words and with the way back to the import.
    const fixed = await post(`/imports/${runId}/rows/2/fix`, { csrf, cell_0: 'bea@numbers.test', cell_1: 'Bea', cell_2: 'Two', cell_3: 'Engineering', cell_4: 'Engineer', cell_5: '0.9', cell_6: '80000', cell_7: 'EUR' }, cookie, IMPORT_HOST);
    expect(fixed.status).toBe(303);
    const [event] = await database.db.select({ id: auditEvents.id }).from(auditEvents).where(and(eq(auditEvents.tenantId, imports.id), eq(auditEvents.entityType, 'import_row')));
    const response = await app.request(`/activity/${event!.id}`, { host: IMPORT_HOST, cookie, headers: { accept: 'text/html' } });
    const html = await response.text();
    const detail = squash(html);
    expect(detail).toContain('Category Model change (Live or a scenario) Record Row 2 of an import Scenario Live');
    expect(html).toContain(`<a href="/imports/${runId}/review#row-2">Row 2 of an import</a>`);
    expect(html).toContain(`<a href="/imports/${runId}/progress">open the import</a>`);
    expect(detail).toContain('Columns fte');
    expect(detail).not.toContain(`${runId}:2`);
    expect(detail).not.toContain('["');
    // The import itself is named by its file in the list.
    expect(await page('/activity', cookie, IMPORT_HOST)).toContain('Import run Import of “people.csv” imported');
  });
});

describe('the Spans page’s unit filter', () => {
  it('is labelled in the words of the rest of the page ("In unit (and below)", beside the Primary unit column), not "Homed in"', async () => {
    const response = await app.request(`/live/spans?unit=${units.S}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(html).toContain('<label for="s-unit">In unit (and below)</label>');
    expect(html).not.toMatch(/homed/i);
  });
});

describe('Settings → API and MCP with nothing made yet', () => {
  it('says what to do instead of only “No tokens yet.” and “No AI assistant is connected yet.”', async () => {
    const settings = await page('/settings/api', owner);
    expect(settings).toContain('No tokens yet: create one above for a script, the REST API or an MCP client without OAuth.');
    expect(settings).toContain('No AI assistant is connected yet. Give one the MCP server URL above: once you allow it, it is listed here.');
  });
});

describe('a new scenario’s change tray', () => {
  it('says nothing is saved yet instead of “already has 0 changed records”, and counts them once there are some', async () => {
    const csrf = hiddenField(await (await app.request('/scenarios', { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text(), 'csrf');
    const created = await post('/scenarios', { csrf, name: 'Tray wording', source: 'live' }, owner);
    expect(created.status).toBe(303);
    const scenarioId = /\/scenarios\/([0-9a-f-]{36})/.exec(created.location!)![1]!;
    const tray = await page(`/scenarios/${scenarioId}/changes`, owner);
    expect(tray).toContain('No change is saved in this scenario yet: what you apply from the tray shows in its delta.');
    expect(tray).not.toContain('already has 0');
    const staged = JSON.stringify([{ op: 'set_fte', actor_id: id('p1'), fte: 0.8 }]);
    const applied = await post(`/scenarios/${scenarioId}/changes`, { csrf, staged, action: 'apply' }, owner);
    expect(applied.status).toBe(303);
    expect(await page(`/scenarios/${scenarioId}/changes`, owner)).toContain('This scenario already has 1 changed record. Review the delta , where a change can be discarded too.');
  });
});
