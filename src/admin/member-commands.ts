import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { invitations, memberships, users } from '../db/schema/index.js';
import { isRole, ROLES } from '../access/bundles.js';
import { normaliseEmail } from '../access/users.js';
import { pendingInvitation } from '../access/members.js';
import { recordAudit } from '../audit/record.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { findTenantBySlug } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';
import { utcMinute } from './format.js';

type MemberCommand = Extract<AdminCommand, { name: 'members.invite' | 'members.list' }>;

/** As long as an invitation made in Settings → Members stays usable (access/members.ts). */
const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * `orgonaut members invite|list`: how an operator gives a tenant its first owner (a tenant made with `tenants create`
 * has no members, and on PostgreSQL nobody is seeded), and who may then be named in `tokens create --user`. The
 * invitation is the one Settings → Members makes — a single-use link, accepted on `/invitations/<token>` — except
 * that it may make an owner, which only an operator can.
 */
export async function runMemberCommand(db: Db, command: MemberCommand): Promise<AdminResult> {
  const tenant = await findTenantBySlug(db, command.tenant);
  if (!tenant) throw new NotFound('Tenant', command.tenant);
  if (command.name === 'members.list') {
    const rows = await db
      .select({ email: users.email, name: users.name, role: memberships.role, status: memberships.status })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.tenantId, tenant.id))
      .orderBy(users.email);
    // The invitations that still work, as Settings → Members lists them: one whose sender may no longer invite
    // (archived, or in a role without members.manage) lets nobody in.
    const pending = await db
      .select({ email: invitations.email, role: invitations.role, expiresAt: invitations.expiresAt })
      .from(invitations)
      .where(and(eq(invitations.tenantId, tenant.id), pendingInvitation))
      .orderBy(invitations.email);
    const lines = [
      ...rows.map((m) => `${m.email.padEnd(30)} ${m.role.padEnd(8)} ${m.status.padEnd(9)} ${m.name}`),
      ...pending.map((i) => `${i.email.padEnd(30)} ${i.role.padEnd(8)} ${'invited'.padEnd(9)} (link valid until ${utcMinute(i.expiresAt)})`),
    ];
    const invited = pending.map((i) => ({ email: i.email, role: i.role, expires_at: i.expiresAt.toISOString() }));
    if (!lines.length) return { message: `${tenant.slug} has no members yet. Invite its owner with: orgonaut members invite --tenant ${tenant.slug} --email <email>`, data: { members: rows, invitations: invited } };
    return { message: lines.join('\n'), data: { members: rows, invitations: invited } };
  }

  const email = normaliseEmail(command.email);
  if (!isRole(command.role)) throw new InvalidInput('role', `must be ${ROLES.join(', ')}`);
  const present = await db
    .select({ email: users.email, role: memberships.role, status: memberships.status })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenant.id));
  const same = present.find((m) => m.email.toLowerCase() === email);
  if (same) throw new Conflict(`${email} is already a member of ${tenant.slug} (${same.role}, ${same.status}).`);
  const owner = present.find((m) => m.role === 'owner');
  if (command.role === 'owner' && owner) {
    throw new Conflict(`${tenant.slug} already has an owner (${owner.email}).`, 'Invite with another --role, or let the owner transfer ownership in Settings → Members.');
  }
  // One open invitation per person, and one owner invitation at a time: inviting again (a lost link, another
  // person as owner) replaces the earlier link, as Settings → Members does.
  const replaced = await db
    .update(invitations)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(invitations.tenantId, tenant.id),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        command.role === 'owner' ? or(eq(invitations.role, 'owner'), eq(invitations.email, email)) : eq(invitations.email, email),
      ),
    )
    .returning({ id: invitations.id, email: invitations.email, role: invitations.role });
  for (const earlier of replaced) {
    await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'invitation', entityId: earlier.id, action: 'revoked', before: { email: earlier.email, role: earlier.role }, metadata: { via: 'admin-cli', replaced: true } });
  }
  const token = randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(invitations)
    .values({ tenantId: tenant.id, email, role: command.role, tokenHash: createHash('sha256').update(token).digest('hex'), expiresAt: new Date(Date.now() + INVITE_TTL_MS) })
    .returning();
  await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'invitation', entityId: row!.id, action: 'created', after: { email, role: command.role }, metadata: { via: 'admin-cli' } });
  const url = `${command.origin}/invitations/${token}`;
  return {
    message:
      `Invited ${email} to ${tenant.slug} as ${command.role}.` +
      (replaced.length ? ` The earlier invitation link (${replaced.map((r) => `${r.email} as ${r.role}`).join(', ')}) no longer works.` : '') +
      ` Send them this single-use link (valid 7 days) to set a password:\n${url}`,
    data: { id: row!.id, tenant: tenant.slug, email, role: command.role, url, expires_at: row!.expiresAt.toISOString() },
  };
}

