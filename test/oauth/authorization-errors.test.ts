import { and, eq } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships } from '../../src/db/schema/index.js';
import { buildMember } from '../support/factories.js';
import { OAUTH_RATE_LIMITS } from '../../src/oauth/routes.js';
import {
  authorizeUrl,
  Browser,
  CLAUDE_REDIRECT,
  decide,
  discover,
  field,
  formAction,
  loopbackFetch,
  PASSWORD,
  pkce,
  registerClient,
  serverWithClient,
  submitSignIn,
  tenantWithMember,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * One test per way an authorization request can be wrong (SPEC §4.2). Before the client and its redirect URI are
 * trusted, the answer is a page and never a redirect; after, the error goes back to the client with `state` and
 * `iss` (RFC 9207), which oauth4webapi checks against the discovered issuer.
 */
let server: OAuthServer;
let acme: Member;
let globex: Member;
let as: oauth.AuthorizationServer;
let client: oauth.Client;

beforeAll(async () => {
  ({ server, acme, globex, as, client } = await serverWithClient());
});
afterAll(async () => server?.close());

/** Expects an error page: 400, HTML, no Location, the OAuth error named. */
async function expectErrorPage(url: string, error: string) {
  const page = await new Browser(server.port).follow(url);
  expect(page.left).toBeUndefined();
  expect(page.response.status).toBe(400);
  expect(page.response.headers.get('location')).toBeNull();
  expect(page.response.headers.get('content-type')).toContain('text/html');
  const html = await page.response.text();
  expect(html).toContain('This connection request cannot continue');
  expect(html).toContain(error);
  return html;
}

/** Expects the error to be sent back to the client's redirect URI, with state and the right iss. */
async function expectClientError(url: string, error: string, browser = new Browser(server.port)) {
  const page = await browser.follow(url);
  expect(page.left?.href.startsWith(CLAUDE_REDIRECT)).toBe(true);
  // Errors for a response type that would use the fragment come back in the fragment.
  const returned = new URL(page.left!.href.replace('#', '?'));
  expect(returned.searchParams.get('iss')).toBe(`${acme.origin}/mcp/orgonaut`);
  expect(returned.searchParams.get('state')).toBe('state-1');
  let thrown: unknown;
  try {
    oauth.validateAuthResponse(as, client, returned, 'state-1');
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(oauth.AuthorizationResponseError);
  expect((thrown as oauth.AuthorizationResponseError).error).toBe(error);
  return thrown as oauth.AuthorizationResponseError;
}

async function signedInAtConsent(t = acme) {
  const { challenge } = await pkce();
  const browser = new Browser(server.port);
  const signIn = await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge }));
  const consent = await submitSignIn(browser, signIn, t.user.email);
  return { browser, consent };
}

describe('errors shown on a page, never redirected (client or redirect URI not trusted)', () => {
  it('an unregistered redirect URI', async () => {
    const { challenge } = await pkce();
    const html = await expectErrorPage(authorizeUrl(as, { clientId: client.client_id, redirectUri: 'https://evil.example/callback', challenge }), 'redirect_uri');
    expect(html).toContain('asked Orgonaut to send you back to an address it did not register');
  });

  it('a redirect URI that only resembles the registered one (exact match)', async () => {
    const { challenge } = await pkce();
    await expectErrorPage(authorizeUrl(as, { clientId: client.client_id, redirectUri: `${CLAUDE_REDIRECT}/`, challenge }), 'redirect_uri');
    await expectErrorPage(authorizeUrl(as, { clientId: client.client_id, redirectUri: `${CLAUDE_REDIRECT}?x=1`, challenge }), 'redirect_uri');
  });

  it('a missing redirect URI', async () => {
    const { challenge } = await pkce();
    await expectErrorPage(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge }, { redirect_uri: undefined }), 'redirect_uri');
  });

  it('an unknown client: said in words, with how to reconnect, as one well-formed document', async () => {
    const { challenge } = await pkce();
    const html = await expectErrorPage(authorizeUrl(as, { clientId: 'no-such-client', redirectUri: CLAUDE_REDIRECT, challenge }), 'invalid_client');
    expect(html).toContain(`is not registered with ${acme.tenant.name}`);
    expect(html).toContain(`add it again with ${acme.origin}/mcp/orgonaut`);
    expect(html.match(/<!DOCTYPE html>/gi)).toHaveLength(1);
  });

  it('an expired or unknown interaction', async () => {
    const page = await new Browser(server.port).follow(`${acme.origin}/oauth/interaction/not-a-real-one`);
    expect(page.response.status).toBe(400);
    expect(await page.response.text()).toContain('This connection request has expired');
  });
});

describe('too many authorization requests', () => {
  it('from one address are refused with a page (429, Retry-After), never a redirect', async () => {
    const busy = await tenantWithMember(server, 'business', 'viewer');
    const busyAs = await discover(busy.origin);
    const busyClient = await registerClient(busyAs, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const { challenge } = await pkce();
    const url = authorizeUrl(busyAs, { clientId: busyClient.client_id, redirectUri: CLAUDE_REDIRECT, challenge });
    const rule = OAUTH_RATE_LIMITS.authorize;
    const saved = rule.limit;
    rule.limit = 2; // the production limit is 120 a minute; the rule is the same
    try {
      for (let i = 0; i < 2; i++) expect((await loopbackFetch(url)).status).toBe(303);
      const refused = await loopbackFetch(url);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('location')).toBeNull();
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.text()).toContain('Too many connection requests');
    } finally {
      rule.limit = saved;
    }
  });
});

describe('errors returned to the client, with iss (RFC 9207)', () => {
  it('no PKCE: PKCE is required for every client', async () => {
    const error = await expectClientError(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT }), 'invalid_request');
    expect(error.error_description).toMatch(/PKCE/);
  });

  it('plain PKCE: only S256 is accepted', async () => {
    const { verifier } = await pkce();
    const url = authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT }, { code_challenge: verifier, code_challenge_method: 'plain' });
    const error = await expectClientError(url, 'invalid_request');
    expect(error.error_description).toMatch(/code_challenge_method/);
  });

  it('a resource other than this host’s MCP server (RFC 8707)', async () => {
    const { challenge } = await pkce();
    for (const resource of ['https://evil.example/mcp/orgonaut', `${globex.origin}/mcp/orgonaut`, `${acme.origin}/api/v1`]) {
      await expectClientError(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge, resource }), 'invalid_target');
    }
  });

  it('a response type other than code', async () => {
    const { challenge } = await pkce();
    await expectClientError(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge }, { response_type: 'token' }), 'unsupported_response_type');
  });

  it('prompt=none: interaction_required, saying how to proceed', async () => {
    const { challenge } = await pkce();
    const error = await expectClientError(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge }, { prompt: 'none' }), 'interaction_required');
    expect(error.error_description).toContain('without prompt=none');
  });

  it('Deny on the consent screen: access_denied', async () => {
    const { browser, consent } = await signedInAtConsent();
    const back = await decide(browser, consent, 'Deny');
    expect(back.left?.href.startsWith(CLAUDE_REDIRECT)).toBe(true);
    expect(back.left!.searchParams.get('iss')).toBe(`${acme.origin}/mcp/orgonaut`);
    expect(back.left!.searchParams.get('state')).toBe('state-1');
    expect(back.left!.searchParams.get('error')).toBe('access_denied');
    expect(back.left!.searchParams.get('code')).toBeNull();
  });
});

describe('who may authorise', () => {
  it('a user of another tenant cannot sign in here, so never reaches consent or the client', async () => {
    const { challenge } = await pkce();
    const browser = new Browser(server.port);
    const signIn = await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge }));
    const refused = await submitSignIn(browser, signIn, globex.user.email);
    expect(refused.left).toBeUndefined();
    expect(refused.response.status).toBe(401);
    expect(await refused.response.text()).toContain('not a member');
  });

  it('a signed-in user whose membership ended is refused with a page, and can only return access_denied', async () => {
    const member = await tenantWithMember(server, 'business', 'viewer');
    const memberAs = await discover(member.origin);
    const memberClient = await registerClient(memberAs, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const browser = new Browser(server.port);
    const { challenge } = await pkce();
    const url = authorizeUrl(memberAs, { clientId: memberClient.client_id, redirectUri: CLAUDE_REDIRECT, challenge });
    const consent = await submitSignIn(browser, await browser.follow(url), member.user.email);
    expect(consent.response.status).toBe(200);
    await server.database.db
      .update(memberships)
      .set({ status: 'archived' })
      .where(and(eq(memberships.tenantId, member.tenant.id), eq(memberships.userId, member.user.id)));
    const page = await browser.follow(url);
    expect(page.left).toBeUndefined();
    expect(page.response.status).toBe(403);
    const html = await page.response.text();
    expect(html).toContain('is not an active member');
    expect(html).not.toMatch(/>\s*Allow\s*</);
    expect(html).toMatch(/action="\/sign-out"[\s\S]*Use another account/);
    const back = await browser.follow(new URL(formAction(html), page.url).href, { form: { csrf: field(html, 'csrf'), decision: 'allow' } });
    expect(back.left!.searchParams.get('error')).toBe('access_denied');
    expect(back.left!.searchParams.get('code')).toBeNull();
  });
});

describe('the consent page', () => {
  it('cannot be framed or cached', async () => {
    const { consent } = await signedInAtConsent();
    expect(consent.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(consent.response.headers.get('x-frame-options')).toBe('DENY');
    expect(consent.response.headers.get('cache-control')).toContain('no-store');
  });

  it('lets the person switch account and comes back to the same request', async () => {
    const colleague = await buildMember(server.database, acme.tenant, 'viewer', { password: PASSWORD });
    const { browser, consent } = await signedInAtConsent();
    const html = await consent.response.text();
    expect(html).toContain(`Not ${acme.user.email}?`);
    const form = /<form method="post" action="\/sign-out"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
    const returnTo = field(form, 'return_to');
    expect(returnTo).toBe(new URL(consent.url).pathname);
    const signIn = await browser.follow(`${acme.origin}/sign-out`, { form: { csrf: field(form, 'csrf'), return_to: returnTo } });
    expect(new URL(signIn.url).pathname).toBe('/sign-in');
    expect(field(await signIn.response.clone().text(), 'return_to')).toBe(returnTo);
    const again = await submitSignIn(browser, signIn, colleague.email);
    expect(again.response.status).toBe(200);
    const consentAgain = await again.response.clone().text();
    expect(consentAgain).toContain(colleague.email);
    expect(consentAgain).not.toContain(acme.user.email);
    const back = await decide(browser, again, 'Allow');
    expect(back.left?.searchParams.get('code')).toBeTruthy();
  });

  it('refuses a decision posted without the CSRF token', async () => {
    const { browser, consent } = await signedInAtConsent();
    const html = await consent.response.text();
    const posted = await browser.follow(new URL(formAction(html), consent.url).href, { form: { decision: 'allow' } });
    expect(posted.left).toBeUndefined();
    expect(posted.response.status).toBe(403);
  });
});
