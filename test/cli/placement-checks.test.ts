import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Placement checks in the `orgonaut` CLI: `live actors --placement-check <check>` asks the API for who fails it,
 * `live metrics` prints the organisation's counts, and a scenario's delta labels them. The fixture org fails each
 * check once in Live (m1 placed 60 % + 60 %, p2 50 %, `loose` nowhere, f2 with no primary placement); the scenario
 * places p1 50 % in Mobile too.
 */

const SLUG = 'cliplacementchecks';
const { id, units } = fixtureIds('cli-placement-checks');

let database: Database;
let server: CliServer;
let dir: string;
let scenarioId: string;
/** Every request the server received, to see what a command asks for. */
const requested: URL[] = [];

const config = (name: string) => path.join(dir, `${name}.json`);
const cli = (args: string[], as = 'owner') => runCli(args, config(as));
/** The first word of each line of a table after its header: the names listed. */
const firstColumn = (stdout: string) => stdout.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);

beforeAll(async () => {
  database = await testDatabase();
  const graph = buildFixtureOrg('cli-placement-checks');
  graph.placements.get(id('pl-m1-p'))!.allocationPct = 60;
  graph.placements.get(id('pl-p2'))!.allocationPct = 50;
  graph.placements.get(id('pl-f2'))!.isPrimary = false;
  const m1 = graph.actors.get(id('m1'))!;
  graph.actors.set(id('loose'), { ...m1, id: id('loose'), displayName: 'loose', email: 'loose@fixture.test', externalUid: 'loose' });
  const tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), graph);
  const app = testApp(database);
  const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  scenarioId = (await createScenario(ctx, { name: 'Lend p1 to Mobile' })).id;
  await applyBatch(ctx, scenarioId, [{ op: 'add_placement', actor_id: id('p1'), org_unit_id: units.M, allocation_pct: 50, date: '2026-01-01' }]);
  server = await serveForCli(app, SLUG, { onRequest: (url) => requested.push(url) });
  dir = server.dir;
  const owner = await buildMember(database, tenant, 'owner');
  server.signIn('owner', await tokenOf(database, tenant, owner, 'owner', { name: 'cli' }), owner.email);
  server.signIn('narrow', await tokenOf(database, tenant, owner, 'owner', { name: 'cli actors only', abilities: ['actors.read', 'org-metrics.read'] }), owner.email);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut live actors --placement-check', () => {
  it('asks the API for the actors failing the check and lists only them, as a table and as JSON', async () => {
    requested.length = 0;
    const over = await cli(['live', 'actors', '--placement-check', 'over_allocated', '--as-of', AS_OF]);
    expect(over.code, over.stderr).toBe(0);
    expect(requested.find((u) => u.pathname === '/api/v1/actors')?.searchParams.get('placement_check')).toBe('over_allocated');
    expect(firstColumn(over.stdout)).toEqual(['m1']);
    expect(firstColumn((await cli(['live', 'actors', '--placement-check', 'no_primary', '--as-of', AS_OF])).stdout)).toEqual(['f2']);
    const json = JSON.parse((await cli(['live', 'actors', '--placement-check', 'over_allocated', '--scenario', scenarioId, '--as-of', AS_OF, '--json'])).stdout);
    expect(json.data.map((a: { display_name: string }) => a.display_name)).toEqual(['m1', 'p1']);
    // Without the option, everyone.
    expect(firstColumn((await cli(['live', 'actors', '--as-of', AS_OF, '--all'])).stdout)).toHaveLength(10);
  });

  it('says what the API refuses: an unknown check, with the checks it takes; a token without placements.read, naming it', async () => {
    const unknown = await cli(['live', 'actors', '--placement-check', 'overallocated']);
    expect(unknown.code).toBe(2);
    // The API's field as the option it came from.
    expect(unknown.stderr).toContain('Invalid --placement-check: must be one of over_allocated, under_allocated, unplaced, no_primary');
    expect(unknown.stderr).not.toMatch(/^\s+at /m);
    const narrow = await cli(['live', 'actors', '--placement-check', 'unplaced'], 'narrow');
    expect(narrow.code).toBe(1);
    expect(narrow.stderr).toContain('"placements.read"');
    expect(narrow.stdout).not.toContain('loose');
    const json = JSON.parse((await cli(['live', 'actors', '--placement-check', 'unplaced', '--json'], 'narrow')).stderr);
    expect(json.error).toMatchObject({ code: 'missing_ability', exit_code: 1, status: 403, problem: { ability: 'placements.read' } });
  });

  it('is in the usage of live actors', async () => {
    const help = await cli(['live', '--help']);
    expect(help.stdout).toMatch(/orgonaut live actors .*\[--placement-check over_allocated\|under_allocated\|unplaced\|no_primary\]/);
  });
});

describe('orgonaut live metrics', () => {
  it('prints how many actors fail each placement check across the organisation, and how to list them', async () => {
    const whole = await cli(['live', 'metrics', '--as-of', AS_OF]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/^Placement checks\s+1 over-allocated \(over 100 %\), 1 under-allocated \(under 100 %\), 1 unplaced, 1 without a primary placement$/m);
    expect(whole.stderr).toContain('orgonaut live actors --placement-check <check>');
    // A unit's metrics say the counts are the organisation's, not the unit's.
    const sales = await cli(['live', 'metrics', '--as-of', AS_OF, '--unit', 'Sales']);
    expect(sales.stdout).toMatch(/^Placement checks\s+1 over-allocated .*, 1 without a primary placement \(whole organisation\)$/m);
    const inScenario = await cli(['live', 'metrics', '--as-of', AS_OF, '--scenario', scenarioId]);
    expect(inScenario.stdout).toMatch(/^Placement checks\s+2 over-allocated /m);
    const json = JSON.parse((await cli(['live', 'metrics', '--as-of', AS_OF, '--json'])).stdout);
    expect(json.data.placement_checks).toEqual({ no_primary: 1, over_allocated: 1, under_allocated: 1, unplaced: 1 });
  });
});

describe('orgonaut scenario delta', () => {
  it('labels a placement check that moved, and carries them all in --json', async () => {
    const delta = await cli(['scenario', 'delta', scenarioId, '--as-of', AS_OF]);
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toMatch(/^Over-allocated \(actors\)\s+1\s+2\s+\+1$/m);
    // Checks that did not move are not listed, as no other unmoved metric is.
    expect(delta.stdout).not.toContain('Unplaced');
    const json = JSON.parse((await cli(['scenario', 'delta', scenarioId, '--as-of', AS_OF, '--json'])).stdout);
    expect(json.data.metrics.total).toMatchObject({ over_allocated: { from: 1, to: 2, delta: 1 }, unplaced: { from: 1, to: 1, delta: 0 } });
  });
});
