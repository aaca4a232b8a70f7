import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeAndAllow, CLAUDE_REDIRECT, discover, redeem, registerClient, startOAuthServer, tenantWithMember, type OAuthServer } from './support.js';

/**
 * A remembered approval (SPEC §4.2) skips the consent page only for what the person saw on it: the same client, the
 * scopes, and the host they were told they would be sent to.
 */
let server: OAuthServer;

beforeAll(async () => {
  server = await startOAuthServer();
});
afterAll(async () => server?.close());

describe('a remembered approval', () => {
  it('does not send a code, unasked, to another redirect host the client registered', async () => {
    const member = await tenantWithMember(server, 'business', 'manager');
    const as = await discover(member.origin);
    const elsewhere = 'https://collector.example/cb';
    const client = await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT, elsewhere], token_endpoint_auth_method: 'none' });
    const first = await authorizeAndAllow(server, member, as, client, CLAUDE_REDIRECT);
    expect(first.consentShown).toBe(true);
    expect(first.html).toContain('<code>claude.ai</code>');
    // The approved host again: remembered, no page.
    expect((await authorizeAndAllow(server, member, as, client, CLAUDE_REDIRECT)).consentShown).toBe(false);
    // Another host of the same client: the person is asked, and told where they would go.
    const other = await authorizeAndAllow(server, member, as, client, elsewhere);
    expect(other.consentShown).toBe(true);
    expect(other.html).toContain('<code>collector.example</code>');
    const tokens = await redeem(as, client, other.params, elsewhere, other.verifier);
    expect(tokens.access_token).toBeTruthy();
  });
});
