import { Hono, type Context } from 'hono';
import { createSession, destroySession, readSession, SESSION_IDLE_MS, SESSION_LIFETIME_MS, type Session, type SessionEnd, formCsrf } from '../access/sessions.js';
import { auditSignIn, signIn, SignInFailed, tenantsOfUser } from '../access/sign-in.js';
import { clientIp } from '../http/rate-limit.js';
import type { AppEnv } from '../http/env.js';
import { checkPreSessionCsrf, checkSessionCsrf, CsrfRejected, formString, preSessionCsrf, safeReturnTo } from './forms.js';
import { Layout } from './layout.js';

/** Sign-in and sign-out on every host; on the central host, the choice of tenant afterwards. */
export function signInRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();

  web.get('/sign-in', async (c) => {
    const session = await readSession(c);
    const returnTo = safeReturnTo(c.req.query('return_to'));
    const signedInHere = session !== null && session.tenantId === (c.var.tenant?.id ?? null);
    // again=1: an app being connected asked for a fresh sign-in (OAuth prompt=login / max_age), session or not.
    if (c.req.query('again') === '1' && signedInHere) {
      const notice = 'The app you are connecting asks you to sign in again, to confirm it is you.';
      return signInPage(c, { returnTo, email: session.user.email, notice });
    }
    if (signedInHere) return c.var.tenant ? c.redirect(returnTo, 303) : tenantChoice(c, session);
    const notice = c.req.query('password') === 'reset' ? 'Your new password is set. Sign in with it.' : endedNotice(c.var.sessionEnded, returnTo);
    return signInPage(c, { returnTo, email: c.req.query('email') ?? '', notice });
  });

  web.post('/sign-in', async (c) => {
    const body = await c.req.parseBody();
    const email = formString(body, 'email');
    const returnTo = safeReturnTo(body.return_to);
    try {
      checkPreSessionCsrf(c, body.csrf);
    } catch (error) {
      if (!(error instanceof CsrfRejected)) throw error;
      // A sign-in page left open past its form token (an hour), or cookies cleared meanwhile: nobody is signed in,
      // but the same form comes back with a fresh token, the email and where to go after — a connection in progress
      // (OAuth, CLI) is not lost to an error page.
      return signInPage(c, { returnTo, email, error: 'This page had expired. Enter your password again to sign in.' }, 403);
    }
    const tenant = hostTenant(c);
    try {
      const user = await signIn(c.var.runtime.database.db, tenant, { email, password: formString(body, 'password'), ip: clientIp(c) });
      await createSession(c, c.var.runtime.database.db, user, tenant?.id ?? null);
      // Central host: the choice of organisation is a page of its own (GET /sign-in), so reloading it re-posts nothing.
      return c.redirect(tenant ? returnTo : '/sign-in', 303);
    } catch (error) {
      if (!(error instanceof SignInFailed)) throw error;
      // Right password, wrong organisation: point to the central host, which lists the person's organisations.
      const elsewhere = error.code === 'sign_in_not_member' ? centralSignIn(c, email) : undefined;
      return signInPage(c, { returnTo, email, error: refusal(error), elsewhere }, error.status === 429 ? 429 : 401);
    }
  });

  // Typed or bookmarked: a GET never signs anyone out (a link on another site must not), it asks.
  web.get('/sign-out', async (c) => {
    const session = await readSession(c);
    if (!session) return c.redirect('/sign-in', 303);
    return c.html(
      <Layout title="Sign out" tenantName={c.var.tenant?.name}>
        <section class="card narrow">
          <h1>Sign out{c.var.tenant ? ` of ${c.var.tenant.name}` : ''}?</h1>
          <p>You are signed in as {session.user.email}.</p>
          <form method="post" action="/sign-out" class="actions">
            <input type="hidden" name="csrf" value={formCsrf(session)} />
            <button type="submit">Sign out</button>
          </form>
        </section>
      </Layout>,
    );
  });

  web.post('/sign-out', async (c) => {
    const body = await c.req.parseBody();
    // Already signed out (the session ended while the page was open, or in another tab): that is what was asked for,
    // not a forged form; the browser drops the cookie and goes to sign-in.
    if (!(await readSession(c))) {
      await destroySession(c, c.var.runtime.database.db);
      return c.redirect('/sign-in', 303);
    }
    const session = await checkSessionCsrf(c, body.csrf);
    await destroySession(c, c.var.runtime.database.db);
    await auditSignIn(c.var.runtime.database.db, hostTenant(c), 'signed_out', { userId: session.userId, email: session.user.email, ip: clientIp(c) });
    // "Use another account" on a consent page signs out and comes back to the same request after the next sign-in.
    const returnTo = safeReturnTo(body.return_to);
    return c.redirect(returnTo === '/' ? '/sign-in' : `/sign-in?return_to=${encodeURIComponent(returnTo)}`, 303);
  });

  return web;
}

/** The tenant this host serves (null on the central host; a tenant named by X-Tenant is no sign-in host). */
function hostTenant(c: Context<AppEnv>) {
  return c.var.tenant && c.var.tenantSource === 'host' ? c.var.tenant : null;
}

/** Why a person lands on the sign-in page in the middle of connecting something, said before they type a password. */
function purposeOf(returnTo: string): string | undefined {
  if (returnTo.startsWith('/oauth/interaction/')) return 'An app is asking to connect to this organisation: sign in to see what it asks for and decide.';
  if (returnTo.startsWith('/cli/oauth/')) return 'The orgonaut command line is asking to connect: sign in to see what it asks for and decide.';
  return undefined;
}

/**
 * Said when the browser's session ended by itself (the cookie names it still), so the person knows why they are
 * asked for their password again, and that they will come back to the page they were on.
 */
function endedNotice(ended: SessionEnd | undefined, returnTo: string): string | undefined {
  if (!ended) return undefined;
  const why =
    ended === 'idle'
      ? `Your session ended after ${SESSION_IDLE_MS / 3_600_000} hours without activity.`
      : `Your session ended: a sign-in lasts ${SESSION_LIFETIME_MS / 3_600_000} hours.`;
  return returnTo === '/' ? `${why} Sign in again to continue.` : `${why} Sign in again to go back to where you were.`;
}

/** A refused sign-in in words; a wait of a minute and more in minutes ("Try again in 5 minutes"), not seconds. */
function refusal(error: SignInFailed): string {
  const wait = Number(error.details.retry_after);
  if (error.status !== 429 || !(wait >= 90)) return error.message;
  return `Too many sign-in attempts. Try again in ${Math.ceil(wait / 60)} minutes.`;
}

/** The central host's sign-in (it lists the organisations of whoever signs in there), with the email filled in. */
function centralSignIn(c: Context<AppEnv>, email: string): { href: string; host: string } {
  const { config } = c.var.runtime;
  const port = new URL(c.var.origin).port;
  const host = `app.${config.baseDomain}${port ? `:${port}` : ''}`;
  return { href: `${config.publicScheme}://${host}/sign-in?email=${encodeURIComponent(email)}`, host };
}

function signInPage(
  c: Context<AppEnv>,
  props: { returnTo: string; email: string; error?: string; notice?: string; elsewhere?: { href: string; host: string } },
  status: 200 | 401 | 403 | 429 = 200,
) {
  const tenant = c.var.tenant;
  const csrf = preSessionCsrf(c);
  const purpose = purposeOf(props.returnTo);
  return c.html(
    <Layout title="Sign in" tenantName={tenant?.name}>
      <section class="card narrow">
        <h1>Sign in{tenant ? ` to ${tenant.name}` : ''}</h1>
        {purpose && !props.notice ? <p>{purpose}</p> : null}
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
            {props.elsewhere ? (
              <>
                {' '}
                See the organisations you belong to at <a href={props.elsewhere.href}>{props.elsewhere.host}</a>.
              </>
            ) : null}
          </p>
        ) : null}
        {props.notice ? (
          <p class="notice ok" role="status">
            {props.notice}
          </p>
        ) : null}
        <form method="post" action="/sign-in" class="stack">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="return_to" value={props.returnTo} />
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required value={props.email} autofocus={!props.email || undefined} />
          <label for="password">Password</label>
          {/* With the email known (a refused attempt, a link that fills it in), the cursor waits in the password. */}
          <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={Boolean(props.email) || undefined} />
          <button type="submit">Sign in</button>
        </form>
        {/* There is no self-service reset (no email is sent): say who can help instead of leaving people stuck. */}
        <p class="hint">Forgot your password? Ask an owner or admin of your organisation for a password-reset link.</p>
      </section>
    </Layout>,
    status,
  );
}

/** On the central host: the organisations the signed-in user belongs to. */
async function tenantChoice(c: Context<AppEnv>, session: Session) {
  const db = c.var.runtime.database.db;
  const choices = await tenantsOfUser(db, session.userId);
  const { email } = session.user;
  // Each organisation is its own origin (its own session cookie): its sign-in page opens with the email filled in.
  const signInAt = (slug: string) => `${hostOf(slug)}/sign-in?email=${encodeURIComponent(email)}`;
  const { config } = c.var.runtime;
  const port = new URL(c.var.origin).port;
  const hostOf = (slug: string) => `${config.publicScheme}://${slug}.${config.baseDomain}${port ? `:${port}` : ''}`;
  return c.html(
    <Layout title="Choose an organisation">
      <section class="card narrow">
        <h1>Choose an organisation</h1>
        {choices.length ? (
          <>
            <p class="hint">Each organisation has its own address: you sign in there once more.</p>
            <ul class="choices">
              {choices.map((t) => (
                <li>
                  <a href={signInAt(t.slug)}>{t.name}</a> <span class="hint">({t.role})</span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>Your account is not a member of any organisation yet. Ask an owner or admin to invite you.</p>
        )}
        {/* A shared computer must be able to leave this page signed out (the session would last 12 hours). */}
        <form method="post" action="/sign-out" class="inline hint">
          <input type="hidden" name="csrf" value={formCsrf(session)} />
          Signed in as {email}.{' '}
          <button type="submit" class="link">
            Sign out
          </button>
        </form>
      </section>
    </Layout>,
  );
}
