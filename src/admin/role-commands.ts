import type { Db } from '../db/connection.js';
import { describeChange, listRoleBundles, resetRoleBundle, setRoleAbilities, type BundleChange } from '../access/role-bundles.js';
import { NotFound } from '../errors.js';
import { findTenantBySlug } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';

type RoleCommand = Extract<AdminCommand, { name: 'roles.list' | 'roles.set' | 'roles.reset' }>;

const OPERATOR = { principal: null, via: 'admin-cli' } as const;

/**
 * `orgonaut roles list|set|reset --tenant <slug>`: the operator's view and edit of a tenant's role bundles — the
 * service Settings → Members and `PUT /api/v1/roles/{role}` use, with the operator allowed any role but the owner's
 * (fixed) and the owner-only abilities still refused. Each change is in the tenant's audit log (`via: admin-cli`);
 * every instance applies it within a second.
 */
export async function runRoleCommand(db: Db, command: RoleCommand): Promise<AdminResult> {
  const tenant = await findTenantBySlug(db, command.tenant);
  if (!tenant) throw new NotFound('Tenant', command.tenant);
  if (command.name === 'roles.list') {
    const bundles = await listRoleBundles(db, tenant, OPERATOR);
    const lines = bundles.map((b) => {
      const state = b.role === 'owner' ? 'fixed' : b.default ? 'default' : 'customised';
      const diff = [b.added.length ? `+${b.added.join(' +')}` : '', b.removed.length ? `-${b.removed.join(' -')}` : ''].filter(Boolean).join(' ');
      return `${b.role.padEnd(8)} ${state.padEnd(10)} ${b.abilities.length} abilities${diff ? `  (${diff})` : ''}\n         ${b.abilities.join(', ')}`;
    });
    return { message: lines.join('\n'), data: { tenant: tenant.slug, roles: bundles.map(({ editable: _, ...b }) => b) } };
  }
  const change =
    command.name === 'roles.set' ? await setRoleAbilities(db, tenant, command.role, command.abilities, OPERATOR) : await resetRoleBundle(db, tenant, command.role, OPERATOR);
  return { message: `${tenant.slug}: ${describeChange(change)}`, data: present(tenant.slug, change) };
}

function present(slug: string, change: BundleChange) {
  const { editable: _, ...bundle } = change.bundle;
  return { tenant: slug, ...bundle, changed: change.changed, added_now: change.added, removed_now: change.removed };
}
