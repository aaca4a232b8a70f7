import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { tenantCurrencies } from '../../src/db/schema/index.js';
import { writeLive } from '../../src/db/live-store.js';
import { getOrgMetrics } from '../../src/org/metrics-service.js';
import { getOrgUnit, listDepartments, listOrgUnits, listTeams, orgUnitTree } from '../../src/org/read-structure.js';
import {
  getActor,
  listActors,
  listCompensations,
  listPlacements,
  listPositions,
  listReportingLines,
} from '../../src/org/read-people.js';
import { foldEdit, type RecordEdit } from '../../src/scenarios/edits.js';
import { insertScenario, saveChanges } from '../../src/scenarios/store.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds, PAST } from '../support/fixture-org.js';

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
let viewer: ServiceContext;
const { id, units } = fixtureIds('acme-fixture');

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { plan: 'enterprise', currency: 'EUR' });
  await database.db.insert(tenantCurrencies).values([
    { tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 },
    { tenantId: tenant.id, code: 'GBP', rateToReporting: null },
  ]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg('acme-fixture'));
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  viewer = contextFor(database, tenant, principalFor(tenant, 'viewer'), owner.graphs);
});

afterAll(async () => {
  await database?.close();
});

describe('org metrics through the services (hand-computed, see test/support/fixture-org.ts)', () => {
  it('rolls up the whole organisation as of a day', async () => {
    const { metrics } = await getOrgMetrics(owner, { asOf: AS_OF });
    // Humans homed in the tree: ceo, eng_head, sales_head, p1, p2, m1, f1, f2 = 8; `former` left 2026-01-01.
    expect(metrics!.headcount).toBe(8);
    expect(metrics!.agents).toBe(1);
    expect(metrics!.robots).toBe(0);
    // Contracted FTE: 1+1+1+1+0.5+1+1+1 = 7.5 (the agent has none). Effective: same sum over placements
    // (m1 is 0.6 + 0.4), 7.5.
    expect(metrics!.fte).toBe(7.5);
    expect(metrics!.effective_fte).toBe(7.5);
    // pos_p1 filled by p1; pos_m_open and pos_f_open (from 2026-03-01) vacant: 2 of 3.
    expect(metrics!.positions).toEqual({ budgeted: 3, filled: 1, vacant: 2, vacancy_rate: 0.6667 });
    // Managers: ceo (2 reports), eng_head (3), sales_head (2) → 7 / 3 = 2.33; median 2; all in the 2–3 bucket.
    expect(metrics!.span).toMatchObject({ managers: 3, reports: 7, average: 2.33, median: 2, narrow: 2, wide: 0 });
    expect(metrics!.span.buckets['2-3']).toBe(3);
    // ceo = layer 1, heads 2, ICs 3.
    expect(metrics!.layers).toBe(3);
    // 3 managers, 5 ICs (p1, p2, m1, f1, f2) → 1.67 ICs per manager.
    expect(metrics!.manager_to_ic).toEqual({ managers: 3, ics: 5, ics_per_manager: 1.67 });
  });

  it('computes loaded costs with burden, day rates and exchange rates, flagging what cannot be converted', async () => {
    const { metrics } = await getOrgMetrics(owner, { asOf: AS_OF });
    // Burden 25 %: ceo 200k→250k, eng_head 150k→187.5k, sales_head 120k USD×0.9=108k→135k, p1 125k, p2 62.5k,
    // m1 112.5k; f1 day rate 500 × 220 days = 110k (no burden); f2 paid in GBP without a rate: unconvertible.
    // 250+187.5+135+125+62.5+112.5+110 = 982.5k EUR = 98,250,000 cents.
    expect(metrics!.cost).toEqual({
      currency: 'EUR',
      annual: { amount_minor: 98_250_000, currency: 'EUR', unconvertible: ['GBP'] },
      monthly: { amount_minor: 8_187_500, currency: 'EUR', unconvertible: ['GBP'] },
      // 98,250,000 / 7.5 effective FTE
      per_fte: { amount_minor: 13_100_000, currency: 'EUR', unconvertible: ['GBP'] },
      without_compensation: 1, // the agent
      // Budgeted, not paid: the vacant seats in Mobile and Field at 90,000 + 25 %, apart from the annual cost.
      vacant_seats_annual: { amount_minor: 22_500_000, currency: 'EUR' },
    });
  });

  it('rolls up per unit, splitting a shared person by allocation', async () => {
    const platform = (await getOrgMetrics(owner, { asOf: AS_OF, orgUnitId: units.P })).metrics!;
    // Homed in Platform: p1, p2 (+ the agent). Effective FTE: 1 + 0.5 + m1's 40 % = 1.9.
    expect(platform.headcount).toBe(2);
    expect(platform.effective_fte).toBe(1.9);
    // 125k + 62.5k + 40 % of m1's 112.5k (45k) = 232.5k.
    expect(platform.cost!.annual.amount_minor).toBe(23_250_000);
    const engineering = (await getOrgMetrics(owner, { asOf: AS_OF, orgUnitId: units.E })).metrics!;
    // eng_head 187.5k + Platform 232.5k + Mobile (60 % of 112.5k = 67.5k) = 487.5k.
    expect(engineering.cost!.annual.amount_minor).toBe(48_750_000);
    expect(engineering.headcount).toBe(4);
    expect(engineering.layers).toBe(2);
  });

  it('answers as of a past day from the effective dates', async () => {
    const { metrics } = await getOrgMetrics(owner, { asOf: PAST });
    // `former` was still there; pos_f_open did not exist yet.
    expect(metrics!.headcount).toBe(9);
    expect(metrics!.positions.budgeted).toBe(2);
    expect(metrics!.span.reports).toBe(8);
  });

  it('leaves every money figure out for a viewer', async () => {
    const { metrics } = await getOrgMetrics(viewer, { asOf: AS_OF });
    expect(metrics!.headcount).toBe(8);
    expect(metrics).not.toHaveProperty('cost');
    const positions = await listPositions(viewer, { asOf: AS_OF });
    expect(positions.page.items[0]).not.toHaveProperty('target_salary');
    const actor = await getActor(viewer, id('p1'), { asOf: AS_OF });
    expect(actor.actor).not.toHaveProperty('compensation');
    expect(actor.actor).not.toHaveProperty('annual_loaded_cost');
    await expect(listCompensations(viewer, {})).rejects.toMatchObject({ code: 'missing_ability', ability: 'costs.read' });
  });
});

describe('read services in Live', () => {
  it('lists org units with filters and pagination', async () => {
    const all = await listOrgUnits(owner, { asOf: AS_OF });
    expect(all.page.items.map((u) => u.name)).toEqual(['Engineering', 'Field', 'Fixture Co', 'Mobile', 'Platform', 'Sales']);
    const teams = await listOrgUnits(owner, { type: 'team', limit: 2 });
    expect(teams.page.items.map((u) => u.name)).toEqual(['Field', 'Mobile']);
    const next = await listOrgUnits(owner, { type: 'team', limit: 2, cursor: teams.page.nextCursor });
    expect(next.page.items.map((u) => u.name)).toEqual(['Platform']);
    expect(next.page.nextCursor).toBeNull();
    const children = await listOrgUnits(owner, { parentId: units.E });
    expect(children.page.items.map((u) => u.name)).toEqual(['Mobile', 'Platform']);
  });

  it('builds the tree with depth and type filters', async () => {
    const tree = await orgUnitTree(owner, { asOf: AS_OF });
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0]!.children!.map((c) => c.name)).toEqual(['Engineering', 'Sales']);
    expect(tree.roots[0]!.metrics!.headcount).toBe(8);
    const shallow = await orgUnitTree(owner, { asOf: AS_OF, depth: 1 });
    expect(shallow.roots[0]!.children).toBeUndefined();
    expect(shallow.roots[0]!.child_count).toBe(2);
    const teamsOnly = await orgUnitTree(owner, { asOf: AS_OF, types: ['team'] });
    expect(teamsOnly.roots.map((r) => r.name)).toEqual(['Mobile', 'Platform', 'Field']);
  });

  it('shows an org unit with its path, children, metadata and metrics', async () => {
    const { unit } = await getOrgUnit(owner, units.P, { asOf: AS_OF });
    expect(unit.path.map((p) => p.name)).toEqual(['Fixture Co', 'Engineering']);
    expect(unit.team).toEqual({ team_type_id: null, purpose: 'Runs the platform' });
    expect(unit.metrics!.headcount).toBe(2);
    const departments = await listDepartments(owner, { asOf: AS_OF });
    expect(departments.page.items.map((d) => [d.name, d.department?.cost_center ?? null])).toEqual([
      ['Engineering', 'CC-ENG'],
      ['Sales', null],
    ]);
    const teams = await listTeams(owner, { asOf: AS_OF });
    expect(teams.page.items.map((t) => t.name)).toEqual(['Field', 'Mobile', 'Platform']);
  });

  it('reads actors, reporting lines, placements, positions and compensation', async () => {
    const inPlatform = await listActors(owner, { orgUnitId: units.P, asOf: AS_OF });
    expect(inPlatform.page.items.map((a) => a.display_name)).toEqual(['bot', 'm1', 'p1', 'p2']);
    const agents = await listActors(owner, { kind: 'agent' });
    expect(agents.page.items.map((a) => a.display_name)).toEqual(['bot']);
    const head = await getActor(owner, id('eng_head'), { asOf: AS_OF });
    expect((head.actor.direct_reports as { display_name: string }[]).map((r) => r.display_name)).toEqual(['m1', 'p1', 'p2']);
    expect((head.actor.manager as { display_name: string }).display_name).toBe('ceo');
    expect(head.actor.annual_loaded_cost).toEqual({ amount_minor: 18_750_000, currency: 'EUR', unconvertible: [] });
    const lines = await listReportingLines(owner, { managerId: id('eng_head'), asOf: PAST });
    expect(lines.page.items).toHaveLength(4);
    const m1 = await listPlacements(owner, { actorId: id('m1') });
    expect(m1.page.items.map((p) => [p.allocation_pct, p.effective_fte, p.is_primary])).toEqual(
      expect.arrayContaining([
        [60, 0.6, true],
        [40, 0.4, false],
      ]),
    );
    const vacant = await listPositions(owner, { status: 'vacant', asOf: AS_OF });
    expect(vacant.page.items.map((p) => p.title)).toEqual(['pos_f_open', 'pos_m_open']);
    const filled = await listPositions(owner, { status: 'filled', asOf: AS_OF });
    expect(filled.page.items[0]).toMatchObject({ title: 'pos_p1', filled_by: [id('p1')], target_salary: { amount_minor: 9_000_000, currency: 'EUR' } });
    const pay = await listCompensations(owner, { actorId: id('f1') });
    expect(pay.page.items[0]!.amount).toEqual({ amount_minor: 50_000, currency: 'EUR' });
  });

  it('refuses bad input with a message naming the field', async () => {
    await expect(listOrgUnits(owner, { asOf: '2026-02-30' })).rejects.toMatchObject({ code: 'invalid_input', field: 'as_of' });
    await expect(listOrgUnits(owner, { type: 'division' as never })).rejects.toMatchObject({ field: 'type' });
    await expect(listOrgUnits(owner, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ field: 'cursor' });
    await expect(listOrgUnits(owner, { limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(orgUnitTree(owner, { depth: 0 })).rejects.toMatchObject({ field: 'depth' });
    await expect(listActors(owner, { kind: 'alien' })).rejects.toMatchObject({ field: 'kind' });
    await expect(getOrgUnit(owner, 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a token narrowed away from the family it reads', async () => {
    const narrowed = contextFor(database, tenant, principalFor(tenant, 'owner', ['org-units.read']), owner.graphs);
    await expect(listOrgUnits(narrowed, {})).resolves.toBeTruthy();
    await expect(listActors(narrowed, {})).rejects.toMatchObject({ ability: 'actors.read' });
    await expect(listPlacements(narrowed, {})).rejects.toMatchObject({ ability: 'placements.read' });
  });
});

describe('read services in a scenario', () => {
  let scenarioId: string;

  beforeAll(async () => {
    const scenario = await insertScenario(database.db, tenant.id, { name: 'Move Mobile', kind: 'planning', liveVersion: tenant.liveVersion });
    scenarioId = scenario.id;
    const { graph } = await owner.graphs.live(tenant.id);
    const edits: RecordEdit[] = [
      { kind: 'update', family: 'orgUnits', recordId: units.M, fields: { parentId: units.S } },
      { kind: 'update', family: 'actors', recordId: id('p2'), fields: { fte: 1 } },
    ];
    await database.db.transaction((tx) =>
      saveChanges(
        tx,
        tenant.id,
        scenarioId,
        edits.map((e) => ({
          family: e.family,
          recordId: e.recordId,
          change: foldEdit(undefined, (graph[e.family] as unknown as Map<string, Record<string, unknown>>).get(e.recordId), e, 1),
        })),
      ),
    );
  });

  it('shows the scenario’s changes and leaves Live alone', async () => {
    const moved = await getOrgUnit(owner, units.M, { scenarioId, asOf: AS_OF });
    expect(moved.unit.parent_id).toBe(units.S);
    const inScenario = (await getOrgMetrics(owner, { scenarioId, asOf: AS_OF, orgUnitId: units.S })).metrics!;
    expect(inScenario.headcount).toBe(4); // sales_head, f1, f2 + m1 (Mobile moved under Sales)
    const engineering = (await getOrgMetrics(owner, { scenarioId, asOf: AS_OF, orgUnitId: units.E })).metrics!;
    expect(engineering.fte).toBe(3); // eng_head 1 + p1 1 + p2 now 1.0
    const live = await getOrgUnit(owner, units.M, { asOf: AS_OF });
    expect(live.unit.parent_id).toBe(units.E);
  });

  it('lets unchanged fields follow Live after the scenario branched', async () => {
    await database.db.transaction((tx) =>
      writeLive(tx, tenant.id, {
        actors: { upsert: [{ ...buildFixtureOrg('acme-fixture').actors.get(id('p2'))!, title: 'Platform engineer' }] },
      }),
    );
    const p2 = await getActor(owner, id('p2'), { scenarioId });
    expect(p2.actor.title).toBe('Platform engineer'); // from Live
    expect(p2.actor.fte).toBe(1); // the scenario's own value
  });

  it('needs scenarios.read to open a scenario', async () => {
    const noScenarios = contextFor(database, tenant, principalFor(tenant, 'owner', ['org-units.read']), owner.graphs);
    await expect(listOrgUnits(noScenarios, { scenarioId })).rejects.toMatchObject({ ability: 'scenarios.read' });
  });
});

describe('tenant isolation', () => {
  it('never returns another tenant’s rows, whichever id is asked for', async () => {
    const other = await buildTenant(database, { plan: 'business' });
    const otherTenant = await writeGraph(database, other, buildFixtureOrg('other-fixture'));
    const them = contextFor(database, otherTenant, principalFor(otherTenant, 'owner'), owner.graphs);
    const ourScenario = await insertScenario(database.db, tenant.id, { name: 'Ours', kind: 'planning', liveVersion: 1 });

    await expect(getOrgUnit(them, units.P)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getActor(them, id('p1'))).rejects.toMatchObject({ code: 'not_found' });
    await expect(listOrgUnits(them, { scenarioId: ourScenario.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(getOrgMetrics(them, { orgUnitId: units.E })).rejects.toMatchObject({ code: 'not_found' });
    await expect(listActors(them, { orgUnitId: units.P })).rejects.toMatchObject({ code: 'not_found' });
    // Lists filtered by our records: not found, never an empty page that reads as "none".
    await expect(listPlacements(them, { actorId: id('m1') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(listReportingLines(them, { managerId: id('eng_head') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(listPositions(them, { orgUnitId: units.P })).rejects.toMatchObject({ code: 'not_found' });
    await expect(listCompensations(them, { actorId: id('p1') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(listOrgUnits(them, { parentId: units.E })).rejects.toMatchObject({ code: 'not_found' });
    const theirs = await listActors(them, {});
    const ourIds = new Set([...buildFixtureOrg('acme-fixture').actors.keys()]);
    expect(theirs.page.items.some((a) => ourIds.has(a.id))).toBe(false);
  });
});
