import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from '@hono/zod-openapi';
import type { Database } from '../../src/db/connection.js';
import { UnitMetricsReportSchema } from '../../src/api/v1/report-schemas.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * REST: a position with no budgeted team yet. A scenario's change creates one without org_unit_id; GET
 * /api/v1/positions lists it with `org_unit_id: null` (and a unit's list does not; `no_budgeted_team=true` lists only such seats); the
 * org-unit metrics report gives its budget as `unassigned`, inside the organisation's total; update_position with
 * `org_unit_id: null` takes a vacant seat out of its unit; fill_position of such a seat is a problem naming
 * org_unit_id. (Fixture: every seat at 90,000.00 EUR, 25 % burden; pos_m_open is vacant in Mobile, m1 in Mobile.)
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let token = '';
const HOST = 'apiunbudgeted.localhost';
const { id, units } = fixtureIds('api-unbudgeted');

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiunbudgeted', plan: 'enterprise', currency: 'EUR' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-unbudgeted'));
  app = testApp(database);
  token = await memberToken(database, tenant, 'owner');
});
afterAll(() => database?.close());

async function call(path: string, json?: unknown) {
  const response = await app.request(path, { host: HOST, token, ...(json === undefined ? {} : { method: 'POST', json }) });
  return { status: response.status, body: (await response.json()) as any };
}

function conforms(schema: z.ZodType, body: unknown) {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? null : parsed.error.issues).toBeNull();
}

describe('a position with no budgeted team over REST', () => {
  it('is created without org_unit_id, listed with org_unit_id null, and its budget is the report’s `unassigned`', async () => {
    const sid: string = (await call('/api/v1/scenarios', { name: 'Seats first' })).body.data.id;
    const applied = await call(`/api/v1/scenarios/${sid}/changes`, {
      changes: [{ op: 'create_position', title: 'Head of data', target_salary_minor: 12_000_000, currency: 'EUR' }],
    });
    expect(applied.status).toBe(200);
    const seatId: string = applied.body.data.created.find((c: { family: string }) => c.family === 'position').id;

    const listed = (await call(`/api/v1/positions?scenario_id=${sid}`)).body.data as Record<string, unknown>[];
    expect(listed.find((p) => p.id === seatId)).toMatchObject({ title: 'Head of data', org_unit_id: null, status: 'vacant' });
    const inMobile = (await call(`/api/v1/positions?scenario_id=${sid}&org_unit_id=${units.M}`)).body.data as { id: string }[];
    expect(inMobile.map((p) => p.id)).toEqual([id('pos_m_open')]);
    // `no_budgeted_team=true` lists only the seats in no unit; not beside an org_unit_id.
    const unbudgeted = (await call(`/api/v1/positions?scenario_id=${sid}&no_budgeted_team=true`)).body.data as { id: string }[];
    expect(unbudgeted.map((p) => p.id)).toEqual([seatId]);
    expect(((await call('/api/v1/positions?no_budgeted_team=true')).body.data as unknown[]).length).toBe(0);
    const both = await call(`/api/v1/positions?scenario_id=${sid}&no_budgeted_team=true&org_unit_id=${units.M}`);
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ field: 'no_budgeted_team' });
    expect(both.body.detail).toMatch(/leave org_unit_id out with it/);

    const report = await call(`/api/v1/reports/org-unit-metrics?scenario_id=${sid}`);
    expect(report.status).toBe(200);
    conforms(UnitMetricsReportSchema, report.body);
    // 120,000.00 EUR with the 25 % burden: in `unassigned` and in the total, in no unit of the page.
    expect(report.body.unassigned).toMatchObject({ positions: { budgeted: 1, vacant: 1 }, cost: { vacant_seats_annual: { amount_minor: 15_000_000 } } });
    const live = await call('/api/v1/reports/org-unit-metrics');
    expect(live.body.unassigned).toBeNull();
    expect(report.body.total.cost.vacant_seats_annual.amount_minor).toBe(live.body.total.cost.vacant_seats_annual.amount_minor + 15_000_000);
    expect(report.body.total.positions.budgeted).toBe(live.body.total.positions.budgeted + 1);
    const company = (rows: { id: string; metrics: { positions: { budgeted: number } } }[]) => rows.find((r) => r.id === units.C)!.metrics.positions.budgeted;
    expect(company(report.body.data)).toBe(company(live.body.data));
  });

  it('fill_position of a seat with no unit is a problem naming org_unit_id', async () => {
    const sid: string = (await call('/api/v1/scenarios', { name: 'Fill too early' })).body.data.id;
    const refused = await call(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'create_position', title: 'Analyst', ref: 'analyst' },
        { op: 'fill_position', position_id: '$analyst', actor_id: id('m1') },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: 'changes[1].position_id' });
    expect(refused.body.detail).toMatch(/has no budgeted team yet \(no org_unit_id\)/);
  });

  it('update_position with org_unit_id null takes a vacant seat out of its unit', async () => {
    const sid: string = (await call('/api/v1/scenarios', { name: 'Unbudget Mobile' })).body.data.id;
    const seat = id('pos_m_open');
    expect((await call(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: seat, org_unit_id: null }] })).status).toBe(200);
    const listed = (await call(`/api/v1/positions?scenario_id=${sid}`)).body.data as Record<string, unknown>[];
    expect(listed.find((p) => p.id === seat)).toMatchObject({ org_unit_id: null });
    expect(((await call(`/api/v1/positions?scenario_id=${sid}&org_unit_id=${units.M}`)).body.data as unknown[]).length).toBe(0);
  });
});
