import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { auditEvents, departments, teams } from '../../src/db/schema/index.js';
import { createType, listTypes } from '../../src/tenancy/settings.js';
import type { RequestOptions } from '../support/app.js';
import { buildTenant, contextFor, principalFor } from '../support/factories.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * PATCH and DELETE /api/v1/department-types/{id} and /api/v1/team-types/{id}: renaming and removing a type over REST,
 * with the same rules as Settings → Organisation (settings.manage; a taken name and a type in use are 409 problems
 * saying what to do; another tenant's type is not found). Audited.
 */

let site: FixtureSite;
let ctx: ServiceContext;
let admin: string;
let manager: string;
let theirs: ServiceContext;
const SALT = 'api-type-edits';
const { units } = fixtureIds(SALT);

const call = (path: string, options: RequestOptions = {}, token = admin) => site.api(path, { token, ...options });
const patch = (path: string, json: unknown, token = admin) => call(path, { method: 'PATCH', json }, token);
const remove = (path: string, token = admin) => call(path, { method: 'DELETE' }, token);
const names = async (c: ServiceContext, kind: 'department' | 'team') => (await listTypes(c, kind)).map((t) => t.name);

async function lastAudit(id: string) {
  const rows = await ctx.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, ctx.tenant.id), eq(auditEvents.entityId, id))).orderBy(auditEvents.at);
  return rows.at(-1);
}

async function documented(key: string, status: number) {
  const doc = (await (await site.app.request('/docs/api.json', { host: site.host })).json()) as any;
  const [method, path] = key.split(' ');
  return doc.paths[path!][method!.toLowerCase()].responses[status].content['application/problem+json'].example;
}
const sameBut = (real: any, example: any) => expect({ ...real, instance: 'x' }).toEqual({ ...example, instance: 'x' });

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apitypeedits', salt: SALT });
  ctx = site.ctx;
  admin = await site.token('admin');
  manager = await site.token('manager');
  const other = await buildTenant(site.database, { slug: 'apitypeeditsother', plan: 'business' });
  theirs = contextFor(site.database, other, principalFor(other, 'owner'), site.app.runtime.graphs);
});
afterAll(() => site?.database.close());

describe('renaming a type over REST', () => {
  it('renames a department type and a team type: the list reads the new name, audited with the old one', async () => {
    const type = await createType(ctx, 'department', 'Go to market');
    const renamed = await patch(`/api/v1/department-types/${type.id}`, { name: ' Go-to-market ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ data: { id: type.id, name: 'Go-to-market' } });
    expect(await names(ctx, 'department')).toContain('Go-to-market');
    expect(await names(ctx, 'department')).not.toContain('Go to market');
    expect(await lastAudit(type.id)).toMatchObject({ entityType: 'settings.department_type', action: 'updated', before: { name: 'Go to market' }, after: { name: 'Go-to-market' } });

    const team = await createType(ctx, 'team', 'Stream aligned');
    const listed = await call('/api/v1/team-types?q=stream');
    expect(listed.body.data).toEqual([{ id: team.id, name: 'Stream aligned' }]);
    expect((await patch(`/api/v1/team-types/${team.id}`, { name: 'Stream-aligned' })).body.data).toEqual({ id: team.id, name: 'Stream-aligned' });
    expect((await call('/api/v1/team-types?q=stream')).body.data).toEqual([{ id: team.id, name: 'Stream-aligned' }]);
  });

  it('refuses a name another type has (ignoring case) with a 409 naming it, and an empty name with a 400; nothing changes', async () => {
    const platform = await createType(ctx, 'team', 'Platform');
    const enabling = await createType(ctx, 'team', 'Enabling');
    const taken = await patch(`/api/v1/team-types/${enabling.id}`, { name: 'platform' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      status: 409,
      code: 'conflict',
      detail: 'A team type named "Platform" already exists.',
      fix: 'Use the existing type, or choose another name.',
      existing_type: { id: platform.id, name: 'Platform' },
    });
    const empty = await patch(`/api/v1/team-types/${enabling.id}`, { name: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe('name');
    expect(await names(ctx, 'team')).toEqual(expect.arrayContaining(['Platform', 'Enabling']));
  });
});

describe('removing a type over REST', () => {
  it('removes a type nothing has: gone from the list, audited as deleted', async () => {
    const guild = await createType(ctx, 'team', 'Guild');
    const removed = await remove(`/api/v1/team-types/${guild.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ data: { id: guild.id, name: 'Guild' } });
    expect(await names(ctx, 'team')).not.toContain('Guild');
    expect(await lastAudit(guild.id)).toMatchObject({ entityType: 'settings.team_type', action: 'deleted', before: { name: 'Guild' } });
    expect((await remove(`/api/v1/team-types/${guild.id}`)).status).toBe(404);
  });

  it('refuses a type a department or team in Live has with a 409 saying where and what to do (as documented), and keeps it', async () => {
    const platform = await createType(ctx, 'department', 'Platform');
    await ctx.db
      .update(departments)
      .set({ departmentTypeId: platform.id })
      .where(and(eq(departments.tenantId, ctx.tenant.id), eq(departments.orgUnitId, units.E), isNull(departments.versionTo)));
    const refused = await remove(`/api/v1/department-types/${platform.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'conflict',
      detail: 'The department type "Platform" is in use, so it cannot be removed: 1 department in Live.',
      fix: 'Give those departments another type first (or rename this one instead).',
      in_use: { live: 1, history: 0, scenarios: 0 },
    });
    sameBut(refused.body, await documented('DELETE /api/v1/department-types/{id}', 409));
    expect(await names(ctx, 'department')).toContain('Platform');

    const streamTeam = await createType(ctx, 'team', 'Complicated subsystem');
    await ctx.db
      .update(teams)
      .set({ teamTypeId: streamTeam.id })
      .where(and(eq(teams.tenantId, ctx.tenant.id), eq(teams.orgUnitId, units.P), isNull(teams.versionTo)));
    const team = await remove(`/api/v1/team-types/${streamTeam.id}`);
    expect(team.status).toBe(409);
    expect(team.body.detail).toBe('The team type "Complicated subsystem" is in use, so it cannot be removed: 1 team in Live.');
    expect(await names(ctx, 'team')).toContain('Complicated subsystem');
  });
});

describe('who and whose', () => {
  it('answers 404 for another tenant’s type and an unknown id, as documented, and leaves theirs alone', async () => {
    const their = await createType(theirs, 'department', 'Theirs');
    for (const answer of [await patch(`/api/v1/department-types/${their.id}`, { name: 'Ours now' }), await remove(`/api/v1/department-types/${their.id}`)]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ code: 'not_found', detail: `Department type "${their.id}" not found.` });
    }
    expect(await names(theirs, 'department')).toEqual(['Theirs']);
    const example = await documented('PATCH /api/v1/department-types/{id}', 404);
    sameBut((await patch(`/api/v1/department-types/${example.id}`, { name: 'Anything' })).body, example);
    sameBut((await remove(`/api/v1/team-types/${example.id}`)).body, await documented('DELETE /api/v1/team-types/{id}', 404));
  });

  it('refuses a token without settings.manage with a 403 naming it, and changes nothing', async () => {
    const type = await createType(ctx, 'team', 'Chapter');
    for (const answer of [await patch(`/api/v1/team-types/${type.id}`, { name: 'Tribe' }, manager), await remove(`/api/v1/team-types/${type.id}`, manager)]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'missing_ability', ability: 'settings.manage' });
    }
    expect(await names(ctx, 'team')).toContain('Chapter');
  });
});
