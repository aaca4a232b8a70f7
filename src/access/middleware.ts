import type { Context, MiddlewareHandler } from 'hono';
import { problemResponse, toProblem } from '../api/problem.js';
import type { ServiceContext } from '../context.js';
import { AppError, Unauthenticated } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import { looksLikeApiToken, TOKEN_PREFIX } from './api-tokens.js';
import { CredentialRefused } from './authenticator.js';
import { readSession, verifyCsrf } from './sessions.js';
import { metrics } from '../observability/metrics.js';
import type { Principal } from './policy.js';
import { mcpResourceUrl, protectedResourceMetadataUrl, tenantHostOrigin } from '../mcp/urls.js';


function bearer(c: Context<AppEnv>): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new CredentialRefused('The Authorization header must be "Bearer <token>".', 'malformed');
  return match[1]!;
}

/**
 * REST authentication: a personal API token (tenant from the host, or from X-Tenant on the central host), or the
 * app's own session cookie on a tenant host (unsafe methods then need the X-CSRF-Token header). OAuth access
 * tokens for the MCP resource are refused here. Sets `principal`.
 */
export function restAuthentication(): MiddlewareHandler<AppEnv> {
  return async function restAuthenticationMiddleware(c, next) {
    try {
      c.set('principal', await restPrincipal(c));
    } catch (error) {
      if (error instanceof AppError && error.status === 401) {
        metrics.authFailures.inc({ surface: 'rest', reason: refusalOf(error) });
        // RFC 6750 §3.1: a request that sent no credential is told only how to authenticate, without an error code.
        const challenge = c.req.header('authorization') ? `Bearer realm="orgonaut", error="invalid_token"` : 'Bearer realm="orgonaut"';
        return problemResponse(toProblem(error, c.get('requestId')), { 'WWW-Authenticate': challenge });
      }
      throw error;
    }
    await next();
  };
}

async function restPrincipal(c: Context<AppEnv>): Promise<Principal> {
  const { authenticator } = c.get('runtime');
  const tenant = c.get('tenant');
  const token = bearer(c);
  if (token) {
    if (!looksLikeApiToken(token)) {
      // A JWT is an OAuth access token sent to the wrong surface; orgo_pat_ of the wrong length a token copied in part
      // (or with more after it); anything else is not a token of ours at all.
      if (token.startsWith(TOKEN_PREFIX)) {
        const rest = token.length - TOKEN_PREFIX.length;
        const wrong = rest === 43 ? 'has characters a token never has (only letters, digits, - and _)' : `has ${rest} characters after ${TOKEN_PREFIX}, not 43`;
        throw new CredentialRefused(`This API token was not copied whole: it ${wrong}. Copy it again in full (it was shown once, when created).`, 'malformed');
      }
      throw new CredentialRefused(
        /^eyJ[\w-]*\.[\w-]*\./.test(token)
          ? 'The REST API takes personal API tokens (orgo_pat_…); OAuth access tokens are for the MCP server only.'
          : 'This is not a personal API token (they start with orgo_pat_; an MCP app’s OAuth access token works only on the MCP server): create one under Settings → API in the web app.',
        'wrong_surface',
      );
    }
    if (!tenant) {
      throw new Unauthenticated(
        'On the central host, name the tenant with the X-Tenant header.',
        "Add the header X-Tenant: <slug> (the first part of your organisation's own address), or call that address instead.",
      );
    }
    return authenticator.fromApiToken(tenant, token);
  }
  if (!tenant || c.get('tenantSource') !== 'host') throw new Unauthenticated('Send a personal API token: Authorization: Bearer <token>.');
  const session = await readSession(c);
  if (!session || session.tenantId !== tenant.id) throw new Unauthenticated('Sign in, or send a personal API token.');
  if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) && !verifyCsrf(session.csrfToken, c.req.header('x-csrf-token'))) {
    throw new AppError('csrf_rejected', 403, 'Requests made with the session cookie need the X-CSRF-Token header.');
  }
  return authenticator.fromSession(tenant, session.userId);
}

/**
 * The resource-server guard of /mcp/orgonaut (SPEC §1, §4): 404 where MCP is not offered (central host, free and
 * team plans); the 401 challenge that starts OAuth; OAuth access tokens bound to this host's resource, whose user's
 * role needs `mcp.access`; personal tokens with X-Tenant, which need `mcp.access`. Sets `principal`.
 */
export function mcpGuard(): MiddlewareHandler<AppEnv> {
  return async function mcpGuardMiddleware(c, next) {
    const tenant = c.get('tenant');
    if (!tenant || !PLAN_FEATURES[tenant.plan].mcp) return problemResponse(toProblem(noMcpHere(), c.get('requestId')));
    let principal: Principal;
    // On the central host (the tenant named by X-Tenant) OAuth is not offered: it is each tenant host's own, and
    // the central host has no protected resource metadata. Refusals there name the tenant's own MCP URL instead.
    const tenantMcpUrl = c.get('tenantSource') === 'host' ? null : mcpResourceUrl(tenantHostOrigin(c.get('origin'), tenant.slug, c.get('runtime').config.baseDomain));
    try {
      const token = bearer(c);
      if (!token) {
        throw tenantMcpUrl
          ? new Unauthenticated(
              'Authorization required: on the central host, send a personal API token (Authorization: Bearer orgo_pat_…) with X-Tenant.',
              `To connect with OAuth, use ${tenantMcpUrl}: OAuth starts on the organisation’s own host.`,
            )
          : new Unauthenticated('Authorization required: connect with OAuth or send a personal API token with X-Tenant.');
      }
      if (looksLikeApiToken(token)) {
        principal = await c.get('runtime').authenticator.fromApiToken(tenant, token);
        if (!principal.abilities.has('mcp.access')) {
          throw new CredentialRefused('This API token lacks the "mcp.access" ability needed to open the MCP server.', 'missing_ability', 403);
        }
      } else {
        if (tenantMcpUrl) {
          throw new CredentialRefused(
            `OAuth access tokens are valid only on the tenant host that issued them: connect to ${tenantMcpUrl}.`,
            'wrong_host',
            401,
            `Connect to ${tenantMcpUrl}, the MCP URL on the organisation’s own host (Settings → API and MCP shows it); OAuth starts there.`,
          );
        }
        principal = await c.get('runtime').authenticator.fromOAuth(tenant, token, mcpResourceUrl(c.get('origin')));
        // The role's (ability scopes narrow the tools, and mcp.access is no scope): a tenant that takes mcp.access
        // from a role keeps its members' apps off the transport as it does their personal tokens.
        if (!principal.roleAbilities.has('mcp.access')) {
          throw new CredentialRefused(
            'Your role in this organisation does not include the "mcp.access" ability needed to open the MCP server.',
            'missing_ability',
            403,
            'Ask an owner or admin to give your role "mcp.access" (Settings → Members, what each role can do).',
          );
        }
        if (!principal.scopes?.includes('mcp:use')) {
          return problemResponse(toProblem(new AppError('insufficient_scope', 403, 'This access token lacks the mcp:use scope.'), c.get('requestId')), {
            'WWW-Authenticate': `Bearer error="insufficient_scope", scope="mcp:use", resource_metadata="${protectedResourceMetadataUrl(c.get('origin'))}"`,
          });
        }
      }
    } catch (error) {
      if (error instanceof AppError && error.status === 401) {
        metrics.authFailures.inc({ surface: 'mcp', reason: c.req.header('authorization') ? refusalOf(error) : 'no_credential' });
        const description = error.message.replaceAll('"', "'");
        // No resource_metadata on the central host: its metadata does not exist (404), so a client would be sent to
        // a dead end; the description names the tenant's own MCP URL, where OAuth starts.
        const challenge = tenantMcpUrl ? 'Bearer scope="mcp:use"' : `Bearer resource_metadata="${protectedResourceMetadataUrl(c.get('origin'))}", scope="mcp:use"`;
        const header = c.req.header('authorization') ? `${challenge}, error="invalid_token", error_description="${description}"` : challenge;
        return problemResponse(toProblem(error, c.get('requestId')), { 'WWW-Authenticate': header });
      }
      throw error;
    }
    c.set('principal', principal);
    await next();
  };
}

/**
 * The 404 of the MCP path and the authorization server where they are not offered (SPEC §2): the same answer for
 * the central host, a plan without MCP and an unknown path, with a fix a person can act on (not "check the id").
 */
export function noMcpHere(): AppError {
  return new AppError(
    'not_found',
    404,
    'There is no MCP server or authorization server at this address.',
    'Use the MCP URL shown under Settings → API and MCP of your organisation (its own address, e.g. https://acme.orgonaut.co/mcp/orgonaut).',
  );
}

/** The service context of an authenticated request. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const principal = c.get('principal');
  const tenant = c.get('tenant');
  if (!principal || !tenant) throw new Unauthenticated('Not signed in.');
  return {
    db: c.get('runtime').database.db,
    tenant,
    principal,
    graphs: c.get('runtime').graphs,
    requestId: c.get('requestId'),
    logger: c.get('logger'),
  };
}

/** The metric label of a refused request: why the credential was refused, else the error's code. */
function refusalOf(error: AppError): string {
  return error instanceof CredentialRefused ? error.refusal : error.code;
}
