import { currentLiveVersion } from '../src/db/live-store.js';
import { seedOrganisation } from '../src/db/seed/organisation.js';
import { getOrgMetrics } from '../src/org/metrics-service.js';
import { orgUnitTree, type TreeNode } from '../src/org/read-structure.js';
import { GraphStore } from '../src/org/graph-store.js';
import { graphSize } from '../src/scenarios/overlay.js';
import { insertScenario } from '../src/scenarios/store.js';
import { allMatrixRows } from '../src/web/live/matrix-rows.js';
import { createTenant, findTenantBySlug } from '../src/tenancy/tenants.js';
import type { Database } from '../src/db/connection.js';
import {
  EVERYONE,
  formatCount,
  formatHeap,
  formatMs,
  formatRss,
  measure,
  medianOf,
  ownerContext,
  type Measured,
  type Row,
} from './support.js';

/**
 * Seeding generated organisations and reading them back through the services (the paths MCP tools, REST routes and
 * pages share): whole-org metrics, the org-unit tree and every row of the People list, cold (first read: the graph is loaded from the database and
 * the metrics computed) and warm (median of 5 later reads, served from the per-process graph cache). Then a planning
 * scenario branched from the largest Live, and the tree read inside it.
 */

export const SEED_AND_READ_WORKLOADS = ['seed', 'metrics', 'tree', 'people', 'scenario'] as const;

const WARM_RUNS = 5;

export interface SizeRun {
  /** "embedded" or "postgres", for the table. */
  label: string;
  size: number;
  only: ReadonlySet<string>;
}

/**
 * One organisation size on one database. The runner gives each size a process of its own, so memory figures are
 * not inflated by the sizes before it.
 */
export async function runSeedAndRead(database: Database, run: SizeRun, report: (row: Row) => void): Promise<void> {
  const { size } = run;
  const wants = (name: string) => run.only.has(name);
  const row = (workload: string, fields: Partial<Row>): void =>
    report({ database: run.label, workload, size: formatCount(size), time: '', rssPeak: '', heapPeak: '', notes: '', ...fields });
  const timed = (m: Measured<unknown>): Partial<Row> => ({ time: formatMs(m.ms), rssPeak: formatRss(m.memory), heapPeak: formatHeap(m.memory) });
  const warm = warmRow;

  const tenant = await createTenant(database.db, {
    slug: tenantSlug(size),
    name: `Bench ${formatCount(size)}`,
    plan: 'enterprise',
    reportingCurrency: 'EUR',
  });

  // Seed (always: the reads need it; printed only when asked for).
  const seeded = await measure(async () => {
    const org = await seedOrganisation(database.db, tenant, { actors: size, seed: `bench-${size}` });
    return { records: graphSize(org.graph), units: org.graph.orgUnits.size };
  });
  if (wants('seed')) {
    row('seed organisation', { ...timed(seeded), notes: `${formatCount(seeded.value.records)} records, ${formatCount(seeded.value.units)} org units` });
  }

  if (wants('metrics')) {
    const ctx = ownerContext(database, tenant);
    const cold = await measure(() => getOrgMetrics(ctx));
    const m = cold.value.metrics!;
    row('org metrics, cold', { ...timed(cold), notes: `headcount ${formatCount(m.headcount)}, ${m.layers} layers` });
    await getOrgMetrics(ctx);
    const { ms, all } = await medianOf(WARM_RUNS, () => getOrgMetrics(ctx));
    row('org metrics, warm', warm(ms, all));
  }

  if (wants('tree')) {
    const ctx = ownerContext(database, tenant);
    const cold = await measure(() => orgUnitTree(ctx));
    row('org-unit tree, cold', { ...timed(cold), notes: `${formatCount(countNodes(cold.value.roots))} nodes` });
    await orgUnitTree(ctx);
    const { ms, all } = await medianOf(WARM_RUNS, () => orgUnitTree(ctx));
    row('org-unit tree, warm', warm(ms, all));
  }


  if (wants('people')) {
    // Every row of the People list as its CSV export and any sort but by name read them: each person with their
    // unit, manager, allocation and loaded cost (an owner reads costs), page after page of the service.
    const ctx = ownerContext(database, tenant);
    const cold = await measure(() => allMatrixRows(ctx, EVERYONE));
    row('people list, every row, cold', { ...timed(cold), notes: `${formatCount(cold.value.rows.length)} rows with cost and allocation (the CSV export)` });
    await allMatrixRows(ctx, EVERYONE);
    const { ms, all } = await medianOf(WARM_RUNS, () => allMatrixRows(ctx, EVERYONE));
    row('people list, every row, warm', warm(ms, all));
  }
}


/**
 * A planning scenario branched from the Live that runSeedAndRead seeded for `size` (the runner picks the largest),
 * and the tree read inside it. Runs in a process of its own too.
 */
export async function runScenario(database: Database, run: { label: string; size: number }, report: (row: Row) => void): Promise<void> {
  const { size } = run;
  const row = (workload: string, fields: Partial<Row>): void =>
    report({ database: run.label, workload, size: formatCount(size), time: '', rssPeak: '', heapPeak: '', notes: '', ...fields });
  const timed = (m: Measured<unknown>): Partial<Row> => ({ time: formatMs(m.ms), rssPeak: formatRss(m.memory), heapPeak: formatHeap(m.memory) });
  const tenant = await findTenantBySlug(database.db, tenantSlug(size));
  if (!tenant) throw new Error(`no benchmark tenant for ${size} actors`);
  const liveVersion = await currentLiveVersion(database.db, tenant.id);
  const created = await measure(() => insertScenario(database.db, tenant.id, { name: 'Bench scenario', kind: 'planning', liveVersion }));
  row('create planning scenario', { ...timed(created), notes: `from Live v${liveVersion}` });
  const scenarioId = created.value.id;

  await (async () => {
    // Cold: nothing cached, so Live is loaded from the database, then the (empty) overlay applied.
    const ctx = ownerContext(database, tenant);
    const cold = await measure(() => orgUnitTree(ctx, { scenarioId }));
    row('tree in scenario, cold', { ...timed(cold), notes: `${formatCount(countNodes(cold.value.roots))} nodes; loads Live too` });
    await orgUnitTree(ctx, { scenarioId });
    const { ms, all } = await medianOf(WARM_RUNS, () => orgUnitTree(ctx, { scenarioId }));
    row('tree in scenario, warm', warmRow(ms, all));
  })();

  // The usual case on a running server: Live is already cached, the scenario is read for the first time.
  const graphs = new GraphStore(database.db);
  await graphs.live(tenant.id);
  const firstRead = await measure(() => orgUnitTree(ownerContext(database, tenant, graphs), { scenarioId }));
  row('tree in scenario, Live cached', { ...timed(firstRead), notes: 'first read of the scenario (overlay + metrics)' });
}

const tenantSlug = (size: number) => `bench-${size}`;

function warmRow(ms: number, all: number[]): Partial<Row> {
  return { time: formatMs(ms), rssPeak: '-', heapPeak: '-', notes: `median of ${all.length}: ${all.map((v) => v.toFixed(1)).join(', ')} ms` };
}

function countNodes(nodes: TreeNode[]): number {
  let n = 0;
  const stack = [...nodes];
  while (stack.length) {
    const node = stack.pop()!;
    n++;
    for (const child of node.children ?? []) stack.push(child);
  }
  return n;
}
