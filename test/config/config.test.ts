import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, VARIABLES } from '../../src/config.js';

describe('configuration', () => {
  it('documents every variable in the README and docs/OPERATIONS.md', () => {
    for (const file of ['README.md', 'docs/OPERATIONS.md']) {
      const text = fs.readFileSync(file, 'utf8');
      for (const name of Object.keys(VARIABLES)) expect(text, `${name} in ${file}`).toContain(`\`${name}\``);
    }
  });

  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, baseDomain: 'localhost', publicScheme: 'http', trustProxy: false });
  });

  it('names the variable and the problem for a bad value', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'abc' }, /^PORT must be a port number/],
      [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
      [{ ORGONAUT_PUBLIC_SCHEME: 'ftp' }, /^ORGONAUT_PUBLIC_SCHEME /],
      [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres/],
      [{ ORGONAUT_DEFAULT_TENANT: 'Bad Slug!' }, /^ORGONAUT_DEFAULT_TENANT must be a tenant slug/],
      [{ ORGONAUT_TRUST_PROXY: 'maybe' }, /^ORGONAUT_TRUST_PROXY must be/],
      [{ ORGONAUT_API_RATE_LIMIT: '600' }, /^ORGONAUT_API_RATE_LIMIT must be requests\/seconds/],
      [{ ORGONAUT_API_RATE_LIMIT: '0/60' }, /^ORGONAUT_API_RATE_LIMIT must allow at least 1 request/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });

  it('parses lists and flags', () => {
    const config = loadConfig({ MCP_REDIRECT_DOMAINS: 'example.com, claude.ai ,', ORGONAUT_TRUST_PROXY: 'yes' });
    expect(config.mcpRedirectDomains).toEqual(['example.com', 'claude.ai']);
    expect(config.trustProxy).toBe(true);
  });

  it('reads the REST rate limit as requests per window', () => {
    expect(loadConfig({}).apiRateLimit).toEqual({ limit: 600, windowSeconds: 60 });
    expect(loadConfig({ ORGONAUT_API_RATE_LIMIT: '5000/3600' }).apiRateLimit).toEqual({ limit: 5000, windowSeconds: 3600 });
  });
});
