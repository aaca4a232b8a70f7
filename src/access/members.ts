import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { invitations, memberships, passwordResets, roleBundles, users } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { isUuid } from '../util/ids.js';
import type { Tenant } from '../tenancy/tenants.js';
import { isRole, type Role } from './bundles.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { authorize, type Principal } from './policy.js';
import { destroyUserSessions } from './sessions.js';
import { revokeTokensOfUser } from './api-tokens.js';
import { revokeAllAppsOfUser } from '../oauth/connected-apps.js';
import { SIGN_IN_LIMITS } from './sign-in.js';
import { reserveRateLimit } from '../http/rate-limit.js';
import { ensureUser, normaliseEmail } from './users.js';
import type { Delivery, LinkDelivery } from '../mail/mailer.js';

/** What an audit event says about the email of a link: sent, or not and why (no address details, no link). */
function deliveryMetadata(delivery: Delivery | undefined): Record<string, unknown> | undefined {
  if (!delivery) return undefined;
  return delivery.status === 'sent' ? { email_delivery: 'sent' } : { email_delivery: 'failed', email_failure: delivery.reason };
}

/**
 * Members of a tenant (SPEC §8, reference/users-and-access-owner-admin.md): invitations by single-use link,
 * role changes, archive / reactivate, password-reset links. Owners are never invited, demoted or archived here.
 */
const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const RESET_TTL_MS = 24 * 60 * 60 * 1000;
const INVITABLE: Role[] = ['admin', 'manager', 'member', 'viewer'];

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * An invitation lets someone in only while whoever sent it still may invite: sent by the admin channel (no
 * inviter), or by an active member whose role has `members.manage` — an admin archived or moved to a lesser role
 * must not keep a way in through a link sent to an address of their own.
 */
const inviterMayStillInvite = sql`(${invitations.invitedBy} is null or exists (
  select 1 from ${memberships} m join ${roleBundles} b on b.tenant_id = m.tenant_id and b.role = m.role
  where m.tenant_id = ${invitations.tenantId} and m.user_id = ${invitations.invitedBy}
    and m.status = 'active' and 'members.manage' = any(b.abilities)))`;

/** An invitation that still works: not accepted, revoked or expired, and sent by someone who may still invite. */
export const pendingInvitation = and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql`now()`), inviterMayStillInvite);

export async function listMembers(ctx: ServiceContext) {
  authorize(ctx.principal, 'members.manage');
  const rows = await ctx.db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, status: memberships.status, joinedAt: memberships.createdAt, lastLoginAt: memberships.lastLoginAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, ctx.tenant.id))
    .orderBy(users.email);
  const pending = await ctx.db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, ctx.tenant.id), pendingInvitation))
    .orderBy(invitations.createdAt);
  return {
    members: rows.map((m) => ({ user_id: m.userId, email: m.email, name: m.name, role: m.role, status: m.status, joined_at: m.joinedAt.toISOString(), last_login_at: m.lastLoginAt?.toISOString() ?? null })),
    invitations: pending.map((i) => ({ id: i.id, email: i.email, role: i.role, expires_at: i.expiresAt.toISOString() })),
  };
}

/** Who makes an invitation: a member (Settings → Members), or the operator's command line (no principal, `via`). */
export interface Inviter {
  principal: Principal | null;
  /** Recorded in the audit events' metadata (`admin-cli`); absent for a member's invitation. */
  via?: string;
}

/** A new invitation: its single-use token (shown once), the invitations it replaced, and what became of its email. */
export interface CreatedInvitation {
  id: string;
  email: string;
  role: Role;
  token: string;
  expiresAt: Date;
  /** The earlier open invitations this one ended (the same email's, or the earlier owner invitation). */
  replaced: { email: string; role: string }[];
  /** Null: email delivery is off. */
  delivery: Delivery | null;
}

/**
 * The one way an invitation is made, by Settings → Members and by `orgonaut members invite` alike: someone already a
 * member is refused, naming them; a tenant has one owner; inviting again replaces the earlier link (one open
 * invitation per person, one owner invitation at a time), each replaced link audited as revoked; the token is
 * stored only as a hash, and works for 7 days. When email delivery is on (`deliver`, see `linkDelivery`), the invitee
 * is emailed the link — a failed email is answered, not thrown: the invitation stands and its link is returned — and
 * the audit event of the invitation says whether the email went.
 */
export async function createInvitation(db: Db, tenant: Tenant, input: { email: string; role: Role }, by: Inviter, deliver?: LinkDelivery): Promise<CreatedInvitation> {
  const email = normaliseEmail(input.email);
  const { role } = input;
  const present = await db
    .select({ email: users.email, role: memberships.role, status: memberships.status })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenant.id), or(sql`lower(${users.email}) = ${email}`, eq(memberships.role, 'owner'))));
  const same = present.find((m) => m.email.toLowerCase() === email);
  if (same) throw new Conflict(`${email} is already a member of ${tenant.slug} (${same.role}, ${same.status}).`);
  const owner = present.find((m) => m.role === 'owner');
  if (role === 'owner' && owner) {
    throw new Conflict(`${tenant.slug} already has an owner (${owner.email}).`, 'Invite with another --role, or let the owner transfer ownership in Settings → Members.');
  }
  const via = by.via ? { via: by.via } : {};
  // Inviting the same email again (a lost link, another role), or another person as owner, replaces the earlier
  // link: one live link each, one owner invitation at a time.
  const replaced = await db
    .update(invitations)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(invitations.tenantId, tenant.id),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        role === 'owner' ? or(eq(invitations.role, 'owner'), eq(invitations.email, email)) : eq(invitations.email, email),
      ),
    )
    .returning({ id: invitations.id, email: invitations.email, role: invitations.role });
  for (const earlier of replaced) {
    await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'invitation', entityId: earlier.id, action: 'revoked', principal: by.principal, before: { email: earlier.email, role: earlier.role }, metadata: { reason: 'replaced', ...via } });
  }
  const token = randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(invitations)
    .values({ tenantId: tenant.id, email, role, tokenHash: digest(token), invitedBy: by.principal?.userId ?? null, expiresAt: new Date(Date.now() + INVITE_TTL_MS) })
    .returning();
  const expiresAt = row!.expiresAt;
  // Sent before the audit event is recorded, so the event says whether the email went.
  const delivery = deliver ? await deliver({ token, email, expiresAt }) : null;
  await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'invitation', entityId: row!.id, action: 'created', principal: by.principal, after: { email, role }, metadata: { ...via, ...deliveryMetadata(delivery ?? undefined) } });
  return { id: row!.id, email, role, token, expiresAt, replaced: replaced.map((r) => ({ email: r.email, role: r.role })), delivery };
}

/** A member's invitation (Settings → Members): any role but owner; emailed by `deliver` when email delivery is on. */
export async function inviteMember(ctx: ServiceContext, input: { email: string; role: string }, deliver?: LinkDelivery) {
  authorize(ctx.principal, 'members.manage');
  if (!isRole(input.role) || !INVITABLE.includes(input.role)) throw new InvalidInput('role', 'invite as admin, manager, member or viewer');
  const invitation = await createInvitation(ctx.db, ctx.tenant, { email: input.email, role: input.role }, { principal: ctx.principal }, deliver);
  return { id: invitation.id, email: invitation.email, role: invitation.role, token: invitation.token, expires_at: invitation.expiresAt.toISOString(), delivery: invitation.delivery };
}

export async function revokeInvitation(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'members.manage');
  if (!isUuid(id)) throw new NotFound('Invitation', id);
  const [row] = await ctx.db
    .update(invitations)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(invitations.tenantId, ctx.tenant.id), eq(invitations.id, id), isNull(invitations.acceptedAt)))
    .returning();
  if (!row) throw new NotFound('Invitation', id);
  await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'security', entityType: 'invitation', entityId: id, action: 'revoked', principal: ctx.principal });
}

/** The invitation a token names, if it is still usable, for the acceptance page. */
export async function findInvitation(db: Db, tenant: Tenant, token: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenant.id), eq(invitations.tokenHash, digest(token)), pendingInvitation));
  return row ?? null;
}

/** Whether the invited email already has an account with a password (then joining needs that password). */
export async function invitedAccountExists(db: Db, email: string): Promise<boolean> {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(sql`lower(${users.email}) = ${normaliseEmail(email)}`);
  return Boolean(row?.hash);
}

/**
 * Accepts an invitation once: creates the account (name and a new password) or — when the invited email already
 * has an account — adds the membership only after that account's password is given: a link is no proof of owning
 * an account, and joining signs the person in.
 */
export async function acceptInvitation(db: Db, tenant: Tenant, input: { token: string; name: string; password: string }) {
  const invitation = await findInvitation(db, tenant, input.token);
  if (!invitation) throw new InvalidInput('token', 'this invitation link is not valid any more; ask for a new one');
  const [account] = await db.select().from(users).where(sql`lower(${users.email}) = ${normaliseEmail(invitation.email)}`);
  if (account?.passwordHash) {
    // The form checks another organisation's password: wrong ones count like failed sign-ins, else whoever can
    // invite an email could guess that account's password here without limit. Counted before the check (guesses
    // sent at once cannot all slip under the limit), taken back when right.
    const limit = await reserveRateLimit(db, `invitation-password:${account.id}`, SIGN_IN_LIMITS.perAccount);
    if (!limit.allowed) {
      await limit.refund();
      throw new InvalidInput('password', `too many wrong passwords for ${account.email}; try again in ${Math.ceil(limit.retryAfter / 60)} minutes`);
    }
    if (await verifyPassword(input.password, account.passwordHash)) {
      await limit.refund();
    } else {
      await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'invitation', entityId: invitation.id, action: 'wrong_password', userId: account.id });
      throw new InvalidInput('password', `that is not the password of your existing account (${account.email}); enter it to join, or ask an admin of an organisation you belong to for a reset link`);
    }
  } else {
    if (!input.name.trim()) throw new InvalidInput('name', 'tell us your name');
    if (input.password.length < 10) throw new InvalidInput('password', 'use at least 10 characters');
  }
  return db.transaction(async (tx) => {
    const claimed = await tx
      .update(invitations)
      .set({ acceptedAt: sql`now()` })
      .where(and(eq(invitations.tenantId, tenant.id), eq(invitations.id, invitation.id), pendingInvitation))
      .returning();
    if (!claimed.length) throw new InvalidInput('token', 'this invitation was just used');
    const user = await ensureUser(tx, { email: invitation.email, name: input.name.trim() || invitation.email, password: input.password });
    if (!account?.passwordHash) await tx.update(users).set({ passwordHash: await hashPassword(input.password), name: input.name.trim() }).where(eq(users.id, user.id));
    // Joining signs the person in (web/account.tsx): that is their first sign-in here.
    await tx.insert(memberships).values({ tenantId: tenant.id, userId: user.id, role: invitation.role, lastLoginAt: sql`now()` }).onConflictDoNothing();
    await recordAudit(tx, { tenantId: tenant.id, category: 'security', entityType: 'invitation', entityId: invitation.id, action: 'accepted', userId: user.id, after: { role: invitation.role } });
    return user;
  });
}

async function loadMember(ctx: ServiceContext, userId: string) {
  if (!isUuid(userId)) throw new NotFound('Member', userId);
  const [row] = await ctx.db.select().from(memberships).where(and(eq(memberships.tenantId, ctx.tenant.id), eq(memberships.userId, userId)));
  if (!row) throw new NotFound('Member', userId);
  return row;
}

export async function changeRole(ctx: ServiceContext, userId: string, role: string) {
  authorize(ctx.principal, 'members.manage');
  const member = await loadMember(ctx, userId);
  if (!isRole(role) || role === 'owner') throw new InvalidInput('role', 'choose admin, manager, member or viewer');
  if (member.role === 'owner') throw new Conflict('The owner’s role cannot be changed here.', 'The owner can hand ownership to another member (Transfer ownership, below the member list).');
  if (userId === ctx.principal.userId) throw new Conflict('You cannot change your own role.');
  if (!isRole(member.role) || !outranks(ctx.principal.role, member.role)) {
    throw new Conflict(`Only someone with a higher role than ${member.role} can change their role.`, 'Ask the owner.');
  }
  await ctx.db.update(memberships).set({ role }).where(and(eq(memberships.tenantId, ctx.tenant.id), eq(memberships.userId, userId)));
  await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'security', entityType: 'membership', entityId: userId, action: 'role_changed', principal: ctx.principal, before: { role: member.role }, after: { role } });
  await endInvitationsSentBy(ctx, userId, 'inviter_role_changed');
}

/**
 * Hands ownership to another active member (`ownership.transfer`, the owner's): they become the owner and the
 * previous owner an admin, in one transaction. The only way the owner role changes hands.
 */
export async function transferOwnership(ctx: ServiceContext, userId: string) {
  authorize(ctx.principal, 'ownership.transfer');
  const from = ctx.principal.userId;
  if (!from) throw new Conflict('Only a signed-in owner can transfer ownership.');
  const member = await loadMember(ctx, userId);
  if (userId === from) throw new Conflict('You are the owner already.');
  if (member.status !== 'active') throw new Conflict('Reactivate this member before making them the owner.');
  await ctx.db.transaction(async (tx) => {
    const inTenant = (id: string) => and(eq(memberships.tenantId, ctx.tenant.id), eq(memberships.userId, id));
    const demoted = await tx.update(memberships).set({ role: 'admin' }).where(and(inTenant(from), eq(memberships.role, 'owner'))).returning();
    if (!demoted.length) throw new Conflict('You are no longer the owner.');
    await tx.update(memberships).set({ role: 'owner' }).where(inTenant(userId));
    await recordAudit(tx, { tenantId: ctx.tenant.id, category: 'security', entityType: 'membership', entityId: userId, action: 'ownership_transferred', principal: ctx.principal, before: { owner: from, role: member.role }, after: { owner: userId, previous_owner_role: 'admin' } });
  });
}

export async function setMemberStatus(ctx: ServiceContext, userId: string, status: 'active' | 'archived') {
  authorize(ctx.principal, 'members.manage');
  const member = await loadMember(ctx, userId);
  if (member.role === 'owner') throw new Conflict('The owner cannot be archived.');
  if (userId === ctx.principal.userId) throw new Conflict('You cannot archive yourself.');
  if (!isRole(member.role) || !outranks(ctx.principal.role, member.role)) {
    throw new Conflict(`Only someone with a higher role than ${member.role} can ${status === 'archived' ? 'archive' : 'reactivate'} them.`, 'Ask the owner.');
  }
  await ctx.db.update(memberships).set({ status }).where(and(eq(memberships.tenantId, ctx.tenant.id), eq(memberships.userId, userId)));
  if (status === 'archived') {
    // Archiving ends every way in, for good: reactivating someone later must not bring back old credentials, nor
    // an unused password-reset link.
    await destroyUserSessions(ctx.db, userId, ctx.tenant.id);
    await revokeTokensOfUser(ctx.db, { tenantId: ctx.tenant.id, userId }, { reason: 'member_archived', principal: ctx.principal });
    await revokeAllAppsOfUser(ctx.db, ctx.tenant.id, userId, { revokedBy: ctx.principal.userId, requestId: ctx.requestId ?? null });
    await endInvitationsSentBy(ctx, userId, 'inviter_archived');
    await endResetLinks(ctx.db, ctx.tenant.id, userId);
  }
  await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'security', entityType: 'membership', entityId: userId, action: status === 'archived' ? 'archived' : 'reactivated', principal: ctx.principal });
}

/**
 * Revokes, for good and audited, the pending invitations a member sent that they could no longer send (archived, or
 * in a role without `members.manage`), so the list of pending invitations shows only links that still work.
 */
async function endInvitationsSentBy(ctx: ServiceContext, userId: string, reason: 'inviter_archived' | 'inviter_role_changed'): Promise<void> {
  const ended = await ctx.db
    .update(invitations)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(invitations.tenantId, ctx.tenant.id), eq(invitations.invitedBy, userId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), sql`not ${inviterMayStillInvite}`))
    .returning({ id: invitations.id });
  for (const invitation of ended) {
    await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'security', entityType: 'invitation', entityId: invitation.id, action: 'revoked', principal: ctx.principal, metadata: { reason } });
  }
}

const RANK: Record<Role, number> = { owner: 4, admin: 3, manager: 2, member: 1, viewer: 0 };

/**
 * Whether a member of role `issuer` may change the role of, archive or reactivate, or issue a password-reset link for,
 * one of role `target`: a lower role only. All of them, or an admin could lower a fellow admin's role, reset their
 * password, raise the role again and be them — or lock a fellow admin out by archiving them.
 */
export function outranks(issuer: Role | null, target: Role): boolean {
  return issuer !== null && RANK[issuer] > RANK[target];
}

/**
 * Why a reset link for this member may not be issued — or used, as things stand when it is used: the issuer must
 * outrank the member, and the member must belong to this tenant only (one password serves every organisation a
 * person belongs to, so no single organisation's admin may set it). Null when it may.
 */
async function resetRefusal(db: Db, tenantId: string, issuerRole: Role | null, userId: string): Promise<string | null> {
  const rows = await db.select({ tenantId: memberships.tenantId, role: memberships.role }).from(memberships).where(eq(memberships.userId, userId));
  const here = rows.find((r) => r.tenantId === tenantId);
  if (!here || !isRole(here.role)) return 'This person is not a member here.';
  if (!outranks(issuerRole, here.role)) {
    return `Only someone with a higher role than ${here.role} can issue a password-reset link for them; they can change their own password under Your account.`;
  }
  if (rows.some((r) => r.tenantId !== tenantId)) {
    return 'This person also belongs to another organisation on Orgonaut, and one password serves them all: only they can change it (Your account → Change password).';
  }
  return null;
}

/**
 * A single-use password-reset link for a member of a lower role who belongs to this tenant only; returns the token
 * and the member's email, the only address `deliver` (when given) emails it to.
 */
export async function issuePasswordReset(ctx: ServiceContext, userId: string, deliver?: LinkDelivery) {
  authorize(ctx.principal, 'members.manage');
  await loadMember(ctx, userId);
  const refusal = await resetRefusal(ctx.db, ctx.tenant.id, ctx.principal.role, userId);
  if (refusal) throw new Conflict(refusal);
  // One live link per person: a new one (the first was lost, or sent to the wrong place) ends the earlier ones.
  await endResetLinks(ctx.db, ctx.tenant.id, userId);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + RESET_TTL_MS);
  await ctx.db.insert(passwordResets).values({ tokenHash: digest(token), tenantId: ctx.tenant.id, userId, issuedBy: ctx.principal.userId, expiresAt });
  const [member] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  const email = member!.email;
  const delivery = await deliver?.({ token, email, expiresAt });
  await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'security', entityType: 'password_reset', entityId: userId, action: 'issued', principal: ctx.principal, metadata: deliveryMetadata(delivery) });
  return { token, email, expires_at: expiresAt.toISOString(), delivery: delivery ?? null };
}

/** Ends every unused reset link of the person on the tenant. */
async function endResetLinks(db: Db, tenantId: string, userId: string): Promise<void> {
  await db
    .update(passwordResets)
    .set({ expiresAt: sql`now()` })
    .where(and(eq(passwordResets.tenantId, tenantId), eq(passwordResets.userId, userId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql`now()`)));
}

/** Whether a reset link can still be used (this tenant's, unused, unexpired), so its page can say so before a password is typed. */
export async function passwordResetUsable(db: Db, tenant: Tenant, token: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: passwordResets.userId })
    .from(passwordResets)
    .where(and(eq(passwordResets.tokenHash, digest(token)), eq(passwordResets.tenantId, tenant.id), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql`now()`)));
  return Boolean(row);
}

/** What a password reset ended, for the page that confirms it. */
export interface ResetOutcome {
  userId: string;
  email: string;
  /** Connected apps (MCP clients) whose grants, access and refresh tokens were revoked, by name. */
  apps: string[];
  /** Personal API tokens revoked (the CLI's sign-ins among them), by name. */
  tokens: string[];
}

/**
 * Uses a reset link once: sets the password and ends every way in the old password could have opened — every
 * browser session, every connected app's grants and tokens, every personal API token — since a reset may follow a
 * compromised account, and a credential an intruder made with the old password must not outlive it. The person
 * belongs to this tenant only (the issuing rules), so its apps and tokens are all there are. The issuing rules are
 * checked again (the member may have joined another organisation, or the issuer lost their role, since the link was
 * made).
 */
export async function resetPassword(db: Db, tenant: Tenant, token: string, password: string): Promise<ResetOutcome> {
  if (password.length < 10) throw new InvalidInput('password', 'use at least 10 characters');
  const [reset] = await db
    .update(passwordResets)
    .set({ usedAt: sql`now()` })
    .where(and(eq(passwordResets.tokenHash, digest(token)), eq(passwordResets.tenantId, tenant.id), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql`now()`)))
    .returning();
  if (!reset) throw new InvalidInput('token', 'this reset link is not valid any more; ask an admin for a new one');
  const [issuer] = reset.issuedBy
    ? await db
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, reset.issuedBy), eq(memberships.status, 'active')))
    : [];
  const refusal = await resetRefusal(db, tenant.id, issuer && isRole(issuer.role) ? issuer.role : null, reset.userId);
  if (refusal) throw new InvalidInput('token', `this reset link cannot be used any more. ${refusal}`);
  await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, reset.userId));
  await endResetLinks(db, tenant.id, reset.userId);
  await destroyUserSessions(db, reset.userId);
  const apps = await revokeAllAppsOfUser(db, tenant.id, reset.userId, { revokedBy: reset.userId, reason: 'password_reset' });
  const tokens = await revokeTokensOfUser(db, { tenantId: tenant.id, userId: reset.userId }, { reason: 'password_reset' });
  await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'password_reset', entityId: reset.userId, action: 'used', userId: reset.userId, metadata: { apps_revoked: apps.length, tokens_revoked: tokens.length } });
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, reset.userId));
  return { userId: reset.userId, email: user?.email ?? '', apps, tokens };
}
