import { describe, expect, it } from 'vitest';
import { normaliseClientMetadata } from '../../src/oauth/client-metadata.js';
import { isPublicAddress } from '../../src/oauth/ip-policy.js';
import { checkRedirectUri, isNativeRedirect, KNOWN_CLIENT_REDIRECTS, redirectDisplayHost } from '../../src/oauth/redirect-policy.js';
import { createSafeFetch } from '../../src/oauth/safe-fetch.js';
import { scopesToGrant } from '../../src/oauth/scopes.js';

/** The pure policies of the authorization server: redirect URIs, client metadata, SSRF addresses, scopes. */

const concrete = (uri: string) => uri.replace('{callback_id}', 'g-abc123').replace('{port}', '49152');

describe('redirect URIs without MCP_REDIRECT_DOMAINS', () => {
  it.each(Object.entries(KNOWN_CLIENT_REDIRECTS).flatMap(([name, uris]) => uris.map((uri) => [name, concrete(uri)])))('accepts %s: %s', (_name, uri) => {
    expect(checkRedirectUri(uri).ok).toBe(true);
  });

  it.each([
    ['https://example.com/cb', 'https'],
    ['http://127.0.0.1:8080/cb', 'loopback'],
    ['http://localhost/cb', 'loopback'],
    ['http://[::1]:3000/cb', 'loopback'],
    ['com.example.app:/oauth2redirect', 'private-use'],
    ['cursor://anysphere.cursor-mcp/oauth/callback', 'private-use'],
  ])('accepts %s as %s', (uri, kind) => {
    expect(checkRedirectUri(uri)).toEqual({ ok: true, kind });
  });

  it.each([
    ['http://example.com/cb', /only for loopback/],
    ['http://127.0.0.2/cb', /only for loopback/],
    ['https://example.com/cb#frag', /fragment/],
    ['https://user:pw@example.com/cb', /user information/],
    ['javascript:alert(1)', /javascript/],
    ['data:text/html,hi', /data/],
    ['file:///etc/passwd', /file/],
    ['/relative/path', /absolute/],
    ['not a uri', /absolute/],
  ])('refuses %s', (uri, reason) => {
    const verdict = checkRedirectUri(uri);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });
});

describe('redirect URIs with MCP_REDIRECT_DOMAINS', () => {
  const domains = ['claude.ai', 'example.com'];

  it('accepts the listed domains and their subdomains only', () => {
    expect(checkRedirectUri('https://claude.ai/api/mcp/auth_callback', domains).ok).toBe(true);
    expect(checkRedirectUri('https://app.example.com/cb', domains).ok).toBe(true);
    expect(checkRedirectUri('https://chatgpt.com/connector_platform_oauth_redirect', domains).ok).toBe(false);
    expect(checkRedirectUri('https://notexample.com/cb', domains).ok).toBe(false);
    expect(checkRedirectUri('https://example.com.evil.test/cb', domains).ok).toBe(false);
  });

  it('accepts loopback only when localhost or 127.0.0.1 is listed', () => {
    expect(checkRedirectUri('http://localhost:3000/cb', domains).ok).toBe(false);
    expect(checkRedirectUri('http://127.0.0.1:3000/cb', [...domains, 'localhost']).ok).toBe(true);
    expect(checkRedirectUri('http://localhost:3000/cb', [...domains, '127.0.0.1']).ok).toBe(true);
  });

  it('accepts an app scheme only when listed as "scheme:"', () => {
    expect(checkRedirectUri('cursor://anysphere.cursor-mcp/oauth/callback', domains).ok).toBe(false);
    expect(checkRedirectUri('cursor://anysphere.cursor-mcp/oauth/callback', [...domains, 'cursor:']).ok).toBe(true);
  });

  it('normalises how domains are written', () => {
    expect(checkRedirectUri('https://a.claude.ai/cb', [' *.Claude.AI ']).ok).toBe(true);
  });
});

describe('redirect kinds shown on the consent screen', () => {
  it('loopback and app schemes are native (asked every time); https is not', () => {
    expect(isNativeRedirect('http://localhost:33418/callback')).toBe(true);
    expect(isNativeRedirect('cursor://anysphere.cursor-mcp/oauth/callback')).toBe(true);
    expect(isNativeRedirect('https://claude.ai/api/mcp/auth_callback')).toBe(false);
    expect(redirectDisplayHost('https://claude.ai/api/mcp/auth_callback')).toBe('claude.ai');
    expect(redirectDisplayHost('cursor://anysphere.cursor-mcp/oauth/callback')).toBe('cursor://anysphere.cursor-mcp');
  });
});

describe('client metadata normalisation (DCR and CIMD)', () => {
  it('makes an app-scheme client native and drops scope', () => {
    const result = normaliseClientMetadata(
      { client_name: 'Cursor', redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'], application_type: 'web', scope: 'openid mcp:use offline_access' },
      [],
    );
    expect(result).toEqual({ ok: true, metadata: { client_name: 'Cursor', redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'], application_type: 'native' } });
  });

  it('keeps a declared native type and defaults to web', () => {
    expect(normaliseClientMetadata({ redirect_uris: ['http://localhost:1/cb'], application_type: 'native' }, [])).toMatchObject({ metadata: { application_type: 'native' } });
    expect(normaliseClientMetadata({ redirect_uris: ['https://claude.ai/api/mcp/auth_callback'] }, [])).toMatchObject({ metadata: { application_type: 'web' } });
  });

  it('refuses what the policy refuses, naming the URI', () => {
    expect(normaliseClientMetadata({ redirect_uris: ['http://evil.example/cb'] }, [])).toMatchObject({ ok: false, error: 'invalid_redirect_uri', description: expect.stringContaining('http://evil.example/cb') });
    expect(normaliseClientMetadata({ redirect_uris: [] }, [])).toMatchObject({ ok: false, error: 'invalid_redirect_uri' });
    expect(normaliseClientMetadata({}, [])).toMatchObject({ ok: false, error: 'invalid_redirect_uri' });
    expect(normaliseClientMetadata([], [])).toMatchObject({ ok: false, error: 'invalid_client_metadata' });
  });
});

describe('addresses a metadata-document fetch may reach', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::1', 'not-an-ip'])(
    'refuses %s',
    (address) => expect(isPublicAddress(address)).toBe(false),
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('the SSRF-safe fetcher', () => {
  it('refuses http, private literals and host names resolving to private addresses, before connecting', async () => {
    const resolve = async (host: string) => (host === 'internal.example.test' ? [{ address: '10.0.0.7', family: 4 }] : [{ address: '93.184.216.34', family: 4 }]);
    const fetcher = createSafeFetch({ resolve });
    await expect(fetcher('http://example.com/client.json')).rejects.toThrow(/https only/);
    await expect(fetcher('https://127.0.0.1/client.json')).rejects.toThrow(/non-public address/);
    await expect(fetcher('https://[::1]/client.json')).rejects.toThrow(/non-public address/);
    await expect(fetcher('https://169.254.169.254/latest/meta-data')).rejects.toThrow(/non-public address/);
    await expect(fetcher('https://internal.example.test/client.json')).rejects.toThrow(/non-public address \(10\.0\.0\.7\)/);
    const mixed = createSafeFetch({ resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }] });
    await expect(mixed('https://rebinding.example.test/client.json')).rejects.toThrow(/non-public address/);
  });
});

describe('scopes to grant', () => {
  it('is mcp:use by default, plus the ability scopes requested; unknown scopes are ignored', () => {
    expect(scopesToGrant(undefined)).toEqual(['mcp:use']);
    expect(scopesToGrant('')).toEqual(['mcp:use']);
    expect(scopesToGrant('openid offline_access')).toEqual(['mcp:use']);
    expect(scopesToGrant('costs.read mcp:use scenarios.read')).toEqual(['mcp:use', 'scenarios.read', 'costs.read']);
    expect(scopesToGrant('scenarios.promote members.manage')).toEqual(['mcp:use']);
  });
});
