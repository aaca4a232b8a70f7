import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { currentLiveVersion, writeLive } from '../../src/db/live-store.js';
import { auditEvents, scenarioChanges, scenarios, tasks, tenantCurrencies } from '../../src/db/schema/index.js';
import type { Role } from '../../src/access/bundles.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp, type RequestOptions } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, memberToken, tokenOf, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import { settledStatus } from '../support/settle.js';

/** Scenarios over REST (SPEC §6, §7): lifecycle, change batches, delta, overlay, promotion, snapshots and tasks. */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'apiscn.localhost';
const SALT = 'api-scenarios';
const { id, units } = fixtureIds(SALT);

type Body = { data: any; next_cursor?: string | null; [key: string]: any };

async function call(path: string, options: RequestOptions = {}): Promise<{ status: number; body: Body; headers: Headers }> {
  const response = await app.request(path, { host: HOST, token: owner, ...options });
  return { status: response.status, body: (await response.json()) as Body, headers: response.headers };
}
const post = (path: string, json?: unknown, token = owner) => call(path, { method: 'POST', json, token });

const tokenFor = (t: Tenant, role: Role) => memberToken(database, t, role);

const settled = (taskId: string) => settledStatus(async () => (await call(`/api/v1/tasks/${taskId}`)).body.data, `task ${taskId}`);

async function counts() {
  const n = async (table: typeof scenarios | typeof scenarioChanges | typeof tasks) =>
    Number((await database.db.select({ n: count() }).from(table).where(eq(table.tenantId, tenant.id)))[0]!.n);
  return { scenarios: await n(scenarios), changes: await n(scenarioChanges), tasks: await n(tasks), live: await currentLiveVersion(database.db, tenant.id) };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiscn', plan: 'enterprise' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 }]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SALT));
  app = testApp(database);
  owner = await tokenFor(tenant, 'owner');
});
afterAll(() => database?.close());

describe('a scenario from creation to Live', () => {
  it('creates, changes, reviews and promotes a scenario, then restores the snapshot', async () => {
    const created = await post('/api/v1/scenarios', { name: 'Reorg', description: 'Move Mobile under Sales' });
    expect(created.status).toBe(201);
    const sid: string = created.body.data.id;
    expect(created.headers.get('location')).toBe(`/api/v1/scenarios/${sid}`);
    expect(created.body.data).toMatchObject({ name: 'Reorg', kind: 'planning', state: 'active', editable: true, source: { kind: 'live' }, revision: 0 });

    const applied = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S },
        { op: 'add_actor', kind: 'human', display_name: 'New Hire', org_unit_id: units.F, manager_id: id('sales_head'), fte: 1, date: AS_OF }, // in the delta as of AS_OF
        { op: 'create_position', title: 'Field lead', org_unit_id: units.F, target_salary_minor: 8_000_000, currency: 'EUR' },
        { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR', date: AS_OF },
      ],
    });
    expect(applied.status).toBe(200);
    expect(applied.body.data).toMatchObject({ scenario_id: sid, revision: 1, commands: 4 });
    const newHire = applied.body.data.created.find((c: { family: string }) => c.family === 'actor').id;

    const shown = await call(`/api/v1/scenarios/${sid}`);
    expect(shown.body.data.change_counts).toMatchObject({ org_unit: { change: 1 }, actor: { add: 1 }, position: { add: 1 } });

    const overlay = await call(`/api/v1/scenarios/${sid}/changes?family=org_unit`);
    // Ids kept, and named: the record (its label, as in the delta) and the units its fields point at.
    expect(overlay.body).toEqual({
      data: [{ family: 'org_unit', record_id: units.M, label: 'Mobile', op: 'change', values: { parent_id: units.S }, base: { parent_id: units.E }, names: { [units.S]: 'Sales', [units.E]: 'Engineering' }, revision: 1 }],
      next_cursor: null,
    });
    const all = (await call(`/api/v1/scenarios/${sid}/changes?limit=50`)).body.data as { family: string; op: string; label: string | null; values: Record<string, string>; names: Record<string, string> }[];
    const hire = all.find((c) => c.family === 'actor' && c.op === 'add')!;
    expect(hire.label).toBe('New Hire');
    const line = all.find((c) => c.family === 'reporting_line' && c.op === 'add')!;
    expect(line.label).toBe('New Hire reports to sales_head');
    expect(line.names).toEqual({ [newHire]: 'New Hire', [id('sales_head')]: 'sales_head' });
    const seat = all.find((c) => c.family === 'placement' && c.op === 'add')!;
    expect(seat).toMatchObject({ label: 'New Hire in Field (100 %)', names: { [units.F]: 'Field', [newHire]: 'New Hire' } });
    expect(all.find((c) => c.family === 'compensation' && c.op === 'add')).toMatchObject({ label: 'Pay of p1', names: { [id('p1')]: 'p1' } });
    expect(all.find((c) => c.family === 'position')).toMatchObject({ label: 'Field lead', names: { [units.F]: 'Field' } });
    const walked: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages < 20; pages++) {
      const page: Body = (await call(`/api/v1/scenarios/${sid}/changes?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      walked.push(...page.data.map((c: { family: string; record_id: string }) => `${c.family}:${c.record_id}`));
      cursor = page.next_cursor ?? null;
      if (!cursor) break;
    }
    expect(walked).toContain(`actor:${newHire}`);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.length).toBe(Object.values(shown.body.data.change_counts as Record<string, Record<string, number>>).flatMap(Object.values).reduce((a, b) => a + b, 0));

    const delta = await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`);
    expect(delta.status).toBe(200);
    expect(delta.body.data).toMatchObject({ compare: 'source', against: { kind: 'live' }, as_of: AS_OF, conflicts: [] });
    expect(delta.body.data.families.org_unit.changed).toEqual([{ id: units.M, label: 'Mobile', fields: { parent_id: { from: units.E, to: units.S } } }]);
    expect(delta.body.data.metrics.total.headcount).toEqual({ from: 8, to: 9, delta: 1 });
    // Added records are named as a reader says them, like changed ones (no bare ids for seats, lines and pay).
    const labels = (family: string) => (delta.body.data.families[family].added as { label: string | null }[]).map((r) => r.label);
    expect(labels('actor')).toEqual(['New Hire']);
    expect(labels('placement')).toEqual(['New Hire in Field (100 %)']);
    expect(labels('reporting_line')).toEqual([expect.stringMatching(/^New Hire reports to /)]);
    expect(labels('compensation')).toEqual(['Pay of p1']);
    expect(labels('position')).toEqual(['Field lead']);
    // Every unit, person and position the delta points at is named beside it (`names`, by id), as the changes are.
    expect(delta.body.data.names).toEqual({
      [units.E]: 'Engineering',
      [units.S]: 'Sales',
      [units.F]: 'Field',
      [id('sales_head')]: 'sales_head',
      [id('p1')]: 'p1',
      [newHire]: 'New Hire',
    });
    expect((await call(`/api/v1/scenarios/${sid}/delta?compare=live`)).body.data.compare).toBe('live');

    expect((await post(`/api/v1/scenarios/${sid}/submit`)).body.data).toMatchObject({ submitted: true, editable: true });
    // Taken back from review (the reviewers asked for more), then submitted again; withdrawing twice changes nothing.
    expect((await post(`/api/v1/scenarios/${sid}/withdraw`)).body.data).toMatchObject({ submitted: false, submitted_at: null, editable: true });
    expect((await post(`/api/v1/scenarios/${sid}/withdraw`)).body.data).toMatchObject({ submitted: false });
    expect((await post(`/api/v1/scenarios/${sid}/submit`)).body.data).toMatchObject({ submitted: true });

    const promoted = await post(`/api/v1/scenarios/${sid}/promote`);
    expect(promoted.status).toBe(202);
    expect(promoted.body.data).toMatchObject({ kind: 'promotion', scenario_id: sid });
    expect(promoted.headers.get('location')).toBe(`/api/v1/tasks/${promoted.body.data.id}`);
    const task = await settled(promoted.body.data.id);
    expect(task).toMatchObject({ status: 'succeeded', error: null, result: { applied_scenario_id: sid, deltas: { headcount: 1 } } });
    // Done is done: the progress no longer names the stage it was in ('applying') once the task has succeeded.
    expect(task.progress).toEqual({ stage: 'done', percent: 100 });
    expect((await call(`/api/v1/scenarios/${sid}/tasks`)).body.data[0].progress).toEqual({ stage: 'done', percent: 100 });

    expect((await call(`/api/v1/org-units/${units.M}`)).body.data.parent_id).toBe(units.S);
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data).toMatchObject({ kind: 'applied', state: 'archived', editable: false, source: { kind: 'live' } });
    expect((await call(`/api/v1/scenarios/${sid}/tasks`)).body).toMatchObject({ data: [{ id: task.id, status: 'succeeded' }], next_cursor: null });
    const locked = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }] });
    expect(locked.body).toMatchObject({ status: 409, code: 'read_only' });
    expect((await post(`/api/v1/scenarios/${sid}/withdraw`)).body).toMatchObject({ status: 409, code: 'read_only' });
    // "What changed in Live?": the promotion, by the scenario's name; the drafting is under scope=scenarios.
    const liveEvents = (await call('/api/v1/activity?scope=live&category=model')).body.data as { action: string; scenario_id: string | null; scenario_name: string | null }[];
    expect(liveEvents.find((e) => e.action === 'promoted')).toMatchObject({ scenario_id: sid, scenario_name: 'Reorg' });
    expect(liveEvents.filter((e) => e.scenario_id === sid).map((e) => e.action)).toEqual(['promoted']);
    const drafted = (await call('/api/v1/activity?scope=scenarios')).body.data as { action: string; scenario_id: string | null; scenario_name: string | null }[];
    expect(drafted.some((e) => e.scenario_id === sid && e.scenario_name === 'Reorg' && e.action !== 'promoted')).toBe(true);
    expect((await call('/api/v1/activity?scope=everything')).body).toMatchObject({ status: 400, field: 'scope' });
    // Promoting it again is told as such: it is in Live already, and how to change Live again.
    const again = await post(`/api/v1/scenarios/${sid}/promote`);
    expect(again.body).toMatchObject({ status: 409, code: 'already_promoted', scenario_id: sid });
    expect(again.body.detail).toMatch(/was already promoted to Live on \d{4}-\d{2}-\d{2}; a scenario is promoted once\./);
    expect(again.body.fix).toContain('create a new scenario from Live');
    // Applied, it equals Live: against Live now nothing differs; compare=promotion says what the promotion changed.
    const whatItChanged = await call(`/api/v1/scenarios/${sid}/delta?compare=promotion&as_of=${AS_OF}`);
    expect(whatItChanged.status).toBe(200);
    expect(whatItChanged.body.data.compare).toBe('promotion');
    expect(whatItChanged.body.data.families.org_unit.changed).toEqual([{ id: units.M, label: 'Mobile', fields: { parent_id: { from: units.E, to: units.S } } }]);
    expect(whatItChanged.body.data.metrics.total.headcount).toEqual({ from: 8, to: 9, delta: 1 });
    const notApplied = await post('/api/v1/scenarios', { name: 'Not promoted' });
    const refused = await call(`/api/v1/scenarios/${notApplied.body.data.id}/delta?compare=promotion`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: 'compare' });
    await post(`/api/v1/scenarios/${notApplied.body.data.id}/archive`);

    const snapshots = await call('/api/v1/snapshots');
    const before = snapshots.body.data.find((s: { id: string }) => s.id === task.result.snapshot_id);
    expect(before).toMatchObject({ kind: 'snapshot', name: 'Live before promoting “Reorg”' });
    expect((await call(`/api/v1/org-units/${units.M}?scenario_id=${before.id}`)).body.data.parent_id).toBe(units.E);

    const restore = await post(`/api/v1/snapshots/${before.id}/restore`);
    expect(restore.status).toBe(202);
    expect(await settled(restore.body.data.id)).toMatchObject({ kind: 'restore', status: 'succeeded', progress: { stage: 'done', percent: 100 } });
    expect((await call(`/api/v1/org-units/${units.M}`)).body.data.parent_id).toBe(units.E);
  });

  it('refuses to promote with unresolved conflicts, naming them, then applies the resolutions', async () => {
    const sid = (await post('/api/v1/scenarios', { name: 'Rename Platform' })).body.data.id;
    await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: units.P, name: 'Platform Core' }] });
    const live = (await call(`/api/v1/org-units/${units.P}`)).body.data;
    const fixture = buildFixtureOrg(SALT).orgUnits.get(units.P)!;
    await database.db.transaction((tx) =>
      writeLive(tx, tenant.id, { orgUnits: { upsert: [{ ...fixture, parentId: live.parent_id, name: 'Platform Services' }] } }),
    );
    const delta = await call(`/api/v1/scenarios/${sid}/delta`);
    expect(delta.body.data.conflicts).toEqual([
      { family: 'org_unit', id: units.P, label: 'Platform Services', field: 'name', base: 'Platform', scenario: 'Platform Core', source: 'Platform Services', reason: 'changed_in_both' },
    ]);
    const before = await counts();
    const refused = await post(`/api/v1/scenarios/${sid}/promote`, { resolutions: [] });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'conflict', conflicts: [{ family: 'org_unit', id: units.P, field: 'name' }] });
    expect(refused.body).not.toHaveProperty('unmatched_resolutions');
    expect(await counts()).toEqual(before);
    // A resolution that names no conflict (the family misspelt) is said back, not silently dropped.
    const misspelt = { family: 'org_units', id: units.P, field: 'name', choice: 'scenario' };
    const unmatched = await post(`/api/v1/scenarios/${sid}/promote`, { resolutions: [misspelt] });
    expect(unmatched.status).toBe(409);
    expect(unmatched.body).toMatchObject({ code: 'conflict', conflicts: [{ family: 'org_unit', id: units.P, field: 'name' }], unmatched_resolutions: [misspelt] });
    expect(unmatched.body.fix).toBe('1 resolution sent matches no conflict (see unmatched_resolutions): copy family, id and field from each conflict, and choose "scenario" (keep the scenario’s value) or "live".');
    expect(await counts()).toEqual(before);

    const promoted = await post(`/api/v1/scenarios/${sid}/promote`, { resolutions: [{ family: 'org_unit', id: units.P, field: 'name', choice: 'scenario' }] });
    expect(promoted.status).toBe(202);
    expect((await settled(promoted.body.data.id)).status).toBe('succeeded');
    expect((await call(`/api/v1/org-units/${units.P}`)).body.data.name).toBe('Platform Core');
  });

  it('refuses to promote a scenario with no changes (409 nothing_to_promote, nothing written), then promotes it once it has one', async () => {
    const sid = (await post('/api/v1/scenarios', { name: 'Empty so far' })).body.data.id;
    const written = async () => ({
      ...(await counts()),
      promotedEvents: Number((await database.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, 'promoted')))[0]!.n),
      snapshots: (await call('/api/v1/snapshots?limit=500')).body.data.length,
    });
    const before = await written();
    const refused = await post(`/api/v1/scenarios/${sid}/promote`);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      status: 409,
      code: 'nothing_to_promote',
      type: 'https://orgonaut.dev/problems/nothing_to_promote',
      detail: 'This scenario has no changes, so there is nothing to promote; Live was not changed.',
      fix: 'Plan changes in the scenario first, or archive it if it is no longer needed.',
      scenario_id: sid,
    });
    expect(await written()).toEqual(before);
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data).toMatchObject({ kind: 'planning', state: 'active', editable: true, promoted_at: null });

    // A change edited back to the source's value is no change: still nothing to promote.
    await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Sales' }] });
    await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field' }] });
    expect((await call(`/api/v1/scenarios/${sid}/changes`)).body.data).toEqual([]);
    expect((await post(`/api/v1/scenarios/${sid}/promote`)).body.code).toBe('nothing_to_promote');
    expect(await written()).toMatchObject({ live: before.live, tasks: before.tasks, promotedEvents: before.promotedEvents, snapshots: before.snapshots });

    // One change is enough.
    await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Sales' }] });
    const promoted = await post(`/api/v1/scenarios/${sid}/promote`);
    expect(promoted.status).toBe(202);
    expect(await settled(promoted.body.data.id)).toMatchObject({ status: 'succeeded', result: { applied_scenario_id: sid, records_written: 1 } });
    expect((await call(`/api/v1/org-units/${units.F}`)).body.data.name).toBe('Field Sales');
    expect(await written()).toMatchObject({ live: before.live + 1, promotedEvents: before.promotedEvents + 1, snapshots: before.snapshots + 1 });

    // The OpenAPI document says so.
    const document = (await call('/docs/api.json')).body;
    expect(document.paths['/api/v1/scenarios/{id}/promote'].post.description).toContain('`nothing_to_promote`');
  });
});

describe('lifecycle', () => {
  it('submits once: submitting again keeps the submission time and ETag and records no second event', async () => {
    const sid = (await post('/api/v1/scenarios', { name: 'Submitted twice' })).body.data.id;
    // Nothing to review yet: refused, nothing recorded.
    const empty = await post(`/api/v1/scenarios/${sid}/submit`);
    expect(empty.status).toBe(409);
    expect(empty.body).toMatchObject({ code: 'nothing_to_submit', detail: 'This scenario has no changes, so there is nothing to submit for review.', scenario_id: sid });
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data).toMatchObject({ submitted: false });

    await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 0.9 }] });
    const first = await post(`/api/v1/scenarios/${sid}/submit`);
    expect(first.status).toBe(200);
    const etag = (await call(`/api/v1/scenarios/${sid}`)).headers.get('etag');
    await new Promise((r) => setTimeout(r, 20));
    const again = await post(`/api/v1/scenarios/${sid}/submit`);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ submitted: true, submitted_at: first.body.data.submitted_at, updated_at: first.body.data.updated_at });
    expect((await call(`/api/v1/scenarios/${sid}`)).headers.get('etag')).toBe(etag);
    const events = await database.db.select({ n: count() }).from(auditEvents).where(and(eq(auditEvents.entityId, sid), eq(auditEvents.action, 'submitted')));
    expect(Number(events[0]!.n)).toBe(1);
  });

  it('branches only from a planning scenario: an unknown, promoted or snapshot source is a 400 naming source_scenario_id, creating nothing', async () => {
    const promotedId = (await call('/api/v1/scenarios?kind=applied')).body.data[0].id;
    const snapshotId = (await post('/api/v1/snapshots', { name: 'Before branching' })).body.data.id;
    const before = await counts();
    const cases = [
      ['00000000-0000-4000-8000-000000000000', /no scenario with this id in this tenant; leave it out to start from Live/],
      [promotedId, /was promoted and is part of Live now; leave it out to start from Live/],
      [snapshotId, /a snapshot cannot be planned on; restore it first, or leave it out to start from Live/],
    ] as const;
    for (const [source, reason] of cases) {
      const refused = await post('/api/v1/scenarios', { name: 'Branch of what?', source_scenario_id: source });
      expect(refused.status, source).toBe(400);
      expect(refused.body, source).toMatchObject({ code: 'invalid_input', field: 'source_scenario_id' });
      expect(refused.body.detail, source).toMatch(reason);
    }
    expect((await counts()).scenarios).toBe(before.scenarios);
    const created = (await call('/docs/api.json')).body.paths['/api/v1/scenarios'].post;
    expect(created.description).toContain('an unknown id, a promoted (applied) scenario or a snapshot is a 400 problem naming the field');
    expect(Object.keys(created.responses)).not.toContain('404');
  });

  it('archives, refuses edits while archived, unarchives, lists by kind and state', async () => {
    const sid = (await post('/api/v1/scenarios', { name: 'Parked' })).body.data.id;
    expect((await post(`/api/v1/scenarios/${sid}/archive`)).body.data).toMatchObject({ state: 'archived', editable: false });
    expect((await post(`/api/v1/scenarios/${sid}/archive`)).status).toBe(200); // idempotent
    const edit = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }] });
    expect(edit.body).toMatchObject({ status: 409, code: 'read_only' });
    // What to do about it: bring it back, not "use another scenario".
    expect(edit.body.fix).toBe('Unarchive it first (it counts against the plan’s active planning scenarios again), then try again.');
    expect((await post(`/api/v1/scenarios/${sid}/promote`)).body).toMatchObject({ status: 409, code: 'read_only', fix: edit.body.fix });
    const archived = await call('/api/v1/scenarios?kind=planning&state=archived');
    expect(archived.body.data.map((s: { id: string }) => s.id)).toContain(sid);
    expect((await post(`/api/v1/scenarios/${sid}/unarchive`)).body.data).toMatchObject({ state: 'active', editable: true });
    const branch = await post('/api/v1/scenarios', { name: 'Branch', source_scenario_id: sid });
    // The answer names the source, as a read of it does.
    expect(branch.body.data.source).toEqual({ kind: 'scenario', scenario_id: sid, name: 'Parked' });
    expect((await call(`/api/v1/scenarios/${branch.body.data.id}`)).body.data.source).toEqual({ kind: 'scenario', scenario_id: sid, name: 'Parked' });
  });

  it('creates snapshots with and without a body; they are read-only and never unarchived', async () => {
    const named = await post('/api/v1/snapshots', { name: 'Quarter end' });
    expect(named.status).toBe(201);
    expect(named.body.data).toMatchObject({ kind: 'snapshot', name: 'Quarter end', editable: false, source: null });
    const unnamed = await post('/api/v1/snapshots');
    expect(unnamed.status).toBe(201);
    expect(unnamed.body.data.name).toMatch(/^Live on \d{4}-\d{2}-\d{2}$/);
    const listed = await call('/api/v1/snapshots?limit=500');
    expect(listed.body.data.every((s: { kind: string }) => s.kind === 'snapshot')).toBe(true);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([named.body.data.id, unnamed.body.data.id]));
    expect((await post(`/api/v1/scenarios/${named.body.data.id}/unarchive`)).body).toMatchObject({ status: 409, code: 'conflict' });
    expect((await post(`/api/v1/scenarios/${named.body.data.id}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }] })).body).toMatchObject({ code: 'read_only' });
  });

  it('refuses a second active planning scenario of the same name (any case, spaces trimmed), naming the one that has it; archiving frees the name', async () => {
    const first = (await post('/api/v1/scenarios', { name: '2026-03 Platform realignment' })).body.data;
    const before = await counts();
    const refused = await post('/api/v1/scenarios', { name: '  2026-03  platform REALIGNMENT ' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'scenario_name_taken',
      detail: 'An active planning scenario is already named “2026-03 Platform realignment”.',
      field: 'name',
      existing_scenario: { id: first.id, name: '2026-03 Platform realignment' },
    });
    expect(refused.body.fix).toContain('archive “2026-03 Platform realignment” first');
    expect(await counts()).toEqual(before);
    // A snapshot may repeat it; an archived scenario gives it up, and cannot come back while another has it.
    expect((await post('/api/v1/snapshots', { name: '2026-03 Platform realignment' })).status).toBe(201);
    await post(`/api/v1/scenarios/${first.id}/archive`);
    const second = await post('/api/v1/scenarios', { name: '2026-03 platform realignment' });
    expect(second.status).toBe(201);
    const back = await post(`/api/v1/scenarios/${first.id}/unarchive`);
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ code: 'scenario_name_taken', existing_scenario: { id: second.body.data.id, name: '2026-03 platform realignment' } });
    expect((await call(`/api/v1/scenarios/${first.id}`)).body.data.state).toBe('archived');
    const documented = (await call('/docs/api.json')).body.paths['/api/v1/scenarios'].post;
    expect(Object.keys(documented.responses)).toContain('409');
  });

  it('refuses a scenario beyond the plan’s cap with a problem naming the limit and the plan', async () => {
    const small = await buildTenant(database, { slug: 'apiscnteam', plan: 'team' });
    const token = await tokenFor(small, 'owner');
    for (let i = 0; i < 3; i++) {
      const ok = await call('/api/v1/scenarios', { host: 'apiscnteam.localhost', token, method: 'POST', json: { name: `Option ${i}` } });
      expect(ok.status).toBe(201);
    }
    const refused = await call('/api/v1/scenarios', { host: 'apiscnteam.localhost', token, method: 'POST', json: { name: 'One too many' } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'plan_limit', limit: 'active planning scenarios', plan: 'team', allowed: 3 });
  });
});

describe('what a batch created', () => {
  it('is named by family as everywhere else in the API (position, actor), not as the engine’s positions / actors', async () => {
    const sid = (await post('/api/v1/scenarios', { name: 'Created names' })).body.data.id;
    const added = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'create_position', title: 'Guard', org_unit_id: units.P }] });
    expect(added.body.data.created).toEqual([{ index: 0, family: 'position', id: expect.any(String) }]);
    const listed = await call(`/api/v1/scenarios/${sid}/changes?family=${added.body.data.created[0].family}`);
    expect(listed.body.data.map((c: { record_id: string }) => c.record_id)).toEqual([added.body.data.created[0].id]);
  });
});

describe('a deactivation before a later change of the same actor in one batch', () => {
  it('is a 400 naming the deactivation’s date and the later change, nothing applied; dated on that day it goes through', async () => {
    const sid = (await post('/api/v1/scenarios', { name: 'Leaver' })).body.data.id;
    const move = { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: '2030-06-01' };
    const refused = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [move, { op: 'deactivate_actor', actor_id: id('p1'), date: '2030-01-01' }] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'invalid_input', field: 'changes[1].date', detail: expect.stringContaining('changes[0] (move_placement) changes the same actor from 2030-06-01') });
    expect(refused.body.detail).toContain('date the deactivation on or after 2030-06-01');
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data).toMatchObject({ revision: 0, change_counts: {} });
    const applied = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [move, { op: 'deactivate_actor', actor_id: id('p1'), date: '2030-06-01' }] });
    expect(applied.status).toBe(200);
  });
});

describe('malformed requests change nothing', () => {
  let sid: string;
  let snapshotId: string;
  beforeAll(async () => {
    sid = (await post('/api/v1/scenarios', { name: 'Target' })).body.data.id;
    snapshotId = (await post('/api/v1/snapshots', { name: 'Target snapshot' })).body.data.id;
  });

  it('answers 400 problems naming the field', async () => {
    const before = await counts();
    const auditBefore = (await database.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, tenant.id)))[0]!.n;
    const cases: [string, unknown, string][] = [
      ['/api/v1/scenarios', {}, 'name'],
      ['/api/v1/scenarios', { name: '' }, 'name'],
      ['/api/v1/scenarios', { name: 42 }, 'name'],
      ['/api/v1/scenarios', { name: 'x'.repeat(201) }, 'name'],
      ['/api/v1/scenarios', { name: 'x', colour: 'red' }, 'colour'],
      ['/api/v1/scenarios', { name: '   ' }, 'name'],
      ['/api/v1/scenarios', [], 'body'],
      [`/api/v1/scenarios/${sid}/changes`, {}, 'changes'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [] }, 'changes'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: 'set_fte' }, 'changes'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'explode' }] }, 'changes[0].op'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 'high' }] }, 'changes[0].fte'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5, colour: 'red' }] }, 'changes[0].colour'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 7 }] }, 'changes[0].fte'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5 }, { op: 'move_org_unit', org_unit_id: units.M }] }, 'changes[1].parent_id'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5, date: 'soon' }] }, 'changes[0].date'],
      [`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5 }], dry_run: true }, 'dry_run'],
      [`/api/v1/scenarios/${sid}/promote`, { resolutions: 'all' }, 'resolutions'],
      [`/api/v1/scenarios/${sid}/promote`, { resolutions: [{ family: 'org_unit', id: units.P, field: 'name', choice: 'maybe' }] }, 'resolutions[0].choice'],
      [`/api/v1/scenarios/${sid}/promote`, { force: true }, 'force'],
      ['/api/v1/snapshots', { name: '' }, 'name'],
      ['/api/v1/snapshots', { label: 'x' }, 'label'],
      // The path's id is what is wrong (the request has no snapshot_id).
      [`/api/v1/snapshots/${sid}/restore`, undefined, 'id'],
    ];
    for (const [path, json, field] of cases) {
      const { status, body, headers } = await post(path, json);
      expect(status, `${path} ${JSON.stringify(json)}`).toBe(400);
      expect(headers.get('content-type')).toContain('application/problem+json');
      expect(body, `${path} ${JSON.stringify(json)}`).toMatchObject({ status: 400, code: 'invalid_input', field });
    }
    expect((await post(`/api/v1/snapshots/${sid}/restore`)).body).toMatchObject({ detail: 'Invalid id: it is not a snapshot; only snapshots can be restored.', fix: 'Restore the id of a snapshot: GET /api/v1/snapshots lists them.' });
    // An empty JSON body reads as {}: what is missing is named.
    const empty = await call(`/api/v1/scenarios/${sid}/changes`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(empty.body).toMatchObject({ status: 400, code: 'invalid_input', field: 'changes' });
    const notJson = await app.app.request(`/api/v1/scenarios/${sid}/changes`, {
      method: 'POST',
      headers: { host: HOST, authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: '{"changes": [',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'invalid_input', field: 'body' });
    const text = await app.app.request('/api/v1/scenarios', { method: 'POST', headers: { host: HOST, authorization: `Bearer ${owner}`, 'content-type': 'text/plain' }, body: 'Reorg' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ code: 'unsupported_media_type' });

    const queries: [string, string][] = [
      [`/api/v1/scenarios/${sid}/delta?compare=yesterday`, 'compare'],
      [`/api/v1/scenarios/${sid}/delta?as_of=2026-02-30`, 'as_of'],
      [`/api/v1/scenarios/${sid}/changes?family=money`, 'family'],
      [`/api/v1/scenarios/${sid}/changes?limit=0`, 'limit'],
      [`/api/v1/scenarios/${sid}/changes?cursor=%%%`, 'cursor'],
      ['/api/v1/scenarios?kind=draft', 'kind'],
      ['/api/v1/scenarios?state=deleted', 'state'],
      ['/api/v1/snapshots?limit=many', 'limit'],
    ];
    for (const [path, field] of queries) {
      const { status, body } = await call(path);
      expect(status, path).toBe(400);
      expect(body, path).toMatchObject({ code: 'invalid_input', field });
    }
    expect(await counts()).toEqual(before);
    const auditAfter = (await database.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, tenant.id)))[0]!.n;
    expect(auditAfter).toBe(auditBefore);
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data).toMatchObject({ revision: 0, submitted: false, state: 'active' });
    expect((await call(`/api/v1/snapshots?limit=500`)).body.data.map((s: { id: string }) => s.id)).toContain(snapshotId);
  });

  it('answers 404 for ids that are not the tenant’s, malformed or unknown', async () => {
    for (const path of ['/api/v1/scenarios/nope', `/api/v1/scenarios/${id('nope')}/delta`, '/api/v1/tasks/nope', `/api/v1/tasks/${id('nope')}`, `/api/v1/scenarios/${id('nope')}/tasks`]) {
      expect((await call(path)).body, path).toMatchObject({ status: 404, code: 'not_found' });
    }
    expect((await post(`/api/v1/snapshots/${id('nope')}/restore`)).status).toBe(404);
  });
});

describe('the delta shows only what the token may read (SPEC §4.1)', () => {
  it('leaves out record families, metrics and money without their read abilities, and names them', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Who may see' })).body.data.id;
    const applied = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 1 }] });
    expect(applied.status).toBe(200);
    const user = await buildMember(database, tenant, 'owner');
    const narrow = (abilities: string[]) => tokenOf(database, tenant, user, 'owner', { name: abilities.join(' '), abilities });

    const bare = await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`, { token: await narrow(['scenarios.read']) });
    expect(bare.status).toBe(200);
    expect(bare.body.data.families).toEqual({});
    expect(bare.body.data.metrics).toEqual({ total: null, by_org_unit: [] });
    expect(bare.body.data.withheld).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ part: 'actor', needs: ['actors.read'] }),
        expect.objectContaining({ part: 'placement', needs: ['placements.read'] }),
        expect.objectContaining({ part: 'metrics', needs: ['org-metrics.read'] }),
        expect.objectContaining({ part: 'money', needs: ['costs.read'] }),
      ]),
    );
    expect(JSON.stringify(bare.body)).not.toContain(id('p2'));
    expect(bare.body.data.names).toEqual({});

    const actors = await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`, { token: await narrow(['scenarios.read', 'actors.read', 'org-metrics.read']) });
    expect(actors.body.data.families.actor.changed).toEqual([{ id: id('p2'), label: 'p2', fields: { fte: { from: 0.5, to: 1 } } }]);
    expect(actors.body.data.metrics.total.fte).toEqual({ from: 7.5, to: 8, delta: 0.5 });
    expect(actors.body.data.metrics.total).not.toHaveProperty('annual_cost_minor');
    expect(actors.body.data.withheld.map((w: { part: string }) => w.part)).not.toContain('actor');

    const full = await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`);
    expect(full.body.data.withheld).toEqual([]);
    // The fixture pays f2 in GBP, which has no rate: the figures exclude it (marked), and as the GBP part did not change the delta is known.
    expect(full.body.data.metrics.total.annual_cost_minor).toMatchObject({ delta: 0, unconvertible: ['GBP'] });
    // Minor units name their currency (the reporting currency), in the total and per unit.
    expect(full.body.data.metrics.total.monthly_cost_minor.currency).toBe('EUR');
    expect(full.body.data.metrics.by_org_unit.map((u: { annual_cost_minor: { currency: string } }) => u.annual_cost_minor.currency)).toEqual(
      full.body.data.metrics.by_org_unit.map(() => 'EUR'),
    );
    expect(full.body.data.metrics.by_org_unit.length).toBeGreaterThan(0);
  });

  it('names the records a change points at only from families the credential may read', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Who is named' })).body.data.id;
    expect((await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'add_placement', actor_id: id('p2'), org_unit_id: units.F, allocation_pct: 20 }] })).status).toBe(200);
    const user = await buildMember(database, tenant, 'owner');
    const token = await tokenOf(database, tenant, user, 'owner', { name: 'places only', abilities: ['scenarios.read', 'placements.read', 'org-units.read'] });
    const [seat] = (await call(`/api/v1/scenarios/${sid}/changes`, { token })).body.data;
    // The unit is named; the person (actors.read missing) is not — in names or in the label.
    const field: string = (await call(`/api/v1/org-units/${units.F}`)).body.data.name; // renamed by an earlier test
    expect(seat).toMatchObject({ family: 'placement', label: `#${id('p2').slice(0, 8)} in ${field} (20 %)`, names: { [units.F]: field } });
    expect(seat.names).not.toHaveProperty(id('p2'));
    expect(JSON.stringify(seat)).not.toContain('"p2"');
  });
});

describe('resolutions that match no conflict', () => {
  it('are refused with a 400 naming them and where the conflicts are, nothing written; without them it promotes', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Stale resolutions' })).body.data.id;
    await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Apps' }, { op: 'rename_org_unit', org_unit_id: units.S, name: 'Revenue' }] });
    const stale = { family: 'org_unit', id: units.P, field: 'name', choice: 'scenario' };
    const before = await counts();

    // No conflict at all: a resolution (a stale file) is a mistake, not something to ignore.
    const none = await post(`/api/v1/scenarios/${sid}/promote`, { resolutions: [stale] });
    expect(none.status).toBe(400);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body).toMatchObject({ code: 'invalid_input', field: 'resolutions', unmatched_resolutions: [stale] });
    expect(none.body.detail).toBe(`1 resolution matches no conflict of this promotion (family/id/field): org_unit/${units.P}/name. The scenario has no conflict; nothing was promoted.`);
    expect(none.body.fix).toContain(`GET /api/v1/scenarios/${sid}/delta`);
    expect(await counts()).toEqual(before);

    // Its one conflict resolved, plus one for a record that does not exist (a mistyped id): refused all the same.
    const live = (await call(`/api/v1/org-units/${units.S}`)).body.data;
    const fixture = buildFixtureOrg(SALT).orgUnits.get(units.S)!;
    await database.db.transaction((tx) => writeLive(tx, tenant.id, { orgUnits: { upsert: [{ ...fixture, parentId: live.parent_id, name: 'Go to market' }] } }));
    const resolved = { family: 'org_unit', id: units.S, field: 'name', choice: 'scenario' };
    const typo = { family: 'org_unit', id: id('no such unit'), field: 'name', choice: 'live' };
    const afterLiveChange = await counts();
    const extra = await post(`/api/v1/scenarios/${sid}/promote`, { resolutions: [resolved, typo] });
    expect(extra.status).toBe(400);
    expect(extra.body).toMatchObject({ code: 'invalid_input', field: 'resolutions', unmatched_resolutions: [typo] });
    expect(extra.body.detail).toContain(`org_unit/${typo.id}/name. The scenario has 1 conflict, resolved by another of the resolutions; nothing was promoted.`);
    expect(await counts()).toEqual(afterLiveChange);
    expect((await call(`/api/v1/scenarios/${sid}`)).body.data).toMatchObject({ kind: 'planning', editable: true });
    expect((await call(`/api/v1/org-units/${units.S}`)).body.data.name).toBe('Go to market');

    const promoted = await post(`/api/v1/scenarios/${sid}/promote`, { resolutions: [resolved] });
    expect(promoted.status).toBe(202);
    expect((await settled(promoted.body.data.id)).status).toBe('succeeded');
    expect((await call(`/api/v1/org-units/${units.S}`)).body.data.name).toBe('Revenue');
  });
});
