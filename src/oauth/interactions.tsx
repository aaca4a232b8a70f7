import type { IncomingMessage, ServerResponse } from 'node:http';
import { and, eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import type Provider from 'oidc-provider';
import { csrfField, readSession, verifyCsrf } from '../access/sessions.js';
import { findMembership } from '../access/users.js';
import { roleBundles, users } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { bodyLimits } from '../http/limits.js';
import type { Tenant } from '../tenancy/tenants.js';
import { auditOAuth } from './audit.js';
import { oauthTenant } from './gate.js';
import { nodeBindings, pinOrigin } from './bridge.js';
import { findConsent, saveConsent, type ClientKind } from './consents.js';
import { issuerFor, OAUTH_ROUTES } from './metadata.js';
import { ConsentPage, NotMemberPage, OAuthErrorPage } from './pages.js';
import { isNativeRedirect, redirectDisplayHost } from './redirect-policy.js';
import type { ProviderRegistry } from './registry.js';
import { coversScopes, MCP_SCOPE, scopesToGrant } from './scopes.js';

/**
 * The interaction of every authorization request (oidc-provider sends the browser here first, see provider.ts):
 * sign-in through the app's own page, an active membership of the host's tenant, then consent: remembered per user
 * and client, except for loopback and app-scheme redirects, which are asked every time. The decision goes back to
 * the provider, which redirects to the client with `code` or `error=access_denied`, `state` and `iss`.
 */
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

interface Decided {
  userId: string;
  email: string;
  role: string;
  active: boolean;
  /** When they last entered their password (their session began). */
  signedInAt: Date;
}

const NO_STORE = { 'cache-control': 'no-store', 'x-frame-options': 'DENY' };

export function interactionRoutes(registry: ProviderRegistry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const path = `${OAUTH_ROUTES.interaction}/:uid`;

  app.get(path, async (c) => {
    const tenant = oauthTenant(c);
    const provider = await registry.get(tenant, c.var.origin);
    const interaction = await loadInteraction(c, provider);
    if (interaction instanceof Response) return interaction;
    const user = await signedInUser(c, tenant);
    if (!user) return c.redirect(`/sign-in?return_to=${encodeURIComponent(`${OAUTH_ROUTES.interaction}/${interaction.uid}`)}`, 303);
    if (signInTooOld(interaction, user.signedInAt)) return signInAgain(c, interaction);
    const session = (await readSession(c))!;
    const client = await describeClient(provider, interaction);
    const action = `${OAUTH_ROUTES.interaction}/${interaction.uid}`;
    if (!user.active) {
      return c.html(
        <NotMemberPage action={action} csrf={csrfField(session)} tenantName={tenant.name} userEmail={user.email} clientName={client.name} />,
        403,
        NO_STORE,
      );
    }
    // mcp.access opens the MCP server (SPEC §3): a member whose role lacks it has nothing to give an app.
    const roleAbilities = await abilitiesOfRole(c, tenant, user.role);
    if (!roleAbilities.has('mcp.access')) {
      return c.html(
        <NotMemberPage action={action} csrf={csrfField(session)} tenantName={tenant.name} userEmail={user.email} clientName={client.name} roleWithoutMcp={user.role} />,
        403,
        NO_STORE,
      );
    }
    const scopes = scopesToGrant(interaction.params.scope as string | undefined);
    const redirectUri = String(interaction.params.redirect_uri ?? '');
    const native = isNativeRedirect(redirectUri) || client.applicationType === 'native';
    const remembered = await findConsent(c.var.runtime.database.db, tenant.id, user.userId, client.id);
    // prompt=consent: the client asks for the person's decision now, whatever was approved before (OIDC Core 3.1.2.1).
    const consentAsked = String(interaction.params.prompt ?? '').split(' ').includes('consent');
    // Remembered for the host the consent page named: a client registered with several redirect URIs does not get a
    // code sent, unasked, to another host than the one the person approved.
    const sameHost = remembered?.redirectHost === redirectDisplayHost(redirectUri);
    if (!native && !consentAsked && remembered && sameHost && coversScopes(remembered.scopes, scopes)) {
      return finish(c, provider, tenant, interaction, user, client, scopes, { remembered: true });
    }
    const view = {
      action,
      csrf: csrfField(session),
      clientName: client.name,
      clientKind: client.kind,
      clientIdHost: client.kind === 'metadata_document' ? safeHost(client.id) : null,
      redirectHost: redirectDisplayHost(redirectUri),
      nativeRedirect: native,
      tenantName: tenant.name,
      host: new URL(c.var.origin).host,
      userEmail: user.email,
      role: user.role,
      scopes: scopes.map((scope) => ({ scope, outsideRole: scope !== MCP_SCOPE && !roleAbilities.has(scope) })),
    };
    return c.html(<ConsentPage view={view} />, 200, NO_STORE);
  });

  // The consent form is the app's own page under /oauth/* (outside the app-wide request limits, which leave the
  // provider's endpoints alone): the same size cap, and a body that is not a readable form is a 400, not a 500.
  app.post(path, bodyLimits(), async (c) => {
    const tenant = oauthTenant(c);
    const provider = await registry.get(tenant, c.var.origin);
    const body = await c.req.parseBody();
    const session = await readSession(c);
    if (!session || session.tenantId !== tenant.id) {
      return c.redirect(`/sign-in?return_to=${encodeURIComponent(`${OAUTH_ROUTES.interaction}/${c.req.param('uid')}`)}`, 303);
    }
    if (!verifyCsrf(session.csrfToken, body.csrf)) {
      throw new AppError('csrf_rejected', 403, 'This form has expired or did not come from this site.', 'Reload the page and try again.');
    }
    const interaction = await loadInteraction(c, provider);
    if (interaction instanceof Response) return interaction;
    const user = (await signedInUser(c, tenant))!;
    // The page asked for the password again; an Allow posted without it (the form token is on every page) waits too.
    if (body.decision === 'allow' && signInTooOld(interaction, user.signedInAt)) return signInAgain(c, interaction);
    const client = await describeClient(provider, interaction);
    const scopes = scopesToGrant(interaction.params.scope as string | undefined);
    const withoutMcp = user.active && !(await abilitiesOfRole(c, tenant, user.role)).has('mcp.access');
    if (body.decision === 'allow' && user.active && !withoutMcp) {
      return finish(c, provider, tenant, interaction, user, client, scopes, { remembered: false });
    }
    await auditOAuth(c.var.runtime.database.db, tenant.id, {
      entityType: 'oauth_app',
      action: !user.active ? 'refused_not_member' : withoutMcp ? 'refused_no_mcp_access' : 'denied',
      userId: user.userId,
      clientId: client.id,
      clientName: client.name,
      via: 'session',
      metadata: { scopes },
      requestId: c.var.requestId,
    });
    const returnTo = await provider.interactionResult(...nodeReqRes(c), {
      error: 'access_denied',
      error_description: !user.active
        ? 'The user is not a member of this organisation.'
        : withoutMcp
          ? 'The user’s role in this organisation does not include MCP access (mcp.access).'
          : 'The user denied the request.',
    });
    return c.redirect(returnTo, 303);
  });

  return app;
}

/**
 * A client may ask for a sign-in made for this very request (`prompt=login`, OIDC Core 3.1.2.1): a session that
 * began before the request signs in again first — it is not enough that someone is signed in on this browser.
 * (`max_age` needs the openid scope, which is not offered: the provider refuses it as invalid_request.)
 */
function signInTooOld(interaction: Interaction, signedInAt: Date): boolean {
  const prompts = String(interaction.params.prompt ?? '').split(' ');
  // The request's time is known to the second only: a sign-in counts from the next second (a person takes longer).
  return prompts.includes('login') && Math.floor(signedInAt.getTime() / 1000) <= interaction.iat;
}

/** To the sign-in page, which asks for the password again and comes back to this request. */
function signInAgain(c: Context<AppEnv>, interaction: Interaction): Response {
  return c.redirect(`/sign-in?again=1&return_to=${encodeURIComponent(`${OAUTH_ROUTES.interaction}/${interaction.uid}`)}`, 303);
}

/** The pending interaction named by the cookie and the URL, or an error page (expired, already used, mismatched). */
async function loadInteraction(c: Context<AppEnv>, provider: Provider): Promise<Interaction | Response> {
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(...nodeReqRes(c));
  } catch {
    return expiredPage(c);
  }
  if (interaction.uid !== c.req.param('uid')) return expiredPage(c);
  return interaction;
}

function expiredPage(c: Context<AppEnv>) {
  return c.html(
    <OAuthErrorPage
      title="This connection request has expired"
      message="It was already completed, took too long, or was started in another browser."
      fix="Start connecting again from the app."
      tenantName={c.var.tenant?.name}
    />,
    400,
    NO_STORE,
  );
}

function nodeReqRes(c: Context<AppEnv>): [IncomingMessage, ServerResponse] {
  const { incoming, outgoing } = nodeBindings(c);
  pinOrigin(incoming as IncomingMessage, c.var.origin);
  return [incoming as IncomingMessage, outgoing as ServerResponse];
}

/** The signed-in user of this tenant host, with their membership; null when nobody is signed in here. */
async function signedInUser(c: Context<AppEnv>, tenant: Tenant): Promise<Decided | null> {
  const session = await readSession(c);
  if (!session || session.tenantId !== tenant.id) return null;
  const db = c.var.runtime.database.db;
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, session.userId)).limit(1);
  if (!user) return null;
  const membership = await findMembership(db, tenant.id, session.userId);
  return { userId: session.userId, email: user.email, role: membership?.role ?? 'none', active: membership?.status === 'active', signedInAt: session.signedInAt };
}

interface ClientSummary {
  id: string;
  name: string;
  kind: ClientKind;
  applicationType: string | undefined;
}

async function describeClient(provider: Provider, interaction: Interaction): Promise<ClientSummary> {
  const id = String(interaction.params.client_id);
  const client = await provider.Client.find(id);
  const metadata = (client?.metadata() ?? {}) as Record<string, unknown>;
  const kind: ClientKind = (client as { clientIdMetadataDocument?: boolean } | undefined)?.clientIdMetadataDocument
    ? 'metadata_document'
    : metadata.client_id_issued_at
      ? 'dynamic'
      : 'preregistered';
  return { id, name: client?.clientName || id, kind, applicationType: client?.applicationType };
}

/** Records the approval, creates the grant for exactly these scopes on this host's resource, hands back to the provider. */
async function finish(
  c: Context<AppEnv>,
  provider: Provider,
  tenant: Tenant,
  interaction: Interaction,
  user: Decided,
  client: ClientSummary,
  scopes: string[],
  how: { remembered: boolean },
): Promise<Response> {
  const db = c.var.runtime.database.db;
  const redirectUri = String(interaction.params.redirect_uri ?? '');
  const grant = new provider.Grant({ accountId: user.userId, clientId: client.id });
  // The provider accepted no resource but this host's MCP URL (provider.ts), so the grant is for exactly that.
  grant.addResourceScope(issuerFor(c.var.origin), scopes.join(' '));
  const grantId = await grant.save();
  if (!how.remembered) {
    await saveConsent(db, tenant.id, user.userId, {
      clientId: client.id,
      clientName: client.name,
      clientKind: client.kind,
      scopes,
      redirectHost: redirectDisplayHost(redirectUri),
    });
    await auditOAuth(db, tenant.id, {
      entityType: 'oauth_app',
      action: 'authorised',
      userId: user.userId,
      clientId: client.id,
      clientName: client.name,
      via: 'session',
      metadata: { scopes, redirect_host: redirectDisplayHost(redirectUri), client_kind: client.kind },
      requestId: c.var.requestId,
    });
  }
  const returnTo = await provider.interactionResult(
    ...nodeReqRes(c),
    // The time of the sign-in, not of this answer (the authentication time the provider records).
    { login: { accountId: user.userId, remember: false, ts: Math.floor(user.signedInAt.getTime() / 1000) }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  return c.redirect(returnTo, 303);
}

async function abilitiesOfRole(c: Context<AppEnv>, tenant: Tenant, role: string): Promise<Set<string>> {
  const [row] = await c.var.runtime.database.db
    .select({ abilities: roleBundles.abilities })
    .from(roleBundles)
    .where(and(eq(roleBundles.tenantId, tenant.id), eq(roleBundles.role, role)))
    .limit(1);
  return new Set(row?.abilities ?? []);
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
