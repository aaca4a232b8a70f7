import { and, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/connection.js';
import { roleBundles } from '../db/schema/index.js';
import { AppError, Conflict, InvalidInput, NotFound } from '../errors.js';
import { planWithholds } from '../tenancy/plans.js';
import type { Tenant } from '../tenancy/tenants.js';
import { ALL_ABILITIES, toAbility, type Ability } from './abilities.js';
import { forgetCredentialsEverywhere } from './authenticator.js';
import { DEFAULT_BUNDLES, isRole, ROLES, type Role } from './bundles.js';
import { outranks } from './members.js';
import { authorize, type Principal } from './policy.js';

/**
 * A tenant's role bundles (SPEC §3: "a tenant may adjust bundles; the defaults below ship"): list them, set a role's
 * abilities, reset a role to its default. Secure by default:
 * - the owner role is fixed (always the whole default owner bundle), so nobody can lock the organisation out;
 * - `billing.manage` and `ownership.transfer` stay the owner's;
 * - a member needs `members.manage`, may not change their own role's bundle nor a role at or above theirs, and may
 *   grant (add) only abilities they hold themselves; the operator's command line may edit any role but the owner's;
 * - a refused change changes nothing; an accepted one is one write, audited (before/after) in the same transaction.
 * Personal tokens and OAuth grants keep their own lists: effective abilities (role ∩ credential ∩ plan) narrow with the
 * bundle at once in this process (`forgetCredentialsEverywhere`) and within a second elsewhere (AUTH_CACHE_MS).
 */

/** Abilities only the owner role carries; no other bundle may hold them. */
export const OWNER_ONLY: readonly Ability[] = ['billing.manage', 'ownership.transfer'];

/** The roles whose bundles can be edited at all (every role but the owner). */
export const EDITABLE_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'owner');

/** One role's bundle as the tenant has it, with how it differs from the default that ships. */
export interface RoleBundleView {
  role: Role;
  abilities: Ability[];
  /** Whether the bundle is the default one (SPEC §3). */
  default: boolean;
  default_abilities: Ability[];
  /** Abilities the tenant added to the default, and took from it. */
  added: Ability[];
  removed: Ability[];
  /** Whether this principal may edit it (owner role: never). */
  editable: boolean;
  updated_at: string | null;
}

/** Who makes a change: a member (Settings → Members, REST), or the operator's command line (no principal, `via`). */
export interface BundleEditor {
  principal: Principal | null;
  /** Recorded in the audit event's metadata (`admin-cli`). */
  via?: string;
  requestId?: string | null;
}

const inOrder = (abilities: Iterable<Ability>): Ability[] => {
  const set = new Set(abilities);
  return ALL_ABILITIES.filter((a) => set.has(a));
};

function present(role: Role, stored: readonly string[] | null, updatedAt: Date | null, editable: boolean): RoleBundleView {
  const defaults = inOrder(DEFAULT_BUNDLES[role]);
  // The owner's bundle is always the default one, whatever a row says.
  const abilities = role === 'owner' || stored === null ? defaults : inOrder(stored.map(toAbility).filter((a): a is Ability => a !== null));
  const added = abilities.filter((a) => !defaults.includes(a));
  const removed = defaults.filter((a) => !abilities.includes(a));
  return { role, abilities, default: !added.length && !removed.length, default_abilities: defaults, added, removed, editable, updated_at: updatedAt?.toISOString() ?? null };
}

/**
 * Why `editor` may not edit `role`'s bundle at all (null: they may). The owner role never; the operator any other;
 * a member needs `members.manage` (thrown as a missing ability) and a role below their own.
 */
export function editRefusal(editor: BundleEditor, role: Role): AppError | null {
  const principal = editor.principal;
  const member = principal && principal.kind !== 'system' ? principal : null;
  if (member) authorize(member, 'members.manage');
  if (role === 'owner') {
    return new Conflict(
      'The owner role is fixed: it always has every ability, so nobody can lock the organisation out.',
      'Change the admin role instead, or hand ownership to another member under Settings → Members.',
      { role },
    );
  }
  if (!member) return null;
  if (member.role === role) {
    return new AppError('forbidden', 403, `You cannot change the abilities of your own role (${role}).`, 'Ask someone with a higher role (the owner) to change it.', { role });
  }
  if (!outranks(member.role, role)) {
    return new AppError('forbidden', 403, `Only someone with a higher role than ${role} can change its abilities.`, 'Ask the owner.', { role });
  }
  return null;
}

/** The roles `editor` may edit, for forms. */
export function editableRoles(editor: BundleEditor): Role[] {
  return EDITABLE_ROLES.filter((role) => {
    try {
      return editRefusal(editor, role) === null;
    } catch {
      return false;
    }
  });
}

/** Every role's bundle as the tenant has it (owner first), marking what differs from the defaults. */
export async function listRoleBundles(db: Db, tenant: Tenant, editor: BundleEditor): Promise<RoleBundleView[]> {
  if (editor.principal && editor.principal.kind !== 'system') authorize(editor.principal, 'members.manage');
  const rows = await db.select().from(roleBundles).where(eq(roleBundles.tenantId, tenant.id));
  const editable = new Set(editableRoles(editor));
  return ROLES.map((role) => {
    const row = rows.find((r) => r.role === role);
    return present(role, row?.abilities ?? null, row?.updatedAt ?? null, editable.has(role));
  });
}

/** What a change did: the bundle now, and what it added and removed (both empty: nothing changed). */
export interface BundleChange {
  bundle: RoleBundleView;
  before: Ability[];
  added: Ability[];
  removed: Ability[];
  changed: boolean;
}

/** The abilities a list names, checked: known (aliases resolved), none of the owner's own. Throws naming the wrong ones. */
export function parseBundleAbilities(names: readonly string[]): Ability[] {
  const unknown = names.filter((n) => toAbility(n.trim()) === null);
  if (unknown.length) {
    throw new InvalidInput('abilities', `unknown abilit${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((n) => `"${n}"`).join(', ')}; the abilities are ${ALL_ABILITIES.join(', ')}`);
  }
  const abilities = inOrder(names.map((n) => toAbility(n.trim())!));
  const ownerOnly = abilities.filter((a) => OWNER_ONLY.includes(a));
  if (ownerOnly.length) {
    throw new InvalidInput('abilities', `${ownerOnly.join(' and ')} stay${ownerOnly.length > 1 ? '' : 's'} with the owner role alone (${OWNER_ONLY.join(', ')} are never in another role's bundle)`);
  }
  return abilities;
}

/**
 * Sets `role`'s bundle to exactly `names` (any subset of the abilities but the owner's own). Everything is checked
 * before anything is written; the write is one upsert of the row, in a transaction with its audit event, the row
 * locked while the check of what is granted runs (concurrent edits: the last one wins, each one checked whole).
 */
export async function setRoleAbilities(db: Db, tenant: Tenant, roleName: string, names: readonly string[], editor: BundleEditor, action: 'changed' | 'reset' = 'changed'): Promise<BundleChange> {
  if (!isRole(roleName)) throw new NotFound('Role', roleName);
  const role = roleName;
  const refusal = editRefusal(editor, role);
  if (refusal) throw refusal;
  const abilities = parseBundleAbilities(names);
  const result = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ abilities: roleBundles.abilities })
      .from(roleBundles)
      .where(and(eq(roleBundles.tenantId, tenant.id), eq(roleBundles.role, role)))
      .for('update');
    const before = row ? inOrder(row.abilities.map(toAbility).filter((a): a is Ability => a !== null)) : inOrder(DEFAULT_BUNDLES[role]);
    const added = abilities.filter((a) => !before.includes(a));
    const removed = before.filter((a) => !abilities.includes(a));
    const principal = editor.principal;
    if (principal && principal.kind !== 'system') {
      const lacking = added.filter((a) => !principal.abilities.has(a));
      if (lacking.length) {
        const withheld = planWithholds(tenant.plan);
        const why = lacking.map((a) => (withheld.has(a) ? `${a} (not on the ${tenant.plan} plan)` : a)).join(', ');
        throw new AppError('forbidden', 403, `You can only grant abilities you hold yourself: ${why} ${lacking.length > 1 ? 'are' : 'is'} not among yours.`, 'Leave them out, or ask the owner to grant them.', {
          role,
          ability: lacking[0],
          abilities: lacking,
        });
      }
    }
    if (!added.length && !removed.length && row) return { before, added, removed, changed: false };
    await tx
      .insert(roleBundles)
      .values({ tenantId: tenant.id, role, abilities })
      .onConflictDoUpdate({ target: [roleBundles.tenantId, roleBundles.role], set: { abilities, updatedAt: sql`now()` } });
    await recordAudit(tx, {
      tenantId: tenant.id,
      category: 'security',
      entityType: 'role_bundle',
      entityId: role,
      action,
      principal,
      before: { role, abilities: before },
      after: { role, abilities },
      metadata: { added, removed, ...(editor.via ? { via: editor.via } : {}) },
      requestId: editor.requestId ?? null,
    });
    return { before, added, removed, changed: true };
  });
  // Every Authenticator of this process drops its cached bundles now; other instances within AUTH_CACHE_MS.
  if (result.changed) forgetCredentialsEverywhere();
  const [bundle] = (await listRoleBundles(db, tenant, { ...editor, principal: null })).filter((b) => b.role === role);
  return { ...result, bundle: { ...bundle!, editable: editableRoles(editor).includes(role) } };
}

/** Puts `role`'s bundle back to the default that ships (SPEC §3), under the same rules as any change. */
export function resetRoleBundle(db: Db, tenant: Tenant, roleName: string, editor: BundleEditor): Promise<BundleChange> {
  if (!isRole(roleName)) throw new NotFound('Role', roleName);
  return setRoleAbilities(db, tenant, roleName, DEFAULT_BUNDLES[roleName], editor, 'reset');
}

/** One line saying what a change did, for flashes and the command line. */
export function describeChange(change: BundleChange): string {
  const { role } = change.bundle;
  if (!change.changed) return `The ${role} role already has exactly these abilities; nothing changed.`;
  const parts = [change.added.length ? `added ${change.added.join(', ')}` : '', change.removed.length ? `removed ${change.removed.join(', ')}` : ''].filter(Boolean);
  const state = change.bundle.default ? 'It is the default bundle again.' : 'It now differs from the default.';
  return `The ${role} role: ${parts.join('; ')}. ${state} Members with it, their API tokens and connected apps have the new abilities within a second.`;
}
