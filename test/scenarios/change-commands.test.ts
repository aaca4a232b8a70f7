import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import { addDays, inEffect } from '../../src/org/dates.js';
import { computeOrgMetrics } from '../../src/org/metrics.js';
import type { CostSettings, OrgGraph } from '../../src/org/types.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { runCommands } from '../../src/scenarios/run-commands.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** Change commands on the fixture organisation, without a database: effective dates, seats, closing units. */

const TODAY = '2026-06-01';
const LATER = '2027-01-01';
const SALT = 'commands';
const { id, units } = fixtureIds(SALT);
const COST: CostSettings = { reportingCurrency: 'EUR', burdenPct: 25, workingDaysPerYear: 220, exchangeRates: { USD: 0.92 } };
const abilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, 'enterprise');
const owner: Principal = { kind: 'session', userId: null, tenantId: 't', role: 'owner', abilities, roleAbilities: abilities };
const DEPARTMENT_TYPE = 'dt-product';
const references = { activeCurrencies: new Set(['EUR', 'USD']), departmentTypes: new Set<string>([DEPARTMENT_TYPE]), teamTypes: new Set<string>() };

function run(commands: ChangeCommand[], graph: OrgGraph = buildFixtureOrg(SALT)) {
  let n = 0;
  return runCommands(owner, graph, commands, { today: TODAY, references, newId: () => `new-${n++}` });
}

function managerOf(graph: OrgGraph, actorKey: string, day: string): string | null {
  const lines = [...graph.reportingLines.values()].filter((l) => l.actorId === id(actorKey) && inEffect(l, day));
  expect(lines.length, `${actorKey} has at most one line on ${day}`).toBeLessThanOrEqual(1);
  return lines[0]?.managerId ?? null;
}

const cycles = (graph: OrgGraph, day: string) => computeOrgMetrics(graph, { asOf: day, cost: COST }).reportingCycles;

describe('set_manager takes effect on its date', () => {
  it('a future date leaves today alone: the current line ends the day before and a new one starts', () => {
    const { graph, created } = run([{ op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head'), date: LATER }]);
    expect(managerOf(graph, 'p1', TODAY)).toBe(id('eng_head'));
    expect(managerOf(graph, 'p1', addDays(LATER, -1))).toBe(id('eng_head'));
    expect(managerOf(graph, 'p1', LATER)).toBe(id('sales_head'));
    expect(managerOf(graph, 'p1', '2025-01-01')).toBe(id('eng_head')); // history kept
    expect(graph.reportingLines.get(id('rl-p1'))!.validTo).toBe(LATER);
    expect(created).toEqual([{ index: 0, family: 'reporting_lines', id: 'new-0' }]);
  });

  it('without a date the change starts today, not back when the line began', () => {
    const { graph } = run([{ op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head') }]);
    expect(managerOf(graph, 'p1', TODAY)).toBe(id('sales_head'));
    expect(managerOf(graph, 'p1', addDays(TODAY, -1))).toBe(id('eng_head'));
    // A second change the same day changes that new line in place (no one-day fragments).
    const again = run([
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head') },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('ceo') },
    ]).graph;
    expect([...again.reportingLines.values()].filter((l) => l.actorId === id('p1'))).toHaveLength(2);
    expect(managerOf(again, 'p1', TODAY)).toBe(id('ceo'));
    // The same manager again changes nothing.
    expect(run([{ op: 'set_manager', actor_id: id('p1'), manager_id: id('eng_head') }]).edits).toEqual([]);
  });

  it('a manager swap planned for a later date makes no cycle today (nor then)', () => {
    // p1 reports to eng_head, who reports to ceo; from LATER p1 has no manager and eng_head reports to p1.
    const { graph } = run([
      { op: 'set_manager', actor_id: id('p1'), manager_id: null, date: LATER },
      { op: 'set_manager', actor_id: id('eng_head'), manager_id: id('p1'), date: LATER },
    ]);
    expect(managerOf(graph, 'eng_head', TODAY)).toBe(id('ceo'));
    expect(managerOf(graph, 'p1', TODAY)).toBe(id('eng_head'));
    expect(managerOf(graph, 'eng_head', LATER)).toBe(id('p1'));
    expect(managerOf(graph, 'p1', LATER)).toBeNull();
    for (const day of [TODAY, addDays(LATER, -1), LATER, '2030-01-01']) expect(cycles(graph, day), day).toBe(0);
  });

  it('refuses a change that makes a cycle on its date or on any later day', () => {
    // On its date.
    expect(() => run([{ op: 'set_manager', actor_id: id('ceo'), manager_id: id('p1'), date: LATER }])).toThrow(
      expect.objectContaining({ field: 'changes[0].manager_id', message: expect.stringMatching(/cycle/) }),
    );
    // Only later: from LATER sales_head reports to p1; p1 → f1 from today is fine until then (f1 → sales_head → p1).
    const later: ChangeCommand[] = [
      { op: 'set_manager', actor_id: id('sales_head'), manager_id: id('p1'), date: LATER },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('f1'), date: '2026-09-01' },
    ];
    expect(() => run(later)).toThrow(expect.objectContaining({ field: 'changes[1].manager_id', message: expect.stringMatching(new RegExp(`cycle from ${LATER}`)) }));
    // Fine when f2, p1's new manager, leaves sales_head's chain before sales_head moves under p1.
    const fine = run([
      later[0]!,
      { op: 'set_manager', actor_id: id('f2'), manager_id: id('ceo'), date: '2026-12-01' },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('f2'), date: '2026-09-01' },
    ]);
    for (const day of [TODAY, '2026-09-01', '2026-12-01', LATER, '2030-01-01']) expect(cycles(fine.graph, day), day).toBe(0);
    expect(managerOf(fine.graph, 'p1', LATER)).toBe(id('f2'));
  });
});

describe('positions are filled once, in their own org unit', () => {
  it('refuses a position already filled', () => {
    for (const command of [
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.P, allocation_pct: 20, position_id: id('pos_p1') },
      { op: 'add_actor', kind: 'human', display_name: 'Twin', org_unit_id: units.P, position_id: id('pos_p1') },
      { op: 'fill_position', actor_id: id('p2'), position_id: id('pos_p1') },
    ] as ChangeCommand[]) {
      expect(() => run([command]), command.op).toThrow(expect.objectContaining({ field: 'changes[0].position_id', message: expect.stringMatching(/already filled/) }));
    }
    // Filled earlier in the same batch.
    expect(() =>
      run([
        { op: 'add_actor', kind: 'human', display_name: 'One', org_unit_id: units.M, position_id: id('pos_m_open') },
        { op: 'add_actor', kind: 'human', display_name: 'Two', org_unit_id: units.M, position_id: id('pos_m_open') },
      ]),
    ).toThrow(expect.objectContaining({ field: 'changes[1].position_id', message: expect.stringMatching(/already filled/) }));
  });

  it('refuses a position budgeted in another org unit than the placement', () => {
    for (const command of [
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.P, allocation_pct: 20, position_id: id('pos_m_open') },
      { op: 'add_actor', kind: 'human', display_name: 'Hire', org_unit_id: units.P, position_id: id('pos_m_open') },
      { op: 'fill_position', actor_id: id('p2'), position_id: id('pos_m_open') }, // p2's primary placement is in Platform
    ] as ChangeCommand[]) {
      expect(() => run([command]), command.op).toThrow(expect.objectContaining({ field: 'changes[0].position_id', message: expect.stringMatching(/budgeted in Mobile, not in Platform/) }));
    }
    const { graph } = run([
      { op: 'add_actor', kind: 'human', display_name: 'Hire', org_unit_id: units.M, position_id: id('pos_m_open') },
      { op: 'fill_position', actor_id: id('f2'), position_id: id('pos_f_open') },
    ]);
    // From today: f2's primary placement in effect today holds the position (the one before today did not).
    expect(placementsOn(graph, 'f2', TODAY).map((p) => p.position)).toEqual([id('pos_f_open')]);
    expect(graph.placements.get(id('pl-f2'))!.positionId).toBeNull();
  });
});

describe('moving a placement that fills a position', () => {
  it('leaves the seat vacant in its own unit when the person moves elsewhere, and keeps it within the unit', () => {
    const { graph } = run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: LATER }]);
    expect(placementsOn(graph, 'p1', TODAY).map((p) => p.position)).toEqual([id('pos_p1')]);
    expect(placementsOn(graph, 'p1', LATER).map((p) => p.position)).toEqual([null]);
    const filledFrom = (day: string) => [...graph.placements.values()].filter((p) => p.positionId === id('pos_p1') && inEffect(p, day)).length;
    expect([filledFrom(TODAY), filledFrom(LATER)]).toEqual([1, 0]);
    // The seat is vacant from then on: it can be filled again, from its own unit.
    expect(() => run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M }, { op: 'add_actor', kind: 'human', display_name: 'Successor', org_unit_id: units.P, position_id: id('pos_p1') }])).not.toThrow();
  });
});

describe('close_org_unit', () => {
  const emptyMobile: ChangeCommand[] = [
    { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E },
  ];

  it('refuses while the unit has open positions, naming them', () => {
    expect(() => run([...emptyMobile, { op: 'close_org_unit', org_unit_id: units.M }])).toThrow(
      expect.objectContaining({ field: 'changes[1].org_unit_id', message: expect.stringMatching(new RegExp(`open position.*pos_m_open \\(${id('pos_m_open')}\\).*close them first`)) }),
    );
    const { graph } = run([...emptyMobile, { op: 'close_position', position_id: id('pos_m_open') }, { op: 'close_org_unit', org_unit_id: units.M }]);
    expect(graph.orgUnits.get(units.M)!.validTo).toBe(TODAY);
  });

  it('counts an undated placement (no start, no end) as there, like any open record', () => {
    const org = buildFixtureOrg(SALT);
    const undated = { ...org.placements.get(id('pl-m1'))!, validFrom: null, validTo: null };
    org.placements.set(undated.id, undated);
    const close: ChangeCommand[] = [{ op: 'close_position', position_id: id('pos_m_open') }, { op: 'close_org_unit', org_unit_id: units.M }];
    // Only what is there is named, in words (no '0 active child unit(s)').
    expect(() => run(close, org)).toThrow(expect.objectContaining({ message: `Invalid changes[1].org_unit_id: still has 1 active placement on or after ${TODAY}; move them first so nothing is orphaned` }));
  });
});

describe('the system unit (Unassigned)', () => {
  it('is not renamed, moved or closed: Orgonaut keeps it', () => {
    const org = buildFixtureOrg(SALT);
    org.orgUnits.set('sys', { id: 'sys', parentId: units.C, type: 'system', name: 'Unassigned', code: 'UNASSIGNED', validFrom: null, validTo: null });
    for (const [command, what] of [
      [{ op: 'rename_org_unit', org_unit_id: 'sys', name: 'Bench' }, 'renamed'],
      [{ op: 'move_org_unit', org_unit_id: 'sys', parent_id: units.E }, 'moved'],
      [{ op: 'close_org_unit', org_unit_id: 'sys' }, 'closed'],
    ] as const) {
      expect(() => run([command as ChangeCommand], org), command.op).toThrow(
        expect.objectContaining({ field: 'changes[0].org_unit_id', message: expect.stringContaining(`“Unassigned”, which Orgonaut keeps: it cannot be ${what}`) }),
      );
    }
    expect(org.orgUnits.get('sys')!.name).toBe('Unassigned');
  });
});

describe('records created without a date exist from today', () => {
  it('for every command that creates a dated record', () => {
    const { graph, created } = run([
      { op: 'create_org_unit', type: 'team', name: 'Data', parent_id: units.E },
      { op: 'add_actor', kind: 'human', display_name: 'New', org_unit_id: units.P, manager_id: id('eng_head') },
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 10 },
      { op: 'create_position', org_unit_id: units.P, title: 'SRE' },
    ]);
    const families = {
      org_units: graph.orgUnits,
      actors: graph.actors,
      placements: graph.placements,
      positions: graph.positions,
      reporting_lines: graph.reportingLines,
    } as Record<string, Map<string, { validFrom: string | null }>>;
    // Everything made is reported — add_actor with a manager_id also makes the reporting line.
    expect(created.map((c) => c.family)).toEqual(['org_units', 'actors', 'placements', 'reporting_lines', 'placements', 'positions']);
    for (const c of created) expect(families[c.family]!.get(c.id)!.validFrom, c.family).toBe(TODAY);
    const newLine = [...graph.reportingLines.values()].find((l) => l.actorId === created[1]!.id)!;
    expect(newLine.id).toBe(created[3]!.id);
    // A given date is kept.
    const dated = run([{ op: 'create_position', org_unit_id: units.P, title: 'Later', date: LATER }]);
    expect(dated.graph.positions.get(dated.created[0]!.id)!.validFrom).toBe(LATER);
  });
});

/** The placements of an actor in effect on a day, as unit → allocation (with position and primary flag). */
function placementsOn(graph: OrgGraph, actorKey: string, day: string) {
  return [...graph.placements.values()]
    .filter((p) => p.actorId === id(actorKey) && inEffect(p, day))
    .map((p) => ({ unit: p.orgUnitId, pct: p.allocationPct, primary: p.isPrimary, position: p.positionId }))
    .sort((a, b) => a.unit.localeCompare(b.unit));
}

describe('placement changes take effect on their date', () => {
  const PAST_DAY = '2025-06-01';

  it('move_placement dated in the future: today and the past unchanged, the new unit from the date', () => {
    const before = buildFixtureOrg(SALT);
    const { graph, created } = run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: LATER }]);
    for (const day of [PAST_DAY, TODAY, addDays(LATER, -1)]) expect(placementsOn(graph, 'p1', day), day).toEqual(placementsOn(before, 'p1', day));
    // The primary flag and the allocation move with it; the seat, budgeted in Platform, stays there vacant. New id.
    expect(placementsOn(graph, 'p1', LATER)).toEqual([{ unit: units.M, pct: 100, primary: true, position: null }]);
    expect(created).toEqual([{ index: 0, family: 'placements', id: 'new-0' }]);
    expect(graph.placements.get(id('pl-p1'))).toMatchObject({ orgUnitId: units.P, validTo: LATER });
    expect(graph.placements.get('new-0')).toMatchObject({ actorId: id('p1'), orgUnitId: units.M, validFrom: LATER, validTo: null });
  });

  it('set_allocation dated in the future: today and the past unchanged, the new allocation from the date', () => {
    const { graph, created } = run([{ op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 10, date: LATER }]);
    const m1 = (day: string) => placementsOn(graph, 'm1', day).map((p) => [p.unit, p.pct]);
    expect(m1(PAST_DAY)).toEqual(m1(TODAY));
    expect(new Map(m1(TODAY) as [string, number][]).get(units.P)).toBe(40);
    expect(new Map(m1(addDays(LATER, -1)) as [string, number][]).get(units.P)).toBe(40);
    expect(new Map(m1(LATER) as [string, number][]).get(units.P)).toBe(10);
    expect(created).toEqual([{ index: 0, family: 'placements', id: 'new-0' }]);
  });

  it('without a date the change starts today; a past date is honoured from that day (history before it kept)', () => {
    const today = run([{ op: 'move_placement', placement_id: id('pl-f1'), org_unit_id: units.P }]).graph;
    expect(placementsOn(today, 'f1', addDays(TODAY, -1)).map((p) => p.unit)).toEqual([units.F]);
    expect(placementsOn(today, 'f1', TODAY).map((p) => p.unit)).toEqual([units.P]);
    const past = run([{ op: 'set_allocation', placement_id: id('pl-f1'), allocation_pct: 50, date: PAST_DAY }]).graph;
    expect(placementsOn(past, 'f1', addDays(PAST_DAY, -1)).map((p) => p.pct)).toEqual([100]);
    expect(placementsOn(past, 'f1', PAST_DAY).map((p) => p.pct)).toEqual([50]);
    expect(placementsOn(past, 'f1', TODAY).map((p) => p.pct)).toEqual([50]);
  });

  it('later commands of the batch that name the placement reach its new record; same value changes nothing', () => {
    const { graph, created } = run([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: LATER },
      { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 20, date: LATER }, // changes the new record in place
      { op: 'end_placement', placement_id: id('pl-m1-p'), date: '2027-06-01' },
    ]);
    expect(created).toEqual([{ index: 0, family: 'placements', id: 'new-0' }]);
    expect(graph.placements.get('new-0')).toMatchObject({ orgUnitId: units.F, allocationPct: 20, validFrom: LATER, validTo: '2027-06-01' });
    expect(graph.placements.get(id('pl-m1-p'))).toMatchObject({ orgUnitId: units.P, allocationPct: 40, validTo: LATER });
    expect(run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.P }]).edits).toEqual([]);
    expect(run([{ op: 'set_allocation', placement_id: id('pl-p1'), allocation_pct: 100, date: LATER }]).edits).toEqual([]);
  });

  it('a later batch that names the old placement id reaches its continuation', () => {
    const first = run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: LATER }]).graph;
    let n = 0;
    const { graph } = runCommands(owner, first, [{ op: 'set_allocation', placement_id: id('pl-p1'), allocation_pct: 50, date: '2027-03-01' }], {
      today: TODAY,
      references,
      newId: () => `next-${n++}`,
    });
    expect(placementsOn(graph, 'p1', TODAY)).toEqual([{ unit: units.P, pct: 100, primary: true, position: id('pos_p1') }]);
    expect(placementsOn(graph, 'p1', LATER)).toEqual([{ unit: units.M, pct: 100, primary: true, position: null }]);
    expect(placementsOn(graph, 'p1', '2027-03-01')).toEqual([{ unit: units.M, pct: 50, primary: true, position: null }]);
    expect(graph.placements.get('next-0')).toMatchObject({ orgUnitId: units.M, validFrom: '2027-03-01' });
  });

  it('fill_position dated in the future fills the seat from then, not before', () => {
    const { graph } = run([{ op: 'fill_position', position_id: id('pos_f_open'), actor_id: id('f2'), date: LATER }]);
    expect(placementsOn(graph, 'f2', TODAY)).toEqual([{ unit: units.F, pct: 100, primary: true, position: null }]);
    expect(placementsOn(graph, 'f2', LATER)).toEqual([{ unit: units.F, pct: 100, primary: true, position: id('pos_f_open') }]);
  });
});

describe('ending what has dated changes planned', () => {
  it('end_placement cancels a move planned for later (it does not come back after the end)', () => {
    const { graph } = run([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: LATER },
      { op: 'end_placement', placement_id: id('pl-m1-p'), date: '2026-09-01' },
    ]);
    expect(placementsOn(graph, 'm1', '2026-08-31').map((p) => p.unit).sort()).toEqual([units.M, units.P].sort());
    for (const day of ['2026-09-01', LATER, '2030-01-01']) expect(placementsOn(graph, 'm1', day).map((p) => p.unit), day).toEqual([units.M]);
  });

  it('deactivate_actor cancels the actor’s placements and manager lines planned for later (by an earlier batch)', () => {
    const planned = run([
      { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: LATER },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head'), date: LATER },
    ]).graph;
    const { graph } = run([{ op: 'deactivate_actor', actor_id: id('p1') }], planned);
    for (const day of [TODAY, LATER, '2030-01-01']) {
      expect(placementsOn(graph, 'p1', day), day).toEqual([]);
      expect(managerOf(graph, 'p1', day), day).toBeNull();
    }
    expect(placementsOn(graph, 'p1', addDays(TODAY, -1))).toHaveLength(1); // history kept
    // Someone planned to report to them later keeps them from leaving.
    expect(() => run([{ op: 'set_manager', actor_id: id('f1'), manager_id: id('p2'), date: LATER }, { op: 'deactivate_actor', actor_id: id('p2') }])).toThrow(
      expect.objectContaining({ field: 'changes[1].actor_id', message: expect.stringMatching(/still manages 1 active actor/) }),
    );
  });

  it('deactivate_actor is refused on its date when the same batch changes that actor from a later day, naming that change', () => {
    const later = [
      { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: LATER },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head'), date: LATER },
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 12_000_000, currency: 'EUR', date: LATER },
      { op: 'set_allocation', placement_id: id('pl-p1'), allocation_pct: 50, date: LATER },
    ] as const satisfies ChangeCommand[];
    for (const change of later) {
      expect(() => run([{ op: 'set_manager', actor_id: id('f1'), manager_id: id('sales_head') }, change, { op: 'deactivate_actor', actor_id: id('p1'), date: '2026-09-01' }]), change.op).toThrow(
        expect.objectContaining({
          field: 'changes[2].date',
          message: expect.stringContaining(
            `changes[1] (${change.op}) changes the same actor from ${LATER}, when they would no longer be active: remove that change, or date the deactivation on or after ${LATER}`,
          ),
        }),
      );
    }
    // Undated (today): an FTE change of today and a deactivation dated before it.
    expect(() => run([{ op: 'set_fte', actor_id: id('p1'), fte: 0.5 }, { op: 'deactivate_actor', actor_id: id('p1'), date: addDays(TODAY, -1) }])).toThrow(
      expect.objectContaining({ field: 'changes[1].date', message: expect.stringMatching(/changes\[0\] \(set_fte\) changes the same actor from 2026-06-01/) }),
    );
    // On or after the later change's day, and changes about someone else, are fine.
    expect(() => run([later[0], { op: 'deactivate_actor', actor_id: id('p1'), date: LATER }])).not.toThrow();
    expect(() => run([{ op: 'move_placement', placement_id: id('pl-f1'), org_unit_id: units.M, date: LATER }, { op: 'deactivate_actor', actor_id: id('p1') }])).not.toThrow();
  });

  it('close_org_unit counts placements planned to move in later', () => {
    expect(() =>
      run([
        { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E },
        { op: 'close_position', position_id: id('pos_m_open') },
        { op: 'move_placement', placement_id: id('pl-f1'), org_unit_id: units.M, date: LATER },
        { op: 'close_org_unit', org_unit_id: units.M },
      ]),
    ).toThrow(expect.objectContaining({ field: 'changes[3].org_unit_id', message: expect.stringMatching(/1 active placement/) }));
  });
});

describe('set_compensation', () => {
  it('a change before one already planned runs until it (no two at once)', () => {
    const { graph } = run([
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 12_000_000, currency: 'EUR', date: LATER },
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR' },
    ]);
    const pay = (day: string) => [...graph.compensations.values()].filter((c) => c.actorId === id('p1') && inEffect(c, day)).map((c) => c.amountMinor);
    expect(pay(addDays(TODAY, -1))).toEqual([10_000_000]);
    expect(pay(TODAY)).toEqual([11_000_000]);
    expect(pay(LATER)).toEqual([12_000_000]);
  });

  it('a second change the same day corrects the first in place: no pay record in effect on no day', () => {
    const { graph, created } = run([
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 15_000_000, currency: 'EUR' },
      { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 14_000_000, currency: 'USD' },
    ]);
    const mine = [...graph.compensations.values()].filter((c) => c.actorId === id('p1'));
    expect(mine.filter((c) => c.validFrom !== null && c.validFrom === c.validTo)).toEqual([]);
    expect(mine.filter((c) => inEffect(c, TODAY)).map((c) => [c.amountMinor, c.currency])).toEqual([[14_000_000, 'USD']]);
    expect(mine.filter((c) => inEffect(c, addDays(TODAY, -1))).map((c) => c.amountMinor)).toEqual([10_000_000]);
    expect(created).toEqual([{ index: 0, family: 'compensations', id: 'new-0' }]);
  });
});

describe('changes to fields without history refuse a date other than today', () => {
  const cases: [ChangeCommand, RegExp][] = [
    [{ op: 'set_fte', actor_id: id('p2'), fte: 0.8 }, /contracted FTE/],
    [{ op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S }, /org unit’s parent/],
    [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' }, /org unit’s name/],
    [{ op: 'update_team', org_unit_id: units.P, purpose: 'Paves roads' }, /team’s type and purpose/],
  ];

  it('a past or a future date is refused, naming the field; no date or today applies now', () => {
    for (const [command, what] of cases) {
      for (const [date, when] of [['2026-01-01', 'past'], [LATER, 'future']] as const) {
        expect(() => run([{ ...command, date }]), `${command.op} ${date}`).toThrow(
          expect.objectContaining({ field: 'changes[0].date', message: expect.stringMatching(new RegExp(`a ${when} date.*${what.source}.*no effective-dated history.*applies from today`)) }),
        );
      }
      expect(run([command]).edits.length, command.op).toBeGreaterThan(0);
      expect(run([{ ...command, date: TODAY }]).edits.length, command.op).toBeGreaterThan(0);
    }
  });
});

describe('create_org_unit', () => {
  it('a department needs a department type of the tenant', () => {
    expect(() => run([{ op: 'create_org_unit', type: 'department', name: 'Design', parent_id: units.C }])).toThrow(
      expect.objectContaining({ field: 'changes[0].department_type_id', message: expect.stringMatching(/required for a department/) }),
    );
    expect(() => run([{ op: 'create_org_unit', type: 'department', name: 'Design', parent_id: units.C, department_type_id: 'nope' }])).toThrow(
      expect.objectContaining({ field: 'changes[0].department_type_id', message: expect.stringMatching(/no such department type/) }),
    );
    const { graph, created } = run([{ op: 'create_org_unit', type: 'department', name: 'Design', parent_id: units.C, department_type_id: DEPARTMENT_TYPE }]);
    expect(graph.departments.get(created[0]!.id)!.departmentTypeId).toBe(DEPARTMENT_TYPE);
    // A team needs none.
    expect(run([{ op: 'create_org_unit', type: 'team', name: 'Data', parent_id: units.E }]).created).toHaveLength(1);
  });
});

describe('sibling org units do not share a name (any case, spaces trimmed)', () => {
  const taken = (field: string, existing: string, name = existing) =>
    expect.objectContaining({
      field,
      message: expect.stringContaining(`“Engineering” already has an active unit named “${name}” (${existing === 'Platform' ? units.P : existing}): choose another name, or rename or close that one first`),
    });

  it('refuses creating, renaming or moving into a clash, naming the existing unit', () => {
    expect(() => run([{ op: 'create_org_unit', type: 'team', name: '  platform ', parent_id: units.E }])).toThrow(taken('changes[0].name', 'Platform'));
    expect(() => run([{ op: 'rename_org_unit', org_unit_id: units.M, name: 'PLATFORM' }])).toThrow(taken('changes[0].name', 'Platform'));
    expect(() => run([{ op: 'rename_org_unit', org_unit_id: units.F, name: 'Platform' }, { op: 'move_org_unit', org_unit_id: units.F, parent_id: units.E }])).toThrow(
      taken('changes[1].parent_id', 'Platform'),
    );
  });

  it('refuses two creates of one name in the same batch, naming the first', () => {
    const batch: ChangeCommand[] = [
      { op: 'create_org_unit', type: 'team', name: 'Data', parent_id: units.E, ref: 'data' },
      { op: 'create_org_unit', type: 'team', name: 'data', parent_id: units.E },
    ];
    expect(() => run(batch)).toThrow(
      expect.objectContaining({ field: 'changes[1].name', message: expect.stringContaining('“Engineering” already has an active unit named “Data” (new-0)') }),
    );
  });

  it('lets a name be reused under another parent, after the sibling closes, or by the unit itself in another case', () => {
    expect(run([{ op: 'create_org_unit', type: 'team', name: 'Platform', parent_id: units.S }]).created).toHaveLength(1);
    expect(run([{ op: 'rename_org_unit', org_unit_id: units.P, name: 'platform' }]).graph.orgUnits.get(units.P)!.name).toBe('platform');
    const closed = run([
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E },
      { op: 'close_position', position_id: id('pos_m_open') },
      { op: 'close_org_unit', org_unit_id: units.M },
    ]).graph;
    expect(run([{ op: 'create_org_unit', type: 'team', name: 'Mobile', parent_id: units.E }], closed).created).toHaveLength(1);
  });
});

describe('a batch names what it creates (ref) for its later changes ($ref)', () => {
  it('creates a team, moves people into it, creates a seat there and fills it with a new hire, in one batch', () => {
    const { graph, created } = run([
      { op: 'create_org_unit', name: 'Platform Reliability', type: 'team', parent_id: id('E'), ref: 'sre' },
      { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$sre' },
      { op: 'create_position', org_unit_id: '$sre', title: 'SRE lead', ref: 'lead-seat' },
      { op: 'add_actor', kind: 'human', display_name: 'Nia New', org_unit_id: '$sre', manager_id: id('eng_head'), ref: 'nia' },
      { op: 'fill_position', position_id: '$lead-seat', actor_id: '$nia' },
      { op: 'set_manager', actor_id: id('p2'), manager_id: '$nia' },
    ]);
    const team = created.find((c) => c.ref === 'sre')!;
    expect(team).toMatchObject({ index: 0, family: 'org_units' });
    expect(graph.orgUnits.get(team.id)?.name).toBe('Platform Reliability');
    const moved = [...graph.placements.values()].filter((p) => p.actorId === id('p2') && inEffect(p, TODAY));
    expect(moved.map((p) => p.orgUnitId)).toEqual([team.id]);
    const nia = created.find((c) => c.ref === 'nia')!.id;
    const seat = created.find((c) => c.ref === 'lead-seat')!.id;
    expect(graph.positions.get(seat)?.orgUnitId).toBe(team.id);
    const niaPlacement = [...graph.placements.values()].find((p) => p.actorId === nia && inEffect(p, TODAY))!;
    expect(niaPlacement.positionId).toBe(seat);
    expect(managerOf(graph, 'p2', TODAY)).toBe(nia);
    // Only the record each change named carries the ref (add_actor also created a placement and a reporting line).
    expect(created.filter((c) => c.ref).map((c) => [c.ref, c.family])).toEqual([
      ['sre', 'org_units'],
      ['lead-seat', 'positions'],
      ['nia', 'actors'],
    ]);
  });

  it('refuses a ref no earlier change gave, one of another kind, a ref twice and a ref on a change that creates nothing', () => {
    const refused = (commands: ChangeCommand[]) => {
      try {
        run(commands);
      } catch (error) {
        return { field: (error as { details: { field: string } }).details.field, message: (error as Error).message };
      }
      throw new Error('the batch was accepted');
    };
    expect(refused([{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$sre' }])).toEqual({
      field: 'changes[0].org_unit_id',
      message: 'Invalid changes[0].org_unit_id: "$sre" names no record created earlier in this batch: give the change that creates it ref: "sre", before this one',
    });
    // A later change's ref is not yet known: order matters, as it does for the records.
    expect(
      refused([
        { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$sre' },
        { op: 'create_org_unit', name: 'SRE', type: 'team', parent_id: id('E'), ref: 'sre' },
      ]).field,
    ).toBe('changes[0].org_unit_id');
    expect(
      refused([
        { op: 'create_org_unit', name: 'SRE', type: 'team', parent_id: id('E'), ref: 'sre' },
        { op: 'set_manager', actor_id: id('p2'), manager_id: '$sre' },
      ]),
    ).toEqual({ field: 'changes[1].manager_id', message: 'Invalid changes[1].manager_id: "$sre" is an org unit, not an actor' });
    expect(
      refused([
        { op: 'create_org_unit', name: 'SRE', type: 'team', parent_id: id('E'), ref: 'sre' },
        { op: 'create_org_unit', name: 'SRE 2', type: 'team', parent_id: id('E'), ref: 'sre' },
      ]).field,
    ).toBe('changes[1].ref');
    expect(refused([{ op: 'set_fte', actor_id: id('p2'), fte: 1, ref: 'x' }]).message).toContain('set_fte creates nothing to name');
  });
});
