import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { getOrgUnit, listDepartments, listOrgUnits, listTeams, orgUnitTree } from '../../src/org/read-structure.js';
import { getActor, listActors, listCompensations, listPlacements, listPositions, listReportingLines } from '../../src/org/read-people.js';
import { foldEdit, type RecordEdit } from '../../src/scenarios/edits.js';
import { insertScenario, saveChanges } from '../../src/scenarios/store.js';
import type { ServiceContext } from '../../src/context.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds, PAST } from '../support/fixture-org.js';

/**
 * Issue 2's test list: every read service in Live, in a scenario and as of a past day. test/org/services.test.ts
 * reads a scenario through the org unit, an actor and the metrics; here each of the other services reads a change
 * of its own family in the scenario (Live untouched), and each answers as of a past day from the effective dates.
 */

let database: Database;
let owner: ServiceContext;
let scenarioId: string;
const { id, units } = fixtureIds('reads-in-context');

beforeAll(async () => {
  database = await testDatabase();
  let tenant = await buildTenant(database, { plan: 'enterprise', currency: 'EUR' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('reads-in-context'));
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  scenarioId = (await insertScenario(database.db, tenant.id, { name: 'Every family', kind: 'planning', liveVersion: tenant.liveVersion })).id;
  const { graph } = await owner.graphs.live(tenant.id);
  const edits: RecordEdit[] = [
    { kind: 'update', family: 'orgUnits', recordId: units.M, fields: { name: 'Mobile Apps' } },
    { kind: 'update', family: 'departments', recordId: units.E, fields: { costCenter: 'CC-ENG-2' } },
    { kind: 'update', family: 'teams', recordId: units.P, fields: { purpose: 'Runs the new platform' } },
    { kind: 'update', family: 'actors', recordId: id('p1'), fields: { title: 'Staff engineer' } },
    { kind: 'update', family: 'reportingLines', recordId: id('rl-p2'), fields: { managerId: id('ceo') } },
    { kind: 'update', family: 'placements', recordId: id('pl-p2'), fields: { allocationPct: 50 } },
    { kind: 'update', family: 'positions', recordId: id('pos_m_open'), fields: { title: 'Mobile lead' } },
    { kind: 'update', family: 'compensations', recordId: id('comp-p1'), fields: { amountMinor: 11_000_000 } },
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
afterAll(() => database?.close());

/** Reads the same thing in the scenario and in Live. */
async function both<T>(read: (context: { scenarioId?: string; asOf: string }) => Promise<T>): Promise<{ scenario: T; live: T }> {
  return { scenario: await read({ scenarioId, asOf: AS_OF }), live: await read({ asOf: AS_OF }) };
}

describe('every read service in a scenario, Live left alone', () => {
  it('org units: the list, the tree and one unit', async () => {
    const list = await both((c) => listOrgUnits(owner, { ...c, parentId: units.E }));
    expect(list.scenario.page.items.map((u) => u.name)).toEqual(['Mobile Apps', 'Platform']);
    expect(list.live.page.items.map((u) => u.name)).toEqual(['Mobile', 'Platform']);
    const tree = await both((c) => orgUnitTree(owner, c));
    expect(JSON.stringify(tree.scenario.roots)).toContain('"Mobile Apps"');
    expect(JSON.stringify(tree.live.roots)).not.toContain('"Mobile Apps"');
    const one = await both((c) => getOrgUnit(owner, units.M, c));
    expect([one.scenario.unit.name, one.live.unit.name]).toEqual(['Mobile Apps', 'Mobile']);
  });

  it('departments and teams', async () => {
    const departments = await both((c) => listDepartments(owner, c));
    const engineering = (r: typeof departments.live) => JSON.stringify(r.page.items.find((d) => d.id === units.E));
    expect(engineering(departments.scenario)).toContain('CC-ENG-2');
    expect(engineering(departments.live)).not.toContain('CC-ENG-2');
    const teams = await both((c) => listTeams(owner, c));
    const names = (r: typeof teams.live) => r.page.items.map((t) => t.name).sort();
    expect(names(teams.scenario)).toEqual(['Field', 'Mobile Apps', 'Platform']);
    expect(names(teams.live)).toEqual(['Field', 'Mobile', 'Platform']);
    const platform = (r: typeof teams.live) => JSON.stringify(r.page.items.find((t) => t.id === units.P));
    expect(platform(teams.scenario)).toContain('Runs the new platform');
    expect(platform(teams.live)).not.toContain('Runs the new platform');
  });

  it('actors, reporting lines, placements, positions and compensation', async () => {
    const actors = await both((c) => listActors(owner, { ...c, orgUnitId: units.P }));
    const p1 = (r: typeof actors.live) => r.page.items.find((a) => a.id === id('p1'))!.title;
    expect([p1(actors.scenario), p1(actors.live)]).toEqual(['Staff engineer', null]);
    const toCeo = await both((c) => listReportingLines(owner, { ...c, managerId: id('ceo') }));
    const reports = (r: typeof toCeo.live) => r.page.items.map((l) => l.actor_id).sort();
    expect(reports(toCeo.scenario)).toEqual([id('eng_head'), id('p2'), id('sales_head')].sort());
    expect(reports(toCeo.live)).toEqual([id('eng_head'), id('sales_head')].sort());
    const placements = await both((c) => listPlacements(owner, { ...c, actorId: id('p2') }));
    expect([placements.scenario.page.items[0]!.allocation_pct, placements.live.page.items[0]!.allocation_pct]).toEqual([50, 100]);
    const positions = await both((c) => listPositions(owner, { ...c, status: 'vacant' }));
    const titles = (r: typeof positions.live) => r.page.items.map((p) => p.title).sort();
    expect(titles(positions.scenario)).toEqual(['Mobile lead', 'pos_f_open']);
    expect(titles(positions.live)).toEqual(['pos_f_open', 'pos_m_open']);
    const pay = await both((c) => listCompensations(owner, { ...c, actorId: id('p1') }));
    expect([pay.scenario.page.items[0]!.amount, pay.live.page.items[0]!.amount]).toEqual([
      { amount_minor: 11_000_000, currency: 'EUR' },
      { amount_minor: 10_000_000, currency: 'EUR' },
    ]);
  });
});

describe('every read service as of a past day', () => {
  it('shows who and what was in effect then, not now', async () => {
    // `former` left on 2026-01-01: in effect on PAST (2025-06-01), gone on AS_OF (2026-06-01).
    const inPlatform = async (asOf: string) => (await listActors(owner, { orgUnitId: units.P, asOf })).page.items.map((a) => a.display_name).sort();
    expect(await inPlatform(PAST)).toContain('former');
    expect(await inPlatform(AS_OF)).not.toContain('former');
    expect((await getActor(owner, id('former'), { asOf: PAST })).actor).toMatchObject({ display_name: 'former' });
    const placed = async (asOf: string) => (await listPlacements(owner, { actorId: id('former'), asOf })).page.items.length;
    expect([await placed(PAST), await placed(AS_OF)]).toEqual([1, 0]);
    const reportsOf = async (asOf: string) => (await listReportingLines(owner, { managerId: id('eng_head'), asOf })).page.items.length;
    expect([await reportsOf(PAST), await reportsOf(AS_OF)]).toEqual([4, 3]);
    // pos_f_open opens on 2026-03-01: no seat yet on PAST.
    const vacant = async (asOf: string) => (await listPositions(owner, { status: 'vacant', asOf })).page.items.map((p) => p.title).sort();
    expect(await vacant(PAST)).toEqual(['pos_m_open']);
    expect(await vacant(AS_OF)).toEqual(['pos_f_open', 'pos_m_open']);
    // Units, departments, teams and pay have no end in the fixture: the same on both days, and answered for both.
    for (const asOf of [PAST, AS_OF]) {
      expect((await listOrgUnits(owner, { asOf })).page.items).toHaveLength(6);
      expect((await orgUnitTree(owner, { asOf })).roots).toHaveLength(1);
      expect((await listDepartments(owner, { asOf })).page.items).toHaveLength(2);
      expect((await listTeams(owner, { asOf })).page.items).toHaveLength(3);
      expect((await listCompensations(owner, { actorId: id('p1'), asOf })).page.items).toHaveLength(1);
    }
  });
});
