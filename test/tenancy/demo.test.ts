import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { scenarios } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/db/seed/demo.js';
import { GraphStore } from '../../src/org/graph-store.js';
import type { OrgGraph } from '../../src/org/types.js';
import { loadScenario } from '../../src/scenarios/store.js';
import { findTenantBySlug } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { contextFor, principalFor } from '../support/factories.js';
import { listActivity } from '../../src/org/read-history.js';
import { tenantsOfUser } from '../../src/access/sign-in.js';
import { users } from '../../src/db/schema/index.js';

/** The demo organisations of SPEC §9, as a first-time visitor meets them. */

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
  expect(await seedDemo(database.db, { password: 'demo-password-1' })).toEqual(['acme', 'globex', 'initech']);
});

afterAll(async () => {
  await database?.close();
});

/** Acme's Live graph and its seeded planning scenario's graph. */
async function acmePlanningGraphs(): Promise<{ live: OrgGraph; planned: OrgGraph }> {
  const acme = (await findTenantBySlug(database.db, 'acme'))!;
  const [row] = await database.db
    .select({ id: scenarios.id })
    .from(scenarios)
    .where(and(eq(scenarios.tenantId, acme.id), eq(scenarios.kind, 'planning')));
  const graphs = new GraphStore(database.db);
  const live = (await graphs.live(acme.id)).graph;
  return { live, planned: await graphs.scenario(await loadScenario(database.db, acme.id, row!.id)) };
}

describe('demo seed', () => {
  it('is idempotent: a second start seeds nothing again', async () => {
    expect(await seedDemo(database.db, { password: 'demo-password-1' })).toEqual([]);
  });

  it("acme's planning scenario adds records that read as new, not as twins of Live's", async () => {
    const { live, planned } = await acmePlanningGraphs();
    const liveNames = new Set([...live.actors.values()].map((a) => a.displayName));
    const added = [...planned.actors.values()].filter((a) => !live.actors.has(a.id));
    expect(added.length).toBeGreaterThan(0);
    for (const actor of added) expect(liveNames.has(actor.displayName), actor.displayName).toBe(false);
  });

  it("acme's planning scenario shifts a person's time between their units without over-allocating them", async () => {
    const { live, planned } = await acmePlanningGraphs();
    const totals = (graph: OrgGraph) => {
      const sum = new Map<string, number>();
      for (const p of graph.placements.values()) if (p.validTo === null) sum.set(p.actorId, (sum.get(p.actorId) ?? 0) + p.allocationPct);
      return sum;
    };
    const before = totals(live);
    const after = totals(planned);
    const changed = [...after].filter(([actor, total]) => before.has(actor) && before.get(actor) !== total);
    expect(changed).toEqual([]);
    const shifted = [...planned.placements.values()].filter((p) => live.placements.get(p.id) && live.placements.get(p.id)!.allocationPct !== p.allocationPct);
    expect(shifted.length).toBe(2);
    expect(new Set(shifted.map((p) => p.actorId)).size).toBe(1);
  });

  it("acme's planning scenario has its story in the activity log: created, then each change with before and after", async () => {
    const acme = (await findTenantBySlug(database.db, 'acme'))!;
    const [row] = await database.db
      .select({ id: scenarios.id })
      .from(scenarios)
      .where(and(eq(scenarios.tenantId, acme.id), eq(scenarios.kind, 'planning')));
    const ctx = contextFor(database, acme, principalFor(acme, 'owner'));
    const events = (await listActivity(ctx, { scenarioId: row!.id, limit: 50 })).page.items as unknown as Record<string, unknown>[];
    const seen = events.map((e) => `${String(e.entity_type)} ${String(e.action)}`);
    expect(seen).toEqual(expect.arrayContaining(['scenario created', 'org_unit updated', 'placement updated', 'actor created', 'placement created', 'position created']));
    const moved = events.find((e) => e.entity_type === 'org_unit')!;
    expect((moved.before as Record<string, unknown>).parent_id ?? (moved.before as Record<string, unknown>).parentId).not.toEqual(
      (moved.after as Record<string, unknown>).parent_id ?? (moved.after as Record<string, unknown>).parentId,
    );
  });

  it('has a consultant in two organisations, so the central host shows the choice of organisation', async () => {
    const [consultant] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, 'consultant@agency.test'));
    const choices = await tenantsOfUser(database.db, consultant!.id);
    expect(choices.map((c) => `${c.slug}:${c.role}`).sort()).toEqual(['acme:manager', 'initech:viewer']);
  });
});
