import fs from 'node:fs';
import { ensureUser, setMembership } from '../src/access/users.js';
import { createApp, createRuntime } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openEmbedded, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { seedOrganisation } from '../src/db/seed/organisation.js';
import { createLogger } from '../src/logger.js';
import { today } from '../src/org/dates.js';
import { GraphStore } from '../src/org/graph-store.js';
import { applyBatch } from '../src/scenarios/apply-batch.js';
import { createScenario } from '../src/scenarios/lifecycle.js';
import { createTenant, findTenantBySlug, type Tenant } from '../src/tenancy/tenants.js';
import { generateChanges } from './scenarios.js';
import { median, ownerPrincipal } from './support.js';

/**
 * The pages and REST reads a customer uses every day, through the whole app (tenant resolution, session, page
 * rendering), on one generated organisation: cold (the first request of a fresh app, graph cache empty) and warm
 * (median of 3 later requests), with the response size; then the scenario's pages again, each first read after one
 * change staged in the scenario (Live cached, as a running server has it). Run on its own against a database that stays between runs:
 *
 *   node --import tsx bench/pages.ts --embedded /tmp/pages-db --seed [--size 10000]   # once
 *   node --import tsx bench/pages.ts --embedded /tmp/pages-db [--only matrix,actor]   # as often as needed
 */

const PASSWORD = 'correct horse battery';
const WARM_RUNS = 3;

interface Args {
  dir: string;
  seed: boolean;
  size: number;
  only: string[] | null;
}

function parse(argv: string[]): Args {
  const args: Args = { dir: '', seed: false, size: 10_000, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--embedded') args.dir = argv[++i] ?? '';
    else if (a === '--seed') args.seed = true;
    else if (a === '--size') args.size = Number(argv[++i]);
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',');
    else throw new Error(`unknown option ${a}`);
  }
  if (!args.dir) throw new Error('give --embedded <dir>');
  return args;
}

const slug = (size: number) => `pages-${size}`;
const email = (size: number) => `pages-${size}@example.test`;

async function seed(database: Database, size: number): Promise<void> {
  await migrate(database);
  const tenant = await createTenant(database.db, { slug: slug(size), name: `Pages ${size}`, plan: 'enterprise', reportingCurrency: 'EUR' });
  const t0 = performance.now();
  const org = await seedOrganisation(database.db, tenant, { actors: size, seed: `pages-${size}` });
  console.error(`seeded ${size} actors in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const user = await ensureUser(database.db, { email: email(size), name: 'Pages owner', password: PASSWORD });
  await setMembership(database.db, tenant.id, user.id, 'owner');
  const ctx = { db: database.db, tenant, principal: { ...ownerPrincipal(tenant), userId: user.id }, graphs: new GraphStore(database.db) };
  const scenario = await createScenario(ctx, { name: 'Pages reorganisation' });
  await applyBatch(ctx, scenario.id, generateChanges(org.graph, today(), 200, 'pages', new Set()));
}

function appOf(database: Database) {
  const runtime = createRuntime({ ...loadConfig({}), logLevel: 'silent' }, database, createLogger('silent'));
  const app = createApp(runtime);
  return { runtime, app };
}

function cookiesOf(response: Response, previous = ''): string {
  const jar = new Map(previous.split('; ').filter(Boolean).map((p) => p.split('=') as [string, string]));
  for (const header of response.headers.getSetCookie()) {
    const [name, value] = header.split(';')[0]!.split('=');
    if (value) jar.set(name!, value);
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
}

async function signIn(database: Database, host: string, size: number): Promise<string> {
  const { app } = appOf(database);
  const page = await app.request('/sign-in', { headers: { host, accept: 'text/html' } });
  const cookie = cookiesOf(page);
  const csrf = /name="csrf" value="([^"]*)"/.exec(await page.text())![1]!.replaceAll('&amp;', '&');
  const response = await app.request('/sign-in', {
    method: 'POST',
    headers: { host, cookie, origin: `http://${host}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, return_to: '/live', email: email(size), password: PASSWORD }).toString(),
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  return cookiesOf(response, cookie);
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  fs.mkdirSync(args.dir, { recursive: true });
  const database = await openEmbedded(args.dir);
  try {
    if (args.seed) await seed(database, args.size);
    const tenant: Tenant | null = await findTenantBySlug(database.db, slug(args.size));
    if (!tenant) throw new Error(`no tenant ${slug(args.size)}: run with --seed first`);
    const host = `${slug(args.size)}.localhost`;
    const cookie = await signIn(database, host, args.size);

    const graph = (await new GraphStore(database.db).live(tenant.id)).graph;
    const reports = new Map<string, number>();
    for (const l of graph.reportingLines.values()) reports.set(l.managerId, (reports.get(l.managerId) ?? 0) + 1);
    const boss = [...reports].sort((a, b) => b[1] - a[1])[0]![0];
    const root = [...graph.orgUnits.values()].find((u) => !u.parentId)!.id;
    const someUnit = [...graph.orgUnits.values()].find((u) => u.parentId)!.id;
    const { app: probe } = appOf(database);
    const list = (await (await probe.request('/scenarios', { headers: { host, cookie, accept: 'text/html' } })).text()).match(/href="\/scenarios\/([0-9a-f-]{36})"/);
    const sid = list![1]!;

    const paths: [string, string, Record<string, string>?][] = [
      ['live', '/live'],
      ['matrix', '/live/matrix'],
      ['matrix-q', '/live/matrix?q=ann'],
      ['matrix-unit', `/live/matrix?unit=${root}&below=1`],
      ['matrix-manager', `/live/matrix?manager=${boss}`],
      ['matrix-sort', '/live/matrix?sort=name&dir=desc'],
      ['matrix-csv', '/live/matrix.csv'],
      ['actor', `/live/actors/${boss}`],
      ['unit-root', `/live/units/${root}`],
      ['unit', `/live/units/${someUnit}`],
      ['spans', '/live/spans'],
      ['scenarios', '/scenarios'],
      ['overview', `/scenarios/${sid}`],
      ['delta', `/scenarios/${sid}/delta`],
      ['tray', `/scenarios/${sid}/changes`],
      // What the tray's typed fields ask as a person types (the page holds only the start of each list).
      ['tray-suggest', `/scenarios/${sid}/suggest?kind=actor&q=ann`, { accept: 'application/json' }],
      ['activity', '/activity'],
      ['api-actors', '/api/v1/actors?limit=200', { accept: 'application/json' }],
      ['api-tree', '/api/v1/org-units/tree', { accept: 'application/json' }],
      ['api-unit', `/api/v1/org-units/${root}`, { accept: 'application/json' }],
      ['api-metrics', '/api/v1/org-metrics', { accept: 'application/json' }],
      ['api-unit-metrics', '/api/v1/reports/org-unit-metrics', { accept: 'application/json' }],
    ];
    console.log(`${'path'.padEnd(18)} ${'status'.padStart(6)} ${'cold ms'.padStart(9)} ${'warm ms'.padStart(9)} ${'size'.padStart(10)}`);
    for (const [name, path, headers] of paths) {
      if (args.only && !args.only.includes(name)) continue;
      const { app } = appOf(database);
      const get = async () => {
        const t0 = performance.now();
        const response = await app.request(path, { headers: { host, cookie, accept: 'text/html', ...headers } });
        const body = await response.text();
        return { ms: performance.now() - t0, status: response.status, bytes: Buffer.byteLength(body) };
      };
      const cold = await get();
      const warm: number[] = [];
      let last = cold;
      for (let i = 0; i < WARM_RUNS; i++) warm.push((last = await get()).ms);
      console.log(`${name.padEnd(18)} ${String(last.status).padStart(6)} ${cold.ms.toFixed(0).padStart(9)} ${median(warm).toFixed(0).padStart(9)} ${(last.bytes / 1024).toFixed(0).padStart(8)} KB   ${path.slice(0, 60)}`);
    }

    // A planner's loop: one change staged in the scenario (its revision moves on), then the scenario's pages on a
    // server that has Live cached — the first read after the change, as the planner sees it.
    const user = await ensureUser(database.db, { email: email(args.size), name: 'Pages owner' });
    const { runtime, app } = appOf(database);
    const ctx = { db: database.db, tenant, principal: { ...ownerPrincipal(tenant), userId: user.id }, graphs: runtime.graphs };
    const people = [...graph.actors.values()].filter((a) => a.kind === 'human' && a.validTo === null).slice(0, 20);
    let n = 0;
    for (const [name, path] of paths.filter(([, p]) => p.startsWith(`/scenarios/${sid}`))) {
      if (args.only && !args.only.includes(name)) continue;
      const get = async () => {
        const t0 = performance.now();
        const response = await app.request(path, { headers: { host, cookie, accept: 'text/html' } });
        await response.text();
        return performance.now() - t0;
      };
      await get();
      const person = people[n++ % people.length]!;
      await applyBatch(ctx, sid, [{ op: 'set_fte', actor_id: person.id, fte: person.fte === 0.7 ? 0.6 : 0.7 }]);
      const first = await get();
      console.log(`${`${name}, after a change`.padEnd(28)} ${first.toFixed(0).padStart(9)} ms   (one set_fte staged; Live cached)`);
    }
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
