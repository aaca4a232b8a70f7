import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import type { ServiceContext } from '../../src/context.js';
import { auditEvents, scenarios } from '../../src/db/schema/index.js';
import { archiveScenario, createScenario, createSnapshot, editScenario, getScenario, unarchiveScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, memberToken, principalFor } from '../support/factories.js';

/**
 * Editing a scenario's name and description (SPEC §3: `scenarios.write` is "create, edit, archive"): the service, the
 * REST `PATCH /api/v1/scenarios/{id}` and the web form. Names stay unique among active planning scenarios; applied
 * scenarios and snapshots keep theirs.
 */

let database: Database;
let tenant: Tenant;
let other: Tenant;
let owner: ServiceContext;
let app: TestApp;
let ownerToken: string;
let viewerToken: string;
let otherToken: string;
let ownerCookie: string;
let viewerCookie: string;
const HOST = 'scnedit.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'scnedit', plan: 'enterprise' });
  other = await buildTenant(database, { slug: 'scnedit-other', plan: 'enterprise' });
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  app = testApp(database);
  ownerToken = await memberToken(database, tenant, 'owner');
  viewerToken = await memberToken(database, tenant, 'viewer');
  otherToken = await memberToken(database, other, 'owner');
  ownerCookie = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'manager', { password: PASSWORD })).email, PASSWORD);
  viewerCookie = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

const events = (scenarioId: string) =>
  database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityId, scenarioId), eq(auditEvents.action, 'edited')));

const stored = async (id: string) => (await database.db.select().from(scenarios).where(eq(scenarios.id, id)))[0]!;

describe('editing a scenario (service)', () => {
  it('renames it and changes its description, recording what it was and what it is', async () => {
    const s = await createScenario(owner, { name: 'Draft', description: 'first idea' });
    const edited = await editScenario(owner, s.id, { name: '  2026-03 platform realignment ', description: 'Move Mobile under Sales' });
    expect(edited).toMatchObject({ id: s.id, name: '2026-03 platform realignment', description: 'Move Mobile under Sales' });
    expect((await getScenario(owner, s.id)).name).toBe('2026-03 platform realignment');
    const [event] = await events(s.id);
    expect(event).toMatchObject({
      category: 'model',
      entityType: 'scenario',
      before: { name: 'Draft', description: 'first idea' },
      after: { name: '2026-03 platform realignment', description: 'Move Mobile under Sales' },
    });
    // Only the description: the name stays; an empty description clears it.
    expect(await editScenario(owner, s.id, { description: '' })).toMatchObject({ name: '2026-03 platform realignment', description: null });
  });

  it('records nothing when nothing changes', async () => {
    const s = await createScenario(owner, { name: 'Unchanged' });
    await editScenario(owner, s.id, { name: 'Unchanged' });
    expect(await events(s.id)).toHaveLength(0);
  });

  it('refuses a name another active planning scenario has, naming it on the name field, and keeps the old one', async () => {
    const taken = await createScenario(owner, { name: 'Hiring plan' });
    const s = await createScenario(owner, { name: 'Second plan' });
    await expect(editScenario(owner, s.id, { name: 'HIRING   plan' })).rejects.toMatchObject({
      code: 'scenario_name_taken',
      status: 409,
      details: { field: 'name', existing_scenario: { id: taken.id, name: 'Hiring plan' } },
      fix: expect.stringContaining('Choose another name'),
    });
    expect((await stored(s.id)).name).toBe('Second plan');
    // Its own name in another case is its own.
    expect((await editScenario(owner, s.id, { name: 'SECOND plan' })).name).toBe('SECOND plan');
  });

  it('lets an archived scenario be renamed, so it can come back while an active one has its old name', async () => {
    const old = await createScenario(owner, { name: 'Freeze' });
    await archiveScenario(owner, old.id);
    await createScenario(owner, { name: 'freeze' });
    await expect(unarchiveScenario(owner, old.id)).rejects.toMatchObject({ code: 'scenario_name_taken' });
    await editScenario(owner, old.id, { name: 'Freeze (2025 version)' });
    expect(await unarchiveScenario(owner, old.id)).toMatchObject({ state: 'active', name: 'Freeze (2025 version)' });
  });

  it('refuses to rename a snapshot, an empty name, and a missing ability', async () => {
    const snap = await createSnapshot(owner, { name: 'Board pack' });
    await expect(editScenario(owner, snap.id, { name: 'Other' })).rejects.toMatchObject({ code: 'read_only', status: 409 });
    expect((await stored(snap.id)).name).toBe('Board pack');
    const s = await createScenario(owner, { name: 'Keep me' });
    await expect(editScenario(owner, s.id, { name: '   ' })).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'name' } });
    await expect(editScenario(owner, s.id, {})).rejects.toMatchObject({ code: 'invalid_input' });
    const viewer = contextFor(database, tenant, principalFor(tenant, 'viewer'));
    await expect(editScenario(viewer, s.id, { name: 'Mine now' })).rejects.toMatchObject({ status: 403 });
    expect((await stored(s.id)).name).toBe('Keep me');
  });
});

describe('PATCH /api/v1/scenarios/{id}', () => {
  const patch = async (id: string, json: unknown, token = ownerToken, headers: Record<string, string> = {}) => {
    const response = await app.request(`/api/v1/scenarios/${id}`, { host: HOST, method: 'PATCH', token, json, headers });
    return { status: response.status, body: (await response.json()) as any, headers: response.headers };
  };

  it('renames the scenario and answers it with its new ETag', async () => {
    const s = await createScenario(owner, { name: 'REST draft' });
    const changed = await patch(s.id, { name: 'REST final', description: 'agreed' });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ id: s.id, name: 'REST final', description: 'agreed', change_counts: {} });
    const read = await app.request(`/api/v1/scenarios/${s.id}`, { host: HOST, token: ownerToken });
    expect(read.headers.get('etag')).toBe(changed.headers.get('etag'));
    // A stale If-Match is refused and changes nothing.
    const stale = await patch(s.id, { name: 'Too late' }, ownerToken, { 'if-match': 'W/"stale"' });
    expect(stale.status).toBe(412);
    expect((await stored(s.id)).name).toBe('REST final');
  });

  it('answers a taken name, a missing ability, another tenant and an unknown field with problem details', async () => {
    await createScenario(owner, { name: 'REST taken' });
    const s = await createScenario(owner, { name: 'REST mine' });
    const taken = await patch(s.id, { name: 'rest taken' });
    expect(taken.status).toBe(409);
    expect(taken.headers.get('content-type')).toContain('application/problem+json');
    expect(taken.body).toMatchObject({ code: 'scenario_name_taken', existing_scenario: { name: 'REST taken' } });

    const forbidden = await patch(s.id, { name: 'Viewer was here' }, viewerToken);
    expect(forbidden.status).toBe(403);
    expect(JSON.stringify(forbidden.body)).toContain('scenarios.write');

    const elsewhere = await patch(s.id, { name: 'Other tenant' }, otherToken, { 'x-tenant': 'scnedit-other' });
    expect(elsewhere.status).toBe(404);

    const unknown = await patch(s.id, { title: 'typo' });
    expect(unknown.status).toBe(400);
    expect((await stored(s.id)).name).toBe('REST mine');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await app.request('/docs/api.json', { host: HOST })).json()) as any;
    expect(doc.paths['/api/v1/scenarios/{id}'].patch).toMatchObject({ summary: expect.stringContaining('Rename') });
    expect(doc.paths['/api/v1/scenarios/{id}'].patch.responses).toHaveProperty('409');
  });
});

describe('the web edit form', () => {
  const get = async (path: string, cookie: string) => {
    const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
    return { status: response.status, html: await response.text() };
  };
  const post = async (path: string, form: Record<string, string>, cookie: string) => {
    const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  };

  it('is linked from the scenario page, saves with the session’s form token and comes back with a notice', async () => {
    const s = await createScenario(owner, { name: 'Web draft' });
    const overview = await get(`/scenarios/${s.id}`, ownerCookie);
    expect(overview.html).toContain(`href="/scenarios/${s.id}/edit"`);
    const form = await get(`/scenarios/${s.id}/edit`, ownerCookie);
    expect(form.status).toBe(200);
    expect(form.html).toMatch(/<label for="edit-name">Name<\/label>/);
    expect(form.html).toMatch(/<label for="edit-description">Description/);
    expect(form.html).toContain('value="Web draft"');
    const saved = await post(`/scenarios/${s.id}/edit`, { csrf: hiddenField(form.html, 'csrf'), name: 'Web final', description: 'ready' }, ownerCookie);
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/scenarios/${s.id}?notice=edited`);
    expect(pageText((await get(saved.location!, ownerCookie)).html)).toContain('Name and description saved.');
    expect(await stored(s.id)).toMatchObject({ name: 'Web final', description: 'ready' });
  });

  it('refuses a post without the form token', async () => {
    const s = await createScenario(owner, { name: 'Web csrf' });
    const refused = await post(`/scenarios/${s.id}/edit`, { csrf: 'forged', name: 'Forged' }, ownerCookie);
    expect(refused.status).toBe(403);
    expect((await stored(s.id)).name).toBe('Web csrf');
  });

  it('shows a taken name under the name field, marked invalid, with what was typed', async () => {
    await createScenario(owner, { name: 'Web taken' });
    const s = await createScenario(owner, { name: 'Web mine' });
    const form = await get(`/scenarios/${s.id}/edit`, ownerCookie);
    const refused = await post(`/scenarios/${s.id}/edit`, { csrf: hiddenField(form.html, 'csrf'), name: 'web TAKEN', description: 'typed' }, ownerCookie);
    expect(refused.status).toBe(409);
    expect(refused.html).toMatch(/id="edit-name"[^>]*value="web TAKEN"[^>]*aria-invalid="true"[^>]*aria-describedby="edit-name-error"/);
    expect(refused.html).toMatch(/id="edit-name-error"[^>]*>An active planning scenario is already named “Web taken”/);
    expect(refused.html).toContain('typed</textarea>');
    expect((await stored(s.id)).name).toBe('Web mine');
  });

  it('is not offered to a viewer, and a snapshot says it keeps its name', async () => {
    const s = await createScenario(owner, { name: 'Web viewer' });
    expect((await get(`/scenarios/${s.id}`, viewerCookie)).html).not.toContain(`/scenarios/${s.id}/edit`);
    expect((await get(`/scenarios/${s.id}/edit`, viewerCookie)).status).toBe(403);
    const snap = await createSnapshot(owner, { name: 'Web snapshot' });
    const page = await get(`/scenarios/${snap.id}/edit`, ownerCookie);
    expect(pageText(page.html)).toContain('A snapshot keeps the name and description it had');
    expect(page.html).not.toContain('name="name"');
  });
});
