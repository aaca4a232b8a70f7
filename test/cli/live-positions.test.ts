import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * `orgonaut live positions` takes the filters GET /api/v1/positions has: `--no-budgeted-team` (the seats in no unit's
 * list), `--ids`, `--include-inactive`, beside `--unit` and `--status` — against a running server. (Fixture: pos_p1
 * filled in Platform, pos_m_open vacant in Mobile, pos_f_open vacant in F; added here: a seat with no budgeted team,
 * and one that ended.)
 */

const SLUG = 'clilivepositions';
const SALT = 'cli-live-positions';
const { id } = fixtureIds(SALT);

let database: Database;
let server: CliServer;
const requested: URL[] = [];

const cli = (args: string[]) => runCli(args, path.join(server.dir, 'owner.json'));
/** The TITLE column of a table (titles here have no spaces). */
const titles = (stdout: string) => stdout.split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]);
const lastQuery = () => requested.filter((u) => u.pathname === '/api/v1/positions').at(-1)!.searchParams;

beforeAll(async () => {
  database = await testDatabase();
  const graph = buildFixtureOrg(SALT);
  const seat = { roleType: null, plannedFte: 1, employmentType: 'perm' as const, targetSalaryMinor: 12_000_000, dayRateMinor: null, currency: 'EUR', validFrom: null };
  graph.positions.set(id('head_of_data'), { ...seat, id: id('head_of_data'), title: 'Head-of-data', orgUnitId: null, validTo: null });
  graph.positions.set(id('old_seat'), { ...seat, id: id('old_seat'), title: 'Old-seat', orgUnitId: null, validFrom: '2024-01-01', validTo: '2025-01-01' });
  const tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), graph);
  server = await serveForCli(testApp(database), SLUG, { onRequest: (url) => requested.push(url) });
  const owner = await buildMember(database, tenant, 'owner');
  server.signIn('owner', await tokenOf(database, tenant, owner, 'owner', { name: 'cli' }), owner.email);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut live positions', () => {
  it('--no-budgeted-team lists only the seats with no budgeted team, as REST no_budgeted_team=true does', async () => {
    const all = await cli(['live', 'positions']);
    expect(all.code, all.stderr).toBe(0);
    expect(titles(all.stdout).sort()).toEqual(['Head-of-data', 'pos_f_open', 'pos_m_open', 'pos_p1']);
    const unbudgeted = await cli(['live', 'positions', '--no-budgeted-team']);
    expect(unbudgeted.code, unbudgeted.stderr).toBe(0);
    expect(lastQuery().get('no_budgeted_team')).toBe('true');
    expect(titles(unbudgeted.stdout)).toEqual(['Head-of-data']);
    expect(unbudgeted.stdout).toMatch(new RegExp(`^Head-of-data\\s+vacant\\s+1.00\\s+perm\\s+-\\s+${id('head_of_data')}$`, 'm'));
    const json = await cli(['live', 'positions', '--no-budgeted-team', '--json']);
    expect(JSON.parse(json.stdout).data).toEqual([expect.objectContaining({ id: id('head_of_data'), org_unit_id: null })]);
  });

  it('--include-inactive adds the seats that ended; --status and --ids narrow as on REST', async () => {
    const ended = await cli(['live', 'positions', '--no-budgeted-team', '--include-inactive']);
    expect(ended.code, ended.stderr).toBe(0);
    expect(lastQuery().get('include_inactive')).toBe('true');
    expect(titles(ended.stdout).sort()).toEqual(['Head-of-data', 'Old-seat']);
    const vacant = await cli(['live', 'positions', '--no-budgeted-team', '--status', 'vacant']);
    expect(titles(vacant.stdout)).toEqual(['Head-of-data']);
    const some = await cli(['live', 'positions', '--ids', `${id('pos_p1')},${id('head_of_data')}`]);
    expect(some.code, some.stderr).toBe(0);
    expect(lastQuery().get('ids')).toBe(`${id('pos_p1')},${id('head_of_data')}`);
    expect(titles(some.stdout).sort()).toEqual(['Head-of-data', 'pos_p1']);
  });

  it('with --unit as well is the server’s problem, in its words, and lists nothing', async () => {
    const both = await cli(['live', 'positions', '--no-budgeted-team', '--unit', 'Mobile']);
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toContain('leave org_unit_id out with it');
  });

  it('names the options in the help of live', async () => {
    const help = await cli(['live', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/live positions \[--unit <unit> \| --no-budgeted-team\] \[--status filled\|vacant\|closed\|open\] \[--ids <id>,<id>…\] \[--include-inactive\]/);
    // Refused on a list that has no such filter, naming the options live actors takes.
    const foreign = await cli(['live', 'actors', '--no-budgeted-team']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr.split('\n')[0]).toMatch(/^orgonaut: --no-budgeted-team is not an option of "live actors" \(it takes --kind, --unit/);
  });

  it('live placements --include-inactive is taken (it was sent but refused as unknown) and lists the ended placements too', async () => {
    const ended = await cli(['live', 'placements', '--include-inactive', '--json']);
    expect(ended.code, ended.stderr).toBe(0);
    expect(requested.filter((u) => u.pathname === '/api/v1/placements').at(-1)!.searchParams.get('include_inactive')).toBe('true');
    const current = await cli(['live', 'placements', '--json']);
    expect(JSON.parse(ended.stdout).data.length).toBeGreaterThan(JSON.parse(current.stdout).data.length);
  });
});
