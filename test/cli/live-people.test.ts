import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * `orgonaut live reporting-lines` and `orgonaut live compensation` over GET /api/v1/reporting-lines and
 * /api/v1/compensations, against a running server: people by name, pay as money, the filters REST has; compensation
 * without costs.read is one clear line naming the ability, exit 1. (Fixture: eng_head reports to ceo; p1, p2, m1 to
 * eng_head; former to eng_head until 2026-01-01; ceo paid 200,000.00 EUR a year, f1 a day rate of 500.00 EUR.)
 */

const SLUG = 'clilivepeople';
const SALT = 'cli-live-people';
const { id } = fixtureIds(SALT);

let database: Database;
let server: CliServer;

const cli = (args: string[], who = 'owner') => runCli(args, path.join(server.dir, `${who}.json`));

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), buildFixtureOrg(SALT));
  server = await serveForCli(testApp(database), SLUG);
  const owner = await buildMember(database, tenant, 'owner');
  server.signIn('owner', await tokenOf(database, tenant, owner, 'owner', { name: 'cli' }), owner.email);
  server.signIn('nopay', await tokenOf(database, tenant, owner, 'owner', { name: 'no pay', abilities: ALL_ABILITIES.filter((a) => a !== 'costs.read') }), owner.email);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut live reporting-lines', () => {
  it('lists who reports to whom, by name, with the days each line holds', async () => {
    const lines = await cli(['live', 'reporting-lines']);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout.split('\n')[0]).toMatch(/^ACTOR\s+MANAGER\s+FROM\s+TO\s+ID$/);
    expect(lines.stdout).toMatch(new RegExp(`^eng_head\\s+ceo\\s+2024-01-01\\s+-\\s+${id('rl-eng_head')}$`, 'm'));
    expect(lines.stdout).toMatch(/^f1\s+sales_head\s+2024-01-01\s/m);
    // Only lines in effect, unless asked.
    expect(lines.stdout).not.toMatch(/^former\s/m);
    expect((await cli(['live', 'reporting-lines', '--include-inactive'])).stdout).toMatch(/^former\s+eng_head\s+2024-01-01\s+2026-01-01\s/m);
  });

  it('filters by manager (their direct reports) and by actor, each by name or id', async () => {
    const reports = await cli(['live', 'reporting-lines', '--manager', 'eng_head']);
    expect(reports.code, reports.stderr).toBe(0);
    expect(reports.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]).sort()).toEqual(['m1', 'p1', 'p2']);
    const byId = await cli(['live', 'reporting-lines', '--actor', id('f2')]);
    expect(byId.stdout.split('\n').slice(1).filter(Boolean)).toHaveLength(1);
    expect(byId.stdout).toMatch(/^f2\s+sales_head\s/m);
    const json = JSON.parse((await cli(['live', 'reporting-lines', '--actor', 'f2', '--json'])).stdout);
    expect(json.data).toEqual([expect.objectContaining({ actor_id: id('f2'), manager_id: id('sales_head') })]);
    const unknown = await cli(['live', 'reporting-lines', '--manager', 'nobody-like-this']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^orgonaut: no actor is named "nobody-like-this"\. .*--manager/);
  });
});

describe('orgonaut live compensation', () => {
  it('lists pay records with the actor by name and the amount as money', async () => {
    const pay = await cli(['live', 'compensation']);
    expect(pay.code, pay.stderr).toBe(0);
    expect(pay.stdout.split('\n')[0]).toMatch(/^ACTOR\s+KIND\s+AMOUNT\s+FROM\s+TO\s+ID$/);
    expect(pay.stdout).toMatch(new RegExp(`^ceo\\s+salary\\s+200,000\\.00 EUR\\s+2024-01-01\\s+-\\s+${id('comp-ceo')}$`, 'm'));
    expect(pay.stdout).toMatch(/^f1\s+day_rate\s+500\.00 EUR\s/m);
    expect(pay.stdout).toMatch(/^sales_head\s+salary\s+120,000\.00 USD\s/m);
    const one = await cli(['live', 'compensation', '--actor', 'p2']);
    expect(one.stdout.split('\n').slice(1).filter(Boolean)).toEqual([expect.stringMatching(/^p2\s+salary\s+50,000\.00 EUR\s/)]);
  });

  it('says plainly that compensation needs costs.read when the token lacks it (exit 1), and --json keeps the problem', async () => {
    const refused = await cli(['live', 'compensation'], 'nopay');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const errors = refused.stderr.trim().split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^orgonaut: live compensation shows pay, which needs the "costs\.read" ability: this token does not have it\. .+\(HTTP 403 missing_ability\)$/);
    // Reporting lines need no costs.read.
    expect((await cli(['live', 'reporting-lines'], 'nopay')).code).toBe(0);
    const json = JSON.parse((await cli(['live', 'compensation', '--json'], 'nopay')).stderr).error;
    expect(json).toMatchObject({ code: 'missing_ability', exit_code: 1, status: 403, problem: { ability: 'costs.read' } });
  });
});
