import { Hono, type Context } from 'hono';
import { TableScroll } from '../table-scroll.js';
import { CopyButton } from '../copy-button.js';
import { ABILITIES, ALL_ABILITIES, type Ability } from '../../access/abilities.js';
import { isRole } from '../../access/bundles.js';
import { describeChange, listRoleBundles, OWNER_ONLY, resetRoleBundle, setRoleAbilities, type RoleBundleView } from '../../access/role-bundles.js';
import { changeRole, inviteMember, issuePasswordReset, listMembers, outranks, revokeInvitation, setMemberStatus, transferOwnership } from '../../access/members.js';
import { linkDelivery, type Delivery } from '../../mail/mailer.js';
import { invitationEmail, passwordResetEmail } from '../../mail/messages.js';
import { can } from '../../access/policy.js';
import { serviceContext } from '../../access/middleware.js';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { MissingAbility } from '../../errors.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { when } from '../live/format.js';
import { Notice, Shell } from '../shell.js';
import { formCsrf } from '../../access/sessions.js';

const RESET_LABEL = 'Password-reset link';

/** Settings → Members (`members.manage`): invite by link, change roles, archive, reset links, the ability matrix. */
const NOTICES: Record<string, string> = {
  role: 'Role changed.',
  archived: 'Member archived: they are signed out here, and their API tokens and connected apps are revoked for good.',
  active: 'Member reactivated.',
  revoked: 'Invitation revoked.',
  owner: 'Ownership transferred. You are now an admin.',
};

export function memberRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/settings/members', (c) => page(c, { notice: NOTICES[c.req.query('notice') ?? ''] }));

  web.post('/settings/members/invite', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    try {
      const ctx = serviceContext(c);
      const role = formString(body, 'role');
      const inviter = c.var.session!.user;
      const invitation = await inviteMember(
        ctx,
        { email: formString(body, 'email'), role },
        linkDelivery(c.var.runtime.mailer, (link) => invitationEmail({ to: link.email, organisation: ctx.tenant.name, inviter: inviter.name || inviter.email, role, url: invitationUrl(c, link.token), expiresAt: link.expiresAt })),
      );
      return page(c, { link: { email: invitation.email, url: invitationUrl(c, invitation.token), label: 'Invitation link', expiresAt: invitation.expires_at, delivery: invitation.delivery } });
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.status !== 403) {
        return page(c, { error: error.message, draft: { email: formString(body, 'email'), role: formString(body, 'role') } }, 400);
      }
      throw error;
    }
  });

  web.post('/settings/members/transfer', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    if (!formString(body, 'user_id')) return page(c, { error: 'Choose the member who becomes the owner.' }, 400);
    if (formString(body, 'confirm') !== 'yes') return page(c, { error: 'Tick the box to confirm the transfer of ownership.' }, 409);
    try {
      await transferOwnership(serviceContext(c), formString(body, 'user_id'));
    } catch (error) {
      if (error instanceof AppError && error.status === 409) return page(c, { error: error.message }, 409);
      throw error;
    }
    c.var.runtime.authenticator.forget();
    return c.redirect('/settings/members?notice=owner', 303);
  });

  web.post('/settings/members/:userId/:action', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const ctx = serviceContext(c);
    const userId = c.req.param('userId');
    try {
      switch (c.req.param('action')) {
        case 'role':
          await changeRole(ctx, userId, formString(body, 'role'));
          break;
        case 'archive':
          await setMemberStatus(ctx, userId, 'archived');
          break;
        case 'reactivate':
          await setMemberStatus(ctx, userId, 'active');
          break;
        case 'reset': {
          const reset = await issuePasswordReset(
            ctx,
            userId,
            linkDelivery(c.var.runtime.mailer, (link) => passwordResetEmail({ to: link.email, organisation: ctx.tenant.name, url: resetUrl(c, link.token), expiresAt: link.expiresAt })),
          );
          return page(c, { link: { email: reset.email, url: resetUrl(c, reset.token), label: RESET_LABEL, expiresAt: reset.expires_at, delivery: reset.delivery } });
        }
        default:
          return c.notFound();
      }
    } catch (error) {
      if (error instanceof AppError && error.status === 409) return page(c, { error: error.message }, 409);
      throw error;
    }
    c.var.runtime.authenticator.forget();
    const action = c.req.param('action');
    return c.redirect(`/settings/members?notice=${action === 'archive' ? 'archived' : action === 'reactivate' ? 'active' : 'role'}`, 303);
  });

  // What each role can do: a role's bundle saved as ticked, or put back to the default (access/role-bundles.ts).
  web.post('/settings/members/roles/:role/:action{save|reset}', async (c) => {
    const body = await c.req.parseBody({ all: true });
    await checkSessionCsrf(c, body.csrf);
    const ctx = serviceContext(c);
    const by = { principal: ctx.principal, requestId: ctx.requestId ?? null };
    const role = c.req.param('role');
    try {
      const change =
        c.req.param('action') === 'reset'
          ? await resetRoleBundle(ctx.db, ctx.tenant, role, by)
          : await setRoleAbilities(ctx.db, ctx.tenant, role, ([] as unknown[]).concat(body.abilities ?? []).filter((a): a is string => typeof a === 'string'), by);
      c.var.runtime.authenticator.forget();
      return page(c, { notice: describeChange(change) });
    } catch (error) {
      // No members.manage at all: the page's own refusal. Any other refusal is said above the form, nothing changed.
      if (error instanceof AppError && error.status < 500 && !(error instanceof MissingAbility)) {
        return page(c, { error: `Nothing changed: ${error.message}${error.fix ? ` ${error.fix}` : ''}` }, error.status === 403 ? 403 : error.status === 409 ? 409 : 400);
      }
      throw error;
    }
  });

  web.post('/settings/invitations/:id/revoke', async (c) => {
    await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
    await revokeInvitation(serviceContext(c), c.req.param('id'));
    return c.redirect('/settings/members?notice=revoked', 303);
  });
  return web;
}

/** The links are absolute on the tenant's own host, the one the admin is on: shown to copy and emailed alike. */
const invitationUrl = (c: Context<AppEnv>, token: string) => `${c.var.origin}/invitations/${token}`;
const resetUrl = (c: Context<AppEnv>, token: string) => `${c.var.origin}/password-reset/${token}`;

interface State {
  notice?: string;
  error?: string;
  /** A new link to show once; `delivery` says whether it was also emailed (null: email delivery is off). */
  link?: { email: string; url: string; label: string; expiresAt: string; delivery?: Delivery | null };
  /** What the invite form held when it was refused (shown again). */
  draft?: { email: string; role: string };
}

async function page(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const { members, invitations } = await listMembers(ctx);
  const bundles = await listRoleBundles(ctx.db, ctx.tenant, { principal: ctx.principal });
  const csrf = formCsrf(c.var.session!);
  const me = ctx.principal.userId;
  // Whose role, status and password this admin may change: not the owner or themselves, only a lower role.
  const mailing = c.var.runtime.mailer !== null;
  const manages = (m: (typeof members)[number]) => m.role !== 'owner' && m.user_id !== me && isRole(m.role) && outranks(ctx.principal.role, m.role);
  return c.html(
    <Shell c={c} title="Members" active="/settings" wide>
      <div class="page-head">
        <h1>Settings → Members</h1>
        <a href="/settings">All settings</a>
      </div>
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <Notice kind="error">{state.error}</Notice> : null}
      {state.link ? (
        <section class="card" aria-labelledby="link-title">
          <h2 id="link-title">
            {state.link.label} for {state.link.email}
          </h2>
          {state.link.delivery?.status === 'sent' ? <Notice kind="ok">Emailed to {state.link.delivery.to}.</Notice> : null}
          {state.link.delivery?.status === 'failed' ? (
            <Notice kind="error">
              The email to {state.link.delivery.to} could not be sent: {state.link.delivery.reason}. The link below works: send it yourself.
            </Notice>
          ) : null}
          <p class="warning">
            {state.link.delivery?.status === 'sent' ? 'This single-use link was emailed; it is also shown here once' : 'Send this single-use link yourself; it is shown once'} and
            works until {when(state.link.expiresAt)}. A new link for the same person replaces it.
            {state.link.label === RESET_LABEL ? ' Once used, it signs them out everywhere and revokes their connected apps and API tokens.' : null}
          </p>
          <div class="secret">
            <label for="the-link" class="visually-hidden">
              {state.link.label}
            </label>
            <input id="the-link" readonly value={state.link.url} />
            <CopyButton target="the-link" what="the invitation link" />
          </div>
        </section>
      ) : null}
      <section class="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite a member</h2>
        <form method="post" action="/settings/members/invite" class="grid">
          <input type="hidden" name="csrf" value={csrf} />
          <label>
            Email
            <input name="email" type="email" required autocomplete="off" value={state.draft?.email ?? ''} aria-invalid={state.draft ? 'true' : undefined} />
          </label>
          <label>
            Role
            <select name="role">
              {['admin', 'manager', 'member', 'viewer'].map((r) => (
                <option value={r} selected={r === (state.draft?.role || 'member')}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <div>
            <button type="submit">{mailing ? 'Create invitation link and email it' : 'Create invitation link'}</button>
          </div>
        </form>
        <p class="hint">
          {mailing
            ? 'The invitation link is emailed to the address given, and shown here to copy.'
            : 'Email delivery is off (no ORGONAUT_SMTP_URL): the invitation link is shown here for you to send.'}
        </p>
        {invitations.length ? (
          <>
            <h3>Pending invitations</h3>
            <ul class="choices">
              {invitations.map((i) => (
                <li>
                  {i.email} as <strong>{i.role}</strong> <span class="hint">until {i.expires_at.slice(0, 10)}</span>{' '}
                  <form
                    method="post"
                    action={`/settings/invitations/${i.id}/revoke`}
                    class="inline"
                    data-confirm={`Revoke the invitation for ${i.email}? Its link stops working.`}
                  >
                    <input type="hidden" name="csrf" value={csrf} />
                    <button type="submit" class="link" aria-label={`Revoke the invitation for ${i.email}`}>
                      Revoke
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <TableScroll label="Members">
          <table>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Status</th>
                <th scope="col">Role</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr>
                  <td>
                    {m.name}
                    <div class="hint">{m.email}</div>
                  </td>
                  <td>{m.status === 'active' ? <span class="badge ok">active</span> : <span class="badge">archived</span>}</td>
                  <td>
                    {!manages(m) ? (
                      m.role
                    ) : (
                      <form method="post" action={`/settings/members/${m.user_id}/role`} class="inline">
                        <input type="hidden" name="csrf" value={csrf} />
                        <label class="visually-hidden" for={`role-${m.user_id}`}>
                          Role of {m.email}
                        </label>
                        <select id={`role-${m.user_id}`} name="role">
                          {['admin', 'manager', 'member', 'viewer'].map((r) => (
                            <option value={r} selected={r === m.role}>
                              {r}
                            </option>
                          ))}
                        </select>
                        <button type="submit" class="secondary">
                          Change
                        </button>
                      </form>
                    )}
                  </td>
                  <td class="date">{m.last_login_at ? when(m.last_login_at) : 'never'}</td>
                  <td class="actions">
                    {!manages(m) ? null : (
                      <>
                        <form
                          method="post"
                          action={`/settings/members/${m.user_id}/${m.status === 'active' ? 'archive' : 'reactivate'}`}
                          data-confirm={m.status === 'active' ? `Archive ${m.name ?? m.email}? Their sessions and tokens stop working.` : undefined}
                        >
                          <input type="hidden" name="csrf" value={csrf} />
                          <button type="submit" class="secondary">
                            {m.status === 'active' ? 'Archive' : 'Reactivate'}
                          </button>
                        </form>
                        {m.status === 'active' ? (
                          <form method="post" action={`/settings/members/${m.user_id}/reset`}>
                            <input type="hidden" name="csrf" value={csrf} />
                            <button type="submit" class="secondary">
                              Password-reset link
                            </button>
                          </form>
                        ) : null}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      {can(ctx.principal, 'ownership.transfer') ? <TransferOwnership csrf={csrf} candidates={members.filter((m) => m.user_id !== me && m.status === 'active')} /> : null}
      <AbilityMatrix bundles={bundles} csrf={csrf} />
    </Shell>,
    status,
    // It may show a secret once (a new token, an invitation or reset link): never kept by a cache or in history.
    { 'cache-control': 'no-store' },
  );
}

/**
 * What each role can do, as this tenant has it: a tick per ability and role, marking where a bundle differs from the
 * default. The roles this person may change (below their own; never the owner's) are columns of checkboxes, each
 * saved or reset by its own form below the table (the checkboxes belong to it through `form`).
 */
function AbilityMatrix(props: { bundles: RoleBundleView[]; csrf: string }) {
  const editable = props.bundles.filter((b) => b.editable);
  const formId = (role: string) => `bundle-${role}`;
  const cell = (b: RoleBundleView, a: Ability) => {
    const has = b.abilities.includes(a);
    const mark = b.added.includes(a) ? (
      <span class="badge warn">added</span>
    ) : b.removed.includes(a) ? (
      <span class="badge warn">removed</span>
    ) : null;
    if (b.editable && !OWNER_ONLY.includes(a)) {
      const id = `${formId(b.role)}-${a}`;
      return (
        <td class="num">
          <input type="checkbox" id={id} name="abilities" value={a} checked={has} form={formId(b.role)} />
          <label class="visually-hidden" for={id}>
            {b.role}: {a}
          </label>{' '}
          {mark}
        </td>
      );
    }
    return (
      <td class="num">
        {has ? <span aria-label="yes">✓</span> : <span aria-label="no">–</span>} {mark}
      </td>
    );
  };
  return (
    <section class="card" aria-labelledby="matrix-title" id="roles">
      <h2 id="matrix-title">What each role can do</h2>
      <p class="hint">
        These are this organisation’s role bundles. The owner role is fixed, and {OWNER_ONLY.join(' and ')} stay the owner’s.
        {editable.length
          ? ` You can change the ${editable.map((b) => b.role).join(', ')} role${editable.length > 1 ? 's' : ''} (roles below your own), granting only abilities you hold. A change applies within a second to everyone with the role, their API tokens and connected apps; a token never gains more than it was created with.`
          : ' You cannot change any role: only roles below your own can be changed.'}
      </p>
      <TableScroll label="Roles and abilities">
        <table>
          <thead>
            <tr>
              <th scope="col">Ability</th>
              {props.bundles.map((b) => (
                <th scope="col" class="num">
                  {b.role}
                  <div>{b.role === 'owner' ? <span class="badge">fixed</span> : b.default ? <span class="badge">default</span> : <span class="badge warn">customised</span>}</div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ALL_ABILITIES.map((a) => (
              <tr>
                <th scope="row">
                  <code>{a}</code>
                  <div class="hint">{ABILITIES[a]}</div>
                </th>
                {props.bundles.map((b) => cell(b, a))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {editable.length ? (
        <div class="actions">
          {editable.map((b) => (
            <>
              <form method="post" action={`/settings/members/roles/${b.role}/save`} id={formId(b.role)} class="inline">
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit">Save the {b.role} role</button>
              </form>
              <form
                method="post"
                action={`/settings/members/roles/${b.role}/reset`}
                class="inline"
                data-confirm={`Reset the ${b.role} role to its default abilities? Everyone with it gets exactly the default again.`}
              >
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit" class="secondary" disabled={b.default}>
                  Reset the {b.role} role to defaults
                </button>
              </form>
            </>
          ))}
        </div>
      ) : null}
    </section>
  );
}

/** The owner's form to hand ownership to another active member (they become owner, you an admin). */
function TransferOwnership(props: { csrf: string; candidates: { user_id: string; email: string; name: string | null; role: string }[] }) {
  return (
    <section class="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Transfer ownership</h2>
      {props.candidates.length === 0 ? (
        <p class="empty">Invite another member first: ownership can only go to an active member.</p>
      ) : (
        <form method="post" action="/settings/members/transfer" class="stack" data-transfer>
          <input type="hidden" name="csrf" value={props.csrf} />
          <p>The new owner gets billing and ownership; you become an admin. Only they can hand it back.</p>
          <label for="transfer-to">New owner</label>
          <select id="transfer-to" name="user_id" required>
            {/* Nobody is chosen for the owner: the first member listed would otherwise be one tick away from owning the organisation. */}
            <option value="" selected>
              Choose a member…
            </option>
            {props.candidates.map((m) => (
              <option value={m.user_id}>
                {m.name ? `${m.name} (${m.email})` : m.email} — {m.role}
              </option>
            ))}
          </select>
          <div class="field check">
            <input id="transfer-confirm" type="checkbox" name="confirm" value="yes" required />
            <label for="transfer-confirm">I understand that I will no longer be the owner.</label>
          </div>
          <div>
            <button type="submit">Transfer ownership</button>
          </div>
        </form>
      )}
    </section>
  );
}
