import type { Ability } from '../access/abilities.js';

export const PLANS = ['free', 'team', 'business', 'enterprise', 'agency'] as const;
export type Plan = (typeof PLANS)[number];

/** What a plan includes (SPEC §2). `Infinity` = unlimited. */
export interface PlanFeatures {
  /** Remote MCP transport, its two well-known documents, /oauth/* and the connected-app UI. */
  mcp: boolean;
  hrisSync: boolean;
  activePlanningScenarios: number;
  actorAllowance: number;
  /** Users of an agency plan may belong to many tenants and choose one on the central host. */
  multiTenantUsers: boolean;
}

export const PLAN_FEATURES: Record<Plan, PlanFeatures> = {
  free: { mcp: false, hrisSync: false, activePlanningScenarios: 0, actorAllowance: 25, multiTenantUsers: false },
  team: { mcp: false, hrisSync: false, activePlanningScenarios: 3, actorAllowance: 250, multiTenantUsers: false },
  business: { mcp: true, hrisSync: true, activePlanningScenarios: 10, actorAllowance: 2_500, multiTenantUsers: false },
  enterprise: {
    mcp: true,
    hrisSync: true,
    activePlanningScenarios: Infinity,
    actorAllowance: Infinity,
    multiTenantUsers: false,
  },
  agency: {
    mcp: true,
    hrisSync: true,
    activePlanningScenarios: Infinity,
    actorAllowance: Infinity,
    multiTenantUsers: true,
  },
};

/** Abilities a plan withholds whatever the role: the plan is the third side of effective abilities. */
export function planWithholds(plan: Plan): ReadonlySet<Ability> {
  const withheld = new Set<Ability>();
  const features = PLAN_FEATURES[plan];
  if (!features.mcp) {
    withheld.add('mcp.access');
    withheld.add('ai.scenarios.draft');
  }
  if (!features.hrisSync) withheld.add('integrations.manage');
  return withheld;
}

export function isPlan(value: string): value is Plan {
  return (PLANS as readonly string[]).includes(value);
}

/** The actor allowance of a tenant: its override when set, else its plan's. */
export function actorAllowance(tenant: { plan: Plan; actorAllowance: number | null }): number {
  return tenant.actorAllowance ?? PLAN_FEATURES[tenant.plan].actorAllowance;
}
