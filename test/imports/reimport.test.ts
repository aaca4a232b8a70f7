import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { addDays, today as todayUtc } from '../../src/org/dates.js';
import type { ImportPlan } from '../../src/imports/plan/plan.js';
import { listRows } from '../../src/imports/review.js';
import { emptyGraph, type OrgGraph } from '../../src/org/types.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant, liveState, planRows } from './support.js';

/**
 * Re-importing a file changes nothing: a leaver's ended placement, reporting line and position are matched again (not
 * recreated on every run), an inactive status keeps an existing end date, and a team named without its department
 * that several teams share is quarantined (ambiguous_team) rather than created again.
 */

const TODAY = '2026-11-29';

/** Plans a file (header + rows) over `base` as of `today`; `changes.target()` is the organisation after it. */
function plan(header: string[], rows: (string | null)[][], base: OrgGraph, today = TODAY): Promise<ImportPlan> {
  return planRows(header, rows, base, today);
}

const sizes = (g: OrgGraph) => Object.fromEntries(Object.entries(g).map(([family, map]) => [family, (map as Map<string, unknown>).size]));
const outcomes = (p: ImportPlan) => [...p.rows.values()].map((r) => (r.status === 'imported' ? r.outcome : r.reason.code));
const actorOf = (g: OrgGraph, email: string) => [...g.actors.values()].find((a) => a.email === email)!;

const LEAVER_HEADER = ['email', 'name', 'department', 'job_title', 'manager_email', 'end_date'];
const LEAVER_ROWS = [
  ['boss@acme.test', 'Boss', 'Engineering', 'CTO', '', ''],
  ['s1@acme.test', 'S One', 'Engineering', 'Ghost Engineer', 'boss@acme.test', '2026-10-01'],
];

describe('re-importing a leaver', () => {
  it('matches their ended placement, reporting line and position: the second run is all unchanged and adds nothing', async () => {
    const first = await plan(LEAVER_HEADER, LEAVER_ROWS, emptyGraph());
    expect(outcomes(first)).toEqual(['created', 'created']);
    const org = first.changes.target();
    const s1 = actorOf(org, 's1@acme.test');
    expect(s1.validTo).toBe('2026-10-02'); // the last day is 2026-10-01
    expect([...org.placements.values()].filter((p) => p.actorId === s1.id)).toEqual([expect.objectContaining({ validTo: '2026-10-02' })]);
    expect([...org.reportingLines.values()].filter((l) => l.actorId === s1.id)).toEqual([expect.objectContaining({ validTo: '2026-10-02' })]);

    let base = org;
    for (let run = 0; run < 2; run++) {
      const again = await plan(LEAVER_HEADER, LEAVER_ROWS, base);
      expect(outcomes(again)).toEqual(['unchanged', 'unchanged']);
      expect(again.changes.size).toBe(0);
      expect(sizes(again.changes.target())).toEqual(sizes(org));
      base = again.changes.target();
    }
    expect([...base.positions.values()].filter((p) => p.title === 'Ghost Engineer')).toHaveLength(1);
  });

  it('a leaver named again with another manager keeps one reporting line, never starting after it ended', async () => {
    const first = await plan(LEAVER_HEADER, LEAVER_ROWS, emptyGraph());
    const base = first.changes.target();
    const rows = [...LEAVER_ROWS, ['boss2@acme.test', 'Boss Two', 'Engineering', 'VP', '', '']];
    rows[1] = ['s1@acme.test', 'S One', 'Engineering', 'Ghost Engineer', 'boss2@acme.test', '2026-10-01'];
    const again = await plan(LEAVER_HEADER, rows, base);
    const target = again.changes.target();
    const s1 = actorOf(target, 's1@acme.test');
    const lines = [...target.reportingLines.values()].filter((l) => l.actorId === s1.id);
    expect(lines).toEqual([expect.objectContaining({ managerId: actorOf(target, 'boss2@acme.test').id, validTo: '2026-10-02' })]);
    expect([...target.placements.values()].filter((p) => p.actorId === s1.id)).toHaveLength(1);
  });

  it('a rehire gets a new placement and reporting line from today; the old ones stay as history; then unchanged', async () => {
    const first = await plan(LEAVER_HEADER, LEAVER_ROWS, emptyGraph());
    const header = ['email', 'name', 'department', 'job_title', 'manager_email', 'status'];
    const rows = [
      ['boss@acme.test', 'Boss', 'Engineering', 'CTO', '', ''],
      ['s1@acme.test', 'S One', 'Engineering', 'Ghost Engineer', 'boss@acme.test', 'active'],
    ];
    const rehired = await plan(header, rows, first.changes.target());
    expect(outcomes(rehired)).toEqual(['unchanged', 'updated']);
    const target = rehired.changes.target();
    const s1 = actorOf(target, 's1@acme.test');
    expect(s1.validTo).toBeNull();
    const placements = [...target.placements.values()].filter((p) => p.actorId === s1.id);
    expect(placements.map((p) => [p.validFrom, p.validTo]).sort()).toEqual([
      [null, '2026-10-02'],
      [TODAY, null],
    ]);
    const lines = [...target.reportingLines.values()].filter((l) => l.actorId === s1.id);
    expect(lines.map((l) => [l.validFrom, l.validTo]).sort()).toEqual([
      [null, '2026-10-02'],
      [TODAY, null],
    ]);
    const again = await plan(header, rows, target);
    expect(outcomes(again)).toEqual(['unchanged', 'unchanged']);
    expect(again.changes.size).toBe(0);
  });
});

describe('a person moved in the HRIS', () => {
  const header = ['email', 'name', 'department', 'job_title', 'manager_email'];
  const before = [
    ['boss@acme.test', 'Boss', 'Engineering', 'CTO', ''],
    ['lead@acme.test', 'Lead', 'Sales', 'Head of Sales', 'boss@acme.test'],
    ['ann@acme.test', 'Ann', 'Engineering', 'Engineer', 'boss@acme.test'],
  ];
  const after = [before[0]!, before[1]!, ['ann@acme.test', 'Ann', 'Sales', 'Engineer', 'lead@acme.test']];
  const YESTERDAY = addDays(TODAY, -1);

  it('keeps history: the old placement, seat and reporting line end today and new ones start; earlier days read as before', async () => {
    const first = await plan(header, before, emptyGraph(), YESTERDAY);
    const moved = await plan(header, after, first.changes.target());
    expect(outcomes(moved)).toEqual(['unchanged', 'unchanged', 'updated']);
    const org = moved.changes.target();
    const ann = actorOf(org, 'ann@acme.test');
    const unitName = (id: string) => org.orgUnits.get(id)!.name;
    const placements = [...org.placements.values()].filter((p) => p.actorId === ann.id).sort((a, b) => (a.validFrom ?? '').localeCompare(b.validFrom ?? ''));
    expect(placements.map((p) => [unitName(p.orgUnitId), p.validFrom, p.validTo])).toEqual([
      ['Engineering', null, TODAY],
      ['Sales', TODAY, null],
    ]);
    // The seat moved with her: yesterday's Engineering seat closed today, today's is in Sales, with the same title.
    const seats = placements.map((p) => org.positions.get(p.positionId!)!);
    expect(seats.map((s) => [unitName(s.orgUnitId!), s.title, s.validTo])).toEqual([
      ['Engineering', 'Engineer', TODAY],
      ['Sales', 'Engineer', null],
    ]);
    const managerOf = (l: { managerId: string }) => org.actors.get(l.managerId)!.email;
    const lines = [...org.reportingLines.values()].filter((l) => l.actorId === ann.id).sort((a, b) => (a.validFrom ?? '').localeCompare(b.validFrom ?? ''));
    expect(lines.map((l) => [managerOf(l), l.validFrom, l.validTo])).toEqual([
      ['boss@acme.test', null, TODAY],
      ['lead@acme.test', TODAY, null],
    ]);
    // The same file again (today or tomorrow) changes nothing.
    for (const day of [TODAY, addDays(TODAY, 1)]) {
      const again = await plan(header, after, org, day);
      expect(outcomes(again), day).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(again.changes.size, day).toBe(0);
    }
  });

  it('corrects in place what started today (a hire of today placed in the wrong unit), leaving no zero-day records', async () => {
    const dated = (rows: string[][]) => rows.map((row) => [...row, TODAY]);
    const first = await plan([...header, 'start_date'], dated(before), emptyGraph());
    const fixed = await plan([...header, 'start_date'], dated(after), first.changes.target());
    expect(outcomes(fixed)).toEqual(['unchanged', 'unchanged', 'updated']);
    const org = fixed.changes.target();
    const ann = actorOf(org, 'ann@acme.test');
    expect([...org.placements.values()].filter((p) => p.actorId === ann.id)).toHaveLength(1);
    expect([...org.reportingLines.values()].filter((l) => l.actorId === ann.id)).toHaveLength(1);
  });
});

describe('an inactive status without an end date', () => {
  const header = ['email', 'name', 'department', 'status', 'end_date'];

  it('keeps an existing end date', async () => {
    const first = await plan(header, [['e1@acme.test', 'E One', 'Engineering', '', '2026-11-01']], emptyGraph());
    const again = await plan(header, [['e1@acme.test', 'E One', 'Engineering', 'inactive', '']], first.changes.target());
    expect(outcomes(again)).toEqual(['unchanged']);
    expect(actorOf(again.changes.target(), 'e1@acme.test').validTo).toBe('2026-11-02');
    // An end date in the file still wins.
    const moved = await plan(header, [['e1@acme.test', 'E One', 'Engineering', 'inactive', '2026-11-15']], first.changes.target());
    expect(actorOf(moved.changes.target(), 'e1@acme.test').validTo).toBe('2026-11-16');
  });

  it('ends an actor without an end date today (an existing one, or a new one)', async () => {
    const first = await plan(header, [['e2@acme.test', 'E Two', 'Engineering', '', '']], emptyGraph());
    const ended = await plan(header, [['e2@acme.test', 'E Two', 'Engineering', 'inactive', ''], ['e3@acme.test', 'E Three', 'Engineering', 'inactive', '']], first.changes.target());
    const target = ended.changes.target();
    expect(actorOf(target, 'e2@acme.test').validTo).toBe(TODAY);
    expect(actorOf(target, 'e3@acme.test').validTo).toBe(TODAY);
    // The next day, the same file changes nothing.
    const later = await plan(header, [['e2@acme.test', 'E Two', 'Engineering', 'inactive', ''], ['e3@acme.test', 'E Three', 'Engineering', 'inactive', '']], target, addDays(TODAY, 1));
    expect(outcomes(later)).toEqual(['unchanged', 'unchanged']);
    expect(actorOf(later.changes.target(), 'e2@acme.test').validTo).toBe(TODAY);
  });
});

describe('a team named without its department', () => {
  const teamsNamed = (g: OrgGraph, name: string) => [...g.orgUnits.values()].filter((u) => u.type === 'team' && u.name === name);
  const LOOSE = ['email', 'name', 'team', 'manager_email'];

  async function twoPods(): Promise<OrgGraph> {
    const first = await plan(
      ['email', 'name', 'department', 'team'],
      [
        ['p1@acme.test', 'P One', 'Engineering', 'Pod A'],
        ['p2@acme.test', 'P Two', 'Finance', 'Pod A'],
      ],
      emptyGraph(),
    );
    expect(teamsNamed(first.changes.target(), 'Pod A')).toHaveLength(2);
    return first.changes.target();
  }

  it('is quarantined as ambiguous_team when several teams have the name, on every re-import, and never creates a team', async () => {
    let base = await twoPods();
    for (let run = 0; run < 2; run++) {
      const loose = await plan(LOOSE, [['p3@acme.test', 'P Three', 'Pod A', '']], base);
      const result = loose.rows.get(1)!;
      expect(result).toMatchObject({ status: 'quarantined', reason: { code: 'ambiguous_team', field: 'team', detail: expect.stringContaining('Engineering, Finance') } });
      expect(loose.families.teams.quarantined).toBe(1);
      expect(loose.changes.size).toBe(0);
      base = loose.changes.target();
      expect(teamsNamed(base, 'Pod A')).toHaveLength(2);
    }
  });

  it('keeps a person already placed in one of those teams where they are', async () => {
    const base = await twoPods();
    const p2 = actorOf(base, 'p2@acme.test');
    const placedIn = [...base.placements.values()].find((p) => p.actorId === p2.id)!.orgUnitId;
    const loose = await plan(LOOSE, [['p2@acme.test', 'P Two', 'Pod A', '']], base);
    expect(outcomes(loose)).toEqual(['unchanged']);
    expect(loose.changes.size).toBe(0);
    expect([...loose.changes.target().placements.values()].find((p) => p.actorId === p2.id)!.orgUnitId).toBe(placedIn);
  });

  it('is ambiguous when rows of the same run name it in two departments, whatever the order; their reports are stranded', async () => {
    const header = ['email', 'name', 'department', 'team', 'manager_email'];
    const result = await plan(
      header,
      [
        ['p3@acme.test', 'P Three', '', 'Pod B', ''],
        ['p1@acme.test', 'P One', 'Engineering', 'Pod B', ''],
        ['p2@acme.test', 'P Two', 'Finance', 'Pod B', ''],
        ['p4@acme.test', 'P Four', 'Finance', '', 'p3@acme.test'],
      ],
      emptyGraph(),
    );
    expect(outcomes(result)).toEqual(['ambiguous_team', 'unknown_manager', 'created', 'created']);
    expect(teamsNamed(result.changes.target(), 'Pod B')).toHaveLength(2);
  });

  it('is the one team of that name, even when the row naming its department comes later', async () => {
    const header = ['email', 'name', 'department', 'team'];
    const rows = [
      ['p3@acme.test', 'P Three', '', 'Pod C'],
      ['p1@acme.test', 'P One', 'Engineering', 'Pod C'],
    ];
    const first = await plan(header, rows, emptyGraph());
    expect(outcomes(first)).toEqual(['created', 'created']);
    const target = first.changes.target();
    const pods = teamsNamed(target, 'Pod C');
    expect(pods).toHaveLength(1);
    expect(target.orgUnits.get(pods[0]!.parentId!)!.name).toBe('Engineering');
    const again = await plan(header, rows, target);
    expect(outcomes(again)).toEqual(['unchanged', 'unchanged']);
    expect(again.changes.size).toBe(0);
  });
});

describe('re-importing a leaver into Live', () => {
  let database: Database;
  let tenant: Tenant;
  let owner: ServiceContext;

  beforeAll(async () => {
    database = await testDatabase();
    ({ tenant, owner } = await importTenant(database));
  });
  afterAll(() => database?.close());

  it('the same file again is all unchanged, writes no Live version and adds no records', async () => {
    const ended = addDays(todayUtc(), -59);
    const csv = csvOf(LEAVER_HEADER, [
      ['boss@acme.test', 'Boss', 'Engineering', 'CTO', '', ''],
      ['s1@acme.test', 'S One', 'Engineering', 'Ghost Engineer', 'boss@acme.test', ended],
    ]);
    expect(await importFile(owner, csv)).toMatchObject({ status: 'completed' });
    const before = await liveState(database, tenant.id);
    const graphBefore = (await owner.graphs.live(tenant.id)).graph;
    for (let run = 0; run < 2; run++) {
      const again = await importFile(owner, csv);
      expect(again.status).toBe('completed');
      expect((await listRows(owner, again.id)).items.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    }
    expect(await liveState(database, tenant.id)).toMatchObject({ version: before.version, snapshots: before.snapshots });
    expect(sizes((await owner.graphs.live(tenant.id)).graph)).toEqual(sizes(graphBefore));
  });

  it('a team named without its department that two teams share: quarantined as ambiguous_team, no team added', async () => {
    await importFile(
      owner,
      csvOf(
        ['email', 'name', 'department', 'team'],
        [
          ['p1@acme.test', 'P One', 'Engineering', 'Pod A'],
          ['p2@acme.test', 'P Two', 'Finance', 'Pod A'],
        ],
      ),
    );
    const pods = async () => [...(await owner.graphs.live(tenant.id)).graph.orgUnits.values()].filter((u) => u.name === 'Pod A').length;
    expect(await pods()).toBe(2);
    const before = await liveState(database, tenant.id);
    for (let run = 0; run < 2; run++) {
      const again = await importFile(owner, csvOf(['email', 'name', 'team'], [['p3@acme.test', 'P Three', 'Pod A']]));
      expect(again.status).toBe('completed');
      expect((await listRows(owner, again.id)).items.map((r) => r.reason?.code)).toEqual(['ambiguous_team']);
    }
    expect(await pods()).toBe(2);
    expect(await liveState(database, tenant.id)).toMatchObject({ version: before.version, actors: before.actors });
  });
});
