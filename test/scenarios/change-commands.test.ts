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
const references = { activeCurrencies: new Set(['EUR', 'USD']), departmentTypes: new Set<string>(), teamTypes: new Set<string>() };

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
    expect(graph.placements.get(id('pl-f2'))!.positionId).toBe(id('pos_f_open'));
  });
});

describe('close_org_unit', () => {
  const emptyMobile: ChangeCommand[] = [
    { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.P },
  ];

  it('refuses while the unit has open positions, naming them', () => {
    expect(() => run([...emptyMobile, { op: 'close_org_unit', org_unit_id: units.M }])).toThrow(
      expect.objectContaining({ field: 'changes[1].org_unit_id', message: expect.stringMatching(new RegExp(`open position.*pos_m_open \\(${id('pos_m_open')}\\).*close them first`)) }),
    );
    const { graph } = run([...emptyMobile, { op: 'close_position', position_id: id('pos_m_open') }, { op: 'close_org_unit', org_unit_id: units.M }]);
    expect(graph.orgUnits.get(units.M)!.validTo).toBe(TODAY);
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
    const families = { org_units: graph.orgUnits, actors: graph.actors, placements: graph.placements, positions: graph.positions } as Record<string, Map<string, { validFrom: string | null }>>;
    expect(created.length).toBe(5);
    for (const c of created) expect(families[c.family]!.get(c.id)!.validFrom, c.family).toBe(TODAY);
    const newLine = [...graph.reportingLines.values()].find((l) => l.actorId === created[1]!.id)!;
    expect(newLine.validFrom).toBe(TODAY);
    // A given date is kept.
    const dated = run([{ op: 'create_position', org_unit_id: units.P, title: 'Later', date: LATER }]);
    expect(dated.graph.positions.get(dated.created[0]!.id)!.validFrom).toBe(LATER);
  });
});
