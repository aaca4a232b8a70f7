import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { invitations, memberships, users } from '../db/schema/index.js';
import { isRole, ROLES } from '../access/bundles.js';
import { createInvitation, pendingInvitation } from '../access/members.js';
import { InvalidInput, NotFound } from '../errors.js';
import { linkDelivery, type Delivery, type Mailer } from '../mail/mailer.js';
import { invitationEmail } from '../mail/messages.js';
import { findTenantBySlug } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';
import { utcMinute } from './format.js';

type MemberCommand = Extract<AdminCommand, { name: 'members.invite' | 'members.list' }>;

/**
 * `orgonaut members invite|list`: how an operator gives a tenant its first owner (a tenant made with `tenants create`
 * has no members, and on PostgreSQL nobody is seeded), and who may then be named in `tokens create --user`. The
 * invitation is the one Settings → Members makes — a single-use link, accepted on `/invitations/<token>` — except
 * that it may make an owner, which only an operator can. `mailer` (ORGONAUT_SMTP_URL) emails the link, as Settings →
 * Members does; a failed email costs the invitation nothing: its link is printed, with why the email was not sent.
 */
export async function runMemberCommand(db: Db, command: MemberCommand, mailer: Mailer | null = null): Promise<AdminResult> {
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

  const asked = command.role;
  if (!isRole(asked)) throw new InvalidInput('role', `must be ${ROLES.join(', ')}`);
  const linkOf = (token: string) => `${command.origin}/invitations/${token}`;
  // The operator is nobody the invitee knows: the email names no inviter ("You are invited").
  const invitation = await createInvitation(
    db,
    tenant,
    { email: command.email, role: asked },
    { principal: null, via: 'admin-cli' },
    linkDelivery(mailer, (link) => invitationEmail({ to: link.email, organisation: tenant.name, inviter: null, role: asked, url: linkOf(link.token), expiresAt: link.expiresAt })),
  );
  const { email, role, delivery } = invitation;
  const url = linkOf(invitation.token);
  return {
    message:
      `Invited ${email} to ${tenant.slug} as ${role}.` +
      (invitation.replaced.length ? ` The earlier invitation link (${invitation.replaced.map((r) => `${r.email} as ${r.role}`).join(', ')}) no longer works.` : '') +
      ` ${deliverySentence(delivery)} The link works once, for 7 days; they set their password there:\n${url}`,
    data: { id: invitation.id, tenant: tenant.slug, email, role, url, expires_at: invitation.expiresAt.toISOString(), delivery },
  };
}

/**
 * What became of the email, as Settings → Members says it: emailed, not sent and why (the invitation stands: the
 * link below works), or email delivery off.
 */
function deliverySentence(delivery: Delivery | null): string {
  if (!delivery) return 'SMTP is not configured (ORGONAUT_SMTP_URL): send this link yourself.';
  if (delivery.status === 'sent') return `Emailed the link to ${delivery.to}.`;
  return `The email to ${delivery.to} could not be sent: ${delivery.reason}. The invitation stands: send this link yourself.`;
}
