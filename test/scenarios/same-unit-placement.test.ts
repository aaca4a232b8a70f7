import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../../src/api/problem.js';
import type { Database } from '../../src/db/connection.js';
import { scenarios } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/db/seed/demo.js';
import { toolError, type ErrorScope } from '../../src/mcp/result.js';
import { GraphStore } from '../../src/org/graph-store.js';
import type { OrgGraph, Placement } from '../../src/org/types.js';
import { opsNamedIn } from '../../src/scenarios/ops/refusals.js';
import { loadScenario } from '../../src/scenarios/store.js';
import { findTenantBySlug } from '../../src/tenancy/tenants.js';
import { and, eq } from 'drizzle-orm';
import { testDatabase } from '../support/db.js';
import { changeRunner } from '../support/change-runner.js';
import { fixtureIds } from '../support/fixture-org.js';

/**
 * One placement per actor and org unit at a time: add_placement for an actor who has a placement in that unit on or
 * after the change's day is refused, naming org_unit_id and the placement there, with set_allocation (or moving or
 * ending it first) as the way out. On the fixture organisation without a database; the demo seed (PGlite, or
 * PostgreSQL with DATABASE_URL) holds no such twins, in Live or its scenarios.
 *
 * Fixture: p2 has one primary placement in Platform (P); m1 is in Mobile (M, 60 %, primary) and Platform (P, 40 %).
 */

const TODAY = '2026-06-01';
const LATER = '2027-01-01';
const SALT = 'same-unit-placement';
const { id, units } = fixtureIds(SALT);
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY });

const placementsOf = (graph: OrgGraph, actor: string, unit: string) => [...graph.placements.values()].filter((p) => p.actorId === actor && p.orgUnitId === unit);

describe('add_placement where the actor has a placement in that unit already', () => {
  it('is refused on org_unit_id, naming the placement there and set_allocation, move_placement or end_placement instead', () => {
    const error = refusal([{ op: 'add_placement', actor_id: id('p2'), org_unit_id: units.P, allocation_pct: 20 }]);
    expect(error.details).toEqual({
      field: 'changes[0].org_unit_id',
      reason: 'placed_in_unit_already',
      placement_id: id('pl-p2'),
      org_unit_id: units.P,
      from: TODAY,
      suggested_op: 'set_allocation',
      alternative_op: 'end_placement',
    });
    expect(error.reasonText).toContain(`placement ${id('pl-p2')}, 100 %`);
    expect(error.reasonText).toMatch(/set_allocation.*move_placement.*end_placement/);
    expect(opsNamedIn(error)).toEqual(['set_allocation', 'end_placement']);
  });

  it('is refused for a secondary placement there and for a later date, when the one there still runs', () => {
    const error = refusal([{ op: 'add_placement', actor_id: id('m1'), org_unit_id: units.P, allocation_pct: 10, date: LATER }]);
    expect(error.details).toMatchObject({ field: 'changes[0].org_unit_id', placement_id: id('pl-m1-p'), from: LATER });
  });

  it('is refused against a placement planned there from a later day (the new one would run into it)', () => {
    const error = refusal([
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 20, date: LATER, ref: 'later' },
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 30 },
    ]);
    expect(error.details).toMatchObject({ field: 'changes[1].org_unit_id', reason: 'placed_in_unit_already', placement_id: 'new-0' });
    expect(error.reasonText).toContain(`from ${LATER}`);
  });

  it('is refused the second time in one batch', () => {
    const error = refusal([
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 20 },
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 20 },
    ]);
    expect(error.details).toMatchObject({ field: 'changes[1].org_unit_id', placement_id: 'new-0' });
  });

  it('is accepted in another unit, and once the placement there has moved away or ended', () => {
    const elsewhere = run([{ op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 20 }]).graph;
    expect(placementsOf(elsewhere, id('p2'), units.M)).toHaveLength(1);
    // m1's Platform share ends from LATER: a new Platform placement may start then, not before.
    const ended = run([
      { op: 'end_placement', placement_id: id('pl-m1-p'), date: LATER },
      { op: 'add_placement', actor_id: id('m1'), org_unit_id: units.P, allocation_pct: 80, date: LATER },
    ]).graph;
    const inP = placementsOf(ended, id('m1'), units.P).sort((a, b) => String(a.validFrom).localeCompare(String(b.validFrom)));
    expect(inP.map((p) => [p.validTo, p.allocationPct])).toEqual([
      [LATER, 40],
      [null, 80],
    ]);
    const moved = run([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.E },
      { op: 'add_placement', actor_id: id('m1'), org_unit_id: units.P, allocation_pct: 40 },
    ]).graph;
    expect(placementsOf(moved, id('m1'), units.P).filter((p) => p.validTo === null)).toHaveLength(1);
  });

  it('gives an assistant the changes to make, and a REST client the same reason and ids', () => {
    const error = refusal([{ op: 'add_placement', actor_id: id('p2'), org_unit_id: units.P, allocation_pct: 20 }]);
    const result = toolError(error, {} as ErrorScope);
    expect(result.isError).toBe(true);
    const structured = result.structuredContent as { error: { fix?: string; reason?: string; placement_id?: string } };
    expect(structured.error).toMatchObject({ reason: 'placed_in_unit_already', placement_id: id('pl-p2') });
    expect(structured.error.fix).toBe(
      `Replace changes[0] with set_allocation (placement_id "${id('pl-p2')}", the new allocation_pct) to change how much of the actor the unit has, ` +
        `or put a move_placement or end_placement of "${id('pl-p2')}" before changes[0] in the same batch, then plan again.`,
    );
    expect(toProblem(error)).toMatchObject({ status: 400, field: 'changes[0].org_unit_id', reason: 'placed_in_unit_already', placement_id: id('pl-p2') });
  });
});

/** The placements of a graph that overlap another of the same actor in the same unit (cancelled, zero-length ones aside). */
function twins(graph: OrgGraph): string[] {
  const all = [...graph.placements.values()].filter((p) => p.validFrom === null || p.validTo !== p.validFrom);
  const starts = (p: Placement) => p.validFrom ?? '0000-01-01';
  const ends = (p: Placement) => p.validTo ?? '9999-12-31';
  return all
    .filter((p) => all.some((q) => q !== p && q.actorId === p.actorId && q.orgUnitId === p.orgUnitId && starts(p) < ends(q) && starts(q) < ends(p)))
    .map((p) => p.id);
}

describe('the demo seed', () => {
  let database: Database;

  beforeAll(async () => {
    database = await testDatabase();
    await seedDemo(database.db, { password: 'demo-password-1' });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('has no actor placed twice in one unit at once, in Live or any scenario', async () => {
    const graphs = new GraphStore(database.db);
    for (const slug of ['acme', 'globex', 'initech']) {
      const tenant = (await findTenantBySlug(database.db, slug))!;
      const live = (await graphs.live(tenant.id)).graph;
      expect(live.placements.size, slug).toBeGreaterThan(0);
      expect(twins(live), `${slug} Live`).toEqual([]);
      const rows = await database.db.select({ id: scenarios.id }).from(scenarios).where(and(eq(scenarios.tenantId, tenant.id), eq(scenarios.kind, 'planning')));
      for (const row of rows) {
        const planned = await graphs.scenario(await loadScenario(database.db, tenant.id, row.id));
        expect(twins(planned), `${slug} scenario ${row.id}`).toEqual([]);
      }
    }
  });
});
