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

/** A tenant's role bundles as they stand (`role_bundles`), or the defaults: which abilities each role includes. */
export type BundleTable = Readonly<Record<Role, readonly Ability[]>>;

/**
 * The roles whose bundle includes `ability`: in `bundles` (a tenant's own, as `Principal.bundles` carries them), or in
 * the default bundles when none are given — for words that say "by default".
 */
export function rolesWith(ability: Ability, bundles: BundleTable = DEFAULT_BUNDLES): Role[] {
  return ROLES.filter((role) => bundles[role].includes(ability));
}

/**
 * Who can give someone an ability (a role that includes it, or a bundle that does): the roles with `members.manage`
 * in `bundles`. The owner role always: it is fixed (every ability), whatever its stored row says.
 */
export function grantorsIn(bundles: BundleTable = DEFAULT_BUNDLES): Role[] {
  return ROLES.filter((role) => role === 'owner' || bundles[role].includes('members.manage'));
}

/** Whether `bundles` give `ability` to exactly the roles the defaults give it to. */
export function asByDefault(ability: Ability, bundles: BundleTable): boolean {
  return rolesWith(ability, bundles).join() === rolesWith(ability).join();
}

/** Roles as someone to ask: "an owner", "an owner or admin", "an owner, admin or manager". */
export function anyOfRoles(roles: readonly Role[]): string {
  if (!roles.length) return 'the owner';
  const names = roles.length > 1 ? `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}` : roles[0]!;
  return `${/^[aeiou]/.test(names) ? 'an' : 'a'} ${names}`;
}

/**
 * The roles that include `ability`, for a refusal: "in this organisation: owner, admin, manager, member; by default:
 * owner, admin, manager" from the tenant's bundles (the default only when they differ), "by default: …" without them.
 */
export function rolesIncluding(ability: Ability, bundles: BundleTable | undefined, here: 'organisation' | 'tenant'): string {
  const defaults = rolesWith(ability);
  if (!bundles) return `by default: ${defaults.join(', ')}`;
  const roles = rolesWith(ability, bundles);
  return `in this ${here}: ${roles.length ? roles.join(', ') : 'none'}${asByDefault(ability, bundles) ? '' : `; by default: ${defaults.join(', ')}`}`;
}
