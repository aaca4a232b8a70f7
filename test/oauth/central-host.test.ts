import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectApp, loopbackFetch, serverWithAcme, type Member, type OAuthServer } from './support.js';

/**
 * The MCP path on the central host (SPEC §1, §4.2): OAuth is each tenant host's own, so the central host has no
 * protected resource metadata (404). Its 401 must not send a client there: no `resource_metadata` in the challenge,
 * and an `error_description` naming the tenant's own MCP URL, where the same token works.
 */

let server: OAuthServer;
let acme: Member;
let central: string;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
  central = `http://app.localhost:${server.port}`;
});
afterAll(async () => server?.close());

const listTools = (origin: string, headers: Record<string, string>) =>
  loopbackFetch(`${origin}/mcp/orgonaut`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });

/** The parameters of a `Bearer …` challenge. */
function challengeParams(header: string | null): Record<string, string> {
  expect(header).toMatch(/^Bearer\b/);
  return Object.fromEntries([...header!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('an OAuth access token sent to the central host', () => {
  it('is refused with a challenge that names the tenant’s own MCP URL, not the central host’s missing metadata', async () => {
    const { tokens } = await connectApp(server, acme);
    const refused = await listTools(central, { authorization: `Bearer ${tokens.access_token}`, 'x-tenant': acme.tenant.slug });
    expect(refused.status).toBe(401);
    const params = challengeParams(refused.headers.get('www-authenticate'));
    expect(params.resource_metadata).toBeUndefined();
    expect(params.error).toBe('invalid_token');
    expect(params.error_description).toContain(`${acme.origin}/mcp/orgonaut`);
    const problem = (await refused.json()) as { detail: string; fix: string };
    expect(problem.fix).toContain(`${acme.origin}/mcp/orgonaut`);

    // The central host indeed has no metadata to point at …
    expect((await loopbackFetch(`${central}/.well-known/oauth-protected-resource/mcp/orgonaut`, { headers: { 'x-tenant': acme.tenant.slug } })).status).toBe(404);
    // … and where the answer points, the same token is served.
    expect((await listTools(acme.origin, { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
  });

  it('a request without a credential on the central host is not sent to metadata there either', async () => {
    const refused = await listTools(central, { 'x-tenant': acme.tenant.slug });
    expect(refused.status).toBe(401);
    const params = challengeParams(refused.headers.get('www-authenticate'));
    expect(params.resource_metadata).toBeUndefined();
    const problem = (await refused.json()) as { fix: string };
    expect(problem.fix).toContain(`${acme.origin}/mcp/orgonaut`);
  });

  it('on the tenant host the challenge still leads to its metadata', async () => {
    const refused = await listTools(acme.origin, {});
    expect(refused.status).toBe(401);
    expect(challengeParams(refused.headers.get('www-authenticate')).resource_metadata).toBe(`${acme.origin}/.well-known/oauth-protected-resource/mcp/orgonaut`);
  });
});
