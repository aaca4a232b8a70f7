import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { ensureUser, setMembership } from '../src/access/users.js';
import { openEmbedded, openPostgres, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { today } from '../src/org/dates.js';
import { GraphStore } from '../src/org/graph-store.js';
import { getOrgMetrics } from '../src/org/metrics-service.js';
import { applyBatch } from '../src/scenarios/apply-batch.js';
import { scenarioDelta } from '../src/scenarios/delta.js';
import { createScenario } from '../src/scenarios/lifecycle.js';
import { confirmProposal, planProposal } from '../src/scenarios/proposals.js';
import { loadScenario } from '../src/scenarios/store.js';
import { findTenantBySlug } from '../src/tenancy/tenants.js';
import { BATCH_SIZE, generateChanges, LIVE_MOVES, liveMoves, PROPOSAL_SIZE, promoteElsewhere, runScenarioEngineSeed, tenantSlug, touchedActors } from './scenarios.js';
import { collectGarbage, median, ownerPrincipal } from './support.js';

/**
 * One workload of `npm run bench -- --only scenarios` on its own, on a database that stays between runs, so a
 * change to the delta can be measured in a minute rather than ten (the seed is the slow part):
 *
 *   node --expose-gc --import tsx bench/delta-moved.ts --postgres <url> --seed     # once: migrates and seeds (100k
 *                                                                                   # actors; createdb first)
 *   node --expose-gc --import tsx bench/delta-moved.ts --postgres <url> --rounds 5 # as often as needed
 *   node --expose-gc --import tsx bench/delta-moved.ts --embedded <dir> …          # the same on PGlite
 *   … --profile /tmp/p        # CPU profiles of each round's deltas (/tmp/p-1-cold.cpuprofile, /tmp/p-1-warm…)
 *
 * A run loads Live as a server has it (Live + today's metrics), creates a scenario, applies the engine workload's
 * batch of 1,000 changes and its 50-change proposal, then `--rounds` times: lets Live move (20 FTE changes promoted
 * from another scenario) and measures the delta once Live moved, cold (first after the move) and warm (median of
 * 5) — wall and CPU time (user + system of this process; PostgreSQL's own work is not in it). Each run leaves a
 * scenario and moves Live on, so later runs measure a slightly bigger, later Live; compare alternating runs.
 * Size: `--size` (default 100000). Prints one JSON line of figures at the end (`@@delta-moved`).
 */

interface Args {
  url: string | null;
  dir: string | null;
  seed: boolean;
  rounds: number;
  size: number;
  /** Write a CPU profile of each round's cold delta (and of its warm ones) to `<profile>-<round>-{cold,warm}.cpuprofile`. */
  profile: string | null;
}

function parse(argv: string[]): Args {
  const args: Args = { url: null, dir: null, seed: false, rounds: 3, size: 100_000, profile: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--postgres') args.url = argv[++i] ?? null;
    else if (a === '--embedded') args.dir = argv[++i] ?? null;
    else if (a === '--seed') args.seed = true;
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--size') args.size = Number(argv[++i]);
    else if (a === '--profile') args.profile = argv[++i] ?? null;
    else throw new Error(`unknown option ${a}`);
  }
  if (!args.url === !args.dir) throw new Error('give one of --postgres <url> or --embedded <dir>');
  return args;
}

async function open(args: Args): Promise<Database> {
  if (args.dir) {
    fs.mkdirSync(args.dir, { recursive: true });
    return openEmbedded(args.dir);
  }
  return openPostgres(args.url!);
}

/** Wall and CPU milliseconds of `fn`, after a full GC. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  collectGarbage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  return { value, wall, cpu: (used.user + used.system) / 1000 };
}

/** Runs `fn` under the CPU profiler when `file` is given (written to `<file>.cpuprofile`). */
async function profiled<T>(file: string | null, fn: () => Promise<T>): Promise<T> {
  if (!file) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(`${file}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const database = await open(args);
  try {
    const run = { label: args.url ? 'postgres' : 'embedded', size: args.size };
    if (args.seed) {
      await migrate(database);
      await runScenarioEngineSeed(database, run, (row) => console.error(`${row.workload}: ${row.time} ${row.notes}`));
      return;
    }
    const tenant = await findTenantBySlug(database.db, tenantSlug(args.size));
    if (!tenant) throw new Error('seed first (--seed)');
    const user = await ensureUser(database.db, { email: `bench-engine-${args.size}@example.test`, name: 'Bench owner' });
    await setMembership(database.db, tenant.id, user.id, 'owner');
    const graphs = new GraphStore(database.db);
    const ctx = { db: database.db, tenant, principal: { ...ownerPrincipal(tenant), userId: user.id }, graphs };
    const live = await graphs.live(tenant.id);
    await getOrgMetrics(ctx);
    const stamp = new Date().toISOString();
    const scenario = await createScenario(ctx, { name: `Bench delta-moved ${stamp}` });
    const commands = generateChanges(live.graph, today(), BATCH_SIZE, 'batch', new Set());
    await applyBatch(ctx, scenario.id, commands);
    const first = await timed(() => scenarioDelta(ctx, { scenarioId: scenario.id }));
    const afterBatch = await graphs.scenario(await loadScenario(database.db, tenant.id, scenario.id));
    const proposal = generateChanges(afterBatch, today(), PROPOSAL_SIZE, 'proposal', touchedActors(commands, live.graph));
    const planned = await planProposal(ctx, { scenarioId: scenario.id, changes: proposal });
    await confirmProposal(ctx, planned.proposal_id);
    const touched = touchedActors([...commands, ...proposal], live.graph);
    const rounds: { wall: number; cpu: number; warm: number; conflicts: number; records: number }[] = [];
    for (let r = 0; r < args.rounds; r++) {
      // Against Live as it is now: each round toggles the FTE the round before set.
      await promoteElsewhere(ctx, liveMoves((await graphs.live(tenant.id)).graph, touched, LIVE_MOVES), `Bench Live moves ${stamp} ${r + 1}`);
      const cold = await profiled(args.profile && `${args.profile}-${r + 1}-cold`, () => timed(() => scenarioDelta(ctx, { scenarioId: scenario.id })));
      const warm: number[] = [];
      await profiled(args.profile && `${args.profile}-${r + 1}-warm`, async () => {
        for (let i = 0; i < 5; i++) warm.push((await timed(() => scenarioDelta(ctx, { scenarioId: scenario.id }))).wall);
      });
      let records = 0;
      for (const f of Object.values(cold.value.families)) records += (f?.added.length ?? 0) + (f?.removed.length ?? 0) + (f?.changed.length ?? 0);
      rounds.push({ wall: cold.wall, cpu: cold.cpu, warm: median(warm), conflicts: cold.value.conflicts.length, records });
      console.error(`round ${r + 1}: Live moved, delta cold ${cold.wall.toFixed(0)} ms (CPU ${cold.cpu.toFixed(0)} ms), warm ${median(warm).toFixed(1)} ms; ${records} records, ${cold.value.conflicts.length} conflicts`);
    }
    const out = {
      database: run.label,
      firstDelta: { wall: Math.round(first.wall), cpu: Math.round(first.cpu) },
      movedCold: { wall: Math.round(median(rounds.map((r) => r.wall))), cpu: Math.round(median(rounds.map((r) => r.cpu))) },
      movedWarm: Number(median(rounds.map((r) => r.warm)).toFixed(1)),
      rounds,
    };
    console.log(`@@delta-moved ${JSON.stringify(out)}`);
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
