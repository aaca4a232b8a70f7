import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { ServiceContext } from '../../src/context.js';
import { hiddenField, pageText, type TestApp } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * A unit staged in the change tray under a name a sibling has already (SPEC §6): the refusal names the unit that has
 * the name — never its raw id, which means nothing on a page — and, when the tray itself creates that unit, the change.
 */

let site: FixtureSite;
let app: TestApp;
let owner: string;
let ctx: ServiceContext;
const HOST = 'traynametaken.localhost';
const { id, units } = fixtureIds('tray-name-taken');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

async function post(path: string, form: Record<string, string>, cookie: string) {
  const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text() };
}

const stagedOf = (html: string) => html.match(/name="staged" value="([^"]*)"/)![1]!.replaceAll('&quot;', '"');
/** The page's error notices, where a refusal is said. */
const notices = (html: string) => [...html.matchAll(/<(?:p|div) class="notice error"[^>]*>([^]*?)<\/(?:p|div)>/g)].map((m) => pageText(m[1]!)).join(' ');

beforeAll(async () => {
  site = await fixtureSite({ slug: 'traynametaken', name: 'Tray Name Taken', salt: 'tray-name-taken' });
  ({ app, ctx } = site);
  owner = await site.signIn('owner');
});
afterAll(() => site?.database.close());

async function tray(name: string) {
  const sid = (await createScenario(ctx, { name })).id;
  const page = await app.request(`/scenarios/${sid}/changes`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  const csrf = hiddenField(await page.text(), 'csrf');
  const send = (staged: string, form: Record<string, string>) => post(`/scenarios/${sid}/changes`, { csrf, staged, ...form }, owner);
  return { sid, stage: (staged: string, form: Record<string, string>) => send(staged, { action: 'stage', ...form }), apply: (staged: string) => send(staged, { action: 'apply' }) };
}

describe('a team created or renamed in the tray under a name its parent has already', () => {
  it('names the unit that has it, without its id', async () => {
    const { stage } = await tray('Second Platform');
    const created = await stage('', { op: 'create_org_unit', name: ' platform ', type: 'team', parent_id: units.E });
    expect(created.status).toBe(400);
    expect(notices(created.html)).toContain('Name: “Engineering” already has an active unit named “Platform”: choose another name, or rename or close that one first');
    expect(notices(created.html)).not.toMatch(UUID);
    expect(created.html).toMatch(/id="create_org_unit-name" name="name"[^>]*aria-invalid="true"/);

    const renamed = await stage('', { op: 'rename_org_unit', org_unit_id: units.M, name: 'PLATFORM' });
    expect(renamed.status).toBe(400);
    expect(notices(renamed.html)).toContain('New name: “Engineering” already has an active unit named “Platform”: choose another name');
    expect(notices(renamed.html)).not.toMatch(UUID);
  });

  it('says which change of the tray creates the unit that has the name — its id exists nowhere yet', async () => {
    const { stage } = await tray('Two Data teams');
    const first = await stage('', { op: 'create_org_unit', name: 'Data', type: 'team', parent_id: units.E });
    expect(first.status).toBe(200);
    const second = await stage(stagedOf(first.html), { op: 'create_org_unit', name: 'data', type: 'team', parent_id: units.E });
    expect(second.status).toBe(400);
    expect(notices(second.html)).toContain('Name: “Engineering” already has an active unit named “Data”, which change 1 of this tray creates: choose another name');
    expect(notices(second.html)).not.toMatch(UUID);
  });

  it('names the unit when the tray is applied after the scenario got the name since it was staged', async () => {
    const { sid, stage, apply } = await tray('Name taken meanwhile');
    const staged = await stage('', { op: 'create_org_unit', name: 'Growth', type: 'team', parent_id: units.S });
    expect(staged.status).toBe(200);
    await applyBatch(ctx, sid, [{ op: 'create_org_unit', name: 'Growth', type: 'team', parent_id: units.S }]);
    const applied = await apply(stagedOf(staged.html));
    expect(applied.status).toBe(400);
    expect(notices(applied.html)).toContain('Change 1 (Create a department or team), Name ( name ): “Sales” already has an active unit named “Growth”: choose another name');
    expect(notices(applied.html)).not.toMatch(UUID);
  });
});

describe('a person given in the tray an email someone has already', () => {
  it('names who has it, without their id', async () => {
    const { stage } = await tray('Email twins');
    const taken = await stage('', { op: 'update_actor', actor_id: id('p1'), email: 'P2@fixture.test' });
    expect(taken.status).toBe(400);
    expect(notices(taken.html)).toContain('“p2” has that email already, and one email is one person');
    expect(notices(taken.html)).not.toMatch(UUID);
  });
});
