import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Role } from '../../src/access/bundles.js';
import { sortKeys } from '../../src/cli/client/output.js';
import type { Database } from '../../src/db/connection.js';
import { importRuns } from '../../src/db/schema/index.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { runCli, serveForCli, spawnCli, type CliResult, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { contextFor, memberToken, principalFor } from '../support/factories.js';
import { csvOf, importTenant, liveState } from '../imports/support.js';

/**
 * `orgonaut import` against a real HTTP server (as test/cli/cli.test.ts): upload a file, show the detected mapping
 * and the quarantine counts, start and `--wait` for the end; `--mapping`, `--target`, `--json`; `import status` and
 * `import list`; refusals with one clear line and the documented exit code.
 */

const SLUG = 'cliimport';

let database: Database;
let tenant: Tenant;
let app: TestApp;
let server: CliServer;
let url: string;
let dir: string;
const configs: Partial<Record<Role, string>> = {};
/** The paths the server was asked for, in order (what the CLI reads to say what it says). */
const requested: string[] = [];

/** `orgonaut <args>` signed in with `config`: in this process (runCli), or as a process (`spawned`, where that is under test). */
const cli = (args: string[], config: string) => runCli(args, config);
const spawned = (args: string[], config: string) => spawnCli(args, { ORGONAUT_CONFIG: config, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg') }).exited;

function expectOneLine(result: CliResult, code: number, pattern: RegExp) {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  // One error line; a usage mistake is followed by the usage lines.
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('orgonaut: '));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
}

async function signedIn(role: Role): Promise<string> {
  const token = await memberToken(database, tenant, role, { name: `cli ${role}` });
  const config = path.join(dir, `${role}.json`);
  const login = await cli(['auth', 'login', '--host', url, '--token', token], config);
  expect(login.code, login.stderr).toBe(0);
  return config;
}

const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  fs.writeFileSync(at, text);
  return at;
};

const PEOPLE = csvOf(
  ['Work Email', 'First Name', 'Last Name', 'Department', 'Team', 'Job Title', 'Manager Email', 'FTE', 'Grade Band'],
  [
    ['ceo@cli-imp.test', 'Cee', 'Oh', 'Executive', '', 'CEO', '', '1', 'L9'],
    ['ann@cli-imp.test', 'Ann', 'Lee', 'Engineering', 'Platform', 'Engineer', 'ceo@cli-imp.test', '1', 'L5'],
    ['bad@cli-imp.test', 'Bad', 'Fte', 'Engineering', 'Platform', 'Engineer', 'ceo@cli-imp.test', '9', 'L4'],
  ],
);

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant } = await importTenant(database, { slug: SLUG }));
  app = testApp(database);
  server = await serveForCli(app, SLUG, { onRequest: (u) => requested.push(u.pathname) });
  ({ url, dir } = server);
  configs.owner = await signedIn('owner');
  configs.viewer = await signedIn('viewer');
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

let runId: string;

describe('orgonaut import', () => {
  it('uploads a file, shows the detected mapping and quarantine counts, and with --wait follows the run to its end', async () => {
    // A real process, once: the upload, the wait and the exit as a shell sees them.
    const result = await spawned(['import', file('people.csv', PEOPLE), '--mapping', 'Grade Band=level', '--wait'], configs.owner!);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    const uploaded = /^Uploaded people\.csv: 3 rows, Orgonaut CSV format, into Live \(run ([0-9a-f-]{36})\)\.$/m.exec(out);
    expect(uploaded, out).not.toBeNull();
    runId = uploaded![1]!;
    expect(out).toMatch(/^COLUMN\s+HEADER\s+FIELD$/m);
    expect(out).toMatch(/^\s+0\s+Work Email\s+email$/m);
    expect(out).toMatch(/^\s+8\s+Grade Band\s+level$/m);
    expect(out).toContain('Preview: 2 of 3 rows would be imported (2 created, 0 updated, 0 unchanged); 1 would be quarantined.');
    // The reason in words with its code, and what to do about it (as the web review says it).
    expect(out).toMatch(/^QUARANTINE REASON\s+CODE\s+ROWS$/m);
    expect(out).toMatch(/^The FTE is not a valid number\s+invalid_fte\s+1$/m);
    expect(out).toContain('  The FTE is not a valid number: Use a number from 0.01 to 3.00 with at most two decimals');
    expect(out).toContain('Completed: 2 of 3 rows imported (2 created, 0 updated, 0 unchanged); 1 quarantined, 0 ignored.');
    expect(out).toContain(`Review the quarantined rows: ${url}/imports/${runId}/review`);
    expect(out).toMatch(/^Live is now version \d+; undo restores snapshot [0-9a-f-]{36}/m);
    expect((await liveState(database, tenant.id)).actors).toBe(2);
  });

  it('shows a run’s status and lists runs', async () => {
    const status = await cli(['import', 'status', runId], configs.owner!);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^Status\s+completed$/m);
    expect(status.stdout).toMatch(/^Progress\s+100%$/m);
    // Families in words and in the pipeline's order, as the run's page shows them (not the API's keys: orgUnits, reportingLines).
    expect(status.stdout).toMatch(/^People and other actors\s+2\s+0\s+0\s+1$/m);
    expect(status.stdout).toMatch(/^Reporting lines\s+1\s+0\s+0\s+0$/m);
    expect(status.stdout).not.toMatch(/orgUnits|reportingLines|^actors /m);
    const families = status.stdout.split('\n').map((line) => /^(Org units|Departments|Teams|People and other actors|Reporting lines|Placements|Positions|Compensation)\s/.exec(line)?.[1]).filter(Boolean);
    expect(families).toEqual(['Org units', 'Departments', 'Teams', 'People and other actors', 'Reporting lines', 'Placements', 'Positions', 'Compensation'].filter((f) => families.includes(f)));
    expect(families.length).toBeGreaterThanOrEqual(4);
    expect(status.stdout).toMatch(/^The FTE is not a valid number\s+invalid_fte\s+1$/m);
    expect(status.stdout).toContain('  The FTE is not a valid number: Use a number from 0.01 to 3.00');

    const json = await cli(['import', 'status', runId, '--json'], configs.owner!);
    const body = JSON.parse(json.stdout);
    expect(body.data).toMatchObject({ id: runId, status: 'completed', summary: { rows: { imported: 2, quarantined: 1 } } });
    expect(json.stdout).toBe(`${JSON.stringify(sortKeys(body), null, 2)}\n`);

    const list = await cli(['import', 'list', '--status', 'completed'], configs.owner!);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^FILE\s+SOURCE\s+STATUS\s+TARGET\s+ROWS\s+IMPORTED\s+QUARANTINED\s+CREATED\s+ID$/);
    expect(list.stdout).toMatch(new RegExp(`^people\\.csv\\s+upload\\s+completed\\s+Live\\s+3\\s+2\\s+1\\s+.*${runId}$`, 'm'));
    expect((await cli(['import', 'list', '--status', 'pending'], configs.owner!)).stdout.trim()).toBe('No imports yet.');
  });

  it('imports into a scenario with --target and prints the JSON with --json', async () => {
    const scenario = await createScenario(contextFor(database, tenant, principalFor(tenant, 'owner')), { name: 'CLI import plan' });
    // The scenario by its name, as people know it (its id works too).
    const result = await cli(['import', file('more.csv', 'email,name,department\nzed@cli-imp.test,Zed,Ops\n'), '--target', 'cli import plan', '--wait', '--json'], configs.owner!);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.data).toMatchObject({ status: 'completed', target: { kind: 'scenario', scenario_id: scenario.id }, summary: { rows: { created: 1 } } });
    expect(body.preview.counts.rows).toMatchObject({ total: 1, would_import: 1 });
    expect((await liveState(database, tenant.id)).actors).toBe(2);
    // The run's answer names its scenario.
    expect(body.data.target).toEqual({ kind: 'scenario', scenario_id: scenario.id, scenario_name: 'CLI import plan' });
    // In words, the target scenario is named, not given by id: the run's status and the list of runs — from the run's
    // answer, with no read of the scenario.
    requested.length = 0;
    const status = await cli(['import', 'status', body.data.id], configs.owner!);
    expect(status.stdout).toMatch(/^Target\s+scenario "CLI import plan"$/m);
    expect(status.stdout).toMatch(/^Scenario "CLI import plan": \d+ records changed/m);
    const list = await cli(['import', 'list', '--status', 'completed'], configs.owner!);
    expect(list.stdout).toMatch(/^more\.csv\s.*\sscenario "CLI import plan"\s/m);
    expect(list.stdout).not.toContain(`scenario ${scenario.id}`);
    expect(requested.filter((p) => p.startsWith('/api/v1/scenarios'))).toEqual([]);
    // Without scenarios.read, the name is not given (the id still is).
    const blind = await memberToken(database, tenant, 'owner', { abilities: ALL_ABILITIES.filter((a) => a !== 'scenarios.read') });
    const response = await app.app.request(`/api/v1/imports/${body.data.id}`, { headers: { host: `${SLUG}.localhost`, authorization: `Bearer ${blind}` } });
    expect(((await response.json()) as { data: { target: unknown } }).data.target).toEqual({ kind: 'scenario', scenario_id: scenario.id, scenario_name: null });
  });

  it('starts without waiting and says how to follow the run', async () => {
    const result = await cli(['import', file('again.csv', PEOPLE)], configs.owner!);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Started import [0-9a-f-]{36} \(processing\)\.$/m);
    expect(result.stderr).toMatch(/Follow it with: orgonaut import status [0-9a-f-]{36}/);
    const id = /Started import ([0-9a-f-]{36})/.exec(result.stdout)![1]!;
    for (let i = 0; i < 400; i++) {
      const [run] = await database.db.select({ status: importRuns.status }).from(importRuns).where(eq(importRuns.id, id));
      if (run!.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  it('does not start a file none of whose rows would be imported, and says how to fix it', async () => {
    const before = await liveState(database, tenant.id);
    const result = await cli(['import', file('names-only.csv', 'email,name\nnodept@cli-imp.test,No Dept\nnodept2@cli-imp.test,No Dept 2\n'), '--wait'], configs.owner!);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Preview: 0 of 2 rows would be imported');
    expect(result.stderr).toContain('orgonaut: nothing to import: all 2 rows would be quarantined.');
    const id = /The run ([0-9a-f-]{36}) was uploaded but not started/.exec(result.stderr)?.[1];
    expect(id, result.stderr).toBeDefined();
    expect(result.stderr).toContain(`${url}/imports/${id}`);
    const [run] = await database.db.select({ status: importRuns.status }).from(importRuns).where(eq(importRuns.id, id!));
    expect(run!.status).toBe('pending');
    expect(await liveState(database, tenant.id)).toEqual(before);
  });

  it('checks how --mapping is written before uploading anything, naming --mapping and its form', async () => {
    const runsBefore = (await database.db.select({ id: importRuns.id }).from(importRuns)).length;
    for (const spec of ['Work Email=email;Title=job_title', 'Work Email==email', 'Work Email', 'Work Email=e-mail', 'FTE=fte,fte=-']) {
      const result = await cli(['import', file('m.csv', PEOPLE), '--mapping', spec], configs.owner!);
      expectOneLine(result, 2, /^orgonaut: --mapping.*write it as --mapping "<header>=<field>,<header>=<field>"/);
      expect(result.stderr, spec).not.toContain('was uploaded');
    }
    expect((await database.db.select({ id: importRuns.id }).from(importRuns)).length).toBe(runsBefore);
  });

  it('says before starting, naming --mapping, when the --mapping given leaves no identity column (not the API’s words at start)', async () => {
    const before = await liveState(database, tenant.id);
    const result = await cli(['import', file('noid.csv', PEOPLE), '--mapping', 'Work Email=-'], configs.owner!);
    expectOneLine(result, 2, /^orgonaut: the --mapping given leaves no identity column mapped: map email .*--mapping "<header>=email"/);
    expect(result.stderr).not.toContain('Correct "mapping"');
    const id = /The run ([0-9a-f-]{36}) was uploaded but not started/.exec(result.stderr)?.[1];
    const [run] = await database.db.select({ status: importRuns.status }).from(importRuns).where(eq(importRuns.id, id!));
    expect(run!.status).toBe('pending');
    expect(await liveState(database, tenant.id)).toEqual(before);
  });

  it('refuses mistakes with one clear line and the documented exit code', async () => {
    expectOneLine(await cli(['import', path.join(dir, 'nope.csv')], configs.owner!), 2, /cannot read .*nope\.csv: no such file/);
    expectOneLine(await cli(['import', file('x.csv', PEOPLE), '--mapping', 'FTE=colour'], configs.owner!), 2, /"colour" is not an import field/);
    // A column the file lacks is named, with the file's columns, before anything is uploaded: no run is left behind.
    const runsBefore = (await database.db.select({ id: importRuns.id }).from(importRuns).where(eq(importRuns.tenantId, tenant.id))).length;
    const lacking = await cli(['import', file('y.csv', PEOPLE), '--mapping', 'Work Email=email,Nickname=name'], configs.owner!);
    expectOneLine(lacking, 2, /^orgonaut: --mapping: the file has no column "Nickname"; its 9 columns are "Work Email", "First Name", .*"Grade Band" \(name one by its header or its 0-based number, 0 to 8\)$/);
    expect(lacking.stderr).not.toContain('was uploaded');
    expect((await database.db.select({ id: importRuns.id }).from(importRuns).where(eq(importRuns.tenantId, tenant.id))).length).toBe(runsBefore);
    expectOneLine(await cli(['import', 'status'], configs.owner!), 2, /missing <run-id>/);
    expectOneLine(await cli(['import', file('people.xlsx', 'x')], configs.owner!), 2, /upload a \.csv or \.txt file.*\(HTTP 422 unsupported_file_type\)$/);
    expectOneLine(await cli(['import', file('z.csv', PEOPLE)], configs.viewer!), 1, /"imports\.manage" ability.*\(HTTP 403 missing_ability\)$/);
    expectOneLine(await cli(['import', 'status', '00000000-0000-4000-8000-000000000000'], configs.owner!), 1, /not found.*\(HTTP 404 not_found\)$/);
  });

  it('gives a script a code it can act on for a name the CLI could not find, not a bare "error"', async () => {
    const missing = await cli(['import', file('n.csv', PEOPLE), '--target', 'No such plan', '--json'], configs.owner!);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'not_found', exit_code: 2, message: expect.stringContaining('no scenario or snapshot is named "No such plan"') } });
  });
});

describe('orgonaut import --wait, out of time', () => {
  it('says the import is still running, with its run and the command to keep polling with, and exits 5 (not 1 or 0)', async () => {
    const waited = await cli(['import', file('late.csv', PEOPLE.replaceAll('cli-imp.test', 'late.test')), '--wait', '--timeout', '0'], configs.owner!);
    const runOf = / \(run ([0-9a-f-]{36})\)\.$/m.exec(waited.stdout)?.[1];
    expect(runOf, waited.stdout).toBeDefined();
    // Polled to its end, so the database is not closed under a running import.
    let status = '';
    for (let i = 0; i < 200 && !['completed', 'failed'].includes(status); i++) {
      status = JSON.parse((await cli(['import', 'status', runOf!, '--json'], configs.owner!)).stdout).data.status;
      if (!['completed', 'failed'].includes(status)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(waited.code, waited.stderr).toBe(5);
    expect(waited.stderr).toMatch(new RegExp(`^orgonaut: the import is still \\w+ after 0 s \\(run ${runOf}\\); it goes on without --wait\\. Keep polling with: orgonaut import status ${runOf}$`, 'm'));
    expect(status).toBe('completed');
  });
});
