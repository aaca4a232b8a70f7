import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { departments } from '../../src/db/schema/index.js';
import { createType, listTypes } from '../../src/tenancy/settings.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * `orgonaut refs department-types|team-types rename|remove`, against the app on a loopback port: a type named by
 * its name or id is renamed or removed; a taken name, a type in use and a missing ability are the API's refusals
 * (what and what to do), exit 1, and change nothing.
 */

const SLUG = 'clitypes';
const { units } = fixtureIds('cli-types');
let database: Database;
let tenant: Tenant;
let ctx: ServiceContext;
let server: CliServer;
let url: string;
let dir: string;

const orgonaut = (args: string[], config = 'admin') => runCli(args, path.join(dir, `${config}.json`));
const names = async (kind: 'department' | 'team') => (await listTypes(ctx, kind)).map((t) => t.name);

beforeAll(async () => {
  database = await testDatabase();
  tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business', name: 'Types Co' }), buildFixtureOrg('cli-types'));
  const app = testApp(database);
  ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  server = await serveForCli(app, SLUG);
  ({ url, dir } = server);
  for (const role of ['admin', 'manager'] as const) {
    const token = await tokenOf(database, tenant, await buildMember(database, tenant, role), role);
    const login = await orgonaut(['auth', 'login', '--host', url, '--token', token], role);
    expect(login.code, login.stderr).toBe(0);
  }
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut refs … rename', () => {
  it('renames a department type given by name, and a team type given by id (--json: the API’s answer)', async () => {
    const type = await createType(ctx, 'department', 'Go to market');
    const renamed = await orgonaut(['refs', 'department-types', 'rename', 'go to market', 'Go-to-market']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout.trim()).toBe(`Renamed department type "Go to market" to "Go-to-market" (${type.id}).`);
    expect(await names('department')).toContain('Go-to-market');
    expect(await names('department')).not.toContain('Go to market');

    const team = await createType(ctx, 'team', 'Stream aligned');
    const json = await orgonaut(['refs', 'team-types', 'rename', team.id, 'Stream-aligned', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ data: { id: team.id, name: 'Stream-aligned' } });
  });

  it('refuses a name another type has, saying so, exit 1; an unknown type is one line naming the types, exit 2', async () => {
    await createType(ctx, 'team', 'Platform');
    await createType(ctx, 'team', 'Enabling');
    const taken = await orgonaut(['refs', 'team-types', 'rename', 'Enabling', 'platform']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('A team type named "Platform" already exists.');
    expect(taken.stderr).toContain('Use the existing type, or choose another name.');
    expect(await names('team')).toEqual(expect.arrayContaining(['Platform', 'Enabling']));

    const unknown = await orgonaut(['refs', 'team-types', 'rename', 'Guilds', 'Guild']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^orgonaut: no team type is named "Guilds"\. Give the name or id of one of the team types: .*"Enabling"/);

    const missing = await orgonaut(['refs', 'team-types', 'rename', 'Enabling']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing <new name>');
  });
});

describe('orgonaut refs … remove', () => {
  it('removes a type nothing has, and refuses one a department has with what to do (exit 1), keeping it', async () => {
    const guild = await createType(ctx, 'team', 'Guild');
    const removed = await orgonaut(['refs', 'team-types', 'remove', 'Guild']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout.trim()).toBe(`Removed team type "Guild" (${guild.id}).`);
    expect(await names('team')).not.toContain('Guild');

    const used = await createType(ctx, 'department', 'Engineering function');
    await ctx.db
      .update(departments)
      .set({ departmentTypeId: used.id })
      .where(and(eq(departments.tenantId, tenant.id), eq(departments.orgUnitId, units.E), isNull(departments.versionTo)));
    const refused = await orgonaut(['refs', 'department-types', 'remove', used.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The department type "Engineering function" is in use, so it cannot be removed: 1 department in Live.');
    expect(refused.stderr).toContain('Give those departments another type first (or rename this one instead).');
    expect(await names('department')).toContain('Engineering function');
  });

  it('is refused for a member without settings.manage, naming the ability, exit 1', async () => {
    await createType(ctx, 'team', 'Chapter');
    for (const args of [['refs', 'team-types', 'remove', 'Chapter'], ['refs', 'team-types', 'rename', 'Chapter', 'Tribe']]) {
      const refused = await orgonaut(args, 'manager');
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain('settings.manage');
    }
    expect(await names('team')).toContain('Chapter');
  });
});
