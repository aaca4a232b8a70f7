import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createType } from '../../src/tenancy/settings.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, type TestApp } from '../support/app.js';
import { contextFor, principalFor } from '../support/factories.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * A planner's journey through scenarios on the web and over REST (SPEC §6, §8), for what walking it found rough:
 * a team's type and purpose had no form in the change tray; a branch's answers after submit, archive and in its
 * delta did not name the scenario it was started from.
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
let cookie: string;
const HOST = 'plannerjourney.localhost';
const SALT = 'planner-journey';
const { units } = fixtureIds(SALT);

type Body = { data: any; [key: string]: any };

async function call(path: string, json?: unknown) {
  const response = await app.request(path, { host: HOST, token, ...(json !== undefined ? { method: 'POST', json } : {}) });
  return { status: response.status, body: (await response.json()) as Body };
}

async function page(path: string, form?: Record<string, string>) {
  const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, ...(form ? { form } : {}) });
  const html = await response.text();
  return { status: response.status, html, text: html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replace(/\s+/g, ' '), location: response.headers.get('location') };
}

const stagedOf = (html: string) => hiddenField(html, 'staged').replaceAll('&quot;', '"');

beforeAll(async () => {
  site = await fixtureSite({ slug: 'plannerjourney', salt: SALT });
  ({ database, tenant, app } = site);
  ({ token, cookie } = await site.signInWithToken('owner'));
});
afterAll(() => database?.close());

describe('the change tray', () => {
  it('changes a team’s type and purpose, says what it stages, and keeps the form when nothing is chosen', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
    const platformType = await createType(ctx, 'team', 'Platform team');
    const sid = (await call('/api/v1/scenarios', { name: 'Team types' })).body.data.id;
    const tray = await page(`/scenarios/${sid}/changes`);
    expect(tray.text).toContain('Change a team’s type or purpose');
    expect(tray.html).toMatch(/<option value="[^"]+">Platform team<\/option>/);
    const csrf = hiddenField(tray.html, 'csrf');

    // The team must be chosen: the form's own message, nothing staged (an empty purpose alone clears it: team-form.test.ts).
    const empty = await page(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'update_team', org_unit_id: '', team_type_id: '', purpose: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Team is required.');
    expect(empty.text).toContain('Tray: 0 staged changes');

    const typed = await page(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'update_team', org_unit_id: units.M, team_type_id: platformType.id, purpose: 'Ships the apps' });
    expect(typed.status).toBe(200);
    expect(typed.text).toContain('Give Mobile team type “Platform team” and purpose “Ships the apps”');
    // Platform has a purpose already; "No team type" clears its (empty) type, the purpose stays as it is.
    const cleared = await page(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(typed.html), action: 'stage', op: 'update_team', org_unit_id: units.P, team_type_id: 'none', purpose: '' });
    expect(cleared.text).toContain('Give Platform no team type');
    const applied = await page(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(cleared.html), action: 'apply' });
    expect(applied.status).toBe(303);

    const changes = (await call(`/api/v1/scenarios/${sid}/changes`)).body.data as { family: string; record_id: string }[];
    expect(changes.filter((c) => c.family === 'team').map((c) => c.record_id)).toEqual([units.M]); // Platform had no type: no change
    const mobile = (await call(`/api/v1/org-units/${units.M}?scenario_id=${sid}`)).body.data;
    expect(mobile.team).toMatchObject({ team_type_id: platformType.id, purpose: 'Ships the apps' });
    expect((await call(`/api/v1/org-units/${units.P}?scenario_id=${sid}`)).body.data.team).toMatchObject({ team_type_id: null, purpose: 'Runs the platform' });
  });
});

describe('the delta', () => {
  it('names the department and team types records point at, on the page and in its CSV, not by id', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
    const business = await createType(ctx, 'department', 'Business unit');
    const stream = await createType(ctx, 'team', 'Stream-aligned');
    const sid = (await call('/api/v1/scenarios', { name: 'Typed units' })).body.data.id;
    const applied = await call(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'create_org_unit', name: 'Ventures', type: 'department', parent_id: units.C, department_type_id: business.id },
        { op: 'update_team', org_unit_id: units.F, team_type_id: stream.id },
      ],
    });
    expect(applied.status).toBe(200);
    const delta = await page(`/scenarios/${sid}/delta`);
    expect(delta.text).toContain('Department type Business unit');
    expect(delta.text).toContain('Team type Stream-aligned');
    expect(delta.html).not.toContain(business.id);
    expect(delta.html).not.toContain(stream.id);
    // A second change of the team's type reads from one name to the other.
    const other = await createType(ctx, 'team', 'Platform team B');
    const branch = (await call('/api/v1/scenarios', { name: 'Retyped', source_scenario_id: sid })).body.data.id;
    await call(`/api/v1/scenarios/${branch}/changes`, { changes: [{ op: 'update_team', org_unit_id: units.F, team_type_id: other.id }] });
    const changed = await page(`/scenarios/${branch}/delta?compare=source`);
    expect(changed.text).toMatch(/Team type Stream-aligned Platform team B/);
    const csv = await (await app.request(`/scenarios/${branch}/delta.csv`, { host: HOST, cookie })).text();
    expect(csv).toContain('Stream-aligned,Platform team B');
    expect(csv).not.toContain(other.id);
  });
});

describe('promoting with conflicts on the page', () => {
  it('says a choice already made is kept while asking for the rest, then applies both', async () => {
    const { id } = fixtureIds(SALT);
    const mine = (await call('/api/v1/scenarios', { name: 'Mine' })).body.data.id;
    await call(`/api/v1/scenarios/${mine}/changes`, { changes: [{ op: 'set_fte', actor_id: id('m1'), fte: 0.5 }, { op: 'rename_org_unit', org_unit_id: units.S, name: 'Revenue' }] });
    const theirs = (await call('/api/v1/scenarios', { name: 'Theirs' })).body.data.id;
    await call(`/api/v1/scenarios/${theirs}/changes`, { changes: [{ op: 'set_fte', actor_id: id('m1'), fte: 0.7 }, { op: 'rename_org_unit', org_unit_id: units.S, name: 'Go to market' }] });
    const promoted = await call(`/api/v1/scenarios/${theirs}/promote`, {});
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes((await call(`/api/v1/tasks/${promoted.body.data.id}`)).body.data.status); i++) await new Promise((r) => setTimeout(r, 25));

    const csrf = hiddenField((await page(`/scenarios/${mine}`)).html, 'csrf');
    const fte = `resolve|actor|${id('m1')}|fte`;
    const name = `resolve|org_unit|${units.S}|name`;
    const half = await page(`/scenarios/${mine}/promote`, { csrf, confirm: 'yes', [fte]: 'live' });
    expect(half.status).toBe(409);
    expect(half.text).toContain('Resolve a conflict');
    expect(half.text).toContain('The choice you already made for another field is kept.');
    expect(half.html).toContain(`<input type="hidden" name="${fte}" value="live"/>`);
    const done = await page(`/scenarios/${mine}/promote`, { csrf, confirm: 'yes', [fte]: 'live', [name]: 'scenario' });
    expect(done.status).toBe(303);
    const taskId = done.location!.split('/').pop()!;
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes((await call(`/api/v1/tasks/${taskId}`)).body.data.status); i++) await new Promise((r) => setTimeout(r, 25));
    expect((await call(`/api/v1/org-units/${units.S}`)).body.data.name).toBe('Revenue');
    expect((await call(`/api/v1/actors/${id('m1')}`)).body.data.fte).toBe(0.7);
  });
});

describe('a branch over REST', () => {
  it('names the scenario it was started from in every answer about it, as reading it does', async () => {
    const source = (await call('/api/v1/scenarios', { name: 'Option A' })).body.data.id;
    await call(`/api/v1/scenarios/${source}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Sales' }] });
    const branch = (await call('/api/v1/scenarios', { name: 'Option A, leaner', source_scenario_id: source })).body.data.id;
    const named = { kind: 'scenario', scenario_id: source, name: 'Option A' };
    expect((await call(`/api/v1/scenarios/${branch}`)).body.data.source).toEqual(named);
    expect((await call(`/api/v1/scenarios/${branch}/delta`)).body.data.scenario.source).toEqual(named);
    expect((await call(`/api/v1/scenarios/${branch}/submit`, {})).body.data.source).toEqual(named);
    expect((await call(`/api/v1/scenarios/${branch}/submit`, {})).body.data.source).toEqual(named); // again: unchanged
    expect((await call(`/api/v1/scenarios/${branch}/withdraw`, {})).body.data.source).toEqual(named);
    expect((await call(`/api/v1/scenarios/${branch}/archive`, {})).body.data.source).toEqual(named);
    expect((await call(`/api/v1/scenarios/${branch}/unarchive`, {})).body.data.source).toEqual(named);
  });
});
