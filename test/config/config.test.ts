import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeVariables, loadConfig, rateLimitFor, VARIABLES } from '../../src/config.js';

describe('configuration', () => {
  it('documents every variable in the README and docs/OPERATIONS.md', () => {
    for (const file of ['README.md', 'docs/OPERATIONS.md']) {
      const text = fs.readFileSync(file, 'utf8');
      for (const name of Object.keys(VARIABLES)) expect(text, `${name} in ${file}`).toContain(`\`${name}\``);
    }
  });

  it("lists every variable in the configuration tables of the README and docs/OPERATIONS.md with its default, and no other", () => {
    const specs = VARIABLES as Record<string, { fallback?: string }>;
    for (const file of ['README.md', 'docs/OPERATIONS.md']) {
      const rows = configurationTable(fs.readFileSync(file, 'utf8'));
      expect(Object.keys(rows).sort(), `variables in the configuration table of ${file}`).toEqual(Object.keys(VARIABLES).sort());
      for (const [name, spec] of Object.entries(specs)) {
        const shown = rows[name]!;
        // A default is shown as the value itself; a variable without one is shown as — or explained in words.
        if (spec.fallback) expect(shown, `default of ${name} in ${file}`).toBe(`\`${spec.fallback}\``);
        else expect(shown, `${name} has no default, but ${file} shows one`).not.toMatch(/^`[^`]*`$/);
      }
    }
  });

  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, baseDomain: 'localhost', publicScheme: 'http', trustProxy: false });
    expect(config.graphCacheRecords).toBe(4_000_000);
    expect(loadConfig({ ORGONAUT_GRAPH_CACHE_RECORDS: '250000' }).graphCacheRecords).toBe(250_000);
  });

  it('reads a variable set to nothing as unset: its default, not port 0 or a refusal', () => {
    const config = loadConfig({ PORT: '', HOST: '', ORGONAUT_DATA_DIR: '', ORGONAUT_DEFAULT_TENANT: '', ORGONAUT_DEMO_PASSWORD: '', ORGONAUT_API_RATE_LIMIT: '' });
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', defaultTenant: null, demoPassword: 'orgonaut-demo' });
    expect(config.dataDir.endsWith('.orgonaut')).toBe(true);
    expect(config.apiRateLimit.default).toEqual({ limit: 600, windowSeconds: 60 });
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
      [{ ORGONAUT_MCP_RATE_LIMIT: 'platinum=5/60,600/60' }, /^ORGONAUT_MCP_RATE_LIMIT must be requests\/seconds, optionally per plan.*"platinum=5\/60"/],
      [{ ORGONAUT_MCP_ACTION_RATE_LIMIT: 'enterprise=100/60' }, /^ORGONAUT_MCP_ACTION_RATE_LIMIT must include a requests\/seconds entry for every plan not named/],
      [{ ORGONAUT_GRAPH_CACHE_RECORDS: '500' }, /^ORGONAUT_GRAPH_CACHE_RECORDS must be at least 10000 records/],
      [{ ORGONAUT_GRAPH_CACHE_RECORDS: 'lots' }, /^ORGONAUT_GRAPH_CACHE_RECORDS must be a number of records/],
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
    expect(config.proxyHops).toBe(1);
    expect(loadConfig({ ORGONAUT_TRUST_PROXY: '2' })).toMatchObject({ trustProxy: true, proxyHops: 2 });
    expect(loadConfig({ ORGONAUT_TRUST_PROXY: 'no' })).toMatchObject({ trustProxy: false, proxyHops: 0 });
    expect(() => loadConfig({ ORGONAUT_TRUST_PROXY: 'lots' })).toThrow('ORGONAUT_TRUST_PROXY');
    expect(loadConfig({ ORGONAUT_LOG_LEVEL: 'DEBUG', ORGONAUT_PUBLIC_SCHEME: 'HTTPS' })).toMatchObject({ logLevel: 'debug', publicScheme: 'https' });
    expect(() => loadConfig({ ORGONAUT_LOG_LEVEL: 'verbose' })).toThrow('ORGONAUT_LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent (got "verbose")');
    expect(loadConfig({ ORGONAUT_DEMO: 'TRUE' }).demo).toBe(true);
    expect(loadConfig({ ORGONAUT_DEMO: ' Yes ' }).demo).toBe(true);
    expect(loadConfig({ ORGONAUT_DEMO: 'False' }).demo).toBe(false);
    expect(() => loadConfig({ ORGONAUT_DEMO: 'sometimes' })).toThrow('ORGONAUT_DEMO must be 1/0, true/false or yes/no (got "sometimes")');
  });

  it('reads the SMTP server of the emails and their From address; unset, no email is sent', () => {
    expect(loadConfig({})).toMatchObject({ smtp: null, mailFrom: 'Orgonaut <no-reply@localhost>' });
    expect(loadConfig({ ORGONAUT_BASE_DOMAIN: 'orgonaut.co', ORGONAUT_SMTP_URL: '' })).toMatchObject({ smtp: null, mailFrom: 'Orgonaut <no-reply@orgonaut.co>' });
    expect(loadConfig({ ORGONAUT_SMTP_URL: 'smtp://mail.example.com' }).smtp).toEqual({ secure: false, host: 'mail.example.com', port: 587, user: null, password: null });
    expect(loadConfig({ ORGONAUT_SMTP_URL: ' smtps://apikey:p%40ss%2Fw0rd@smtp.example.com ' }).smtp).toEqual({ secure: true, host: 'smtp.example.com', port: 465, user: 'apikey', password: 'p@ss/w0rd' });
    expect(loadConfig({ ORGONAUT_SMTP_URL: 'smtp://u%40x.test:pw@127.0.0.1:2525' }).smtp).toMatchObject({ host: '127.0.0.1', port: 2525, user: 'u@x.test' });
    expect(loadConfig({ ORGONAUT_MAIL_FROM: 'Acme People <people@acme.test>' }).mailFrom).toBe('Acme People <people@acme.test>');
    expect(loadConfig({ ORGONAUT_MAIL_FROM: 'people@acme.test' }).mailFrom).toBe('people@acme.test');
  });

  it('refuses a bad SMTP URL or From address naming the variable, and never quotes the SMTP password back', () => {
    for (const bad of ['http://user:hunter2-secret@mail.example.com', 'smtp://user:hunter2-secret@', 'smtp://user:hunter2-secret@mail.example.com/path', 'smtp://user:hunter2-secret@mail.example.com?pool=true', 'mail.example.com']) {
      expect(() => loadConfig({ ORGONAUT_SMTP_URL: bad }), bad).toThrow(/^ORGONAUT_SMTP_URL must be smtp:\/\/\[user:password@\]host\[:port\] or smtps:\/\//);
      try {
        loadConfig({ ORGONAUT_SMTP_URL: bad });
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
    expect(() => loadConfig({ ORGONAUT_SMTP_URL: 'ftp://user:hunter2-secret@x' })).toThrow('(got "ftp://user:[redacted]@x")');
    for (const bad of ['no-reply', 'Orgonaut <no-reply>', 'a@b.test, c@d.test', 'Evil\r\nBcc: x@y.test <a@b.test>']) {
      expect(() => loadConfig({ ORGONAUT_MAIL_FROM: bad }), bad).toThrow(/^ORGONAUT_MAIL_FROM must be an email address, optionally with a name/);
    }
    // --help lists both, and no default password.
    expect(describeVariables()).toContain('ORGONAUT_SMTP_URL');
    expect(describeVariables()).toContain('ORGONAUT_MAIL_FROM');
  });

  it('reads rate limits as requests per window, for every plan or per plan', () => {
    const defaults = loadConfig({});
    expect(rateLimitFor(defaults.apiRateLimit, 'enterprise')).toEqual({ limit: 600, windowSeconds: 60 });
    expect(rateLimitFor(defaults.mcpActionRateLimit, 'business')).toEqual({ limit: 30, windowSeconds: 60 });
    const config = loadConfig({ ORGONAUT_API_RATE_LIMIT: '5000/3600', ORGONAUT_MCP_RATE_LIMIT: '300/60, enterprise=2000/60,agency=1000/30' });
    expect(rateLimitFor(config.apiRateLimit, 'team')).toEqual({ limit: 5000, windowSeconds: 3600 });
    expect(rateLimitFor(config.mcpRateLimit, 'business')).toEqual({ limit: 300, windowSeconds: 60 });
    expect(rateLimitFor(config.mcpRateLimit, 'enterprise')).toEqual({ limit: 2000, windowSeconds: 60 });
    expect(rateLimitFor(config.mcpRateLimit, 'agency')).toEqual({ limit: 1000, windowSeconds: 30 });
  });
});

/** The `| variable | default | meaning |` table of a document: each variable's default column, by name. */
function configurationTable(markdown: string): Record<string, string> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*variable\s*\|\s*default\s*\|/.test(line));
  expect(header, 'a | variable | default | meaning | table').toBeGreaterThan(-1);
  const rows: Record<string, string> = {};
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [name, fallback] = line.split('|').slice(1).map((cell) => cell.trim());
    const variable = /^`([A-Z][A-Z0-9_]*)`$/.exec(name ?? '');
    expect(variable, `a variable name in backticks in: ${line}`).not.toBeNull();
    rows[variable![1]!] = fallback!;
  }
  return rows;
}
