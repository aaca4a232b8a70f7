import { describe, expect, it } from 'vitest';
import { detectMapping } from '../../src/imports/fields.js';
import type { ParseContext } from '../../src/imports/parse-row.js';
import { planImport, type StoredRow } from '../../src/imports/plan/plan.js';
import { emptyGraph } from '../../src/org/types.js';

/**
 * The plan reads a step's rows twice (identities first, then the records, page by page), so the parsed rows are never
 * all in memory. Rows that read differently the second time (they cannot while a run is processing; review waits)
 * refuse the plan rather than build records for what was not resolved.
 */

const HEADERS = ['email', 'name', 'department', 'manager_email'];
const parse: ParseContext = {
  mapping: detectMapping(HEADERS, 'orgonaut'),
  format: 'orgonaut',
  today: '2025-06-01',
  activeCurrencies: new Set(['EUR']),
  departmentTypes: new Set(),
  teamTypes: new Set(),
  createMissingTypes: false,
  headerCount: HEADERS.length,
};

const row = (rowNumber: number, email: string, manager = ''): StoredRow => ({ rowNumber, values: [email, email.split('@')[0]!, 'Engineering', manager] });

/** The rows as pages of one row each; `second` replaces what the second reading sees. */
function plan(rows: StoredRow[], second = rows) {
  let readings = 0;
  return planImport({
    rows: async function* () {
      for (const r of readings++ === 0 ? rows : second) yield [r];
    },
    total: rows.length,
    parse,
    base: emptyGraph(),
    companyName: 'Plan Test',
    types: { departmentTypes: new Map(), teamTypes: new Map(), createMissing: false, created: { departmentTypes: [], teamTypes: [] } },
  });
}

describe('planImport reads the rows twice', () => {
  const rows = [row(1, 'ann@x.test', 'bo@x.test'), row(2, 'bo@x.test'), row(3, 'ann@x.test'), row(4, 'cy@x.test', 'bo@x.test')];

  it('resolves across pages, then builds each page', async () => {
    const result = await plan(rows);
    expect([...result.rows].map(([n, r]) => [n, r.status])).toEqual([
      [1, 'quarantined'],
      [3, 'quarantined'],
      [2, 'imported'],
      [4, 'imported'],
    ]);
    const actors = [...result.changes.target().actors.values()];
    const bo = actors.find((a) => a.email === 'bo@x.test')!;
    const cy = actors.find((a) => a.email === 'cy@x.test')!;
    const lines = [...result.changes.target().reportingLines.values()];
    expect(lines).toEqual([expect.objectContaining({ actorId: cy.id, managerId: bo.id })]);
    expect(result.families.actors).toMatchObject({ created: 2, quarantined: 2 });
  });

  it('is refused when a row reads differently the second time', async () => {
    await expect(plan(rows, [rows[0]!, row(2, 'bob@x.test'), rows[2]!, rows[3]!])).rejects.toMatchObject({ code: 'conflict' });
  });

  it('is refused when a resolved row is gone the second time', async () => {
    await expect(plan(rows, [rows[0]!, rows[1]!, rows[2]!])).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('a reporting loop', () => {
  it('names its people from each row round to them again, shortened when long', async () => {
    const small = await plan([row(1, 'a@x.test', 'b@x.test'), row(2, 'b@x.test', 'c@x.test'), row(3, 'c@x.test', 'a@x.test')]);
    const detail = (r: Awaited<ReturnType<typeof plan>>, n: number) => {
      const result = r.rows.get(n)!;
      return result.status === 'quarantined' ? result.reason.detail : null;
    };
    expect(detail(small, 2)).toBe('would close a reporting loop: b@x.test → c@x.test → a@x.test → b@x.test');
    const people = Array.from({ length: 20 }, (_, i) => `p${i}@x.test`);
    const long = await plan(people.map((p, i) => row(i + 1, p, people[(i + 1) % people.length])));
    expect(detail(long, 1)).toBe('would close a reporting loop: p0@x.test → p1@x.test → p2@x.test → p3@x.test → p4@x.test → … (20 people) → p0@x.test');
  });
});

describe('planImport streams the rows', () => {
  it('takes each page only once the one before it is done, in both readings', async () => {
    const events: string[] = [];
    const people = Array.from({ length: 30 }, (_, i) => row(i + 1, `p${i}@x.test`, i ? 'p0@x.test' : ''));
    let reading = 0;
    await planImport({
      rows: async function* () {
        reading++;
        for (let i = 0; i < people.length; i += 10) {
          events.push(`read ${reading}: rows ${i + 1}-${i + 10}`);
          yield people.slice(i, i + 10);
        }
      },
      total: people.length,
        parse,
      base: emptyGraph(),
      companyName: 'Plan Test',
      types: { departmentTypes: new Map(), teamTypes: new Map(), createMissing: false, created: { departmentTypes: [], teamTypes: [] } },
      progress: async (stage, done) => {
        if (done > 0 && (stage === 'parse' || stage[0] === 'teams')) events.push(`${stage === 'parse' ? 'parsed' : 'built'} ${done}`);
      },
    });
    expect(reading).toBe(2);
    expect(events).toEqual([
      'read 1: rows 1-10', 'parsed 10', 'read 1: rows 11-20', 'parsed 20', 'read 1: rows 21-30', 'parsed 30',
      'read 2: rows 1-10', 'built 10', 'read 2: rows 11-20', 'built 20', 'read 2: rows 21-30', 'built 30',
    ]);
  });
});
