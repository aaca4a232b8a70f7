import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * What a new user meets walking through the client commands (in this process, against the app on a loopback port):
 * times people read, the activity log naming who and where, and a bad input file refused in one line.
 */

const SLUG = 'cliwalk';
const { id } = fixtureIds('cli-walk');
let database: Database;
let tenant: Tenant;
let server: CliServer;
let url: string;
let dir: string;
let owner: string;

/** Runs `orgonaut <args>` with the sign-in in `config`, capturing what it prints and its exit code. */
const orgonaut = (args: string[], config = 'owner') => runCli(args, path.join(dir, `${config}.json`));

async function signIn(config: string, token: string) {
  const login = await orgonaut(['auth', 'login', '--host', url, '--token', token], config);
  expect(login.code, login.stderr).toBe(0);
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business', name: 'Walk Co' }), buildFixtureOrg('cli-walk'));
  const app = testApp(database);
  const user = await buildMember(database, tenant, 'owner');
  owner = await tokenOf(database, tenant, user, 'owner');
  server = await serveForCli(app, SLUG);
  ({ url, dir } = server);
  await signIn('owner', owner);
  // Activity only (no scenarios.read): the log cannot name scenarios, and still lists what happened.
  await signIn('auditor', await tokenOf(database, tenant, user, 'owner', { name: 'auditor', abilities: ['activity.read'] }));
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut walked through by a new user', () => {
  let scenario: string;

  it('finds the quarantine review among the commands: the import group’s summary and its usage name it', async () => {
    const commands = await orgonaut(['commands']);
    expect(commands.code, commands.stderr).toBe(0);
    expect(commands.stdout).toMatch(/^import\s+CSV imports: .*review the quarantine: list, fix, ignore, reprocess$/m);
    const help = await orgonaut(['import', '--help']);
    for (const line of ['orgonaut import quarantine <run-id>', 'orgonaut import fix <run-id> <row> --set <field>=<value>', 'orgonaut import ignore <run-id> <row>', 'orgonaut import reprocess <run-id> [--wait']) {
      expect(help.stdout).toContain(line);
    }
  });

  it('finds renaming and removing a type among the reference lists: the refs group’s summary and its usage name them', async () => {
    const commands = await orgonaut(['commands']);
    expect(commands.stdout).toMatch(/^refs\s+Reference lists: department types, team types \(search, create, rename, remove\), currencies$/m);
    const help = await orgonaut(['refs', '--help']);
    expect(help.stdout).toContain('orgonaut refs department-types|team-types rename <id|name> "<new name>"');
    expect(help.stdout).toContain('orgonaut refs department-types|team-types remove <id|name>');
    const renamed = await orgonaut(['refs', 'department-types', 'rename', 'Nothing like it', 'Something']);
    expect(renamed.code).toBe(2);
    expect(renamed.stderr.trim()).toBe('orgonaut: no department type is named "Nothing like it". Give the name or id of one of the department types (none yet: create one with "orgonaut refs department-types --create <name>").');
  });

  it('finds reporting lines and compensation among the live reads: the group’s summary and its usage name them', async () => {
    const commands = await orgonaut(['commands']);
    expect(commands.stdout).toMatch(/^live\s+Read Live .*placements, reporting lines, compensation, metrics$/m);
    const help = await orgonaut(['live', '--help']);
    expect(help.stdout).toContain('orgonaut live reporting-lines [--manager <actor>] [--actor <actor>]');
    expect(help.stdout).toContain('orgonaut live compensation [--actor <actor>]');
    const lines = await orgonaut(['live', 'reporting-lines', '--manager', 'ceo']);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toMatch(/^eng_head\s+ceo\s/m);
  });

  it('shows a scenario’s times as people read them, in UTC, not as raw ISO timestamps', async () => {
    const created = await orgonaut(['scenario', 'create', 'Walk plan', '--json']);
    expect(created.code, created.stderr).toBe(0);
    scenario = JSON.parse(created.stdout).data.id;
    fs.writeFileSync(path.join(dir, 'fte.json'), JSON.stringify({ changes: [{ op: 'set_fte', actor_id: id('ceo'), fte: 0.9 }] }));
    expect((await orgonaut(['scenario', 'apply', scenario, path.join(dir, 'fte.json')])).code).toBe(0);
    expect((await orgonaut(['scenario', 'submit', scenario])).code).toBe(0);
    const shown = await orgonaut(['scenario', 'show', scenario]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^State\s+active, submitted \d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
    expect(shown.stdout).toMatch(/^Created\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
    expect(shown.stdout).toMatch(/^Updated\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
    expect(shown.stdout).not.toMatch(/\d\dT\d\d:/);
  });

  it('lists a scenario’s changes with the value each field had and has now', async () => {
    const changes = await orgonaut(['scenario', 'changes', scenario]);
    expect(changes.code, changes.stderr).toBe(0);
    // The record by name, as the delta names it.
    expect(changes.stdout).toMatch(/^Actor\s+change\s+ceo\s+FTE: 1\.00 → 0\.90$/m);
    expect(changes.stdout).not.toContain(id('ceo'));
  });

  it('names a delta’s metrics in words and prints its FTE as every command does, with two decimals', async () => {
    const delta = await orgonaut(['scenario', 'delta', scenario]);
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout).toMatch(/^Actor\s+~\s+ceo\s+FTE: 1\.00 → 0\.90$/m);
    const total = JSON.parse((await orgonaut(['scenario', 'delta', scenario, '--json'])).stdout).data.metrics.total;
    const two = (n: number) => n.toFixed(2);
    expect(delta.stdout).toMatch(new RegExp(`^FTE\\s+${two(total.fte.from)}\\s+${two(total.fte.to)}\\s+-0\\.10$`, 'm'));
    expect(delta.stdout).toMatch(new RegExp(`^Effective FTE\\s+${two(total.effective_fte.from)}\\s+${two(total.effective_fte.to)}\\s+-0\\.10$`, 'm'));
    const metrics = delta.stdout.slice(delta.stdout.indexOf('\nMETRIC'));
    expect(metrics).toMatch(/^\nMETRIC\s+FROM\s+TO\s+DELTA\n/);
    // No API key (effective_fte, annual_cost_minor, spanAverage) where a person reads the metric's name.
    for (const line of metrics.trim().split('\n').slice(1)) expect(line.split(/\s{2,}/)[0], line).toMatch(/^[A-Z][a-z]*( [A-Za-z()]+)*$|^FTE$|^Effective FTE$/);
  });

  it('prints FTE with two decimals in every table and summary, so a column of them lines up', async () => {
    /** The cells of a right-aligned column (by where its header ends). */
    const column = (stdout: string, header: string) => {
      const [head, ...rows] = stdout.trimEnd().split('\n');
      const end = head!.indexOf(header) + header.length;
      expect(end, head).toBeGreaterThan(header.length - 1);
      return rows.map((row) => row.slice(0, end).split(' ').pop()!);
    };
    for (const [args, header] of [
      [['live', 'actors'], 'FTE'],
      [['live', 'departments'], 'FTE'],
      [['live', 'positions'], 'PLANNED FTE'],
      [['live', 'placements'], 'EFF FTE'],
      [['live', 'tree'], 'FTE'],
      [['report', 'roster'], 'FTE'],
      [['report', 'metrics'], 'FTE'],
      [['live', 'actors', '--scenario', scenario], 'FTE'],
    ] as const) {
      const shown = await orgonaut([...args]);
      expect(shown.code, shown.stderr).toBe(0);
      const cells = column(shown.stdout, header);
      expect(cells.length, args.join(' ')).toBeGreaterThan(0);
      for (const cell of cells) expect(cell, `${args.join(' ')}: ${shown.stdout}`).toMatch(/^(\d+\.\d\d|-)$/);
    }
    const actors = await orgonaut(['live', 'actors', '--scenario', scenario]);
    expect(actors.stdout).toMatch(/^ceo\s+human\s+Chief Executive\s+Fixture Co\s+-\s+0\.90\s/m);
    expect(actors.stdout).toMatch(/^p2\s+human\s+-\s+Platform\s+eng_head\s+0\.50\s/m);
    expect(actors.stdout).toMatch(/^p1\s+human\s+-\s+Platform\s+eng_head\s+1\.00\s/m);
    const metrics = await orgonaut(['live', 'metrics']);
    const figures = JSON.parse((await orgonaut(['live', 'metrics', '--json'])).stdout).data.metrics;
    expect(metrics.stdout).toMatch(new RegExp(`^FTE\\s+${figures.fte.toFixed(2)}$`, 'm'));
    expect(metrics.stdout).toMatch(new RegExp(`^Effective FTE\\s+${figures.effective_fte.toFixed(2)}$`, 'm'));
  });

  it('names in the activity log the person changed, the scenario acted on, and where each change was made', async () => {
    const log = await orgonaut(['report', 'activity', '--category', 'model']);
    expect(log.code, log.stderr).toBe(0);
    const lines = log.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AT\s+WHO\s+ACTION\s+RECORD\s+IN\s+CHANGED$/);
    const row = (action: string) => lines.find((line) => line.includes(action)) ?? '';
    // The actor by their name (`display_name` in the log), not by their title (Chief Executive); in the scenario.
    // What changed named as a change names it (`FTE`), not by the API's key.
    expect(row('actor updated')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+\S+\s+actor updated\s+ceo\s+scenario Walk plan\s+FTE$/);
    expect(row('scenario submitted')).toMatch(/scenario submitted\s+Walk plan\s+scenario Walk plan\s/);
    expect(log.stdout).not.toContain('Chief Executive');
    expect(log.stdout).not.toMatch(/\d\dT\d\d:/);
  });

  it('still lists the activity, by scenario id, for a credential that may not read scenarios', async () => {
    const log = await orgonaut(['report', 'activity', '--category', 'model'], 'auditor');
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toMatch(new RegExp(`actor updated\\s+ceo\\s+scenario ${scenario}\\s+FTE`));
  });

  it('leaves out the IN column for security events, which are not made in Live or a scenario', async () => {
    const log = await orgonaut(['report', 'activity', '--category', 'security']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout.split('\n')[0]).toMatch(/^AT\s+WHO\s+ACTION\s+RECORD\s+CHANGED$/);
    // Actions in words, not the API's keys (`api_token created`).
    expect(log.stdout).toMatch(/\sapi token created\s/);
    expect(log.stdout.split('\n').slice(1).join('\n')).not.toMatch(/\w_\w/);
  });

  it('refuses a change file it cannot use in one line, exit 2, without the usage of a command written correctly', async () => {
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"changes": [');
    for (const [file, says] of [
      [path.join(dir, 'broken.json'), /^orgonaut: \S+broken\.json is not valid JSON \(.+\)$/],
      [path.join(dir, 'missing.json'), /^orgonaut: cannot read \S+missing\.json: no such file$/],
    ] as const) {
      const refused = await orgonaut(['scenario', 'apply', scenario, file]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim().split('\n'), refused.stderr).toHaveLength(1);
      expect(refused.stderr.trim()).toMatch(says);
    }
    // A command written wrongly still gets its usage.
    const wrong = await orgonaut(['scenario', 'apply', scenario]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Usage:\n  orgonaut scenario list');
  });

  it('refuses an option of another subcommand instead of ignoring it, naming the options this one takes', async () => {
    for (const [args, says] of [
      [['live', 'tree', '--search', 'Platform'], 'orgonaut: --search is not an option of "live tree" (it takes --depth, --type, --root, --scenario, --as-of)'],
      [['live', 'departments', '--team-type', 'Platform'], 'orgonaut: --team-type is not an option of "live departments" (it takes --search, --include-inactive, --scenario, --as-of, --limit, --cursor, --all)'],
      [['scenario', 'show', scenario, '--all'], 'orgonaut: --all is not an option of "scenario show" (it takes none but --json)'],
      [['auth', 'status', '--revoke'], 'orgonaut: --revoke is not an option of "auth status" (it takes none but --json)'],
    ] as const) {
      const refused = await orgonaut([...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.split('\n')[0]).toBe(says);
    }
    // Options of the subcommand's own usage line still work, and a misspelt one is still "unknown".
    expect((await orgonaut(['live', 'tree', '--depth', '1'])).code).toBe(0);
    expect((await orgonaut(['live', 'tree', '--dept', '1'])).stderr.split('\n')[0]).toBe('orgonaut: unknown option --dept (did you mean --depth?)');
  });

  it('follows a promotion with tasks list and tasks show, and says its delta is against the snapshot of the Live it replaced', async () => {
    expect((await orgonaut(['tasks', 'list'])).stdout.trim()).toBe('No background tasks yet.');
    const promoted = await orgonaut(['scenario', 'promote', scenario, '--wait']);
    expect(promoted.code, promoted.stderr).toBe(0);
    const taskId = promoted.stdout.match(/\(task ([0-9a-f-]{36})\)/)![1]!;
    const listed = await orgonaut(['tasks', 'list', '--kind', 'promotion', '--status', 'succeeded']);
    expect(listed.code, listed.stderr).toBe(0);
    // Which scenario each task is about, by name (the API gives its id).
    expect(promoted.stdout).toMatch(/^Promoted "Walk plan": Live now includes it \(task /m);
    expect(listed.stdout).toMatch(/^KIND\s+STATUS\s+SCENARIO\s+CREATED\s+FINISHED\s+ERROR\s+ID$/m);
    expect(listed.stdout).toMatch(new RegExp(`^promotion\\s+succeeded\\s+Walk plan\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\s+.+\\s+-\\s+${taskId}$`, 'm'));
    expect((await orgonaut(['tasks', 'list', '--status', 'failed'])).stdout.trim()).toBe('No tasks match.');
    const ofScenario = await orgonaut(['scenario', 'tasks', scenario, '--kind', 'promotion', '--limit', '1']);
    expect(ofScenario.code, ofScenario.stderr).toBe(0);
    expect(ofScenario.stdout).toContain(taskId);
    const bad = await orgonaut(['tasks', 'list', '--status', 'done']);
    expect(bad.code).toBe(2);
    // Named as typed (--status), not as the API's parameter.
    expect(bad.stderr.trim()).toBe('orgonaut: Invalid --status: must be one of pending, running, succeeded, failed. Correct --status and try again. (HTTP 400 invalid_input)');
    const shown = await orgonaut(['tasks', 'show', taskId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Status\s+succeeded$/m);
    expect(shown.stdout).toMatch(/^FTE change\s+-0\.10$/m);
    // The scenario and the snapshot taken by name, not by id.
    expect(shown.stdout).toMatch(/^Scenario\s+"Walk plan"$/m);
    expect(shown.stdout).toMatch(/^Snapshot taken\s+"Live before promoting “Walk plan”"$/m);
    const delta = await orgonaut(['scenario', 'delta', scenario, '--compare', 'promotion']);
    expect(delta.code, delta.stderr).toBe(0);
    expect(delta.stdout.split('\n')[0]).toMatch(/^Delta of "Walk plan" against the snapshot "Live before promoting “Walk plan”" \(what the promotion changed\), as of \d{4}-\d\d-\d\d$/);
  });

  it('lists in the activity log only the fields an update changed, not what a creation or a promotion reported', async () => {
    const log = await orgonaut(['report', 'activity', '--category', 'model']);
    expect(log.code, log.stderr).toBe(0);
    const row = (action: string) => log.stdout.split('\n').find((line) => line.includes(action)) ?? '';
    expect(row('scenario promoted')).toMatch(/scenario promoted\s+Walk plan\s+scenario Walk plan\s+-$/);
    expect(row('scenario created')).toMatch(/scenario created\s+Walk plan\s+scenario Walk plan\s+-$/);
    expect(log.stdout).not.toMatch(/snapshot_id|live_version|_minor/);
    expect(row('actor updated')).toMatch(/actor updated\s+ceo\s+scenario Walk plan\s+FTE$/);
  });

  it('names a refused value by the option it was typed as (--as-of, --depth), not by the API’s parameter (as_of)', async () => {
    const date = await orgonaut(['live', 'actors', '--as-of', '2026-13-01']);
    expect(date.code).toBe(2);
    expect(date.stderr.trim()).toBe('orgonaut: Invalid --as-of: must be a real date written YYYY-MM-DD. Correct --as-of and try again. (HTTP 400 invalid_input)');
    const depth = await orgonaut(['live', 'tree', '--depth', '0']);
    expect(depth.stderr.trim()).toBe('orgonaut: Invalid --depth: must be a whole number from 1 to 50. Correct --depth and try again. (HTTP 400 invalid_input)');
    // --json keeps the API's problem as it came (field as_of), with the message as printed.
    const json = JSON.parse((await orgonaut(['live', 'actors', '--as-of', '2026-13-01', '--json'])).stderr).error;
    expect(json).toMatchObject({ exit_code: 2, status: 400, problem: { field: 'as_of', detail: 'Invalid as_of: must be a real date written YYYY-MM-DD' } });
    expect(json.message).toContain('Invalid --as-of');
  });

  it('takes a team type by name in live teams --team-type, and names the team types when there is none of that name', async () => {
    const none = await orgonaut(['live', 'teams', '--team-type', 'Platform']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe('orgonaut: no team type is named "Platform". Give --team-type the name or id of one of the team types (none yet: create one with "orgonaut refs team-types --create <name>").');
    expect((await orgonaut(['refs', 'team-types', '--create', 'Platform'])).code).toBe(0);
    expect((await orgonaut(['refs', 'team-types', '--create', 'Enabling'])).code).toBe(0);
    const unknown = await orgonaut(['live', 'teams', '--team-type', 'Stream']);
    expect(unknown.stderr.trim()).toBe('orgonaut: no team type is named "Stream". Give --team-type the name or id of one of the team types: "Enabling", "Platform".');
    // By name, case aside: no team of the fixture has a type yet, so none is listed; without the filter all are.
    const typed = await orgonaut(['live', 'teams', '--team-type', 'platform']);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout.trim()).toBe('Nothing to show.');
    expect((await orgonaut(['live', 'teams'])).stdout).toMatch(/^Platform\s/m);
  });
});
