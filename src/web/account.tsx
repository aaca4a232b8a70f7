import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { eq } from 'drizzle-orm';
import { acceptInvitation, findInvitation, invitedAccountExists, passwordResetUsable, resetPassword, type ResetOutcome } from '../access/members.js';
import { listApiTokens } from '../access/api-tokens.js';
import { connectedApps } from '../access/connected-apps.js';
import { serviceContext } from '../access/middleware.js';
import { hashPassword, verifyPassword } from '../access/passwords.js';
import { createSession, destroyUserSessions, formCsrf } from '../access/sessions.js';
import { auditPasswordChange, SIGN_IN_LIMITS } from '../access/sign-in.js';
import { clientIp, consumeRateLimit, peekRateLimit, rateLimitHeaders, reserveRateLimit, type RateLimit } from '../http/rate-limit.js';
import { metrics } from '../observability/metrics.js';
import { withHeaders } from '../http/response-headers.js';
import { users } from '../db/schema/index.js';
import { AppError, InvalidInput } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { Layout } from './layout.js';
import { checkPreSessionCsrf, checkSessionCsrf, formString, preSessionCsrf } from './forms.js';
import { Notice, Shell } from './shell.js';

/** Your account (change password), accepting an invitation, and using a password-reset link. */
export function accountRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();

  web.get('/account', async (c) => accountPage(c, c.req.query('changed') ? { changed: await stillWorking(c) } : {}));
  web.post('/account/password', async (c) => {
    const body = await c.req.parseBody();
    const session = await checkSessionCsrf(c, body.csrf);
    const db = c.var.runtime.database.db;
    const [user] = await db.select().from(users).where(eq(users.id, session.userId));
    const next = formString(body, 'new_password');
    // Wrong current passwords count like failed sign-ins: a session left open must not let anyone guess the password.
    // Counted before the check (guesses sent at once cannot all slip under the limit), taken back when right.
    const limit = await reserveRateLimit(db, `account-password:${session.userId}`, SIGN_IN_LIMITS.perAccount);
    if (!limit.allowed) {
      await limit.refund();
      return accountPage(c, { error: `Too many wrong current passwords. Try again in ${Math.ceil(limit.retryAfter / 60)} minutes.` }, 429);
    }
    const tenant = c.var.tenant!;
    const who = { userId: session.userId, ip: clientIp(c), requestId: c.var.requestId };
    if (!(await verifyPassword(formString(body, 'current_password'), user?.passwordHash ?? null))) {
      await auditPasswordChange(db, tenant, who, 'wrong_current_password');
      return accountPage(c, { error: 'Your current password is not right.', field: 'current_password' }, 400);
    }
    await limit.refund();
    if (next.length < 10) return accountPage(c, { error: 'Use at least 10 characters for the new password.', field: 'new_password' }, 400);
    if (next !== formString(body, 'confirm_password')) return accountPage(c, { error: 'The two new passwords differ: type the new one again in both fields.', field: 'new_password' }, 400);
    await db.update(users).set({ passwordHash: await hashPassword(next) }).where(eq(users.id, session.userId));
    await auditPasswordChange(db, tenant, who, 'changed');
    await destroyUserSessions(db, session.userId);
    await createSession(c, db, { id: session.userId, ...session.user }, session.tenantId);
    return c.redirect('/account?changed=1', 303);
  });

  for (const path of ['/invitations/:token', '/password-reset/:token']) web.use(path, linkAttempts());
  web.get('/invitations/:token', async (c) => {
    const tenant = c.var.tenant;
    const invitation = tenant ? await findInvitation(c.var.runtime.database.db, tenant, c.req.param('token')) : null;
    if (!invitation) return linkGone(c, 'This invitation link is not valid any more. Ask the person who invited you for a new one.');
    return invitationPage(c, invitation);
  });
  web.post('/invitations/:token', async (c) => {
    const tenant = c.var.tenant;
    const body = await c.req.parseBody();
    checkPreSessionCsrf(c, body.csrf);
    if (!tenant) return linkGone(c, 'Open the link on your organisation’s address.');
    const db = c.var.runtime.database.db;
    try {
      const user = await acceptInvitation(db, tenant, { token: c.req.param('token'), name: formString(body, 'name'), password: formString(body, 'password') });
      await createSession(c, db, user, tenant.id);
      return c.redirect('/live', 303);
    } catch (error) {
      if (error instanceof AppError && error.status === 400) {
        const invitation = await findInvitation(db, tenant, c.req.param('token'));
        if (!invitation) return linkGone(c, error.message);
        return invitationPage(c, invitation, error.message, 400, formString(body, 'name'));
      }
      throw error;
    }
  });

  web.get('/password-reset/:token', async (c) => {
    const tenant = c.var.tenant;
    if (!tenant) return linkGone(c, 'Open the link on your organisation’s address.');
    if (!(await passwordResetUsable(c.var.runtime.database.db, tenant, c.req.param('token')))) return linkGone(c, RESET_GONE);
    return setPasswordPage(c, { title: 'Choose a new password', intro: 'Set a new password for your account.', withName: false });
  });
  web.post('/password-reset/:token', async (c) => {
    const tenant = c.var.tenant;
    const body = await c.req.parseBody();
    checkPreSessionCsrf(c, body.csrf);
    if (!tenant) return linkGone(c, 'Open the link on your organisation’s address.');
    let outcome: ResetOutcome;
    try {
      outcome = await resetPassword(c.var.runtime.database.db, tenant, c.req.param('token'), formString(body, 'password'));
    } catch (error) {
      if (error instanceof AppError && error.status === 400) {
        // A dead link is said once, without the form (typing another password would not help).
        if (error instanceof InvalidInput && error.field === 'token') {
          const reason = error.reasonText;
          return linkGone(c, reason.charAt(0).toUpperCase() + reason.slice(1), 400);
        }
        return setPasswordPage(c, { title: 'Choose a new password', intro: 'Set a new password for your account.', withName: false, error: error.message }, 400);
      }
      throw error;
    }
    // Said here, once (the link is used up: a reload shows it is not valid any more), rather than after a redirect.
    return resetDonePage(c, outcome);
  });
  return web;
}

/** After a password change: the credentials that do not depend on the password, and keep working, on this tenant. */
async function stillWorking(c: Context<AppEnv>): Promise<{ apps: number; tokens: number }> {
  const ctx = serviceContext(c);
  const now = Date.now();
  const tokens = (await listApiTokens(ctx)).filter((t) => !t.revoked_at && !(t.expires_at && Date.parse(t.expires_at) <= now));
  const apps = (await connectedApps(ctx)).filter((app) => app.activeGrants > 0);
  return { apps: apps.length, tokens: tokens.length };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A password field of the form; the one a refusal names is marked, described by the refusal and focused to type again. */
type PasswordField = 'current_password' | 'new_password' | 'confirm_password';

function accountPage(c: Context<AppEnv>, state: { error?: string; field?: PasswordField; changed?: { apps: number; tokens: number } }, status: 200 | 400 | 429 = 200) {
  const session = c.var.session!;
  const fault = (field: PasswordField, hint?: string) =>
    state.field === field ? { 'aria-invalid': 'true' as const, 'aria-describedby': [hint, 'pw-error'].filter(Boolean).join(' '), autofocus: true } : hint ? { 'aria-describedby': hint } : {};
  const csrf = formCsrf(session);
  const me = session.user;
  return c.html(
    <Shell c={c} title="Your account" active="/settings">
      <div class="page-column">
        <div class="page-head">
          <h1>Your account</h1>
          <a href="/settings">All settings</a>
        </div>
        {state.changed ? (
          <Notice kind="ok">
            Password changed. Every other browser signed in to your account was signed out.
            {state.changed.apps + state.changed.tokens > 0 ? (
              <>
                {' '}
                Your {[state.changed.apps ? plural(state.changed.apps, 'connected app', 'connected apps') : '', state.changed.tokens ? plural(state.changed.tokens, 'API token', 'API tokens') : ''].filter(Boolean).join(' and ')} keep
                working: they do not use your password. If someone else may have known it, disconnect or revoke them under{' '}
                <a href="/settings/api">Settings → API</a>.
              </>
            ) : null}
          </Notice>
        ) : null}
        {state.error ? (
          <Notice kind="error" id="pw-error">
            {state.error}
          </Notice>
        ) : null}
        <section class="card narrow" aria-labelledby="me-title">
          <h2 id="me-title">Signed in as</h2>
          <dl class="facts">
            <dt>Name</dt>
            <dd>{me.name || '–'}</dd>
            <dt>Email</dt>
            <dd>{me.email}</dd>
            <dt>Role</dt>
            <dd>
              {c.var.principal?.role ?? '–'} of {c.var.tenant?.name}
            </dd>
          </dl>
        </section>
        <section class="card narrow" aria-labelledby="pw-title">
          <h2 id="pw-title">Change password</h2>
          <form method="post" action="/account/password" class="stack">
            <input type="hidden" name="csrf" value={csrf} />
            <label for="current_password">Current password</label>
            <input id="current_password" name="current_password" type="password" autocomplete="current-password" required {...fault('current_password')} />
            <label for="new_password">New password</label>
            <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength={10} required {...fault('new_password', 'new_password-hint')} />
            <span class="hint" id="new_password-hint">
              {NEW_PASSWORD_HINT}
            </span>
            <label for="confirm_password">New password again</label>
            <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" minlength={10} required {...fault('confirm_password')} />
            <div>
              <button type="submit">Change password</button>
            </div>
          </form>
        </section>
      </div>
    </Shell>,
    status,
  );
}

/**
 * A reset is done: what it ended, by name, so the person knows which apps to approve again and which tokens to
 * make anew, and the way to sign in with the new password.
 */
function resetDonePage(c: Context<AppEnv>, outcome: ResetOutcome) {
  return c.html(
    <Layout title="Password set" tenantName={c.var.tenant?.name}>
      <section class="card narrow">
        <h1>Your new password is set</h1>
        <p>Everything the old password could open was ended:</p>
        <ul>
          <li>every browser signed in to your account was signed out;</li>
          <li>
            {outcome.apps.length ? `connected apps disconnected (approve them again when you next use them): ${outcome.apps.join(', ')};` : 'no connected app was authorised;'}
          </li>
          <li>{outcome.tokens.length ? `personal API tokens revoked (create new ones under Settings → API): ${outcome.tokens.join(', ')}.` : 'no personal API token was in use.'}</li>
        </ul>
        <p>
          <a class="button" href={`/sign-in?password=reset&email=${encodeURIComponent(outcome.email)}`}>
            Sign in with your new password
          </a>
        </p>
      </section>
    </Layout>,
  );
}

const RESET_GONE = 'This password-reset link cannot be used any more: it was used already or it expired. Ask an admin for a new one.';

/** Said beside every new-password field (the services refuse shorter ones; the browser checks minlength first). */
const NEW_PASSWORD_HINT = 'At least 10 characters.';

/** Joining: a new account (name + password), or an existing account's password when the email already has one. */
async function invitationPage(c: Context<AppEnv>, invitation: { email: string; role: string }, error?: string, status: 200 | 400 = 200, name = '') {
  const title = `Join ${c.var.tenant!.name}`;
  if (await invitedAccountExists(c.var.runtime.database.db, invitation.email)) {
    const intro = `You were invited as ${invitation.role}. You already have an Orgonaut account (${invitation.email}): enter its password to join.`;
    return setPasswordPage(c, { title, intro, withName: false, existingAccount: true, error }, status);
  }
  return setPasswordPage(c, { title, intro: `You were invited as ${invitation.role} (${invitation.email}).`, withName: true, name, error }, status);
}

function setPasswordPage(
  c: Context<AppEnv>,
  props: { title: string; intro: string; withName: boolean; name?: string; existingAccount?: boolean; error?: string },
  status: 200 | 400 = 200,
) {
  const csrf = preSessionCsrf(c);
  return c.html(
    <Layout title={props.title} tenantName={c.var.tenant?.name}>
      <section class="card narrow">
        <h1>{props.title}</h1>
        {props.intro ? <p>{props.intro}</p> : null}
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <form method="post" class="stack">
          <input type="hidden" name="csrf" value={csrf} />
          {props.withName ? (
            <>
              <label for="name">Your name</label>
              <input id="name" name="name" autocomplete="name" required value={props.name ?? ''} />
            </>
          ) : null}
          <label for="password">{props.existingAccount ? 'Password of your account' : 'Password'}</label>
          {props.existingAccount ? (
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          ) : (
            <>
              <input id="password" name="password" type="password" autocomplete="new-password" minlength={10} required aria-describedby="password-hint" />
              <span class="hint" id="password-hint">
                {NEW_PASSWORD_HINT}
              </span>
            </>
          )}
          <div>
            <button type="submit">{props.withName || props.existingAccount ? 'Join' : 'Set password'}</button>
          </div>
        </form>
      </section>
    </Layout>,
    status,
  );
}

/**
 * Invitation and password-reset links per client address. Their tokens are unguessable (256 bits), yet nobody gets
 * to try them at speed: every dead or unknown link answered counts, and past the limit the address waits. Working
 * links never count, so people using theirs are not slowed down.
 */
export const LINK_LIMIT: RateLimit = { limit: 20, windowSeconds: 60 };

const linkKey = (c: Context<AppEnv>) => `links:${clientIp(c)}`;

function linkAttempts(): MiddlewareHandler<AppEnv> {
  return async function linkAttemptsMiddleware(c, next) {
    const budget = await peekRateLimit(c.var.runtime.database.db, linkKey(c), LINK_LIMIT);
    if (budget.allowed) return next();
    metrics.rateLimited.inc({ surface: 'links' });
    const page = await linkGone(c, `Too many links that do not work were opened from this network. Try again in ${budget.retryAfter} seconds.`, 429);
    return withHeaders(page, rateLimitHeaders(budget));
  };
}

/** The page of a link that cannot be used (unknown, used, expired, revoked, on the wrong address); counts it. */
async function linkGone(c: Context<AppEnv>, message: string, status: 400 | 404 | 429 = 404) {
  if (status !== 429) await consumeRateLimit(c.var.runtime.database.db, linkKey(c), LINK_LIMIT);
  return c.html(
    <Layout title="Link not valid" tenantName={c.var.tenant?.name}>
      <section class="card narrow" role="alert">
        <h1>This link is not valid</h1>
        <p>{message}</p>
      </section>
    </Layout>,
    status,
  );
}
