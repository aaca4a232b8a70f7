import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from '@hono/zod-openapi';
import type { Database } from '../../src/db/connection.js';
import { lineageEntries, tenantCurrencies } from '../../src/db/schema/index.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Role } from '../../src/access/bundles.js';
import { listEnvelope, itemEnvelope } from '../../src/api/schemas.js';
import {
  ActivityEventSchema,
  CurrencySchema,
  LineageEntrySchema,
  RosterSchema,
  TypeSchema,
  UnitMetricsReportSchema,
} from '../../src/api/v1/report-schemas.js';
import type { ServiceContext } from '../../src/context.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario, createSnapshot } from '../../src/scenarios/lifecycle.js';
import { restoreSnapshot } from '../../src/scenarios/promotion.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, memberToken, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * The REST routes that complete v1 (SPEC §6, §7): reference lists (currencies, department and team types), the
 * roster and org-unit metrics reports, lineage and the activity log — with the abilities they name, money only with
 * costs.read, another tenant's ids as "not found", and bodies that match the documented schemas.
 */

let database: Database;
let app: TestApp;
let acme: Tenant;
let other: Tenant;
let scenarioId: string;
let theirScenario: string;
const HOST = 'apirep.localhost';
const A = fixtureIds('api-reports-a');
const B = fixtureIds('api-reports-b');
let ownerUser: { id: string };
const tokens = new Map<string, string>();

type Body = { data: any; next_cursor?: string | null; [key: string]: any };

async function call(path: string, token: string, options: RequestOptions = {}) {
  const response = await app.request(path, { host: HOST, token, ...options });
  return { status: response.status, body: (await response.json()) as Body, type: response.headers.get('content-type') };
}

/** A token of the tenant's owner with exactly these abilities. */
async function withAbilities(key: string, abilities: readonly string[]): Promise<string> {
  if (!tokens.has(key)) tokens.set(key, await tokenOf(database, acme, ownerUser, 'owner', { name: key, abilities }));
  return tokens.get(key)!;
}
const owner = () => withAbilities('all', ALL_ABILITIES);
const without = (...missing: string[]) => withAbilities(`without ${missing.join(',')}`, ALL_ABILITIES.filter((a) => !missing.includes(a)));

async function roleToken(role: Role): Promise<string> {
  if (!tokens.has(role)) tokens.set(role, await memberToken(database, acme, role));
  return tokens.get(role)!;
}

function conforms(schema: z.ZodType, body: unknown, label: string) {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? null : parsed.error.issues, label).toBeNull();
  expect(parsed.data, label).toEqual(body);
}

/** Keys that carry money figures (a bare currency code is not one). */
const MONEY_KEY = /amount|salary|day_?rate|cost|compensation|money|burden|_minor$/i;
function moneyKeys(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => moneyKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(MONEY_KEY.test(k) ? [`${path}.${k}`] : []), ...moneyKeys(v, `${path}.${k}`)]);
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  acme = await buildTenant(database, { slug: 'apirep', plan: 'enterprise' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: acme.id, code: 'USD', rateToReporting: 0.9 }]);
  acme = await writeGraph(database, acme, buildFixtureOrg('api-reports-a'));
  other = await buildTenant(database, { slug: 'apirepother', plan: 'enterprise' });
  other = await writeGraph(database, other, buildFixtureOrg('api-reports-b'));
  ownerUser = await buildMember(database, acme, 'owner');

  const ctx: ServiceContext = contextFor(database, acme, principalFor(acme, 'owner', null, ownerUser.id), app.runtime.graphs);
  scenarioId = (await createScenario(ctx, { name: 'Roster moves' })).id;
  await applyBatch(ctx, scenarioId, [
    { op: 'add_actor', kind: 'human', display_name: 'Zed Newhire', org_unit_id: A.units.P, manager_id: A.id('eng_head'), fte: 1, date: AS_OF },
    { op: 'set_compensation', actor_id: A.id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR', date: AS_OF },
  ]);
  const snapshot = (await createSnapshot(ctx, { name: 'Before restore' })).id;
  // Live changes after the snapshot, so restoring it has something to do (a snapshot Live matches is refused).
  const renamed = buildFixtureOrg('api-reports-a');
  renamed.orgUnits.set(A.units.F, { ...renamed.orgUnits.get(A.units.F)!, name: 'Field Sales' });
  await writeGraph(database, acme, renamed);
  await (await restoreSnapshot(ctx, snapshot)).done;
  const theirs = contextFor(database, other, principalFor(other, 'owner'), app.runtime.graphs);
  theirScenario = (await createScenario(theirs, { name: 'Theirs' })).id;
});
afterAll(() => database?.close());

describe('reference lists', () => {
  it('lists the tenant’s currencies with rates (costs.read), by code', async () => {
    const { status, body } = await call('/api/v1/currencies', await owner());
    expect(status).toBe(200);
    conforms(listEnvelope(CurrencySchema), body, 'currencies');
    expect(body.data.map((c: { code: string }) => c.code)).toEqual(['EUR', 'USD']);
    expect(body.data[0]).toMatchObject({ code: 'EUR', reporting: true, rate_to_reporting: 1 });
    expect(body.data[1]).toMatchObject({ code: 'USD', reporting: false, rate_to_reporting: 0.9 });
    const viewer = await call('/api/v1/currencies', await roleToken('viewer'));
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ code: 'missing_ability', ability: 'costs.read' });
  });

  it('creates department and team types with settings.manage, searches them, refuses duplicates', async () => {
    for (const [path, name, read] of [
      ['/api/v1/department-types', 'Product', 'org-units.read'],
      ['/api/v1/team-types', 'Stream-aligned', 'teams.read'],
    ] as const) {
      const created = await call(path, await owner(), { json: { name } });
      expect(created.status, path).toBe(201);
      conforms(itemEnvelope(TypeSchema), created.body, `${path} create`);
      await call(path, await owner(), { json: { name: `${name} support` } });
      const duplicate = await call(path, await owner(), { json: { name: name.toUpperCase() } });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('conflict');
      const blank = await call(path, await owner(), { json: { name: '' } });
      expect(blank.status).toBe(400);
      expect(blank.body.field).toBe('name');
      const unknown = await call(path, await owner(), { json: { name: 'X', colour: 'red' } });
      expect(unknown.body).toMatchObject({ status: 400, field: 'colour' });

      const manager = await roleToken('manager');
      const refused = await call(path, manager, { json: { name: 'Not mine' } });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'missing_ability', ability: 'settings.manage' });

      const all = await call(path, manager);
      conforms(listEnvelope(TypeSchema), all.body, `${path} list`);
      expect(all.body.data.map((t: { name: string }) => t.name)).toEqual([name, `${name} support`]);
      const searched = await call(`${path}?q=${encodeURIComponent('SUPP')}`, manager);
      expect(searched.body.data.map((t: { name: string }) => t.name)).toEqual([`${name} support`]);
      const paged = await call(`${path}?limit=1`, manager);
      expect(paged.body.data).toHaveLength(1);
      const next = await call(`${path}?limit=1&cursor=${paged.body.next_cursor}`, manager);
      expect(next.body.data.map((t: { name: string }) => t.name)).toEqual([`${name} support`]);
      expect(next.body.next_cursor).toBeNull();

      const noRead = await call(path, await without(read));
      expect(noRead.body).toMatchObject({ status: 403, ability: read });
    }
  });

  it('keeps each tenant’s types to itself', async () => {
    const theirToken = await memberToken(database, other, 'owner');
    const theirs = await app.request('/api/v1/department-types', { host: 'apirepother.localhost', token: theirToken });
    expect(((await theirs.json()) as Body).data).toEqual([]);
    const crossed = await app.request('/api/v1/department-types', { host: HOST, token: theirToken });
    expect(crossed.status).toBe(401);
  });
});

describe('GET /api/v1/reports/roster', () => {
  const names = (body: Body) => body.data.map((r: { display_name: string }) => r.display_name);

  it('lists the actors of a unit and below, with placements, positions, managers and (costs.read) cost', async () => {
    const { status, body } = await call(`/api/v1/reports/roster?org_unit_id=${A.units.E}&as_of=${AS_OF}`, await owner());
    expect(status).toBe(200);
    conforms(RosterSchema, body, 'roster');
    expect(body).toMatchObject({ org_unit: { id: A.units.E, name: 'Engineering', type: 'department' }, as_of: AS_OF, scenario_id: null, next_cursor: null });
    expect(names(body)).toEqual(['bot', 'eng_head', 'm1', 'p1', 'p2']);
    const p1 = body.data.find((r: { display_name: string }) => r.display_name === 'p1');
    expect(p1).toMatchObject({
      manager: { id: A.id('eng_head'), display_name: 'eng_head' },
      primary_org_unit: { id: A.units.P, name: 'Platform' },
      placements: [{ org_unit: { id: A.units.P }, is_primary: true, allocation_pct: 100, in_scope: true, position: { id: A.id('pos_p1'), title: 'pos_p1', status: 'filled' } }],
      annual_loaded_cost: { currency: 'EUR', amount_minor: expect.any(Number) },
    });
    const head = body.data.find((r: { display_name: string }) => r.display_name === 'eng_head');
    expect(head.direct_reports).toBe(3);
    // The agent has no pay: its cost is unknown, as the org metrics count it — not a 0 that reads as free.
    expect(body.data.find((r: { display_name: string }) => r.display_name === 'bot')).toMatchObject({
      annual_loaded_cost: null,
      cost_note: 'No pay recorded on this day: cost unknown (not counted as 0).',
    });
    const bot = await call(`/api/v1/actors/${A.id('bot')}?as_of=${AS_OF}`, await owner());
    expect(bot.body.data).toMatchObject({ annual_loaded_cost: null, cost_note: 'No pay recorded on this day: cost unknown (not counted as 0).' });
  });

  it('marks the placements in scope, and primary_only keeps actors whose primary placement is in scope', async () => {
    const platform = await call(`/api/v1/reports/roster?org_unit_id=${A.units.P}&as_of=${AS_OF}`, await owner());
    expect(names(platform.body)).toEqual(['bot', 'm1', 'p1', 'p2']);
    const m1 = platform.body.data.find((r: { display_name: string }) => r.display_name === 'm1');
    expect(m1.placements.map((p: { org_unit: { id: string }; is_primary: boolean; in_scope: boolean }) => [p.org_unit.id, p.is_primary, p.in_scope])).toEqual([
      [A.units.M, true, false],
      [A.units.P, false, true],
    ]);
    const primary = await call(`/api/v1/reports/roster?org_unit_id=${A.units.P}&as_of=${AS_OF}&primary_only=true`, await owner());
    expect(names(primary.body)).toEqual(['bot', 'p1', 'p2']);
    const agents = await call(`/api/v1/reports/roster?org_unit_id=${A.units.P}&as_of=${AS_OF}&kind=agent`, await owner());
    expect(names(agents.body)).toEqual(['bot']);
  });

  it('covers the whole organisation without a unit, paginated without gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Body } = await call(`/api/v1/reports/roster?as_of=${AS_OF}&limit=4${cursor ? `&cursor=${cursor}` : ''}`, await owner());
      expect(page.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...names(page.body));
      cursor = page.body.next_cursor ?? null;
    } while (cursor);
    expect(seen).toEqual(['bot', 'ceo', 'eng_head', 'f1', 'f2', 'm1', 'p1', 'p2', 'sales_head']);
  });

  it('reads a scenario with scenario_id (scenarios.read)', async () => {
    const { body } = await call(`/api/v1/reports/roster?org_unit_id=${A.units.P}&as_of=${AS_OF}&scenario_id=${scenarioId}`, await owner());
    expect(body.scenario_id).toBe(scenarioId);
    expect(names(body)).toContain('Zed Newhire');
    const refused = await call(`/api/v1/reports/roster?scenario_id=${scenarioId}`, await without('scenarios.read'));
    expect(refused.body).toMatchObject({ status: 403, ability: 'scenarios.read' });
  });

  it('leaves positions out without positions.read and money out without costs.read', async () => {
    const noPositions = await call(`/api/v1/reports/roster?org_unit_id=${A.units.P}&as_of=${AS_OF}`, await without('positions.read'));
    expect(noPositions.status).toBe(200);
    for (const row of noPositions.body.data) for (const p of row.placements) expect(p).not.toHaveProperty('position');
    const viewer = await call(`/api/v1/reports/roster?as_of=${AS_OF}`, await roleToken('viewer'));
    expect(viewer.status).toBe(200);
    conforms(RosterSchema, viewer.body, 'viewer roster');
    expect(moneyKeys(viewer.body)).toEqual([]);
  });

  it('names the missing ability, and answers 404 for another tenant’s unit or scenario', async () => {
    for (const ability of ['actors.read', 'placements.read']) {
      const { status, body } = await call('/api/v1/reports/roster', await without(ability));
      expect([status, body.ability]).toEqual([403, ability]);
    }
    for (const path of [`/api/v1/reports/roster?org_unit_id=${B.units.E}`, `/api/v1/reports/roster?scenario_id=${theirScenario}`]) {
      const { status, body } = await call(path, await owner());
      expect([path, status, body.code]).toEqual([path, 404, 'not_found']);
    }
    expect((await call('/api/v1/reports/roster?kind=alien', await owner())).body).toMatchObject({ status: 400, field: 'kind' });
  });
});

describe('GET /api/v1/reports/org-unit-metrics', () => {
  it('rolls up every unit as one flat list sorted by name, with depth, path and the total', async () => {
    const { status, body } = await call(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}`, await owner());
    expect(status).toBe(200);
    conforms(UnitMetricsReportSchema, body, 'metrics report');
    expect(body.data.map((u: { name: string }) => u.name)).toEqual(['Engineering', 'Field', 'Fixture Co', 'Mobile', 'Platform', 'Sales']);
    const engineering = body.data[0];
    expect(engineering).toMatchObject({ id: A.units.E, type: 'department', parent_id: A.units.C, depth: 1, path: ['Fixture Co'], active: true });
    expect(engineering.metrics).toMatchObject({ headcount: 4, agents: 1, positions: { budgeted: 2, vacant: 1 } });
    expect(body.data.find((u: { name: string }) => u.name === 'Platform')).toMatchObject({ depth: 2, path: ['Fixture Co', 'Engineering'] });
    const whole = await call(`/api/v1/org-metrics?as_of=${AS_OF}`, await owner());
    expect(body.total).toEqual(whole.body.data.metrics);
    expect(body.total.cost.annual.amount_minor).toBeGreaterThan(0);
  });

  it('filters by type and subtree, pages, and hides cost from a viewer', async () => {
    const teams = await call(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}&type=team`, await owner());
    expect(teams.body.data.map((u: { name: string }) => u.name)).toEqual(['Field', 'Mobile', 'Platform']);
    const sales = await call(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}&org_unit_id=${A.units.S}`, await owner());
    expect(sales.body.data.map((u: { name: string }) => u.name)).toEqual(['Field', 'Sales']);
    expect(sales.body.total.headcount).toBe(3);
    const page = await call(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}&limit=4`, await owner());
    const rest = await call(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}&limit=4&cursor=${page.body.next_cursor}`, await owner());
    expect([...page.body.data, ...rest.body.data].map((u: { id: string }) => u.id)).toHaveLength(6);
    const viewer = await call(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}`, await roleToken('viewer'));
    expect(viewer.status).toBe(200);
    expect(moneyKeys(viewer.body)).toEqual([]);
  });

  it('names the missing ability and answers 404 for another tenant’s ids', async () => {
    for (const ability of ['org-units.read', 'org-metrics.read']) {
      const { body } = await call('/api/v1/reports/org-unit-metrics', await without(ability));
      expect([body.status, body.ability]).toEqual([403, ability]);
    }
    expect((await call(`/api/v1/reports/org-unit-metrics?org_unit_id=${B.units.S}`, await owner())).status).toBe(404);
    expect((await call(`/api/v1/reports/org-unit-metrics?scenario_id=${theirScenario}`, await owner())).status).toBe(404);
    expect((await call('/api/v1/reports/org-unit-metrics?type=galaxy', await owner())).body.field).toBe('type');
  });
});

describe('GET /api/v1/lineage and /api/v1/activity', () => {
  it('lists lineage entries (scenarios.read), deltas without money for a viewer', async () => {
    const { status, body } = await call('/api/v1/lineage', await owner());
    expect(status).toBe(200);
    conforms(listEnvelope(LineageEntrySchema), body, 'lineage');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ type: 'restore', user_id: ownerUser.id, applied_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    expect(body.data[0].deltas).toMatchObject({ headcount: expect.any(Number), monthly_cost_minor: expect.any(Number), currency: 'EUR' });
    const viewer = await call('/api/v1/lineage', await roleToken('viewer'));
    expect(viewer.status).toBe(200);
    expect(moneyKeys(viewer.body)).toEqual([]);
    expect(viewer.body.data[0].deltas).toEqual({ headcount: body.data[0].deltas.headcount, fte: body.data[0].deltas.fte, effective_fte: body.data[0].deltas.effective_fte });
    expect((await call('/api/v1/lineage', await without('scenarios.read'))).body).toMatchObject({ status: 403, ability: 'scenarios.read' });
  });

  it('says who did each entry (null for the system and HRIS sync) and names its snapshots as the task result does', async () => {
    const [restore] = (await call('/api/v1/lineage', await owner())).body.data;
    expect(restore).toMatchObject({ type: 'restore', user_id: ownerUser.id, user: { id: ownerUser.id, name: 'owner user' } });
    // The restore's task result names the replaced Live and what became Live with the lineage's own field names.
    const [task] = (await call('/api/v1/tasks?kind=restore', await owner())).body.data;
    expect(task.result).toMatchObject({ from_snapshot_id: restore.from_snapshot_id, to_scenario_id: restore.to_scenario_id });
    expect(task.result.snapshot_id).toBe(restore.from_snapshot_id); // kept as it was
    expect(task.result.restored_snapshot_id).toBe(restore.to_scenario_id);
    // An entry no member made (an HRIS sync into Live) has no user.
    const version = await currentLiveVersion(database.db, acme.id);
    await database.db.insert(lineageEntries).values({ tenantId: acme.id, type: 'import', fromSnapshotId: restore.from_snapshot_id, toScenarioId: null, liveVersion: version, userId: null, deltas: {} });
    const { body } = await call('/api/v1/lineage', await owner());
    conforms(listEnvelope(LineageEntrySchema), body, 'lineage');
    expect(body.data[0]).toMatchObject({ type: 'import', user_id: null, user: null });
  });

  it('lists activity (activity.read) newest first, with filters, and money only with costs.read', async () => {
    const { status, body } = await call('/api/v1/activity?limit=500', await owner());
    expect(status).toBe(200);
    conforms(listEnvelope(ActivityEventSchema), body, 'activity');
    const times = body.data.map((e: { at: string }) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(moneyKeys(body).length).toBeGreaterThan(0);

    const model = await call(`/api/v1/activity?category=model&scenario_id=${scenarioId}`, await owner());
    expect(model.body.data.length).toBeGreaterThan(0);
    for (const event of model.body.data) expect(event).toMatchObject({ category: 'model', scenario_id: scenarioId });
    const compensation = model.body.data.filter((e: { entity_type: string }) => e.entity_type === 'compensation');
    expect(compensation.length).toBeGreaterThan(0);
    // Before/after in the API's own field names, as every other answer: amount_minor, not the stored amountMinor.
    const keysOf = (v: unknown): string[] => (v && typeof v === 'object' ? Object.keys(v) : []);
    const fields = model.body.data.flatMap((e: Body) => [...keysOf(e.before), ...keysOf(e.after)]);
    expect(fields).toContain('amount_minor');
    expect(fields.filter((k: string) => /[A-Z]/.test(k))).toEqual([]);

    const noCosts = await call(`/api/v1/activity?category=model&scenario_id=${scenarioId}`, await without('costs.read'));
    expect(noCosts.status).toBe(200);
    expect(noCosts.body.data.length).toBe(model.body.data.length);
    expect(moneyKeys(noCosts.body.data.map((e: Body) => ({ before: e.before, after: e.after, metadata: e.metadata })))).toEqual([]);

    const future = await call('/api/v1/activity?since=2999-01-01', await owner());
    expect(future.body.data).toEqual([]);
    const bad = await call('/api/v1/activity?until=yesterday', await owner());
    expect(bad.body).toMatchObject({ status: 400, field: 'until' });
    const manager = await call('/api/v1/activity', await roleToken('manager'));
    expect(manager.status).toBe(200);
    for (const role of ['member', 'viewer'] as const) {
      const refused = await call('/api/v1/activity', await roleToken(role));
      expect([role, refused.status, refused.body.ability]).toEqual([role, 403, 'activity.read']);
    }
    const theirs = await call(`/api/v1/activity?scenario_id=${theirScenario}`, await owner());
    expect(theirs.body.data).toEqual([]);
  });
});
