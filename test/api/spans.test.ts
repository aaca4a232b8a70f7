import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import { SpansReportSchema } from '../../src/api/v1/report-schemas.js';
import type { Database } from '../../src/db/connection.js';
import { getOrgMetrics } from '../../src/org/metrics-service.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { fixtureIds } from '../support/fixture-org.js';
import { AS_OF, buildSpanOrg } from '../support/span-org.js';

/**
 * GET /api/v1/reports/spans: the managers behind the narrow/wide span counts, named and ordered, in Live and in a
 * scenario, under one unit, paginated; the same figures as the metrics; abilities and tenancy refused.
 */

let database: Database;
let app: TestApp;
let acme: Tenant;
let other: Tenant;
let scenarioId: string;
let theirScenario: string;
let ownerUser: { id: string };
const HOST = 'apispans.localhost';
const A = fixtureIds('api-spans-a');
const B = fixtureIds('api-spans-b');
const tokens = new Map<string, string>();

type Row = { id: string; display_name: string; direct_reports: number; span: string; layer: number; title: string | null; home_org_unit: { id: string; name: string } };
type Body = { data: Row[]; next_cursor: string | null; [key: string]: any };

async function call(path: string, token: string) {
  const response = await app.request(path, { host: HOST, token });
  return { status: response.status, body: (await response.json()) as Body };
}

async function withAbilities(key: string, abilities: readonly string[]): Promise<string> {
  if (!tokens.has(key)) tokens.set(key, await tokenOf(database, acme, ownerUser, 'owner', { name: key, abilities }));
  return tokens.get(key)!;
}
const owner = () => withAbilities('all', ALL_ABILITIES);
const without = (missing: string) => withAbilities(`without ${missing}`, ALL_ABILITIES.filter((a) => a !== missing));
const names = (body: Body) => body.data.map((r) => `${r.display_name}:${r.direct_reports}:${r.span}`);

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  acme = await buildTenant(database, { slug: 'apispans', plan: 'enterprise' });
  acme = await writeGraph(database, acme, buildSpanOrg('api-spans-a'));
  other = await buildTenant(database, { slug: 'apispansother', plan: 'enterprise' });
  other = await writeGraph(database, other, buildSpanOrg('api-spans-b'));
  ownerUser = await buildMember(database, acme, 'owner');
  const ctx = contextFor(database, acme, principalFor(acme, 'owner', null, ownerUser.id), app.runtime.graphs);
  scenarioId = (await createScenario(ctx, { name: 'Rebalance field' })).id;
  // One of Bea Boss's 15 reports moves to Hugo Hub (14): she leaves the wide list, he joins it.
  await applyBatch(ctx, scenarioId, [{ op: 'set_manager', actor_id: A.id('field15'), manager_id: A.id('hub'), date: AS_OF }]);
  theirScenario = (await createScenario(contextFor(database, other, principalFor(other, 'owner'), app.runtime.graphs), { name: 'Theirs' })).id;
});
afterAll(() => database?.close());

describe('GET /api/v1/reports/spans', () => {
  it('names the wide managers (most reports first), then the narrow ones (fewest first), as many as the metrics count', async () => {
    const { status, body } = await call(`/api/v1/reports/spans?as_of=${AS_OF}`, await owner());
    expect(status).toBe(200);
    expect(SpansReportSchema.parse(body)).toEqual(body);
    expect(names(body)).toEqual(['Bea Boss:15:wide', 'Sol Solo:1:narrow', 'ceo:2:narrow']);
    expect(body).toMatchObject({ span: 'outliers', org_unit: null, as_of: AS_OF, scenario_id: null, next_cursor: null });
    expect(body.data[0]).toEqual({
      id: A.id('boss'),
      kind: 'human',
      display_name: 'Bea Boss',
      title: 'Head of Field Ops',
      home_org_unit: { id: A.units.F, name: 'Field' },
      direct_reports: 15,
      span: 'wide',
      layer: 3,
    });
    expect(body.data[2]).toMatchObject({ id: A.id('ceo'), layer: 1, home_org_unit: { id: A.units.C, name: 'Fixture Co' } });

    const ctx = contextFor(database, acme, principalFor(acme, 'owner'), app.runtime.graphs);
    const { metrics } = await getOrgMetrics(ctx, { asOf: AS_OF });
    expect(body.data.filter((r) => r.span === 'wide')).toHaveLength(metrics!.span.wide);
    expect(body.data.filter((r) => r.span === 'narrow')).toHaveLength(metrics!.span.narrow);
  });

  it('filters by span: wide, narrow, or every manager by reports', async () => {
    const token = await owner();
    expect(names((await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=wide`, token)).body)).toEqual(['Bea Boss:15:wide']);
    expect(names((await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=narrow`, token)).body)).toEqual(['Sol Solo:1:narrow', 'ceo:2:narrow']);
    expect(names((await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=all`, token)).body)).toEqual([
      'Bea Boss:15:wide',
      'Hugo Hub:14:ok',
      'eng_head:5:ok',
      'sales_head:3:ok',
      'ceo:2:narrow',
      'Sol Solo:1:narrow',
    ]);
  });

  it('answers "spans over 4" with every manager above the threshold, whatever their class, and refuses a bad or inverted one', async () => {
    const over = await call(`/api/v1/reports/spans?as_of=${AS_OF}&min_direct_reports=5`, await owner());
    expect(over.status).toBe(200);
    expect(over.body.span).toBe('all');
    expect(names(over.body)).toEqual(['Bea Boss:15:wide', 'Hugo Hub:14:ok', 'eng_head:5:ok']);
    expect(names((await call(`/api/v1/reports/spans?as_of=${AS_OF}&min_direct_reports=2&max_direct_reports=3`, await owner())).body)).toEqual(['sales_head:3:ok', 'ceo:2:narrow']);
    const inverted = await call(`/api/v1/reports/spans?as_of=${AS_OF}&min_direct_reports=5&max_direct_reports=2`, await owner());
    expect(inverted.body).toMatchObject({ status: 400, field: 'max_direct_reports' });
    const notANumber = await call(`/api/v1/reports/spans?as_of=${AS_OF}&min_direct_reports=many`, await owner());
    expect(notANumber.status).toBe(400);
    expect(JSON.stringify(notANumber.body)).toContain('min_direct_reports');
  });

  it('reads a scenario: a manager change moves one manager out of the wide list and another into it; Live is unchanged', async () => {
    const token = await owner();
    const scenario = await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=wide&scenario_id=${scenarioId}`, token);
    expect(scenario.status).toBe(200);
    expect(names(scenario.body)).toEqual(['Hugo Hub:15:wide']);
    expect(scenario.body.scenario_id).toBe(scenarioId);
    const all = await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=all&scenario_id=${scenarioId}`, token);
    expect(names(all.body).slice(0, 2)).toEqual(['Hugo Hub:15:wide', 'Bea Boss:14:ok']);
    expect(names((await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=wide`, token)).body)).toEqual(['Bea Boss:15:wide']);
  });

  it('keeps to managers homed in one unit and below, agreeing with that unit’s metrics', async () => {
    const token = await owner();
    const engineering = await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=all&org_unit_id=${A.units.E}`, token);
    expect(names(engineering.body)).toEqual(['Hugo Hub:14:ok', 'eng_head:5:ok', 'Sol Solo:1:narrow']);
    expect(engineering.body.org_unit).toEqual({ id: A.units.E, name: 'Engineering' });
    const outliers = await call(`/api/v1/reports/spans?as_of=${AS_OF}&org_unit_id=${A.units.E}`, token);
    expect(names(outliers.body)).toEqual(['Sol Solo:1:narrow']);
    const sales = await call(`/api/v1/reports/spans?as_of=${AS_OF}&org_unit_id=${A.units.S}`, token);
    expect(names(sales.body)).toEqual(['Bea Boss:15:wide']);

    const ctx = contextFor(database, acme, principalFor(acme, 'owner'), app.runtime.graphs);
    const { metrics } = await getOrgMetrics(ctx, { asOf: AS_OF, orgUnitId: A.units.E });
    expect(metrics!.span).toMatchObject({ narrow: 1, wide: 0, managers: 3 });
  });

  it('pages through every manager once, in order, and refuses a cursor reused with other filters', async () => {
    const token = await owner();
    const seen: string[] = [];
    let cursor: string | null = null;
    let first: string | null = null;
    do {
      const page: { status: number; body: Body } = await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`, token);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...names(page.body));
      cursor = page.body.next_cursor;
      first ??= cursor;
    } while (cursor);
    expect(seen).toEqual(names((await call(`/api/v1/reports/spans?as_of=${AS_OF}&span=all`, token)).body));
    expect(seen).toHaveLength(6);

    for (const changed of ['span=wide', `span=all&org_unit_id=${A.units.E}`, `span=all&scenario_id=${scenarioId}`]) {
      const refused = await call(`/api/v1/reports/spans?as_of=${AS_OF}&${changed}&limit=2&cursor=${first}`, token);
      expect(refused.status, changed).toBe(400);
      expect(refused.body).toMatchObject({ field: 'cursor' });
      expect(refused.body.detail).toMatch(/filters changed/);
    }
  });

  it('refuses without actors.read or org-metrics.read, bad input, and another tenant’s unit or scenario', async () => {
    for (const ability of ['actors.read', 'org-metrics.read']) {
      const { status, body } = await call(`/api/v1/reports/spans?as_of=${AS_OF}`, await without(ability));
      expect(status, ability).toBe(403);
      expect(body).toMatchObject({ code: 'missing_ability', ability });
      expect(JSON.stringify(body)).not.toContain('Bea Boss');
    }
    const theirUnit = await call(`/api/v1/reports/spans?org_unit_id=${B.units.S}`, await owner());
    expect(theirUnit.status).toBe(404);
    expect(JSON.stringify(theirUnit.body)).not.toContain('Bea Boss');
    expect((await call(`/api/v1/reports/spans?scenario_id=${theirScenario}`, await owner())).status).toBe(404);
    const badSpan = await call('/api/v1/reports/spans?span=tiny', await owner());
    expect(badSpan.status).toBe(400);
    expect(badSpan.body.field).toBe('span');
    expect((await call('/api/v1/reports/spans?as_of=2026-13-40', await owner())).body.field).toBe('as_of');
  });
});
