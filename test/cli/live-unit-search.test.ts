import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';

/** `orgonaut live departments|teams --search <words>`: the name search `live units --search` has, sent as `q`. */

const SLUG = 'cliunitsearch';

let database: Database;
let server: ServerType;
let dir: string;
const requested: URL[] = [];

const config = () => path.join(dir, 'owner.json');
const cli = (args: string[]) => runCli(args, config());
const firstColumn = (stdout: string) => stdout.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-cli-unit-search-'));
  database = await testDatabase();
  const tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), buildFixtureOrg('cli-unit-search'));
  const app = testApp(database);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (request: Request) => (requested.push(new URL(request.url)), app.app.fetch(request)), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const host = `http://${SLUG}.localhost:${(server.address() as AddressInfo).port}`;
  const owner = await buildMember(database, tenant, 'owner');
  const token = await tokenOf(database, tenant, owner, 'owner', { name: 'cli' });
  fs.writeFileSync(config(), JSON.stringify({ host, tenant: SLUG, token, user: owner.email, created_at: new Date().toISOString() }), { mode: 0o600 });
});

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await database?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
