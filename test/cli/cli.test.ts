import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { revokeApiToken } from '../../src/access/api-tokens.js';
import type { Role } from '../../src/access/bundles.js';
import { AdminCommandFailed } from '../../src/admin/channel.js';
import { sortKeys } from '../../src/cli/client/output.js';
import { reportFailure } from '../../src/cli/main.js';
import type { Database } from '../../src/db/connection.js';
import { tenantCurrencies } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, testApp, type TestApp } from '../support/app.js';
import { runCli, serveForCli, spawnCli, type CliResult, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, memberToken, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * The `orgonaut` client commands against a real HTTP server: the app listens on a loopback port in this process
 * (on the test database, embedded or PostgreSQL), and each command runs with ORGONAUT_CONFIG pointing at a temporary
 * file: in this process (`cli`), or as `node --import tsx src/main.ts …` (`spawned`) where the process itself is
 * under test. The tenant is reached on `<slug>.localhost:<port>`, which the CLI
 * resolves to 127.0.0.1 itself.
 */

const SLUG = 'clitest';
const PASSWORD = 'correct horse battery';
const { id, units } = fixtureIds('cli-test');

let database: Database;
let tenant: Tenant;
let app: TestApp;
let server: CliServer;
let url: string;
let dir: string;
let ownerEmail: string;
const tokens: Partial<Record<Role, string>> = {};
/** Every request the server received (path and query), to see what a command asks for. */
const requested: URL[] = [];

/** `orgonaut <args>` as a process, signed in with `config`, at home in the test's directory. */
const launch = (args: string[], config: string, stdin?: string) =>
  spawnCli(args, { ORGONAUT_CONFIG: config, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg') }, { stdin });
const spawned = (args: string[], config: string, stdin?: string) => launch(args, config, stdin).exited;
/**
 * `orgonaut <args>` in this process (runCli: what it prints and its exit code), or as a process when it reads stdin.
 * What only a process shows (stdin, a closed pipe, a browser sign-in, exit codes as the shell sees them) uses `spawned`.
 */
const cli = (args: string[], config: string, stdin?: string) => (stdin === undefined ? runCli(args, config) : spawned(args, config, stdin));
const configFile = (name: string) => path.join(dir, `${name}.json`);

/** A failure a person can fix: the expected exit code and exactly one line on stderr, no stack trace. */
function expectOneLine(result: CliResult, code: number, pattern: RegExp) {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^orgonaut: /);
  expect(lines[0]).toMatch(pattern);
}

const tokenFor = (role: Role, email?: string) => memberToken(database, tenant, role, { email, password: PASSWORD, name: `cli ${role}` });

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: SLUG, plan: 'business', name: 'CLI Test Co' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 }]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg('cli-test'));
  app = testApp(database);
  server = await serveForCli(app, SLUG, { onRequest: (u) => requested.push(u) });
  ({ url, dir } = server);
  ownerEmail = `owner-${path.basename(dir)}@cli.test`.toLowerCase();
  tokens.owner = await tokenFor('owner', ownerEmail);
  tokens.viewer = await tokenFor('viewer');
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut CLI with a token (headless)', () => {
  const config = () => configFile('owner');
  let scenarioId: string;

  it('signs in with --token, verifying it, and stores host, tenant and token readable by the user only', async () => {
    const result = await spawned(['auth', 'login', '--host', url, '--token', tokens.owner!], config());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Signed in to CLI Test Co (${SLUG}, business plan) on ${url} as ${ownerEmail} (owner) with a token that does not expire.`);
    expect(fs.statSync(config()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(config(), 'utf8'))).toMatchObject({ host: url, tenant: SLUG, token: tokens.owner, user: ownerEmail });
  });

  it('shows the context, as a summary and as deterministic JSON', async () => {
    const text = await cli(['context'], config());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Tenant\s+CLI Test Co \(clitest\)$/m);
    expect(text.stdout).toMatch(/^Role\s+owner$/m);
    expect(text.stdout).toMatch(new RegExp(`^MCP\\s+${url}/mcp/orgonaut$`, 'm'));
    expect(text.stdout).toContain('  settings.manage');
    // Each ability says what it lets one do, not only its key.
    expect(text.stdout).toMatch(/^  settings\.manage\s+Manage currencies, cost settings, department and team types$/m);
    expect(text.stdout).toMatch(/^  costs\.read\s+See compensation and every money figure$/m);

    const json = await cli(['context', '--json'], config());
    expect(json.code, json.stderr).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body.data).toMatchObject({ tenant: { slug: SLUG, plan: 'business' }, role: 'owner', credential: 'api_token' });
    expect(json.stdout).toBe(`${JSON.stringify(sortKeys(body), null, 2)}\n`);
    expect(Object.keys(body.data)).toEqual([...Object.keys(body.data)].sort());
  });

  it('creates a scenario, applies a change from a JSON file and shows it in the delta', async () => {
    const created = await cli(['scenario', 'create', 'CLI plan', '--description', 'Made by the CLI test', '--json'], config());
    expect(created.code, created.stderr).toBe(0);
    const scenario = JSON.parse(created.stdout).data;
    expect(scenario).toMatchObject({ name: 'CLI plan', kind: 'planning', state: 'active', editable: true });
    scenarioId = scenario.id;

    const file = path.join(dir, 'changes.json');
    fs.writeFileSync(file, JSON.stringify({ changes: [{ op: 'set_fte', actor_id: id('p2'), fte: 0.8 }, { op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Apps' }] }));
    const applied = await cli(['scenario', 'apply', scenarioId, file], config());
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Applied 2 changes to scenario "CLI plan" (now revision');

    const delta = await cli(['scenario', 'delta', scenarioId], config());
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toContain('Delta of "CLI plan" against Live');
    expect(delta.stdout).toMatch(/^Actor\s+~\s+p2\s+FTE: 0\.50 → 0\.80$/m);
    expect(delta.stdout).toMatch(/^Org unit\s+~\s+Mobile Apps\s+Name: Mobile → Mobile Apps$/m);
    expect(delta.stdout).toMatch(/^FTE\s+\d+\.\d\d\s+\d+\.\d\d\s+\+0\.30$/m);

    const json = await cli(['scenario', 'delta', scenarioId, '--json'], config());
    const families = JSON.parse(json.stdout).data.families;
    expect(families.actor.changed).toEqual([expect.objectContaining({ id: id('p2'), fields: { fte: { from: 0.5, to: 0.8 } } })]);

    // The activity names the record it is about, not only its id.
    const activity = await cli(['report', 'activity', '--entity-type', 'scenario', '--limit', '5'], config());
    expect(activity.code, activity.stderr).toBe(0);
    expect(activity.stdout).toMatch(/scenario created\s+CLI plan\s/);

    const shown = await cli(['scenario', 'show', scenarioId], config());
    expect(shown.stdout).toMatch(/^Actor\s+0\s+1\s+0$/m);
    const listed = await cli(['scenario', 'list', '--json'], config());
    expect(JSON.parse(listed.stdout).data.map((s: { id: string }) => s.id)).toContain(scenarioId);
  });

  it('applies a batch from stdin, and names the invalid command of a refused one (exit 2, invalid input)', async () => {
    const piped = await cli(['scenario', 'apply', scenarioId, '-'], config(), JSON.stringify([{ op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 50 }]));
    expect(piped.code, piped.stderr).toBe(0);
    const bad = await cli(['scenario', 'apply', scenarioId, '-'], config(), JSON.stringify({ changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 9 }] }));
    expectOneLine(bad, 2, /changes\[0\]\.fte.*\(HTTP 400 invalid_input\)$/);
    const notJson = await cli(['scenario', 'apply', scenarioId, '-'], config(), '{ nope');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('stdin is not valid JSON');
    const notChanges = await cli(['scenario', 'apply', scenarioId, '-'], config(), '{"foo":1}');
    expect(notChanges.code).toBe(2);
    expect(notChanges.stderr).toContain('orgonaut: stdin must hold { "changes"');
  });

  it('shows cost deltas as money in the reporting currency, not as minor units', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const pay = { op: 'set_compensation', actor_id: id('p1'), kind: 'salary', amount_minor: 50_000_000, currency: 'EUR', date: today };
    expect((await cli(['scenario', 'apply', scenarioId, '-'], config(), JSON.stringify([pay]))).code).toBe(0);
    const delta = await cli(['scenario', 'delta', scenarioId], config());
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toMatch(/^Annual cost\s+[\d,]+\.\d\d EUR\s+[\d,]+\.\d\d EUR\s+\+[\d,]+\.\d\d EUR$/m);
    expect(delta.stdout).not.toMatch(/_minor/);
    // Records without a name are named by whose they are, not by id.
    expect(delta.stdout).toMatch(/^Pay\s+~\s+Pay of p1\s+Until: /m);
    expect(delta.stdout).toMatch(/^Placement\s+~\s+m1 in \S.* \(\d+ %\)\s+Until: /m);
  });

  it('reads Live and scenarios: lists with --limit/--all, the tree, metrics, reports and reference lists', async () => {
    const page = JSON.parse((await cli(['live', 'actors', '--as-of', AS_OF, '--limit', '3', '--json'], config())).stdout);
    expect(page.data).toHaveLength(3);
    expect(typeof page.next_cursor).toBe('string');
    const all = JSON.parse((await cli(['live', 'actors', '--as-of', AS_OF, '--all', '--json'], config())).stdout);
    expect(all.data.map((a: { display_name: string }) => a.display_name)).toEqual(['bot', 'ceo', 'eng_head', 'f1', 'f2', 'm1', 'p1', 'p2', 'sales_head']);
    expect(all.next_cursor).toBeNull();
    // Who reports to no one: the top of the organisation (and any gap an import left).
    const unmanaged = await cli(['live', 'actors', '--as-of', AS_OF, '--without-manager'], config());
    expect(unmanaged.stdout.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0])).toEqual(['bot', 'ceo']);
    expect((await cli(['live', 'teams', '--as-of', AS_OF, '--without-manager', '--json'], config())).code).toBe(0);

    const table = await cli(['live', 'actors', '--as-of', AS_OF, '--limit', '2'], config());
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+TITLE\s+UNIT\s+MANAGER\s+FTE\s+EMAIL\s+ID$/);
    expect(table.stderr).toContain('More: add --cursor ');

    const scenarioUnits = await cli(['live', 'units', '--scenario', scenarioId, '--search', 'mobile'], config());
    expect(scenarioUnits.stdout).toMatch(/^Mobile Apps\s+team/m);
    const tree = await cli(['live', 'tree', '--as-of', AS_OF], config());
    expect(tree.stdout).toMatch(/^Fixture Co \(company\)\s+8\s/m);
    expect(tree.stdout).toMatch(/^│  ├─ Mobile \(team\)/m);
    const treeCosts = tree.stdout.split('\n').filter((l) => /\d EUR/.test(l));
    expect(new Set(treeCosts.map((l) => l.search(/\d EUR/))).size, tree.stdout).toBe(1);
    const shallow = await cli(['live', 'tree', '--as-of', AS_OF, '--depth', '1'], config());
    expect(shallow.stdout).toMatch(/^Fixture Co \(company\) \+\d+\s/m);
    expect(shallow.stderr).toContain('+N: units below the depth shown');
    const metrics = await cli(['live', 'metrics', '--as-of', AS_OF, '--unit', units.E], config());
    expect(metrics.stdout).toMatch(/^Headcount\s+4$/m);
    // The unit and the scenario by name, not by id.
    expect(metrics.stdout).toMatch(/^Scope\s+Engineering$/m);
    const inScenario = await cli(['live', 'metrics', '--scenario', scenarioId], config());
    expect(inScenario.stdout).toMatch(/^Scenario\s+"CLI plan"$/m);
    expect(inScenario.stdout).toMatch(/^Scope\s+whole organisation$/m);
    // Actors without pay are said to be left out of the cost, with the count the API gives.
    const whole = JSON.parse((await cli(['live', 'metrics', '--as-of', AS_OF, '--json'], config())).stdout).data.metrics.cost;
    expect(whole.without_compensation).toBeGreaterThan(0);
    const wholeText = (await cli(['live', 'metrics', '--as-of', AS_OF], config())).stdout;
    expect(wholeText).toMatch(new RegExp(`^Without pay\\s+${whole.without_compensation} actor\\(s\\): cost unknown`, 'm'));
    // The vacant seats' budget, apart from the payroll cost, as the API gives it.
    const vacantBudget = (whole.vacant_seats_annual.amount_minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(wholeText).toMatch(new RegExp(`^Vacant seats, budgeted \\(annual, not paid\\)\\s+${vacantBudget} ${whole.vacant_seats_annual.currency}$`, 'm'));

    const roster = await cli(['report', 'roster', '--unit', units.P, '--as-of', AS_OF], config());
    expect(roster.code, roster.stderr).toBe(0);
    expect(roster.stdout).toMatch(/^p1\s+-\s+Platform\s+eng_head\s+1\.00\s+pos_p1/m);
    // Money is right-aligned, so amounts of different lengths line up on their currency.
    const costs = (await cli(['report', 'roster', '--as-of', AS_OF], config())).stdout.split('\n').filter((l) => /\d EUR/.test(l));
    expect(new Set(costs.map((l) => l.search(/\d EUR/))).size, costs.join('\n')).toBe(1);
    const unitMetrics = JSON.parse((await cli(['report', 'metrics', '--as-of', AS_OF, '--type', 'department', '--json'], config())).stdout);
    expect(unitMetrics.data.map((u: { name: string }) => u.name)).toEqual(['Engineering', 'Sales']);
    // Span-of-control averages with two decimals each (3.00 beside 1.67), whatever the API's precision.
    const metricsTable = (await cli(['report', 'metrics', '--as-of', AS_OF], config())).stdout.split('\n');
    const spanAt = metricsTable[0]!.indexOf('SPAN') + 'SPAN'.length;
    const spanCells = metricsTable.slice(1).filter(Boolean).map((l) => l.slice(0, spanAt).trim().split(/\s+/).at(-1));
    expect(spanCells.length, metricsTable.join('\n')).toBeGreaterThan(2);
    expect(spanCells.every((c) => c === '-' || /^\d+\.\d\d$/.test(c!)), metricsTable.join('\n')).toBe(true);
    expect(spanCells.filter((c) => c !== '-').length, metricsTable.join('\n')).toBeGreaterThan(0);
    const liveMetrics = (await cli(['live', 'metrics', '--as-of', AS_OF], config())).stdout;
    expect(liveMetrics).toMatch(/^Span of control\s+average \d+\.\d\d, median \d+\.\d\d \(/m);
    expect(liveMetrics).toMatch(/^Manager : IC\s+1 : \d+\.\d\d$/m);
    // Sales: one manager, two reports — spans and the ratio 2.00, not 2.
    const salesMetrics = (await cli(['live', 'metrics', '--as-of', AS_OF, '--unit', 'Sales'], config())).stdout;
    expect(salesMetrics).toMatch(/^Manager : IC\s+1 : 2\.00$/m);
    expect(salesMetrics).toMatch(/^Span of control\s+average 2\.00, median 2\.00 \(1 managers\)$/m);
    expect((await cli(['report', 'lineage'], config())).stdout.trim()).toBe('No promotions or restores yet.');
    // Spans of control: the narrow managers (two reports each), by name; a unit's; none wide.
    const spans = await cli(['report', 'spans', '--as-of', AS_OF], config());
    expect(spans.code, spans.stderr).toBe(0);
    expect(spans.stdout).toMatch(/^MANAGER\s+TITLE\s+UNIT\s+REPORTS\s+SPAN\s+LAYER\s+ID$/m);
    expect(spans.stdout.split('\n').filter((l) => /\snarrow\s/.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['ceo', 'sales_head']);
    expect((await cli(['report', 'spans', '--as-of', AS_OF, '--unit', 'Sales'], config())).stdout).toMatch(/^sales_head\s+-\s+Sales\s+2\s+narrow\s+\d+\s+\S+$/m);
    expect((await cli(['report', 'spans', '--as-of', AS_OF, '--span', 'wide'], config())).stdout.trim()).toBe('No manager here has a span this narrow or wide.');
    // Positions and placements name their unit (one read of the units), not its id.
    const positions = await cli(['live', 'positions', '--as-of', AS_OF], config());
    expect(positions.stdout).toMatch(/^pos_p1\s+filled\s+1\.00\s+perm\s+Platform\s+\S+$/m);
    expect(positions.stdout).not.toContain(units.P);
    // Placements name their actor and position too (it showed both ids); --json keeps the API's ids.
    const placements = await cli(['live', 'placements', '--as-of', AS_OF, '--unit', units.P], config());
    expect(placements.stdout).toMatch(/^p1\s+Platform\s+yes\s+100\s+1\.00\s+pos_p1\s+\S+$/m);
    expect(placements.stdout).toMatch(/^p2\s+Platform\s+yes\s.*\s-\s+\S+$/m);
    const placementsJson = JSON.parse((await cli(['live', 'placements', '--as-of', AS_OF, '--unit', units.P, '--json'], config())).stdout);
    const p1 = placementsJson.data.find((p: { position_id: string | null }) => p.position_id);
    expect(p1).toMatchObject({ actor_id: id('p1'), org_unit_id: units.P, position_id: id('pos_p1') });

    const created = await cli(['refs', 'department-types', '--create', 'Product'], config());
    expect(created.stdout).toMatch(/^Created department type "Product" \(/);
    const searched = JSON.parse((await cli(['refs', 'department-types', '--search', 'prod', '--json'], config())).stdout);
    expect(searched.data.map((t: { name: string }) => t.name)).toEqual(['Product']);
    const currencies = await cli(['refs', 'currencies'], config());
    // Rates with four decimals each, so 1 never sits beside 0.9.
    expect(currencies.stdout).toMatch(/^USD\s+US Dollar\s+yes\s+no\s+0\.9000$/im);
    expect(currencies.stdout).toMatch(/^EUR\s.*\syes\s+1\.0000$/m);
  }, 90_000); // some twenty CLI runs, each a process start

  it('names the actors, units and positions of a page of placements by looking up only those, never the whole lists', async () => {
    const config = configFile('lookups');
    expect((await cli(['auth', 'login', '--host', url, '--token', tokens.owner!], config)).code).toBe(0);
    requested.length = 0;
    const placements = await cli(['live', 'placements', '--as-of', AS_OF, '--unit', units.P], config);
    expect(placements.code, placements.stderr).toBe(0);
    expect(placements.stdout).toMatch(/^p1\s+Platform\s+yes\s+100\s+1\.00\s+pos_p1\s+\S+$/m);
    const lookups = requested.filter((u) => ['/api/v1/actors', '/api/v1/org-units', '/api/v1/positions'].includes(u.pathname));
    expect(lookups.map((u) => u.pathname).sort()).toEqual(['/api/v1/actors', '/api/v1/org-units', '/api/v1/positions']);
    // Exactly the records the page refers to: its actors, its unit, its one position.
    const page = JSON.parse((await cli(['live', 'placements', '--as-of', AS_OF, '--unit', units.P, '--json'], config)).stdout).data as Record<string, string | null>[];
    const of = (field: string) => [...new Set(page.map((p) => p[field]).filter((v): v is string => !!v))].sort();
    expect(of('actor_id')).toContain(id('p1'));
    expect(of('position_id')).toEqual([id('pos_p1')]);
    const asked = Object.fromEntries(lookups.map((u) => [u.pathname, u.searchParams.get('ids')?.split(',').sort()]));
    expect(asked['/api/v1/actors']).toEqual(of('actor_id'));
    expect(asked['/api/v1/org-units']).toEqual([units.P]);
    expect(asked['/api/v1/positions']).toEqual(of('position_id'));

    // A page that refers to no position asks for none (and is not refused for asking for zero).
    requested.length = 0;
    const noPosition = await cli(['live', 'placements', '--as-of', AS_OF, '--actor', id('p2')], config);
    expect(noPosition.code, noPosition.stderr).toBe(0);
    expect(noPosition.stdout).toMatch(/^p2\s+Platform\s+yes\s/m);
    expect(requested.map((u) => u.pathname)).not.toContain('/api/v1/positions');
  });

  it('takes an org unit by its name as well as by id (--unit, --root), and says which units a name could mean', async () => {
    const config = configFile('unit-names');
    expect((await cli(['auth', 'login', '--host', url, '--token', tokens.owner!], config)).code).toBe(0);
    const byId = await cli(['live', 'actors', '--as-of', AS_OF, '--unit', units.P], config);
    expect(byId.code, byId.stderr).toBe(0);
    const byName = await cli(['live', 'actors', '--as-of', AS_OF, '--unit', 'platform'], config);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toBe(byId.stdout);
    expect(byName.stdout).toMatch(/^p1\s/m);
    const tree = await cli(['live', 'tree', '--as-of', AS_OF, '--root', 'Engineering', '--depth', '1'], config);
    expect(tree.stdout.split('\n')[1]).toMatch(/^Engineering \(department\)/);
    expectOneLine(await cli(['report', 'roster', '--unit', 'Nope'], config), 2, /^orgonaut: no org unit is named "Nope"\. Find it with "orgonaut live units --search <words>", then give --unit its id or exact name\.$/);
    expectOneLine(await cli(['live', 'actors', '--unit', 'Engin'], config), 2, new RegExp(`^orgonaut: no org unit is named "Engin"; similar: Engineering \\(department\\) ${units.E}\\. Give --unit an id or an exact name\\.$`));
  });

  it('ends quietly when the reader of its output goes away (`orgonaut live actors --all | head -1`)', async () => {
    const listing = launch(['live', 'actors', '--all', '--as-of', AS_OF], config());
    listing.child.stdout.destroy();
    const { code, stderr } = await listing.exited;
    expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(code).toBe(0);
  });

  it('says which family has no changes when the list is filtered, and lists changed fields in name order', async () => {
    const sid2 = JSON.parse((await cli(['scenario', 'create', 'Fields plan', '--json'], config())).stdout).data.id as string;
    expect((await cli(['scenario', 'apply', sid2, '-'], config(), JSON.stringify([{ op: 'create_position', title: 'Guard', org_unit_id: units.P }]))).code).toBe(0);
    const none = await cli(['scenario', 'changes', scenarioId, '--family', 'position'], config());
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout.trim()).toBe('No position changes in this scenario.');
    expect((await cli(['scenario', 'changes', scenarioId, '--family', 'actor'], config())).stdout).toMatch(/^Actor\s+change\s/m);
    const lines = (await cli(['scenario', 'changes', sid2], config())).stdout.split('\n');
    // An added record's fields in words with their values, its unit by name (no API keys, no ids).
    expect(lines.find((l) => l.startsWith('Position')), lines.join('\n')).toMatch(/\sadd\s+Guard\s+Employment type: perm, From: \d{4}-\d\d-\d\d, Planned FTE: 1\.00, Title: Guard, Unit: Platform$/);
  });

  it('names the records of a scenario’s changes as its delta does, not by id', async () => {
    const changes = await cli(['scenario', 'changes', scenarioId], config());
    expect(changes.code, changes.stderr).toBe(0);
    expect(changes.stdout).toMatch(/^Actor\s+change\s+p2\s+FTE: 0\.50 → 0\.80$/m);
    expect(changes.stdout).toMatch(/^Org unit\s+change\s+Mobile Apps\s+Name: Mobile → Mobile Apps$/m);
    expect(changes.stdout).toMatch(/^Pay\s+\S+\s+Pay of p1\s/m);
    expect(changes.stdout).toMatch(/^Placement\s+add\s+m1 in Platform \(50 %\)\s+Actor: m1, Allocation: 50 %, From: \d{4}-\d\d-\d\d, Primary: no, Unit: Platform$/m);
    expect(changes.stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // The JSON stays the API's answer.
    const json = JSON.parse((await cli(['scenario', 'changes', scenarioId, '--json'], config())).stdout);
    expect(json.data.map((c: { record_id: string }) => c.record_id)).toContain(id('p2'));
  });

  it('names the people a changed reporting line points at, in words, in the changes and the delta', async () => {
    const sid = JSON.parse((await cli(['scenario', 'create', 'Manager plan', '--json'], config())).stdout).data.id as string;
    expect((await cli(['scenario', 'apply', sid, '-'], config(), JSON.stringify([{ op: 'set_manager', actor_id: id('p2'), manager_id: id('ceo'), date: AS_OF }]))).code).toBe(0);
    const changes = await cli(['scenario', 'changes', sid], config());
    expect(changes.code, changes.stderr).toBe(0);
    expect(changes.stdout).toMatch(new RegExp(`^Reporting line\\s+add\\s+p2 reports to ceo\\s+Actor: p2, From: ${AS_OF}, Manager: ceo$`, 'm'));
    expect(changes.stdout).not.toMatch(/manager_id|actor_id|[0-9a-f]{8}-[0-9a-f]{4}-/);
    const delta = await cli(['scenario', 'delta', sid, '--as-of', AS_OF], config());
    expect(delta.stdout).toMatch(/^Reporting line\s+\+\s+p2 reports to ceo\s+added$/m);
    expect(delta.stdout).not.toMatch(/valid_to|[0-9a-f]{8}-[0-9a-f]{4}-/);
    // --json is the API's answer: ids, with the names beside them.
    const [line] = JSON.parse((await cli(['scenario', 'changes', sid, '--json', '--family', 'reporting_line'], config())).stdout).data.filter((c: { op: string }) => c.op === 'add');
    expect(line.values).toMatchObject({ actor_id: id('p2'), manager_id: id('ceo') });
    expect(line.names).toEqual({ [id('p2')]: 'p2', [id('ceo')]: 'ceo' });
  });

  it('names the units and people a delta points at from the names the delta gives, with no list look-ups', async () => {
    const sid = JSON.parse((await cli(['scenario', 'create', 'Names plan', '--json'], config())).stdout).data.id as string;
    const moves = [{ op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S }, { op: 'set_manager', actor_id: id('p2'), manager_id: id('ceo'), date: AS_OF }];
    expect((await cli(['scenario', 'apply', sid, '-'], config(), JSON.stringify(moves))).code).toBe(0);
    requested.length = 0;
    const delta = await cli(['scenario', 'delta', sid, '--as-of', AS_OF], config());
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toMatch(/^Org unit\s+~\s+Mobile\s+Parent unit: Engineering → Sales$/m);
    expect(delta.stdout).toMatch(/^Reporting line\s+\+\s+p2 reports to ceo\s+added$/m);
    expect(delta.stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // One read: the delta names what it points at; the CLI no longer asks the unit, people and position lists.
    expect(requested.map((u) => u.pathname)).toEqual([`/api/v1/scenarios/${sid}/delta`]);
    await cli(['scenario', 'archive', sid], config());
  });

  it('names the department and team types a delta and its changes point at, over REST and in the CLI', async () => {
    const create = async (kind: string, name: string) =>
      ((await (await app.request(`/api/v1/${kind}-types`, { host: `${SLUG}.localhost`, token: tokens.owner, json: { name } })).json()) as { data: { id: string } }).data.id;
    const [core, enabling] = [await create('department', 'Core function'), await create('team', 'Enabling')];
    const sid = JSON.parse((await cli(['scenario', 'create', 'Types plan', '--json'], config())).stdout).data.id as string;
    const file = path.join(dir, 'types.json');
    fs.writeFileSync(file, JSON.stringify([
      { op: 'create_org_unit', type: 'department', name: 'Research', parent_id: units.C, department_type_id: core },
      { op: 'update_team', org_unit_id: units.P, team_type_id: enabling },
    ]));
    expect((await cli(['scenario', 'apply', sid, file], config())).code).toBe(0);
    const rest = await app.request(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`, { host: `${SLUG}.localhost`, token: tokens.owner });
    expect(((await rest.json()) as { data: { names: Record<string, string> } }).data.names).toMatchObject({ [core]: 'Core function', [enabling]: 'Enabling' });
    const delta = await cli(['scenario', 'delta', sid, '--as-of', AS_OF], config());
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toMatch(/^Team\s+~\s+Platform\s+Team type: - → Enabling$/m);
    const changes = await cli(['scenario', 'changes', sid], config());
    expect(changes.stdout).toMatch(/^Department\s+add\s+Research\s+.*Department type: Core function/m);
    expect(`${delta.stdout}${changes.stdout}`).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await cli(['scenario', 'archive', sid], config());
  });

  it('says what a delta and the changes list left out for lack of abilities, rather than "No differences" for changes the token may not read', async () => {
    const sid = JSON.parse((await cli(['scenario', 'create', 'Hidden plan', '--json'], config())).stdout).data.id as string;
    const file = path.join(dir, 'hidden.json');
    fs.writeFileSync(file, JSON.stringify([{ op: 'set_fte', actor_id: id('p2'), fte: 0.6 }]));
    expect((await cli(['scenario', 'apply', sid, file], config())).code).toBe(0);
    const own = await cli(['scenario', 'delta', sid, '--as-of', AS_OF], config());
    expect(own.stdout).toMatch(/^Actor\s+~\s+p2\s+FTE: 0\.50 → 0\.60$/m);
    expect(own.stdout).not.toContain('Left out');
    const scoped = configFile('scenarios-only');
    const token = await memberToken(database, tenant, 'viewer', { abilities: ['scenarios.read'], name: 'scenarios only' });
    expect((await cli(['auth', 'login', '--host', url, '--token', token], scoped)).code).toBe(0);
    const delta = await cli(['scenario', 'delta', sid, '--as-of', AS_OF], scoped);
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toContain('No differences in what this token may read.');
    expect(delta.stdout).not.toMatch(/^No differences\.$/m);
    expect(delta.stdout).toMatch(/^Left out: this token may not read them\.$/m);
    expect(delta.stdout).toMatch(/^Actor, Reporting line\s+actors\.read$/m);
    expect(delta.stdout).toMatch(/^Metric deltas\s+org-metrics\.read$/m);
    // Its changes list leaves them out too, and says so rather than that the scenario has none.
    const changes = await cli(['scenario', 'changes', sid], scoped);
    expect(changes.stdout.trim()).toBe(`None shown: its 1 change (actor) is of records this token may not read ("orgonaut scenario show ${sid}" counts them).`);
    expect((await cli(['scenario', 'changes', sid, '--family', 'team'], scoped)).stdout.trim()).toBe('No team changes in this scenario.');
    await cli(['scenario', 'archive', sid], config());
  });

  it('takes a scenario by its name as well as by id (ignoring case and spaces), and says which scenarios a name could mean', async () => {
    const shown = await cli(['scenario', 'show', '  cli   PLAN '], config());
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^Id\\s+${scenarioId}$`, 'm'));
    requested.length = 0;
    expect((await cli(['live', 'actors', '--scenario', 'CLI plan', '--limit', '1'], config())).code).toBe(0);
    expect(requested.find((u) => u.pathname === '/api/v1/actors')?.searchParams.get('scenario_id')).toBe(scenarioId);
    expectOneLine(await cli(['scenario', 'delta', 'No such plan'], config()), 2, /^orgonaut: no scenario or snapshot is named "No such plan"\. Find it with "orgonaut scenario list", then give its id or exact name\.$/);
    // Snapshots may share a name: the CLI does not guess between them.
    const snapshot = async () => (await app.request('/api/v1/snapshots', { host: `${SLUG}.localhost`, token: tokens.owner, json: { name: 'Twice taken' } })).status;
    expect([await snapshot(), await snapshot()]).toEqual([201, 201]);
    expectOneLine(await cli(['live', 'units', '--scenario', 'twice taken'], config()), 2, /^orgonaut: 2 scenarios are named "twice taken": snapshot [0-9a-f-]{36}; snapshot [0-9a-f-]{36}\. Give --scenario the id of the one you mean\.$/);
  });

  it('pages the reference lists as it pages the others (the --cursor or --all its "More" line suggests is taken), and names a refused type name --create', async () => {
    for (const name of ['Zeta one', 'Zeta two', 'Zeta three']) expect((await cli(['refs', 'team-types', '--create', name], config())).code).toBe(0);
    const first = await cli(['refs', 'team-types', '--search', 'zeta', '--limit', '2'], config());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(3);
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
    expect(cursor).toBeTruthy();
    const next = await cli(['refs', 'team-types', '--search', 'zeta', '--limit', '2', '--cursor', cursor!], config());
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/^Zeta two\s/m);
    const all = await cli(['refs', 'team-types', '--search', 'zeta', '--all'], config());
    expect(all.stdout.match(/^Zeta /gm)).toHaveLength(3);
    expect((await cli(['refs', 'currencies', '--limit', '1'], config())).code).toBe(0);
    // A refused name is named by the option it was typed as, not the API's body field.
    expectOneLine(await cli(['refs', 'team-types', '--create', 'x'.repeat(120)], config()), 2, /^orgonaut: Invalid --create: .*Correct --create and try again\. \(HTTP 400 invalid_input\)$/);
    const blank = await cli(['refs', 'team-types', '--create', '  '], config());
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/^orgonaut: --create needs the name of the type to create/);
  });

  it('submits the scenario and lists its tasks', async () => {
    const submitted = await cli(['scenario', 'submit', scenarioId], config());
    expect(submitted.stdout).toContain('Submitted for review: "CLI plan"');
    const tasks = await cli(['scenario', 'tasks', scenarioId], config());
    expect(tasks.stdout.trim()).toBe('No tasks for this scenario.');
  });

  it('shows lineage by the names of the scenario promoted and the snapshot it replaced, with its headcount and FTE change', async () => {
    const created = await cli(['scenario', 'create', 'Lineage plan', '--json'], config());
    const sid = JSON.parse(created.stdout).data.id as string;
    const moves = [{ op: 'set_fte', actor_id: id('p2'), fte: 0.5 }, { op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S }];
    expect((await cli(['scenario', 'apply', sid, '-'], config(), JSON.stringify(moves))).code).toBe(0);
    // A move names the units, not their ids.
    expect((await cli(['scenario', 'delta', sid], config())).stdout).toMatch(/^Org unit\s+~\s+Mobile\s+Parent unit: Engineering → Sales$/m);
    const promoted = await cli(['scenario', 'promote', sid, '--wait'], config());
    expect(promoted.code, promoted.stderr).toBe(0);
    const lineage = await cli(['report', 'lineage'], config());
    expect(lineage.stdout.split('\n')[0]).toMatch(/^APPLIED\s+TYPE\s+BY\s+TO\s+REPLACED \(SNAPSHOT\)\s+HEADCOUNT\s+FTE\s+LIVE VERSION$/);
    // Who promoted it, by name.
    expect(lineage.stdout).toMatch(/\spromotion\s+owner user\s+Lineage plan\s+Live before promoting “Lineage plan”\s+[-+]?\d+\s+[-+]?\d+\.\d\d\s+\d+$/m);
    expect(lineage.stdout).not.toContain(sid);
    expect(JSON.parse((await cli(['report', 'lineage', '--json'], config())).stdout).data[0]).toMatchObject({ to_scenario_id: sid });
  });

  it('refuses to promote a scenario with no changes: one line saying so and what to do, exit 1, Live and lineage unchanged', async () => {
    const sid = JSON.parse((await cli(['scenario', 'create', 'Empty plan', '--json'], config())).stdout).data.id as string;
    const lineageBefore = (await cli(['report', 'lineage', '--json'], config())).stdout;
    const refused = await cli(['scenario', 'promote', sid, '--wait'], config());
    expectOneLine(refused, 1, /has no changes, so there is nothing to promote.*Plan changes in the scenario first, or archive it.*\(HTTP 409 nothing_to_promote\)$/);
    expect(refused.stdout).toBe('');
    expect((await cli(['report', 'lineage', '--json'], config())).stdout).toBe(lineageBefore);
    expect((await cli(['scenario', 'tasks', sid], config())).stdout.trim()).toBe('No tasks for this scenario.');
    const shown = JSON.parse((await cli(['scenario', 'show', sid, '--json'], config())).stdout).data;
    expect(shown).toMatchObject({ kind: 'planning', state: 'active', promoted_at: null });
    // A branch of it builds on nothing either; creating it names its source (not its id).
    const branched = await cli(['scenario', 'create', 'Branch of empty', '--from', sid], config());
    expect(branched.stdout).toMatch(/^Created scenario "Branch of empty" \([0-9a-f-]{36}\), branched from Empty plan\.$/m);
    const branch = /\(([0-9a-f-]{36})\)/.exec(branched.stdout)![1]!;
    expectOneLine(await cli(['scenario', 'promote', branch], config()), 1, /\(HTTP 409 nothing_to_promote\)$/);
    for (const id of [sid, branch]) expect((await cli(['scenario', 'archive', id], config())).code).toBe(0);
  });

  it('runs doctor: config, server, token, plan, abilities and the MCP URL', async () => {
    const result = await cli(['doctor'], config());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok\s+config\s+.*\(mode 600\)$/m);
    expect(result.stdout).toMatch(new RegExp(`^ok\\s+server\\s+${url}/healthz answered HTTP 200$`, 'm'));
    expect(result.stdout).toMatch(/^ok\s+token\s+.* in clitest \(owner, api_token; does not expire\)$/m);
    expect(result.stdout).toContain(`MCP     ${url}/mcp/orgonaut`);
    expect(result.stdout).toContain('plan    business');
    const json = JSON.parse((await cli(['doctor', '--json'], config())).stdout);
    expect(json).toMatchObject({ ok: true, mcp_url: `${url}/mcp/orgonaut`, tenant: { slug: SLUG } });
  });
});

describe('orgonaut CLI errors and exit codes', () => {
  it('refuses a wrong token at login with one clear line and exit 3, saving nothing', async () => {
    const config = configFile('wrong');
    const result = await cli(['auth', 'login', '--host', url, '--token', `orgo_pat_${'x'.repeat(43)}`], config);
    expectOneLine(result, 3, new RegExp(`^orgonaut: ${url.replace(/[.]/g, '\\.')} refused the token: .*nothing was saved\\.$`));
    expect(fs.existsSync(config)).toBe(false);
    // On the central host the tenant is named with --tenant: the refusal says so, in the CLI's words.
    const central = url.replace(`${SLUG}.localhost`, 'app.localhost');
    expectOneLine(await cli(['auth', 'login', '--host', central, '--token', tokens.owner!], config), 3, /X-Tenant header\. Add --tenant <slug>; nothing was saved\.$/);
    const named = await cli(['auth', 'login', '--host', central, '--tenant', SLUG, '--token', tokens.owner!], config);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(config, 'utf8'))).toMatchObject({ host: central, tenant: SLUG });
    fs.rmSync(config);
  });

  it('exits 3 when not signed in, or when the stored token stops working', async () => {
    expectOneLine(await cli(['context'], configFile('nobody')), 3, /not signed in \(no .*nobody\.json\)\. Run "orgonaut auth login/);
    const config = configFile('revoked');
    const token = await tokenFor('member');
    expect((await cli(['auth', 'login', '--host', url, '--token', '-'], config, `${token}\n`)).code).toBe(0);
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
    const listed = await app.request('/api/v1/tokens', { host: `${SLUG}.localhost`, token });
    const tokenId = ((await listed.json()) as { data: { id: string }[] }).data[0]!.id;
    await revokeApiToken(owner, tokenId);
    app.runtime.authenticator.forget();
    expectOneLine(await cli(['live', 'units'], config), 3, /^orgonaut: not signed in to .*: .*revoked.*Run "orgonaut auth login" to sign in again\.$/i);
  });

  it('says plainly that the sign-in expired, and to sign in again, once the token has expired', async () => {
    const config = configFile('expiring');
    const expiresAt = new Date(Date.now() + 60 * 60_000);
    const user = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const secret = await tokenOf(database, tenant, user, 'member', { name: 'expiring', expiresAt });
    const login = await cli(['login', '--host', url, '--token', secret], config); // `login`: `auth login`, as other CLIs spell it
    expect(login.code, login.stderr).toBe(0);
    const shown = expiresAt.toISOString().slice(0, 16).replace('T', ' ');
    expect(login.stdout).toContain(`as ${user.email} (member) until ${shown} UTC.`);
    expect((await cli(['whoami'], config)).stdout).toMatch(new RegExp(`^Expires\\s+${shown} UTC$`, 'm'));
    expect((await cli(['auth', 'status'], config)).stdout).toMatch(new RegExp(`^Expires\\s+${shown} UTC$`, 'm'));
    // An hour later (the CLI and the server both run in this process, on its clock).
    vi.useFakeTimers({ toFake: ['Date'], now: expiresAt.getTime() + 100 });
    onTestFinished(() => void vi.useRealTimers());
    app.runtime.authenticator.forget();
    expectOneLine(
      await cli(['live', 'units'], config),
      3,
      new RegExp(`^orgonaut: your sign-in to ${SLUG} on ${url.replace(/[.]/g, '\\.')} expired on ${shown} UTC\\. Run "orgonaut auth login" to sign in again\\.$`),
    );
    expect((await cli(['auth', 'status'], config)).stdout).toMatch(/^Expires\s+.* \(expired: run "orgonaut auth login"\)$/m);
    const doctor = await cli(['doctor'], config);
    expect(doctor.code).toBe(3);
    expect(doctor.stdout).toMatch(new RegExp(`^FAIL\\s+token\\s+your sign-in to ${SLUG} on .* expired on ${shown} UTC\\.`, 'm'));
    // Signing out of an expired sign-in just forgets it: no advice to revoke a token that works nowhere, or to sign in.
    const out = await cli(['logout', '--revoke'], config);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^Signed out of clitest on .*; removed .*expiring\.json\.$/m);
  });

  it('exits 1 with the problem’s detail and fix when an ability is missing', async () => {
    const config = configFile('viewer');
    expect((await cli(['auth', 'login', '--host', url, '--token', tokens.viewer!], config)).code).toBe(0);
    expectOneLine(await cli(['refs', 'department-types', '--create', 'Nope'], config), 1, /"settings\.manage" ability.*Ask an owner or admin.*\(HTTP 403 missing_ability\)$/);
    expectOneLine(await cli(['scenario', 'show', '00000000-0000-4000-8000-000000000000'], config), 1, /not found.*\(HTTP 404 not_found\)$/);
    // With --json a script reads the failure as JSON (stderr), the problem included; stdout stays empty.
    const asJson = await cli(['scenario', 'show', '00000000-0000-4000-8000-000000000000', '--json'], config);
    expect(asJson).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { exit_code: 1, status: 404, problem: { code: 'not_found' }, message: expect.stringContaining('not found') } });
    // Keys sorted, the problem's too, as every --json output is: a script can diff two failures.
    expect(asJson.stderr).toBe(`${JSON.stringify(sortKeys(JSON.parse(asJson.stderr)), null, 2)}\n`);
    // Without costs.read there is no money to show: no ANNUAL COST column of dashes.
    for (const report of ['roster', 'metrics']) {
      const table = await cli(['report', report, '--as-of', AS_OF], config);
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout.split('\n')[0]).not.toContain('ANNUAL COST');
    }
  });

  it('exits 2 on usage mistakes and 4 when the server cannot be reached', async () => {
    const usage = await spawned(['live'], configFile('owner'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('orgonaut: missing <units|tree|');
    expect((await cli(['live', 'actors', '--as-of', 'tomorrow'], configFile('owner'))).code).toBe(2);
    expect((await cli(['scenario', 'frobnicate', 'x'], configFile('owner'))).code).toBe(2);
    // A misspelt scenario command is named as such, before any scenario is looked up — not "missing <scenario-id>", nor
    // "no scenario is named …" for a scenario that exists.
    await cli(['scenario', 'create', 'Typo plan'], configFile('owner'));
    requested.length = 0;
    for (const words of [['scenario', 'dleta', 'Typo plan'], ['scenario', 'dleta']]) {
      const typo = await cli(words, configFile('owner'));
      expect(typo.code).toBe(2);
      expect(typo.stderr.split('\n')[0]).toMatch(/^orgonaut: unknown scenario command "dleta": did you mean "delta"\? \(list, create, show, rename, edit, delta, .* or promote\)$/);
    }
    expect(requested).toEqual([]);
    // A misspelt or foreign option is refused before anything is done, not ignored (--url is not --host).
    const misspelt = await cli(['auth', 'login', '--token', 'orgo_pat_x', '--url', url], configFile('misspelt'));
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('unknown option --url (did you mean --host?)');
    expect(fs.existsSync(configFile('misspelt'))).toBe(false);
    // So is a word the command does not take: an unquoted name would otherwise create a scenario called "Reshape".
    const unquoted = await cli(['scenario', 'create', 'Reshape', 'sales'], configFile('owner'));
    expect(unquoted.code).toBe(2);
    expect(unquoted.stderr.split('\n')[0]).toBe('orgonaut: unexpected argument "sales" for "scenario create Reshape"; put quotes around a value with spaces');
    const listed = await cli(['scenario', 'list', '--json', '--all'], configFile('owner'));
    expect(listed.stdout).not.toContain('"Reshape"');
    expect((await cli(['scenario', 'show', 'a', 'b'], configFile('owner'))).stderr).toContain('unexpected argument "b" for "scenario show a"');
    expectOneLine(await spawned(['auth', 'login', '--host', 'http://127.0.0.1:9', '--token', tokens.owner!], configFile('unreachable')), 4, /cannot reach http:\/\/127\.0\.0\.1:9: connection refused/);
  });

  it('says the same about an admin command refused through a running server as run directly: no "Check the id" for an email', () => {
    const lines: string[] = [];
    const error = console.error;
    console.error = (line: string) => lines.push(line);
    try {
      expect(reportFailure(new AdminCommandFailed('Member "nobody@example.test" not found.', 'Check the id; it must belong to this tenant.', 'not_found'))).toBe(1);
      expect(reportFailure(new AdminCommandFailed('Invalid plan: must be one of free, team.', 'Correct "plan" and try again.', 'invalid_input'))).toBe(2);
    } finally {
      console.error = error;
    }
    expect(lines).toEqual(['orgonaut: Member "nobody@example.test" not found.', 'orgonaut: Invalid plan: must be one of free, team. Correct "plan" and try again.']);
  });

  it('refuses a misspelt admin option before doing anything, and prints the usage (not a server) without a command', async () => {
    // A typo in --abilities must not create a token with every ability of the role.
    const typo = await spawned(['tokens', 'create', '--tenant', SLUG, '--user', ownerEmail, '--abilties', 'actors.read'], configFile('admin'));
    expect(typo.code, typo.stdout).toBe(2);
    expect(typo.stderr).toContain('unknown option --abilties (did you mean --abilities?) for "tokens"');
    expect(typo.stdout).not.toContain('orgo_pat_');
    const bare = await spawned([], configFile('admin'));
    expect(bare.code, bare.stdout).toBe(2);
    expect(bare.stderr).toContain('Usage: orgonaut <command> [options]');
    expect(bare.stdout).not.toContain('ready');
    const version = await spawned(['--version'], configFile('admin'));
    expect(version).toMatchObject({ code: 0, stdout: `orgonaut ${JSON.parse(fs.readFileSync('package.json', 'utf8')).version}\n` });
  });

  it('signs out, revoking a token the CLI created itself only when asked', async () => {
    const config = configFile('logout');
    const token = await tokenFor('member');
    expect((await cli(['auth', 'login', '--host', url, '--token', token], config)).code).toBe(0);
    const out = await cli(['auth', 'logout', '--revoke'], config);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('and revoked the token');
    expect(fs.existsSync(config)).toBe(false);
    app.runtime.authenticator.forget();
    expect((await app.request('/api/v1/me', { host: `${SLUG}.localhost`, token })).status).toBe(401);
    expect((await cli(['auth', 'logout'], config)).stdout).toContain('Not signed in');
  });
});

describe('orgonaut auth login in the browser (PKCE through /cli/oauth/*)', () => {
  /** The authorize URL a `login` process prints on stderr for the person to open (polled for 20 s), or null. */
  async function authorizeUrl(login: ReturnType<typeof launch>): Promise<URL | null> {
    for (let i = 0; i < 400; i++) {
      const line = login.stderr().split('\n').find((l) => l.startsWith(`${url}/cli/oauth/authorize?`));
      if (line) return new URL(line.trim());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }

  it('prints the authorize URL, receives the code on its loopback listener, exchanges it and sends the browser to /cli/oauth/done', async () => {
    const email = `pkce-${path.basename(dir)}@cli.test`.toLowerCase();
    await buildMember(database, tenant, 'manager', { email, password: PASSWORD });
    const config = configFile('browser');
    const login = launch(['auth', 'login', '--host', url, '--no-browser', '--timeout', '40'], config);

    const authorize = await authorizeUrl(login);
    expect(authorize, login.stderr()).not.toBeNull();
    expect(authorize!.searchParams.get('client_id')).toBe('orgonaut-cli');
    expect(authorize!.searchParams.get('code_challenge_method')).toBe('S256');
    const redirect = new URL(authorize!.searchParams.get('redirect_uri')!);
    expect(redirect.hostname).toBe('127.0.0.1');

    // The browser: sign in, open the authorize URL, Allow.
    const host = `${SLUG}.localhost`;
    const page = await app.request('/sign-in', { host });
    const signIn = await app.request('/sign-in', {
      host,
      cookie: cookiesOf(page),
      form: { csrf: hiddenField(await page.text(), 'csrf'), email, password: PASSWORD, return_to: '/' },
    });
    const cookie = cookiesOf(signIn, cookiesOf(page));
    const consent = await app.request(`${authorize!.pathname}${authorize!.search}`, { host, cookie });
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain('Sign in the Orgonaut CLI?');
    const fields = Object.fromEntries(
      ['csrf', 'client_id', 'response_type', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'token_name'].map((n) => [n, hiddenField(html, n)]),
    );
    const allowed = await app.request('/cli/oauth/authorize', { host, cookie, headers: { origin: `http://${host}` }, form: { ...fields, decision: 'allow' } });
    expect(allowed.status).toBe(303);
    const back = allowed.headers.get('location')!;
    expect(back.startsWith(`${redirect.origin}${redirect.pathname}?`)).toBe(true);

    // The browser follows the redirect to the CLI, which answers with a redirect to the done page.
    const callback = await fetch(back, { redirect: 'manual' });
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe(`${url}/cli/oauth/done`);
    const done = await app.request('/cli/oauth/done', { host });
    expect(await done.text()).toContain('You are signed in');

    const finished = await login.exited;
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toContain(`as ${email} (manager)`);
    // The token of a CLI sign-in lasts 90 days (ORGONAUT_CLI_TOKEN_DAYS), and login says until when.
    const until = /as .* until (\d{4}-\d{2}-\d{2}) \d{2}:\d{2} UTC\.$/m.exec(finished.stdout);
    expect(until?.[1], finished.stdout).toBe(new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
    const stored = JSON.parse(fs.readFileSync(config, 'utf8'));
    expect(Date.parse(stored.expires_at) - Date.now()).toBeGreaterThan(89.9 * 86_400_000);
    expect(stored).toMatchObject({ host: url, tenant: SLUG, user: email, token: expect.stringMatching(/^orgo_pat_/), token_id: expect.any(String) });
    expect(fs.statSync(config).mode & 0o777).toBe(0o600);

    const context = JSON.parse((await cli(['context', '--json'], config)).stdout);
    expect(context.data).toMatchObject({ role: 'manager', user: { email } });

    // Signing out revokes the token the CLI created.
    const out = await cli(['auth', 'logout'], config);
    expect(out.stdout).toContain('and revoked the token');
    app.runtime.authenticator.forget();
    expect((await app.request('/api/v1/me', { host, token: stored.token })).status).toBe(401);
  });

  it('reports a denied sign-in with exit 3', async () => {
    const config = configFile('denied');
    const login = launch(['auth', 'login', '--host', url, '--no-browser', '--timeout', '40'], config);
    const authorize = await authorizeUrl(login);
    const redirect = authorize!.searchParams.get('redirect_uri')!;
    const answer = await fetch(`${redirect}?state=${encodeURIComponent(authorize!.searchParams.get('state')!)}&error=access_denied`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('Sign-in cancelled');
    const finished = await login.exited;
    expect(finished.code).toBe(3);
    expect(finished.stderr.trim().split('\n').at(-1)).toBe('orgonaut: sign-in was denied in the browser.');
    expect(fs.existsSync(config)).toBe(false);
  });
});
