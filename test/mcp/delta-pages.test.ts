import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { contextFor } from '../support/factories.js';
import { AS_OF } from '../support/fixture-org.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * `scenario.delta` a page at a time: a scenario that hires a few hundred people changes more records than an
 * assistant can read in one answer; the tool pages them, counts every family, and says how to go on.
 */

type Records = { added?: { id: string }[]; removed?: { id: string }[]; changed?: { id: string }[] };
type Page = {
  families: Record<string, Records>;
  counts: Record<string, { added: number; removed: number; changed: number }>;
  next_cursor?: string;
  conflicts: unknown[];
  metrics: { total?: Record<string, { delta?: number }> };
  note?: string;
  next_step?: string;
};

const HIRES = 130;
let world: McpWorld;
let owner: Connection;
let whole: Record<string, Records>;

/** Every record of `families` as "family kind id", in the order listed. */
const keysOf = (families: Record<string, Records>) =>
  Object.entries(families).flatMap(([family, r]) => (['added', 'removed', 'changed'] as const).flatMap((kind) => (r[kind] ?? []).map((rec) => `${family} ${kind} ${rec.id}`)));

const delta = async (args: Record<string, unknown>) => owner.call('scenario_delta', { scenario_id: world.scenario.id, as_of: AS_OF, ...args });

/** Every page of the delta, walked with `next_cursor`. */
async function walk(args: Record<string, unknown>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const page = structured<Page>(await delta({ ...args, ...(cursor ? { cursor } : {}) }));
    pages.push(page);
    cursor = page.next_cursor;
  } while (cursor && pages.length < 100);
  return pages;
}

beforeAll(async () => {
  world = await buildWorld();
  owner = await connect(world, principalOf(world.tenant, 'owner'));
  const ctx = contextFor(world.database, world.tenant, principalOf(world.tenant, 'owner'));
  const { units, id } = world.ids;
  // Each hire adds an actor, its placement and its reporting line; Mobile moves under Sales and Field is renamed.
  const hires = Array.from({ length: HIRES }, (_, n) => ({
    op: 'add_actor',
    kind: 'human',
    display_name: `Hire ${n}`,
    org_unit_id: n % 2 ? units.P : units.F,
    manager_id: n % 2 ? id('eng_head') : id('sales_head'),
    fte: 1,
    date: AS_OF,
  }));
  await applyBatch(ctx, world.scenario.id, [...hires, { op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S }, { op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Force' }]);
  whole = (await scenarioDelta(ctx, { scenarioId: world.scenario.id, asOf: AS_OF })).families as Record<string, Records>;
});

afterAll(async () => {
  await owner?.close();
  await world?.database.close();
});

describe('scenario.delta pages a big delta', () => {
  it('walks every page: together they are the whole delta, in order, with no record twice', async () => {
    const all = keysOf(whole);
    expect(all.length).toBeGreaterThan(3 * HIRES);
    const pages = await walk({ limit: 70 });
    expect(pages.length).toBe(Math.ceil(all.length / 70));
    const walked = pages.flatMap((p) => keysOf(p.families));
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual(all);
    const counts = Object.fromEntries(Object.entries(whole).map(([f, r]) => [f, { added: r.added!.length, removed: r.removed!.length, changed: r.changed!.length }]));
    for (const [i, page] of pages.entries()) {
      // Every page counts every family, and carries the whole scenario's metrics.
      expect(page.counts).toEqual(counts);
      expect(page.metrics.total?.headcount?.delta).toBe(HIRES);
      expect(page.conflicts).toEqual([]);
      const last = i === pages.length - 1;
      expect(Boolean(page.next_cursor)).toBe(!last);
      if (!last) {
        expect(page.note).toContain(`This page holds 70 of the ${all.length} changed records`);
        expect(page.next_step).toContain(`cursor "${page.next_cursor}"`);
        expect(page.next_step).toMatch(/pass `family` \(org_unit, actor, reporting_line, placement\)/);
      }
    }
    expect(pages.at(-1)!.note ?? '').not.toContain('This page holds');
  });

  it('gives 100 records by default, and a delta that fits in a page whole and uncut', async () => {
    const first = structured<Page>(await delta({}));
    expect(keysOf(first.families)).toEqual(keysOf(whole).slice(0, 100));
    expect(first.next_cursor).toBeTruthy();
    const units = structured<Page>(await delta({ family: 'org_unit' }));
    expect(keysOf(units.families)).toEqual(keysOf({ org_unit: whole.org_unit! }));
    expect(units.next_cursor).toBeUndefined();
    expect(units.note ?? '').not.toContain('This page holds');
    expect(units.counts.actor).toEqual({ added: HIRES, removed: 0, changed: 0 });
  });

  it('gives the delta resource as the tool’s first page, with the counts and the cursor to go on', async () => {
    const read = await owner.client.readResource({ uri: `orgonaut://scenarios/${world.scenario.id}/delta` });
    const page = JSON.parse((read.contents[0] as { text: string }).text) as Page;
    expect(keysOf(page.families)).toHaveLength(100);
    expect(page.counts.placement).toEqual({ added: HIRES, removed: 0, changed: 0 });
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it('keeps one family with `family`, paged on its own', async () => {
    const pages = await walk({ family: 'placement', limit: 50 });
    expect(pages.map((p) => Object.keys(p.families))).toEqual(pages.map(() => ['placement']));
    expect(pages.flatMap((p) => keysOf(p.families))).toEqual(keysOf({ placement: whole.placement! }));
    expect(pages[0]!.note).toContain(`This page holds 50 of the ${HIRES} changed records of placement`);
    expect(pages[0]!.next_step).not.toContain('pass `family`');
  });

  it('refuses a family that is none, listing them, and a cursor of another family', async () => {
    const wrong = await delta({ family: 'people' });
    expect(wrong.isError).toBe(true);
    const text = JSON.stringify(wrong.content);
    for (const family of ['org_unit', 'department', 'team', 'actor', 'reporting_line', 'placement', 'position', 'compensation']) expect(text).toContain(family);
    const actors = structured<Page>(await delta({ family: 'actor', limit: 10 }));
    const mixed = errorOf(await delta({ family: 'placement', cursor: actors.next_cursor }));
    expect(mixed.message).toMatch(/cursor/);
    expect(mixed.fix).toMatch(/without `cursor`/);
  });
});
