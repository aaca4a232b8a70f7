import { and, eq } from 'drizzle-orm';
import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { departmentTypes, teamTypes, tenantCurrencies } from '../db/schema/index.js';
import { InvalidInput } from '../errors.js';
import { assertMutableScenario } from '../scenarios/lifecycle.js';
import { loadScenario, type Scenario } from '../scenarios/store.js';
import type { TypeRegistry } from './plan/structure.js';

/** Where a run imports into, and the tenant's reference lists it validates against. */

export type TargetInput = { kind: 'live' } | { kind: 'scenario'; scenario_id: string };
/** A target as clients send it (checked by resolveTarget). */
export type TargetRequest = TargetInput | { kind: 'live' | 'scenario'; scenario_id?: string };

/** Checks a target: Live, or an active planning scenario of the tenant (writing into it needs `scenarios.write`). */
export async function resolveTarget(ctx: ServiceContext, target: TargetRequest | null | undefined): Promise<{ kind: 'live' | 'scenario'; scenario: Scenario | null }> {
  if (!target || target.kind === 'live') return { kind: 'live', scenario: null };
  if (target.kind !== 'scenario' || !('scenario_id' in target) || typeof target.scenario_id !== 'string') {
    throw new InvalidInput('target', 'must be { kind: "live" } or { kind: "scenario", scenario_id }');
  }
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, target.scenario_id);
  assertMutableScenario(scenario);
  return { kind: 'scenario', scenario };
}

export interface References {
  activeCurrencies: Set<string>;
  types: TypeRegistry;
  /** The type names as the tenant wrote them (for messages). */
  typeNames: { departments: string[]; teams: string[] };
}

export async function loadReferences(ctx: Pick<ServiceContext, 'db' | 'tenant'>, createMissing: boolean): Promise<References> {
  const [currencies, departments, teams] = await Promise.all([
    ctx.db.select({ code: tenantCurrencies.code }).from(tenantCurrencies).where(and(eq(tenantCurrencies.tenantId, ctx.tenant.id), eq(tenantCurrencies.active, true))),
    ctx.db.select({ id: departmentTypes.id, name: departmentTypes.name }).from(departmentTypes).where(eq(departmentTypes.tenantId, ctx.tenant.id)),
    ctx.db.select({ id: teamTypes.id, name: teamTypes.name }).from(teamTypes).where(eq(teamTypes.tenantId, ctx.tenant.id)),
  ]);
  return {
    activeCurrencies: new Set(currencies.map((c) => c.code)),
    types: {
      departmentTypes: new Map(departments.map((t) => [t.name.toLowerCase(), t.id])),
      teamTypes: new Map(teams.map((t) => [t.name.toLowerCase(), t.id])),
      createMissing,
      created: { departmentTypes: [], teamTypes: [] },
    },
    typeNames: { departments: departments.map((t) => t.name), teams: teams.map((t) => t.name) },
  };
}
