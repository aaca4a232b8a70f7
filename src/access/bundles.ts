import type { Ability } from './abilities.js';

export const ROLES = ['owner', 'admin', 'manager', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const READ: Ability[] = [
  'org-units.read',
  'teams.read',
  'actors.read',
  'placements.read',
  'positions.read',
  'org-metrics.read',
  'scenarios.read',
];
const EVERYONE: Ability[] = [...READ, 'api-tokens.create', 'mcp.access'];
const CONTRIBUTOR: Ability[] = [...EVERYONE, 'scenarios.write', 'ai.scenarios.draft'];
const MODELLER: Ability[] = [
  ...CONTRIBUTOR,
  'costs.read',
  'scenarios.delete',
  'scenarios.promote',
  'snapshots.restore',
  'activity.read',
  'imports.manage',
];
const ADMIN: Ability[] = [...MODELLER, 'integrations.manage', 'members.manage', 'settings.manage'];

/** The role bundles every new tenant starts with (SPEC §3). Tenants may adjust their copy in `role_bundles`. */
export const DEFAULT_BUNDLES: Record<Role, readonly Ability[]> = {
  owner: [...ADMIN, 'billing.manage', 'ownership.transfer'],
  admin: ADMIN,
  manager: MODELLER,
  member: CONTRIBUTOR,
  viewer: EVERYONE,
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Who can usually grant an ability, for error messages ("ask an owner or admin"). */
export function rolesWith(ability: Ability): Role[] {
  return ROLES.filter((role) => DEFAULT_BUNDLES[role].includes(ability));
}
