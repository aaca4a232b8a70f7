import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { resetRoleBundle, setRoleAbilities } from '../../src/access/role-bundles.js';
import { connectApp, loopbackFetch, serverWithAcme, type Member, type OAuthServer } from './support.js';

/**
 * `mcp.access` opens the MCP transport (SPEC §3), and roles are data a tenant may adjust: an owner who takes it from
 * a role keeps that role's members off the MCP server, whichever credential they connect with — an OAuth app's token
 * too, not only a personal API token. Ability scopes narrow the tools a token may use, never the transport itself.
 */
let server: OAuthServer;
let acme: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
});
afterAll(async () => server?.close());

function initialize(token: string) {
  return loopbackFetch(`${acme.origin}/mcp/orgonaut`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }),
  });
}

describe('an OAuth app of a member whose role lacks mcp.access', () => {
  it('is refused on the MCP server, naming the ability; narrowed and whole-role tokens work while the role has it', async () => {
    const whole = await connectApp(server, acme);
    const narrowed = await connectApp(server, acme, undefined, 'actors.read');
    expect((await initialize(whole.tokens.access_token)).status).toBe(200);
    expect((await initialize(narrowed.tokens.access_token)).status).toBe(200);

    await setRoleAbilities(server.database.db, acme.tenant, 'manager', DEFAULT_BUNDLES.manager.filter((a) => a !== 'mcp.access'), { principal: null });
    server.runtime.authenticator.forget();
    for (const token of [whole.tokens.access_token, narrowed.tokens.access_token]) {
      const refused = await initialize(token);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toContain('mcp.access');
    }

    await resetRoleBundle(server.database.db, acme.tenant, 'manager', { principal: null });
    server.runtime.authenticator.forget();
    expect((await initialize(whole.tokens.access_token)).status).toBe(200);
  });
});
