import { Hono, type Context } from 'hono';
import { describeAbility, type Ability } from '../access/abilities.js';
import { cliTokenExpiry, CliSignInError, exchangeCliCode, issueCliCode, parseCliAuthorize, type CliAuthorizeRequest } from '../access/cli-sign-in.js';
import { roleAbilitiesOf } from '../access/membership-abilities.js';
import { readSession, type Session, formCsrf } from '../access/sessions.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { clientIp, consumeRateLimit, rateLimitHeaders } from '../http/rate-limit.js';
import { renderErrorPage } from './error-page.js';
import { checkSessionCsrf, formString } from './forms.js';
import { Layout } from './layout.js';
import { day } from './live/format.js';

/** `/cli/oauth/*`: the first-party CLI's browser sign-in, on every plan (SPEC §4.3). */
export function cliSignInRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();

  web.get('/cli/oauth/authorize', async (c) => {
    const tenant = c.var.tenant;
    if (!tenant || c.var.tenantSource !== 'host') return pageError(c, "Open this link on your organisation's own address.");
    let request: CliAuthorizeRequest;
    try {
      request = parseCliAuthorize(c.req.query());
    } catch (error) {
      if (error instanceof CliSignInError) return pageError(c, error.message);
      throw error;
    }
    const session = await readSession(c);
    if (!session || session.tenantId !== tenant.id) {
      const here = new URL(c.req.url);
      return c.redirect(`/sign-in?return_to=${encodeURIComponent(here.pathname + here.search)}`, 303);
    }
    const abilities = await roleAbilitiesOf(c.var.runtime.database.db, tenant, session.userId);
    if (!abilities) return pageError(c, 'Your account is not a member of this organisation.');
    return consentPage(c, request, [...abilities], session);
  });

  web.post('/cli/oauth/authorize', async (c) => {
    const tenant = c.var.tenant;
    if (!tenant) return pageError(c, "Open this link on your organisation's own address.");
    const body = await c.req.parseBody();
    const session = await checkSessionCsrf(c, body.csrf);
    if (session.tenantId !== tenant.id) return pageError(c, 'Sign in to this organisation first.');
    let request: CliAuthorizeRequest;
    try {
      request = parseCliAuthorize(Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])));
    } catch (error) {
      // The form was tampered with (or built by hand): say what is wrong, as the GET does.
      if (error instanceof CliSignInError) return pageError(c, error.message);
      throw error;
    }
    const target = new URL(request.redirectUri);
    if (request.state) target.searchParams.set('state', request.state);
    if (formString(body, 'decision') !== 'allow') {
      target.searchParams.set('error', 'access_denied');
    } else {
      target.searchParams.set('code', await issueCliCode(c.var.runtime.database.db, tenant, session.userId, request));
    }
    return c.redirect(target.toString(), 303);
  });

  web.post('/cli/oauth/token', async (c) => {
    const tenant = c.var.tenant;
    if (!tenant) return c.json({ error: 'invalid_request', error_description: 'Use your organisation’s own address.' }, 400);
    const limit = await consumeRateLimit(c.var.runtime.database.db, `cli-token:${clientIp(c)}`, { limit: 30, windowSeconds: 60 });
    if (!limit.allowed) return c.json({ error: 'slow_down', error_description: 'Too many requests.' }, 429, rateLimitHeaders(limit));
    const parsed: unknown = (c.req.header('content-type') ?? '').includes('json') ? await c.req.json().catch(() => ({})) : await c.req.parseBody();
    // A JSON body that is not an object (null, a list, a number) carries no fields.
    const body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {};
    const field = (name: string) => (typeof (body as Record<string, unknown>)[name] === 'string' ? ((body as Record<string, string>)[name]) : undefined);
    try {
      const result = await exchangeCliCode(c.var.runtime.database.db, tenant, {
        grantType: field('grant_type'),
        clientId: field('client_id'),
        code: field('code'),
        codeVerifier: field('code_verifier'),
        redirectUri: field('redirect_uri'),
      }, c.var.runtime.config.cliTokenDays);
      return c.json(result, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      if (error instanceof CliSignInError) return c.json({ error: error.error, error_description: error.message }, 400, { 'cache-control': 'no-store' });
      throw error;
    }
  });

  web.get('/cli/oauth/done', (c) =>
    c.html(
      <Layout title="Signed in" tenantName={c.var.tenant?.name}>
        <section class="card narrow">
          <h1>You are signed in</h1>
          <p>The Orgonaut CLI received its token. You can close this window and return to your terminal.</p>
        </section>
      </Layout>,
    ),
  );
  return web;
}

function pageError(c: Context<AppEnv>, message: string) {
  return renderErrorPage(c, new AppError('invalid_request', 400, message));
}

function consentPage(c: Context<AppEnv>, request: CliAuthorizeRequest, abilities: Ability[], session: Session) {
  const tenant = c.var.tenant!;
  const csrf = formCsrf(session);
  const days = c.var.runtime.config.cliTokenDays;
  const here = new URL(c.req.url);
  return c.html(
    <Layout title="Sign in the Orgonaut CLI" tenantName={tenant.name}>
      <section class="card narrow">
        <h1>Sign in the Orgonaut CLI?</h1>
        <p>
          The Orgonaut command-line tool on this computer asks to act as you in <strong>{tenant.name}</strong>. It will receive a
          personal API token named <strong>{request.tokenName}</strong> with your role's abilities, replacing the token of that
          name an earlier CLI sign-in made (it is revoked; a token you made yourself in Settings → API is kept). It expires in {days} days, on {day(cliTokenExpiry(days))}; then sign in again. Revoke it
          sooner in Settings → API when you no longer use the CLI on this computer.
        </p>
        <details>
          <summary>What the token can do</summary>
          <ul>
            {abilities.sort().map((a) => (
              <li>{describeAbility(a)}</li>
            ))}
          </ul>
        </details>
        <form method="post" action="/cli/oauth/authorize" class="actions">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="client_id" value={request.clientId} />
          <input type="hidden" name="response_type" value="code" />
          <input type="hidden" name="redirect_uri" value={request.redirectUri} />
          <input type="hidden" name="code_challenge" value={request.codeChallenge} />
          <input type="hidden" name="code_challenge_method" value="S256" />
          <input type="hidden" name="state" value={request.state} />
          <input type="hidden" name="token_name" value={request.tokenName} />
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </form>
        <form method="post" action="/sign-out" class="inline hint">
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="return_to" value={`${here.pathname}${here.search}`} />
          Signed in as {session.user.email}.{' '}
          <button type="submit" class="link">
            Use another account
          </button>
        </form>
      </section>
    </Layout>,
    200,
    // A decision page: never from a cache, never in a frame.
    { 'cache-control': 'no-store', 'x-frame-options': 'DENY' },
  );
}
