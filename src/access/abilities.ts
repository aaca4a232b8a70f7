/**
 * Every ability, with the words people read on the consent screen, in `capability.explain` and in error messages.
 * This is the SPEC §3 table as data; role bundles (bundles.ts) and plans (tenancy/plans.ts) refer to these names.
 */
export const ABILITIES = {
  'org-units.read': 'See org units, departments and the structure of the organisation',
  'teams.read': 'See teams and team types',
  'actors.read': 'See people, robots and AI agents and their reporting lines',
  'placements.read': 'See who is placed where, with allocations',
  'positions.read': 'See positions and vacancies',
  'org-metrics.read': 'See org metrics: headcount, FTE, spans, layers',
  'scenarios.read': 'See scenarios, snapshots, lineage and scenario deltas',
  'costs.read': 'See compensation and every money figure',
  'scenarios.write': 'Create, edit and archive planning scenarios',
  'scenarios.delete': 'Delete records inside scenarios (deactivate, close, remove)',
  'scenarios.promote': 'Change Live by promoting a scenario',
  'snapshots.restore': 'Change Live by restoring a snapshot',
  'ai.scenarios.draft': 'Let an AI assistant plan and confirm scenario changes',
  'activity.read': 'See the activity log and audit trail',
  'imports.manage': 'Run imports and review quarantined rows',
  'integrations.manage': 'Manage HRIS integration settings',
  'members.manage': 'Invite members, change roles, archive members',
  'settings.manage': 'Manage currencies, cost settings, department and team types',
  'billing.manage': 'Be the plan and billing contact',
  'ownership.transfer': 'Transfer ownership of the tenant',
  'api-tokens.create': 'Create your own personal API tokens',
  'mcp.access': 'Open the MCP server with this credential',
} as const;

export type Ability = keyof typeof ABILITIES;

export const ALL_ABILITIES = Object.keys(ABILITIES) as Ability[];

/** `legacymcp` is an accepted alias of `mcp.access` on personal tokens (the seed page names both). */
export const ABILITY_ALIASES: Record<string, Ability> = { legacymcp: 'mcp.access' };

/** The canonical ability for a name or alias, or null when unknown. */
export function toAbility(name: string): Ability | null {
  if (name in ABILITIES) return name as Ability;
  return ABILITY_ALIASES[name] ?? null;
}

export function describeAbility(ability: Ability): string {
  return ABILITIES[ability];
}
