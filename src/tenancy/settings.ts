import { and, eq, sql } from 'drizzle-orm';
import { authorize } from '../access/policy.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { currencies, departments, departmentTypes, scenarioChanges, teams, tenantCurrencies, tenants, teamTypes } from '../db/schema/index.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';

/**
 * Tenant settings (SPEC §6, §8): currencies and exchange rates, cost settings (burden, working days), department
 * and team types, and how MCP tool names are listed. Changing them needs `settings.manage`; every change is audited.
 */

export async function listCurrencies(ctx: ServiceContext) {
  const rows = await ctx.db
    .select({ code: tenantCurrencies.code, name: currencies.name, active: tenantCurrencies.active, rate: tenantCurrencies.rateToReporting })
    .from(tenantCurrencies)
    .innerJoin(currencies, eq(currencies.code, tenantCurrencies.code))
    .where(eq(tenantCurrencies.tenantId, ctx.tenant.id))
    .orderBy(tenantCurrencies.code);
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    active: r.active,
    reporting: r.code === ctx.tenant.reportingCurrency,
    rate_to_reporting: r.code === ctx.tenant.reportingCurrency ? 1 : r.rate === null ? null : Number(r.rate),
  }));
}

export async function knownCurrencies(ctx: ServiceContext) {
  return ctx.db.select().from(currencies).orderBy(currencies.code);
}

/** Adds or updates a tenant currency: active flag and the rate into the reporting currency (null = no rate). */
export async function setCurrency(ctx: ServiceContext, input: { code: string; active: boolean; rate: number | null }) {
  authorize(ctx.principal, 'settings.manage');
  const code = input.code.trim().toUpperCase();
  const [known] = await ctx.db.select().from(currencies).where(eq(currencies.code, code));
  if (!known) throw new InvalidInput('code', 'not a currency Orgonaut knows (ISO 4217)');
  if (code === ctx.tenant.reportingCurrency && (!input.active || (input.rate !== null && input.rate !== 1))) {
    throw new InvalidInput('code', 'the reporting currency stays active with rate 1');
  }
  if (input.rate !== null && (!Number.isFinite(input.rate) || input.rate <= 0 || input.rate > 1e6)) {
    throw new InvalidInput('rate', 'must be a positive number: units of the reporting currency per one unit of this currency');
  }
  const values = { active: input.active, rateToReporting: code === ctx.tenant.reportingCurrency ? 1 : input.rate, updatedAt: new Date() };
  await ctx.db
    .insert(tenantCurrencies)
    .values({ tenantId: ctx.tenant.id, code, ...values })
    .onConflictDoUpdate({ target: [tenantCurrencies.tenantId, tenantCurrencies.code], set: values });
  await audit(ctx, 'currency', code, { active: input.active, rate_to_reporting: values.rateToReporting });
}

export async function updateCostSettings(ctx: ServiceContext, input: { burdenPct: number; workingDaysPerYear: number }) {
  authorize(ctx.principal, 'settings.manage');
  if (!Number.isFinite(input.burdenPct) || input.burdenPct < 0 || input.burdenPct > 200) throw new InvalidInput('burden_pct', 'must be from 0 to 200 (percent)');
  if (!Number.isInteger(input.workingDaysPerYear) || input.workingDaysPerYear < 100 || input.workingDaysPerYear > 366) {
    throw new InvalidInput('working_days_per_year', 'must be a whole number from 100 to 366');
  }
  await ctx.db
    .update(tenants)
    .set({ burdenPct: input.burdenPct, workingDaysPerYear: input.workingDaysPerYear, updatedAt: sql`now()` })
    .where(eq(tenants.id, ctx.tenant.id));
  await audit(ctx, 'cost_settings', ctx.tenant.id, { burden_pct: input.burdenPct, working_days_per_year: input.workingDaysPerYear }, { burden_pct: ctx.tenant.burdenPct, working_days_per_year: ctx.tenant.workingDaysPerYear });
}

export async function setToolNameStyle(ctx: ServiceContext, style: string) {
  authorize(ctx.principal, 'settings.manage');
  if (style !== 'underscore' && style !== 'dotted') throw new InvalidInput('mcp_tool_names', 'must be underscore or dotted');
  await ctx.db
    .update(tenants)
    .set({ settings: sql`${tenants.settings} || ${JSON.stringify({ mcpToolNames: style })}::jsonb`, updatedAt: sql`now()` })
    .where(eq(tenants.id, ctx.tenant.id));
  await audit(ctx, 'mcp_tool_names', ctx.tenant.id, { style });
}

type TypeTable = typeof departmentTypes | typeof teamTypes;

export async function listTypes(ctx: ServiceContext, kind: 'department' | 'team', query?: string | null) {
  const table: TypeTable = kind === 'department' ? departmentTypes : teamTypes;
  const rows = await ctx.db.select({ id: table.id, name: table.name }).from(table).where(eq(table.tenantId, ctx.tenant.id)).orderBy(table.name);
  const q = query?.trim().toLowerCase();
  return q ? rows.filter((r) => r.name.toLowerCase().includes(q)) : rows;
}

/** The tenant's department and team type names by id (both kinds in one map: their ids never collide). */
export async function typeNamesById(ctx: ServiceContext): Promise<Map<string, string>> {
  const [departments, teams] = await Promise.all([listTypes(ctx, 'department'), listTypes(ctx, 'team')]);
  return new Map([...departments, ...teams].map((t) => [t.id, t.name]));
}

/** A type name the tenant has already (ignoring case): naming the type that has it, so a setup script can use it. */
export function typeNameTaken(kind: 'department' | 'team', existing: { id: string; name: string }): Conflict {
  return new Conflict(`A ${kind} type named "${existing.name}" already exists.`, 'Use the existing type, or choose another name.', { existing_type: existing });
}

export async function createType(ctx: ServiceContext, kind: 'department' | 'team', name: string) {
  authorize(ctx.principal, 'settings.manage');
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw new InvalidInput('name', 'give a name of 1–100 characters');
  const table: TypeTable = kind === 'department' ? departmentTypes : teamTypes;
  const existing = await ctx.db
    .select({ id: table.id, name: table.name })
    .from(table)
    .where(and(eq(table.tenantId, ctx.tenant.id), sql`lower(${table.name}) = ${trimmed.toLowerCase()}`));
  if (existing.length) throw typeNameTaken(kind, existing[0]!);
  const [row] = await ctx.db.insert(table).values({ tenantId: ctx.tenant.id, name: trimmed }).returning({ id: table.id, name: table.name });
  await audit(ctx, `${kind}_type`, row!.id, { name: trimmed });
  return row!;
}

/** One of the tenant's department or team types by id, or NotFound. */
async function typeById(ctx: ServiceContext, kind: 'department' | 'team', id: string) {
  const table: TypeTable = kind === 'department' ? departmentTypes : teamTypes;
  const [row] = /^[0-9a-f-]{36}$/i.test(id)
    ? await ctx.db.select({ id: table.id, name: table.name }).from(table).where(and(eq(table.tenantId, ctx.tenant.id), eq(table.id, id)))
    : [];
  if (!row) throw new NotFound(`${kind === 'department' ? 'Department' : 'Team'} type`, id);
  return row;
}

/** Renames a department or team type: every department or team of that type reads the new name, audited as the create is. */
export async function renameType(ctx: ServiceContext, kind: 'department' | 'team', id: string, name: string) {
  authorize(ctx.principal, 'settings.manage');
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw new InvalidInput('name', 'give a name of 1–100 characters');
  const type = await typeById(ctx, kind, id);
  if (type.name === trimmed) return type;
  const table: TypeTable = kind === 'department' ? departmentTypes : teamTypes;
  const existing = await ctx.db
    .select({ id: table.id, name: table.name })
    .from(table)
    .where(and(eq(table.tenantId, ctx.tenant.id), sql`lower(${table.name}) = ${trimmed.toLowerCase()}`, sql`${table.id} <> ${type.id}`));
  if (existing.length) throw typeNameTaken(kind, existing[0]!);
  const [row] = await ctx.db
    .update(table)
    .set({ name: trimmed })
    .where(and(eq(table.tenantId, ctx.tenant.id), eq(table.id, type.id)))
    .returning({ id: table.id, name: table.name });
  await audit(ctx, `${kind}_type`, type.id, { name: trimmed }, { name: type.name });
  return row!;
}

/**
 * Removes a department or team type no department or team has — in Live, in any earlier version of it (history and
 * snapshots read it) or in a planning scenario's changes; refused with where it is used otherwise. Audited.
 */
export async function removeType(ctx: ServiceContext, kind: 'department' | 'team', id: string) {
  authorize(ctx.principal, 'settings.manage');
  const type = await typeById(ctx, kind, id);
  const uses = await typeUses(ctx, kind, type.id);
  if (uses.live || uses.history || uses.scenarios) {
    const units = (n: number) => (n === 1 ? `1 ${kind}` : `${n} ${kind}s`);
    const where = [
      uses.live ? `${units(uses.live)} in Live` : null,
      uses.scenarios ? `${uses.scenarios === 1 ? '1 scenario' : `${uses.scenarios} scenarios`}` : null,
      uses.history ? `earlier versions of ${units(uses.history)} (history and snapshots)` : null,
    ].filter(Boolean);
    throw new Conflict(
      `The ${kind} type "${type.name}" is in use, so it cannot be removed: ${where.join('; ')}.`,
      uses.history && !uses.live && !uses.scenarios
        ? 'The past still reads it; rename it instead if its name is wrong.'
        : `Give those ${kind}s another type first (or rename this one instead).`,
      { in_use: uses },
    );
  }
  const table: TypeTable = kind === 'department' ? departmentTypes : teamTypes;
  await ctx.db.delete(table).where(and(eq(table.tenantId, ctx.tenant.id), eq(table.id, type.id)));
  await audit(ctx, `${kind}_type`, type.id, null, { name: type.name }, 'deleted');
}

/** Where a type is used: org units of it in Live now, units whose earlier versions only had it, scenarios whose changes give it. */
async function typeUses(ctx: ServiceContext, kind: 'department' | 'team', id: string) {
  const table = kind === 'department' ? departments : teams;
  const column = kind === 'department' ? departments.departmentTypeId : teams.teamTypeId;
  const [units] = await ctx.db
    .select({
      live: sql<number>`count(distinct ${table.orgUnitId}) filter (where ${table.versionTo} is null)`,
      any: sql<number>`count(distinct ${table.orgUnitId})`,
    })
    .from(table)
    .where(and(eq(table.tenantId, ctx.tenant.id), eq(column, id)));
  const key = kind === 'department' ? 'departmentTypeId' : 'teamTypeId';
  const snake = kind === 'department' ? 'department_type_id' : 'team_type_id';
  const [changes] = await ctx.db
    .select({ scenarios: sql<number>`count(distinct ${scenarioChanges.scenarioId})` })
    .from(scenarioChanges)
    .where(
      and(
        eq(scenarioChanges.tenantId, ctx.tenant.id),
        eq(scenarioChanges.family, kind === 'department' ? 'departments' : 'teams'),
        sql`(${scenarioChanges.values} ->> ${key} = ${id} or ${scenarioChanges.values} ->> ${snake} = ${id})`,
      ),
    );
  const live = Number(units?.live ?? 0);
  return { live, history: Number(units?.any ?? 0) - live, scenarios: Number(changes?.scenarios ?? 0) };
}

async function audit(ctx: ServiceContext, entityType: string, entityId: string, after: unknown, before?: unknown, action = 'updated') {
  await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'security', entityType: `settings.${entityType}`, entityId, action, principal: ctx.principal, before, after });
}
