import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';

/** `orgonaut live departments|teams --search <words>`: the name search `live units --search` has, sent as `q`. */

const SLUG = 'cliunitsearch';

let database: Database;
let server: CliServer;
let dir: string;
const requested: URL[] = [];

const config = () => path.join(dir, 'owner.json');
const cli = (args: string[]) => runCli(args, config());
const firstColumn = (stdout: string) => stdout.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), buildFixtureOrg('cli-unit-search'));
  const app = testApp(database);
  server = await serveForCli(app, SLUG, { onRequest: (url) => requested.push(url) });
  dir = server.dir;
  const owner = await buildMember(database, tenant, 'owner');
  const token = await tokenOf(database, tenant, owner, 'owner', { name: 'cli' });
  server.signIn('owner', token, owner.email);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut live departments|teams --search', () => {
  it('lists only the units whose name has the words', async () => {
    requested.length = 0;
    const teams = await cli(['live', 'teams', '--search', 'plat']);
    expect(teams.code, teams.stderr).toBe(0);
    expect(requested.find((u) => u.pathname === '/api/v1/teams')?.searchParams.get('q')).toBe('plat');
    expect(firstColumn(teams.stdout)).toEqual(['Platform']);
    const departments = await cli(['live', 'departments', '--search', 'SAL', '--json']);
    expect(departments.code, departments.stderr).toBe(0);
    expect(JSON.parse(departments.stdout).data.map((d: { name: string }) => d.name)).toEqual(['Sales']);
  });

  it('names --search among the options of live departments and live teams', async () => {
    const help = await cli(['live', '--help']);
    expect(help.stdout).toMatch(/live departments \[--search q\]/);
    expect(help.stdout).toMatch(/live teams \[--search q\]/);
  });
});
