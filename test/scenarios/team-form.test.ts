import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { ServiceContext } from '../../src/context.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { getOrgUnit, listOrgUnits } from '../../src/org/read-structure.js';
import { parseArguments } from '../../src/mcp/boundary.js';
import { planTool } from '../../src/mcp/tools/scenario-actions.js';
import { createType } from '../../src/tenancy/settings.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, type TestApp } from '../support/app.js';
import { contextFor, principalFor } from '../support/factories.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * A team's type and purpose in the change tray and over REST and MCP: the form offers teams (and, where a parent is
 * asked for, only the units a team or department may sit under), and a purpose once set can be cleared — an empty
 * field on the form, null or "" on REST, "" on MCP — while changing only the type keeps it.
 */

let site: FixtureSite;
let database: Database;
let tenant: Tenant;
let app: TestApp;
let ctx: ServiceContext;
let token: string;
let cookie: string;
const HOST = 'teamform.localhost';
const SALT = 'team-form';
const ids = fixtureIds(SALT);
const { units } = ids;

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replace(/\s+/g, ' ');
const stagedOf = (html: string) => hiddenField(html, 'staged').replaceAll('&quot;', '"');

async function page(path: string, form?: Record<string, string>) {
  const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, ...(form ? { form } : {}) });
  const html = await response.text();
  return { status: response.status, html, text: text(html) };
}

/** The values of the options of the select named `field` in the form of `op`. */
function optionsOf(html: string, op: string, field: string): string[] {
  const select = new RegExp(`<select[^>]*id="${op}-${field}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  expect(select, `${op}.${field} is a select`).not.toBeNull();
  return [...select![1]!.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]!).filter(Boolean);
}

const purposeOf = async (sid: string, unitId: string) => ((await getOrgUnit(ctx, unitId, { scenarioId: sid })).unit as { team?: { purpose: unknown } }).team?.purpose;

beforeAll(async () => {
  site = await fixtureSite({ slug: 'teamform', salt: SALT });
  ({ database, tenant, app } = site);
  ({ token, cookie } = await site.signInWithToken('owner'));
  ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
});
afterAll(() => database?.close());

describe('the tray offers sensible units', () => {
  it('a team to change, a company or department as a parent, no company to move or close', async () => {
    const sid = (await createScenario(ctx, { name: 'Choices' })).id;
    const tray = await page(`/scenarios/${sid}/changes`);
    const teams = [units.P, units.M, units.F].sort();
    expect(optionsOf(tray.html, 'update_team', 'org_unit_id').sort()).toEqual(teams);
    const parents = [units.C, units.E, units.S].sort();
    expect(optionsOf(tray.html, 'create_org_unit', 'parent_id').sort()).toEqual(parents);
    expect(optionsOf(tray.html, 'move_org_unit', 'parent_id').sort()).toEqual(parents);
    expect(optionsOf(tray.html, 'move_org_unit', 'org_unit_id').sort()).toEqual([units.E, units.S, ...teams].sort());
    expect(optionsOf(tray.html, 'close_org_unit', 'org_unit_id')).not.toContain(units.C);
    // Placing people still offers every unit.
    expect(optionsOf(tray.html, 'add_placement', 'org_unit_id').sort()).toEqual([...parents, ...teams].sort());
  });

  it('a team typed by name resolves among teams only', async () => {
    const sid = (await createScenario(ctx, { name: 'Typed' })).id;
    const csrf = hiddenField((await page(`/scenarios/${sid}/changes`)).html, 'csrf');
    const typed = await page(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'update_team', org_unit_id: 'Fixture Co › Engineering (department)', team_type_id: '', purpose: 'x' });
    expect(typed.status).toBe(400);
    expect(typed.text).toContain('Team: nothing here matches “Fixture Co › Engineering (department)”');
  });
});

describe('a team’s purpose can be cleared', () => {
  it('on the form: an empty purpose clears it; with a team type chosen it is kept', async () => {
    const teamType = await createType(ctx, 'team', 'Enabling');
    const sid = (await createScenario(ctx, { name: 'Clear purpose' })).id;
    const csrf = hiddenField((await page(`/scenarios/${sid}/changes`)).html, 'csrf');
    const typeOnly = await page(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'update_team', org_unit_id: units.P, team_type_id: teamType.id, purpose: '' });
    expect(typeOnly.text).toContain('Give Platform team type “Enabling”');
    expect(typeOnly.text).not.toContain('no purpose');
    await page(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(typeOnly.html), action: 'apply' });
    expect(await purposeOf(sid, units.P)).toBe('Runs the platform');

    const cleared = await page(`/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'update_team', org_unit_id: units.P, team_type_id: '', purpose: '' });
    expect(cleared.status).toBe(200);
    expect(cleared.text).toContain('Give Platform no purpose');
    const applied = await page(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(cleared.html), action: 'apply' });
    expect(applied.status).toBe(303);
    expect(await purposeOf(sid, units.P)).toBeNull();
  });

  it('over REST and MCP with null or "", the same way (never stored as an empty purpose)', async () => {
    for (const purpose of [null, '', '   ']) {
      const sid = (await createScenario(ctx, { name: `REST ${JSON.stringify(purpose)}` })).id;
      const response = await app.request(`/api/v1/scenarios/${sid}/changes`, { host: HOST, token, method: 'POST', json: { changes: [{ op: 'update_team', org_unit_id: units.P, purpose }] } });
      expect(response.status, JSON.stringify(purpose)).toBe(200);
      const unit = (await (await app.request(`/api/v1/org-units/${units.P}?scenario_id=${sid}`, { host: HOST, token })).json()) as { data: { team: { purpose: unknown } } };
      expect(unit.data.team.purpose, JSON.stringify(purpose)).toBeNull();
    }
    // MCP: the arguments as the boundary reads them (which drops blank fields that mean "no value") keep a blank
    // purpose or team type of update_team, and the change clears them; other ops still ignore a blank purpose.
    const teamType = await createType(ctx, 'team', 'Typed for MCP');
    for (const blank of ['', null]) {
      const sid = (await createScenario(ctx, { name: `MCP ${JSON.stringify(blank)}` })).id;
      await applyBatch(ctx, sid, [{ op: 'update_team', org_unit_id: units.F, team_type_id: teamType.id }]);
      const args = parseArguments(planTool, {
        scenario_id: sid,
        changes: [
          { op: 'update_team', org_unit_id: units.P, purpose: blank },
          { op: 'update_team', org_unit_id: units.F, team_type_id: blank },
          { op: 'set_fte', actor_id: ids.id('p2'), fte: 0.6, purpose: blank, team_type_id: blank },
        ],
      });
      await applyBatch(ctx, sid, args.changes);
      expect(await purposeOf(sid, units.P), JSON.stringify(blank)).toBeNull();
      const field = ((await getOrgUnit(ctx, units.F, { scenarioId: sid })).unit as { team?: { team_type_id: unknown } }).team;
      expect(field?.team_type_id, JSON.stringify(blank)).toBeNull();
    }
  });
});

describe('a team created with its type and purpose', () => {
  it('in the tray: chosen on the create form, staged with its type named, applied as one team', async () => {
    const teamType = await createType(ctx, 'team', 'Stream-aligned');
    const sid = (await createScenario(ctx, { name: 'Typed team' })).id;
    const form = await page(`/scenarios/${sid}/changes`);
    // Offered on the create form, where an empty choice is no type (not "No change").
    expect(optionsOf(form.html, 'create_org_unit', 'team_type_id')).toContain(teamType.id);
    expect(form.html).toMatch(/<select[^>]*id="create_org_unit-team_type_id"[^>]*>\s*<option value="">None<\/option>/);
    const csrf = hiddenField(form.html, 'csrf');
    const staged = await page(`/scenarios/${sid}/changes`, {
      csrf, staged: '', action: 'stage', op: 'create_org_unit', name: 'Payments', type: 'team', parent_id: units.E, team_type_id: teamType.id, purpose: 'Takes the money', department_type_id: '',
    });
    expect(staged.status).toBe(200);
    expect(staged.text).toContain('Create team “Payments” (team type “Stream-aligned”) under Engineering');
    expect((await page(`/scenarios/${sid}/changes`, { csrf, staged: stagedOf(staged.html), action: 'apply' })).status).toBe(303);
    const [payments] = (await listOrgUnits(ctx, { scenarioId: sid, query: 'Payments' })).page.items as { id: string }[];
    const team = ((await getOrgUnit(ctx, payments.id, { scenarioId: sid })).unit as { team?: { team_type_id: unknown; purpose: unknown } }).team;
    expect(team).toMatchObject({ team_type_id: teamType.id, purpose: 'Takes the money' });
  });

  it('a team’s type or purpose on a new department, or a department type on a new team, is refused on that field, not dropped', async () => {
    const teamType = await createType(ctx, 'team', 'Platform-like');
    const departmentType = await createType(ctx, 'department', 'Delivery');
    const sid = (await createScenario(ctx, { name: 'Crossed types' })).id;
    const refusedOn = async (change: Record<string, unknown>) => {
      try {
        await applyBatch(ctx, sid, [{ op: 'create_org_unit', name: 'Crossed', parent_id: units.C, ...change }]);
      } catch (error) {
        return { field: (error as { field?: string }).field, message: (error as Error).message };
      }
      return null;
    };
    expect(await refusedOn({ type: 'department', department_type_id: departmentType.id, team_type_id: teamType.id })).toEqual({
      field: 'changes[0].team_type_id',
      message: 'Invalid changes[0].team_type_id: is for a team; a department has a department type (department_type_id)',
    });
    expect(await refusedOn({ type: 'department', department_type_id: departmentType.id, purpose: 'Deliver' })).toMatchObject({ field: 'changes[0].purpose' });
    expect(await refusedOn({ type: 'team', parent_id: units.E, department_type_id: departmentType.id })).toMatchObject({ field: 'changes[0].department_type_id' });
    // Nothing was made by the refused changes.
    expect((await listOrgUnits(ctx, { scenarioId: sid, query: 'Crossed' })).page.items).toEqual([]);
  });
});
