import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runScenario, runSeedAndRead, SEED_AND_READ_WORKLOADS } from './seed-and-read.js';
import { runScenarioEngine, runScenarioEngineSeed, SCENARIO_ENGINE_WORKLOADS } from './scenarios.js';
import { IMPORT_WORKLOADS, runImports } from './imports.js';
import { cleanUpStartup, runStartup, STARTUP_WORKLOADS } from './startup.js';
import { AUTH_WORKLOADS, runAuth } from './auth.js';
import { MCP_WORKLOADS, runMcp } from './mcp.js';
import { COLD_WORKLOADS, runColdRead, type FirstRead } from './cold-read.js';
import { formatTable, openTarget, prepareEmbedded, preparePostgres, type BenchTarget, type PreparedTarget, type Row } from './support.js';

/**
 * `npm run bench`: figures, not pass/fail. Runs every workload on the embedded database and, when DATABASE_URL is
 * set or --postgres <url> is given, on a fresh database of that PostgreSQL server too; prints one table.
 *
 * Each organisation size, the scenario workload and the scenario engine run in a worker process of its own (this
 * file with --worker), so its memory figures start from a clean process rather than from the high-water mark the
 * workloads before it left.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROW_PREFIX = '@@bench-row ';

const WORKLOADS = [...SEED_AND_READ_WORKLOADS, ...COLD_WORKLOADS, ...SCENARIO_ENGINE_WORKLOADS, ...IMPORT_WORKLOADS, ...AUTH_WORKLOADS, ...MCP_WORKLOADS, ...STARTUP_WORKLOADS] as const;
const DEFAULT_SIZES = [1_000, 10_000, 100_000];

const USAGE = `Usage: npm run bench -- [options]

Options:
  --sizes <n,n,…>      Organisation sizes in actors (10–100000; default ${DEFAULT_SIZES.join(',')})
  --only <name,…>      Workloads to run: ${WORKLOADS.join(', ')} (default: all)
  --postgres <url>     Also run on PostgreSQL (default: DATABASE_URL when set); a database
                       orgonaut_bench_<pid> is created on that server and dropped afterwards
  --no-embedded        Skip the embedded database (the startup workload always uses it)
  --help               Show this help

Workloads:
  seed       seed an organisation of each size into an enterprise tenant (time, peak RSS, peak heap)
  metrics    whole-org metrics (getOrgMetrics): cold (graph loaded from the database) and warm (median of 5)
  tree       the org-unit tree (orgUnitTree): cold and warm
  people     every row of the People list (allMatrixRows: what its CSV export and any sort but by name read, with
             cost and allocation): cold and warm
  cold       the first reads a server pays for, each size: the org summary (MCP org_summary) and the People
             list's first page right after start-up (each in a fresh process), then after a change to Live (warm
             process, graph not cached): the Live graph alone, the summary and the People page
  scenario   create a planning scenario from the largest Live and read the tree inside it (cold and warm)
  scenarios  the scenario engine on an enterprise tenant of the largest size (its own tenant, seeded first):
             create a scenario, apply a batch of 1,000 mixed changes, delta (cold, warm), metrics in the
             scenario, plan + confirm a 50-change proposal, delta again once Live has moved (cold, warm) and
             the merge check alone, promote, first Live read after (aims: create < 5 s, delta < 300 ms,
             promotion < 5 s)
  auth       PostgreSQL only: Authenticator.fromApiToken / fromOAuth cold and warm (µs), and POST /oauth/token
             refresh grants per second against a real server (1 and 8 rotating chains)
  mcp        PostgreSQL only: tools/call org_summary and tools/list through the whole stack (server process, token,
             tenant, database) at concurrency 1 and 32 on the smallest size, beside a bare SDK v2 server (ratio),
             and org_summary warm on the largest size. BENCH_SECONDS sets each measurement (default 10);
             BENCH_SERVER_NODE_ARGS adds Node.js flags to the server (e.g. --cpu-prof --cpu-prof-dir=/tmp/p)
  imports    import a canonical CSV of each size into an empty Live (upload streamed from disk, run, same file
             again as a no-op): rows per second and peak memory
  startup    npm start on an existing embedded database until GET /readyz answers 200 (median of 3)`;

interface Options {
  sizes: number[];
  only: Set<string>;
  postgres: string | null;
  embedded: boolean;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | null {
  const options: Options = { sizes: DEFAULT_SIZES, only: new Set(WORKLOADS), postgres: process.env.DATABASE_URL || null, embedded: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--help':
      case '-h':
        return null;
      case '--sizes':
        options.sizes = value()
          .split(',')
          .map((s) => s.trim().replace(/k$/i, '000'))
          .filter(Boolean)
          .map((s) => {
            const n = Number(s.replace(/_/g, ''));
            if (!Number.isInteger(n) || n < 10 || n > 100_000) throw new UsageError(`--sizes: "${s}" is not a whole number from 10 to 100000`);
            return n;
          });
        if (!options.sizes.length) throw new UsageError('--sizes needs at least one size');
        options.sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
        break;
      case '--only': {
        const names = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const n of names) {
          if (!(WORKLOADS as readonly string[]).includes(n)) throw new UsageError(`--only: unknown workload "${n}" (choose from ${WORKLOADS.join(', ')})`);
        }
        options.only = new Set(names);
        break;
      }
      case '--postgres': {
        const url = value();
        if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--postgres needs a postgres:// URL');
        options.postgres = url;
        break;
      }
      case '--no-embedded':
        options.embedded = false;
        break;
      default:
        throw new UsageError(`unknown option "${arg}"`);
    }
  }
  return options;
}

function environment(): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout.
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `node ${process.version}, ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${os.platform()} ${os.release()}, commit ${commit}`;
}

async function main(): Promise<number> {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }

  const rows: Row[] = [];
  const report = (row: Row) => {
    rows.push(row);
    console.error(`  ${row.database.padEnd(8)} ${row.workload.padEnd(30)} ${row.size.padStart(5)}  ${row.time.padStart(9)}  ${row.rssPeak}`);
  };
  const started = performance.now();
  console.log(`Orgonaut benchmarks — ${new Date().toISOString()}`);
  console.log(environment());
  console.log(`sizes ${options.sizes.join(', ')}; workloads ${[...options.only].join(', ')}`);

  const readsWanted = [...SEED_AND_READ_WORKLOADS, ...COLD_WORKLOADS, ...SCENARIO_ENGINE_WORKLOADS, ...IMPORT_WORKLOADS].some((w) => options.only.has(w));
  // auth and mcp need a server process beside the benchmark on one database: PostgreSQL only.
  const serverWanted = [...AUTH_WORKLOADS, ...MCP_WORKLOADS].some((w) => options.only.has(w));
  if (serverWanted && !options.postgres) console.log('The auth and mcp workloads run on PostgreSQL only: pass --postgres <url> or set DATABASE_URL.');
  const targets: { label: string; prepare: () => Promise<PreparedTarget> }[] = [];
  if (readsWanted && options.embedded) targets.push({ label: 'embedded', prepare: prepareEmbedded });
  if ((readsWanted || serverWanted) && options.postgres) {
    const url = options.postgres;
    targets.push({ label: 'postgres', prepare: () => preparePostgres(url) });
  }
  if (readsWanted && !targets.length) console.log('No database selected for the seed and read workloads.');

  let current: PreparedTarget | null = null;
  const interrupted = async () => {
    cleanUpStartup();
    currentWorker?.kill('SIGKILL');
    await current?.dispose().catch(() => {});
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted());
  process.once('SIGTERM', () => void interrupted());

  const largest = Math.max(...options.sizes);
  for (const target of targets) {
    current = await target.prepare();
    console.error(`\n${current.describe}:`);
    try {
      // The scenario workload alone needs only the largest organisation seeded.
      const perSize = ['seed', 'metrics', 'tree', 'people', 'cold'].some((w) => options.only.has(w));
      for (const size of perSize ? options.sizes : options.only.has('scenario') ? [largest] : []) {
        await runWorker({ phase: 'size', target: current.target, label: target.label, size, only: [...options.only] }, report);
        if (options.only.has('cold')) {
          for (const first of ['summary', 'people'] as const) {
            await runWorker({ phase: 'cold', target: current.target, label: target.label, size, first, only: ['cold'] }, report);
          }
        }
      }
      if (options.only.has('scenario')) {
        await runWorker({ phase: 'scenario', target: current.target, label: target.label, size: largest, only: ['scenario'] }, report);
      }
      if (options.only.has('scenarios')) {
        // Its own tenant, seeded in one process and exercised in a fresh one (the seed's memory stays out of it).
        await runWorker({ phase: 'scenarios-seed', target: current.target, label: target.label, size: largest, only: ['scenarios'] }, report);
        await runWorker({ phase: 'scenarios', target: current.target, label: target.label, size: largest, only: ['scenarios'] }, report);
      }
      if (target.label === 'postgres' && options.only.has('auth')) {
        await runWorker({ phase: 'auth', target: current.target, label: target.label, size: largest, only: ['auth'] }, report);
      }
      if (target.label === 'postgres' && options.only.has('mcp')) {
        await runWorker({ phase: 'mcp', target: current.target, label: target.label, size: largest, sizes: options.sizes, only: ['mcp'] }, report);
      }
      if (options.only.has('imports')) {
        for (const size of options.sizes) await runWorker({ phase: 'imports', target: current.target, label: target.label, size, only: ['imports'] }, report);
      }
    } finally {
      await current.dispose();
      current = null;
    }
  }
  if (options.only.has('startup')) {
    console.error('\nstartup (embedded):');
    await runStartup(report);
  }

  console.log('');
  console.log(formatTable(rows));
  console.log('');
  console.log('cold = first read in a fresh graph cache (graph loaded from the database, metrics computed); warm = median of 5 later reads.');
  console.log('peak RSS = high-water mark of the benchmark process during the workload (+ its rise over the start); each size runs in');
  console.log('a fresh process; the embedded database (PGlite) runs inside it, PostgreSQL in its own processes. startup rows show the');
  console.log('server process\'s peak RSS at ready. peak heap = V8 heapUsed high-water mark. engine rows: one process and');
  console.log('graph cache for the run, as a server has; "delta, cold" is the first delta after the batch (overlay and');
  console.log('metrics of the new revision), "promote" runs until the promotion task has finished.');
  console.log(`Total ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  return 0;
}

interface WorkerRun {
  /**
   * size: seed one organisation and read it; cold: its first reads in a fresh process; scenario: branch the (already seeded) organisation and read that;
   * scenarios-seed / scenarios: seed the scenario engine's tenant, then run the engine on it; auth / mcp: start a
   * server process on the (PostgreSQL) database and measure through it.
   */
  phase: 'size' | 'cold' | 'scenario' | 'scenarios-seed' | 'scenarios' | 'auth' | 'mcp' | 'imports';
  target: BenchTarget;
  label: string;
  size: number;
  /** The cold workload's first read in its fresh process. */
  first?: FirstRead;
  /** Every size of the run (the mcp workload uses the smallest and the largest). */
  sizes?: number[];
  only: string[];
}

let currentWorker: ChildProcess | null = null;

/** Runs one size in a fresh process; its rows come back as JSON lines on its stdout. */
function runWorker(run: WorkerRun, report: (row: Row) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts', '--worker', JSON.stringify(run)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    currentWorker = child;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith(ROW_PREFIX)) report(JSON.parse(line.slice(ROW_PREFIX.length)) as Row);
      else process.stderr.write(`${line}\n`);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      currentWorker = null;
      if (code === 0) resolve();
      else reject(new Error(`the ${run.label} worker for ${run.size} actors failed (${code ?? signal})`));
    });
  });
}

async function worker(json: string): Promise<number> {
  const run = JSON.parse(json) as WorkerRun;
  if (run.phase === 'auth' || run.phase === 'mcp') {
    // These start a server process on the database themselves.
    const report = (row: Row) => process.stdout.write(`${ROW_PREFIX}${JSON.stringify(row)}\n`);
    if (run.phase === 'auth') await runAuth(run, report);
    else await runMcp({ ...run, sizes: run.sizes ?? [run.size] }, report);
    return 0;
  }
  const database = await openTarget(run.target);
  try {
    const report = (row: Row) => process.stdout.write(`${ROW_PREFIX}${JSON.stringify(row)}\n`);
    if (run.phase === 'scenario') await runScenario(database, run, report);
    else if (run.phase === 'cold') await runColdRead(database, { ...run, first: run.first ?? 'summary' }, report);
    else if (run.phase === 'imports') await runImports(database, run, report);
    else if (run.phase === 'scenarios-seed') await runScenarioEngineSeed(database, run, report);
    else if (run.phase === 'scenarios') await runScenarioEngine(database, run, report);
    else await runSeedAndRead(database, { label: run.label, size: run.size, only: new Set(run.only) }, report);
  } finally {
    await database.close();
  }
  return 0;
}

const argv = process.argv.slice(2);
(argv[0] === '--worker' ? worker(argv[1]!) : main()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    cleanUpStartup();
    console.error('bench failed:', error);
    process.exit(1);
  },
);
