import { describe, expect, it } from 'vitest';
import type { ImportPlan } from '../../src/imports/plan/plan.js';
import { emptyGraph, type OrgGraph } from '../../src/org/types.js';
import { planRows } from './support.js';

/**
 * HR exports name teams and departments loosely: the team column repeats the department when there is no team
 * (Sales / Sales), and a sub-department (Division Engineering, Department Platform) is on other rows a team of its
 * parent (Department Engineering, Team Platform). One place never gets two units of one name — the rule the change
 * tray keeps for sibling units: a team named like its own department, or like a department beside it (existing, or
 * made by any row of the file, before or after), is that department; a department the file would make beside an
 * existing team of its name is quarantined (department_named_like_team) rather than made a second “Platform”.
 */

const TODAY = '2026-11-29';
const HEADER = ['email', 'name', 'department', 'parent_department', 'team', 'manager_email'];

const plan = (rows: (string | null)[][], base: OrgGraph = emptyGraph()): Promise<ImportPlan> => planRows(HEADER, rows, base, TODAY);

/** The organisation as indented lines: `d Engineering`, `  t Platform` (type initial, name), children sorted by name. */
function tree(g: OrgGraph): string[] {
  const units = [...g.orgUnits.values()];
  const lines: string[] = [];
  const walk = (parentId: string | null, depth: number) => {
    for (const u of units.filter((x) => x.parentId === parentId).sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`${'  '.repeat(depth)}${u.type[0]} ${u.name}`);
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}

/** Where each person's primary placement is: email → unit name and type. */
function placedIn(g: OrgGraph): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of g.placements.values()) {
    const actor = g.actors.get(p.actorId)!;
    const unit = g.orgUnits.get(p.orgUnitId)!;
    if (p.isPrimary) out[actor.email!] = `${unit.type} ${unit.name}`;
  }
  return out;
}

const outcomes = (p: ImportPlan) => [...p.rows.values()].map((r) => (r.status === 'imported' ? r.outcome : r.reason.code));

describe('a team named like a department', () => {
  it('is its own department when the team column repeats the department: no team “Sales” inside “Sales”', async () => {
    const p = await plan([
      ['head@x.test', 'Head', 'Sales', '', '', ''],
      ['rep@x.test', 'Rep', 'Sales', '', 'Sales', 'head@x.test'],
      ['emea@x.test', 'Emea', 'Sales', '', 'EMEA', 'head@x.test'],
    ]);
    expect(outcomes(p)).toEqual(['created', 'created', 'created']);
    const org = p.changes.target();
    expect(tree(org)).toEqual(['c Test Co', '  d Sales', '    t EMEA']);
    expect(placedIn(org)).toEqual({ 'head@x.test': 'department Sales', 'rep@x.test': 'department Sales', 'emea@x.test': 'team EMEA' });
    expect(p.families.teams.created).toBe(1);
  });

  it('is the sub-department of that name the file makes under the same department, whichever row comes first', async () => {
    const teamFirst = [
      ['vp@x.test', 'Vp', 'Engineering', '', '', ''],
      ['ken@x.test', 'Ken', 'Engineering', '', 'Platform', 'vp@x.test'],
      ['linus@x.test', 'Linus', 'Platform', 'Engineering', '', 'vp@x.test'],
      ['dennis@x.test', 'Dennis', 'Platform', 'Engineering', 'Backend', 'linus@x.test'],
    ];
    const departmentFirst = [teamFirst[0]!, teamFirst[2]!, teamFirst[3]!, teamFirst[1]!];
    for (const rows of [teamFirst, departmentFirst]) {
      const org = (await plan(rows)).changes.target();
      expect(tree(org)).toEqual(['c Test Co', '  d Engineering', '    d Platform', '      t Backend']);
      expect(placedIn(org)).toMatchObject({ 'ken@x.test': 'department Platform', 'linus@x.test': 'department Platform', 'dennis@x.test': 'team Backend' });
    }
  });

  it('is an existing department beside it, on a later import too, and the re-import changes nothing', async () => {
    const first = await plan([
      ['vp@x.test', 'Vp', 'Engineering', '', '', ''],
      ['linus@x.test', 'Linus', 'Platform', 'Engineering', '', 'vp@x.test'],
    ]);
    const rows = [['ken@x.test', 'Ken', 'Engineering', '', 'Platform', 'vp@x.test']];
    const second = await plan(rows, first.changes.target());
    expect(outcomes(second)).toEqual(['created']);
    const org = second.changes.target();
    expect(tree(org)).toEqual(['c Test Co', '  d Engineering', '    d Platform']);
    expect(placedIn(org)['ken@x.test']).toBe('department Platform');
    const again = await plan(rows, org);
    expect(outcomes(again)).toEqual(['unchanged']);
    expect(again.changes.size).toBe(0);
  });

  it('is a team still when the department of that name sits elsewhere, and an existing team of the name is kept', async () => {
    const first = await plan([
      ['a@x.test', 'A', 'Data', 'Product', '', ''],
      ['b@x.test', 'B', 'Engineering', '', 'Data', ''],
    ]);
    expect(tree(first.changes.target())).toEqual(['c Test Co', '  d Engineering', '    t Data', '  d Product', '    d Data']);
    // A team “Sales” an earlier import (or someone in Orgonaut) made inside “Sales” stays the one it means.
    const withTeam = await plan([['rep@x.test', 'Rep', 'Sales', '', 'EMEA', '']]);
    const base = withTeam.changes.target();
    const emea = [...base.orgUnits.values()].find((u) => u.name === 'EMEA')!;
    base.orgUnits.set(emea.id, { ...emea, name: 'Sales' });
    const again = await plan([['rep@x.test', 'Rep', 'Sales', '', 'Sales', '']], base);
    expect(outcomes(again)).toEqual(['unchanged']);
    expect(placedIn(again.changes.target())['rep@x.test']).toBe('team Sales');
  });
});

describe('a department named like a team beside it', () => {
  it('is quarantined, saying where the team is and what to write instead, and the person’s reports wait for them', async () => {
    const base = (
      await plan([
        ['vp@x.test', 'Vp', 'Engineering', '', '', ''],
        ['ken@x.test', 'Ken', 'Engineering', '', 'Platform', 'vp@x.test'],
      ])
    ).changes.target();
    const p = await plan(
      [
        ['linus@x.test', 'Linus', 'Platform', 'Engineering', '', 'vp@x.test'],
        ['dennis@x.test', 'Dennis', 'Platform', 'Engineering', 'Backend', 'linus@x.test'],
        ['ann@x.test', 'Ann', 'Engineering', '', 'Platform', 'vp@x.test'],
      ],
      base,
    );
    expect(p.rows.get(1)).toMatchObject({
      status: 'quarantined',
      reason: { code: 'department_named_like_team', field: 'department', detail: '“Engineering” has a team named “Platform”; the row names a department of that name, which the import would create beside it' },
    });
    expect(p.rows.get(2)).toMatchObject({ status: 'quarantined', reason: { code: 'department_named_like_team' } });
    expect(p.rows.get(3)).toMatchObject({ status: 'imported', outcome: 'created' });
    const org = p.changes.target();
    expect(tree(org)).toEqual(['c Test Co', '  d Engineering', '    t Platform']);
    expect(placedIn(org)['ann@x.test']).toBe('team Platform');
    expect(p.families.departments.quarantined).toBe(2);
  });

  it('says so beside the row’s other problems, and a department at the company level clashes with a team there', async () => {
    const base = (await plan([['solo@x.test', 'Solo', '', '', 'Studio', '']])).changes.target();
    expect(tree(base)).toEqual(['c Test Co', '  t Studio']);
    const p = await plan([['bad@x.test', 'Bad', 'Studio', '', '', 'not-an-email']], base);
    const reason = (p.rows.get(1) as { reason: { code: string; others?: { code: string }[] } }).reason;
    expect([reason.code, ...(reason.others ?? []).map((o) => o.code)]).toContain('department_named_like_team');
  });
});
