import { describe, expect, it } from 'vitest';
import { ALL_ABILITIES, type Ability } from '../../src/access/abilities.js';
import { DEFAULT_BUNDLES, ROLES, type Role } from '../../src/access/bundles.js';
import { authorize, effectiveAbilities } from '../../src/access/policy.js';
import { PLANS, type Plan } from '../../src/tenancy/plans.js';

/** The SPEC §3 table, written out again independently of src/access/bundles.ts. */
const SPEC_TABLE: Record<Ability, Role[]> = {
  'org-units.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'teams.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'actors.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'placements.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'positions.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'org-metrics.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'scenarios.read': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'costs.read': ['owner', 'admin', 'manager'],
  'scenarios.write': ['owner', 'admin', 'manager', 'member'],
  'scenarios.delete': ['owner', 'admin', 'manager'],
  'scenarios.promote': ['owner', 'admin', 'manager'],
  'snapshots.restore': ['owner', 'admin', 'manager'],
  'ai.scenarios.draft': ['owner', 'admin', 'manager', 'member'],
  'activity.read': ['owner', 'admin', 'manager'],
  'imports.manage': ['owner', 'admin', 'manager'],
  'integrations.manage': ['owner', 'admin'],
  'members.manage': ['owner', 'admin'],
  'settings.manage': ['owner', 'admin'],
  'billing.manage': ['owner'],
  'ownership.transfer': ['owner'],
  'api-tokens.create': ['owner', 'admin', 'manager', 'member', 'viewer'],
  'mcp.access': ['owner', 'admin', 'manager', 'member', 'viewer'],
};

/** Abilities a plan takes away whatever the role (SPEC §2: no MCP on free/team; no HRIS sync on free/team). */
const PLAN_WITHHOLDS: Record<Plan, Ability[]> = {
  free: ['mcp.access', 'ai.scenarios.draft', 'integrations.manage'],
  team: ['mcp.access', 'ai.scenarios.draft', 'integrations.manage'],
  business: [],
  enterprise: [],
  agency: [],
};

const CREDENTIALS: { name: string; abilities: string[] | null }[] = [
  { name: 'session (adds nothing)', abilities: null },
  { name: 'read-only token', abilities: ['org-units.read', 'actors.read', 'costs.read'] },
  { name: 'MCP token with legacymcp alias', abilities: ['legacymcp', 'scenarios.read', 'scenarios.write'] },
  { name: 'token asking for everything', abilities: [...ALL_ABILITIES, 'not-an-ability'] },
];

describe('the default role bundles', () => {
  it.each(ALL_ABILITIES)('%s is granted exactly to the roles of the SPEC §3 table', (ability) => {
    expect(ROLES.filter((role) => DEFAULT_BUNDLES[role].includes(ability))).toEqual(SPEC_TABLE[ability]);
  });
});

describe('effective abilities = role ∩ credential ∩ plan', () => {
  const cases = ROLES.flatMap((role) => CREDENTIALS.flatMap((credential) => PLANS.map((plan) => ({ role, credential, plan }))));
  it.each(cases)('$role with $credential.name on $plan', ({ role, credential, plan }) => {
    const effective = effectiveAbilities(DEFAULT_BUNDLES[role], credential.abilities, plan);
    const allowed = credential.abilities?.map((a) => (a === 'legacymcp' ? 'mcp.access' : a));
    const expected = ALL_ABILITIES.filter(
      (a) => SPEC_TABLE[a].includes(role) && (!allowed || allowed.includes(a)) && !PLAN_WITHHOLDS[plan].includes(a),
    );
    expect([...effective].sort()).toEqual([...expected].sort());
  });

  it('never widens: a credential cannot add what the role lacks', () => {
    const viewer = effectiveAbilities(DEFAULT_BUNDLES.viewer, ['costs.read', 'members.manage'], 'enterprise');
    expect(viewer.size).toBe(0);
  });

  it('names the missing ability when refusing', () => {
    const abilities = effectiveAbilities(DEFAULT_BUNDLES.viewer, null, 'business');
    const principal = { kind: 'session' as const, userId: null, tenantId: 't', role: 'viewer' as const, abilities, roleAbilities: abilities };
    expect(() => authorize(principal, 'costs.read')).toThrow(/costs\.read/);
  });
});
