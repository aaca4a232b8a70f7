import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from '@hono/zod-openapi';
import type { Database } from '../../src/db/connection.js';
import { tenantCurrencies } from '../../src/db/schema/index.js';
import { itemEnvelope } from '../../src/api/schemas.js';
import { OrgMetricsSchema } from '../../src/api/v1/org-schemas.js';
import { UnitMetricsReportSchema } from '../../src/api/v1/report-schemas.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * REST: "what would our open seats cost?" on Live. The org metrics and the org-unit metrics report give, with
 * costs.read, `cost.vacant_seats_annual` — the vacant seats at their target pay, loaded, a year — apart from the
 * payroll cost; a viewer gets no cost and so no figure. The fixture's vacant seats: Mobile, and Field from
 * 2026-03-01, each 90,000 EUR + 25 % burden = 112,500 a year; Platform's seat is filled.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
const HOST = 'apivacant.localhost';
const { units } = fixtureIds('api-vacant');
const tokens: Record<'manager' | 'viewer', string> = { manager: '', viewer: '' };

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apivacant', plan: 'enterprise', currency: 'EUR' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 }]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-vacant'));
  app = testApp(database);
  tokens.manager = await memberToken(database, tenant, 'manager');
  tokens.viewer = await memberToken(database, tenant, 'viewer');
});
afterAll(() => database?.close());

async function get(path: string, token: string) {
  const response = await app.request(path, { host: HOST, token });
  return { status: response.status, text: await response.clone().text(), body: (await response.json()) as any };
}

function conforms(schema: z.ZodType, body: unknown) {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? null : parsed.error.issues).toBeNull();
  expect(parsed.data).toEqual(body);
}

describe('GET /api/v1/org-metrics', () => {
  it('gives the vacant seats’ budget apart from the annual cost, for the organisation and one unit', async () => {
    const whole = await get(`/api/v1/org-metrics?as_of=${AS_OF}`, tokens.manager);
    expect(whole.status).toBe(200);
    conforms(itemEnvelope(OrgMetricsSchema), whole.body);
    expect(whole.body.data.metrics.cost.vacant_seats_annual).toEqual({ amount_minor: 22_500_000, currency: 'EUR' });
    expect(whole.body.data.metrics.cost.annual.amount_minor).toBe(98_250_000);
    const mobile = await get(`/api/v1/org-metrics?as_of=${AS_OF}&org_unit_id=${units.M}`, tokens.manager);
    expect(mobile.body.data.metrics.cost.vacant_seats_annual.amount_minor).toBe(11_250_000);
    const platform = await get(`/api/v1/org-metrics?as_of=${AS_OF}&org_unit_id=${units.P}`, tokens.manager);
    expect(platform.body.data.metrics.cost.vacant_seats_annual.amount_minor).toBe(0);
  });

  it('gives a viewer no cost, so no vacant seats’ budget', async () => {
    const viewer = await get(`/api/v1/org-metrics?as_of=${AS_OF}`, tokens.viewer);
    expect(viewer.status).toBe(200);
    conforms(itemEnvelope(OrgMetricsSchema), viewer.body);
    expect(viewer.body.data.metrics.headcount).toBeGreaterThan(0);
    expect(viewer.body.data.metrics.cost).toBeUndefined();
    expect(viewer.text).not.toContain('vacant_seats_annual');
  });
});

describe('GET /api/v1/reports/org-unit-metrics', () => {
  it('lists each unit’s vacant seats’ budget and the total’s; a viewer’s report has none', async () => {
    const report = await get(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}`, tokens.manager);
    expect(report.status).toBe(200);
    conforms(UnitMetricsReportSchema, report.body);
    expect(report.body.total.cost.vacant_seats_annual.amount_minor).toBe(22_500_000);
    const byName = Object.fromEntries(report.body.data.map((row: any) => [row.name, row.metrics.cost.vacant_seats_annual.amount_minor]));
    expect(byName).toMatchObject({ 'Fixture Co': 22_500_000, Engineering: 11_250_000, Mobile: 11_250_000, Platform: 0, Sales: 11_250_000, Field: 11_250_000 });

    const viewer = await get(`/api/v1/reports/org-unit-metrics?as_of=${AS_OF}`, tokens.viewer);
    expect(viewer.status).toBe(200);
    expect(viewer.body.data.length).toBe(report.body.data.length);
    expect(viewer.text).not.toContain('vacant_seats_annual');
  });
});

describe('the OpenAPI document', () => {
  it('documents the figure as budgeted, not paid, and the example shows it', async () => {
    const doc = (await (await app.request('/docs/api.json', { host: HOST })).json()) as any;
    const cost = doc.components.schemas.UnitMetrics.properties.cost;
    expect(cost.properties.vacant_seats_annual.description).toMatch(/^Budgeted, not paid: what the vacant seats .* never part of `annual`/);
    expect(doc.paths['/api/v1/org-metrics'].get.description).toContain('`cost.vacant_seats_annual`');
    expect(doc.paths['/api/v1/reports/org-unit-metrics'].get.description).toContain('`cost.vacant_seats_annual`');
    const example = doc.paths['/api/v1/org-metrics'].get.responses['200'].content['application/json'].example;
    expect(example.data.metrics.cost.vacant_seats_annual).toMatchObject({ amount_minor: expect.any(Number), currency: expect.any(String) });
  });
});
