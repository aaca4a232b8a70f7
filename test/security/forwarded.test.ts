import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, testApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * Behind ORGONAUT_TRUST_PROXY = N, X-Forwarded-Host, -Proto and -For are read at the entry the outermost trusted
 * proxy wrote (the N-th from the right); whatever a client put further left is ignored. Without a trusted proxy
 * none of them is read.
 */
let database: Database;
let tenant: Tenant;
let other: Tenant;
const HOST = 'secfwd.localhost';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'secfwd', name: 'Forwarded Inc', plan: 'business' });
  other = await buildTenant(database, { slug: 'secfwdother', name: 'Other Org', plan: 'business' });
});
afterAll(() => database?.close());

/** The sign-in page names the tenant its host belongs to; its form cookie is `__Host-` and Secure on https only. */
async function signInPage(hops: number, headers: Record<string, string>) {
  const app = testApp(database, { trustProxy: hops > 0, proxyHops: hops });
  const response = await app.request('/sign-in', { host: HOST, headers: { accept: 'text/html', ...headers } });
  const cookie = response.headers.getSetCookie().join('\n');
  return { status: response.status, html: await response.text(), https: cookie.startsWith('__Host-') && /;\s*Secure/i.test(cookie) };
}

describe('X-Forwarded-Host behind a trusted proxy', () => {
  it('is the entry the proxy appended, not a host the client listed before it', async () => {
    const page = await signInPage(1, { 'x-forwarded-host': `${other.slug}.localhost, ${HOST}` });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Sign in to Forwarded Inc');
    expect(page.html).not.toContain('Other Org');
  });

  it('a client-listed host that is none of ours does not make the request unknown either', async () => {
    const page = await signInPage(1, { 'x-forwarded-host': `evil.example, ${HOST}` });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Sign in to Forwarded Inc');
  });

  it('behind two proxies, the entry the outer one wrote (second from the right)', async () => {
    const page = await signInPage(2, { 'x-forwarded-host': `${other.slug}.localhost, ${HOST}, internal-lb.localhost` });
    expect(page.html).toContain('Sign in to Forwarded Inc');
  });

  it('is ignored without a trusted proxy', async () => {
    const page = await signInPage(0, { 'x-forwarded-host': `${other.slug}.localhost` });
    expect(page.html).toContain('Sign in to Forwarded Inc');
  });
});

describe('X-Forwarded-Proto behind a trusted proxy', () => {
  it('a client claiming https before the proxy’s http gets plain-http cookies (the proxy saw http)', async () => {
    expect((await signInPage(1, { 'x-forwarded-proto': 'https, http' })).https).toBe(false);
  });

  it('a client claiming http before the proxy’s https cannot downgrade the cookies', async () => {
    expect((await signInPage(1, { 'x-forwarded-proto': 'http, https' })).https).toBe(true);
  });

  it('is ignored without a trusted proxy', async () => {
    expect((await signInPage(0, { 'x-forwarded-proto': 'https' })).https).toBe(false);
  });
});

describe('X-Forwarded-For behind a trusted proxy', () => {
  /** A failed sign-in with these headers; the address its audit entry recorded. */
  async function recordedAddress(hops: number, xff: string) {
    const app = testApp(database, { trustProxy: hops > 0, proxyHops: hops });
    const page = await app.request('/sign-in', { host: HOST, headers: { accept: 'text/html', 'x-forwarded-for': xff } });
    const email = `nobody-${Math.random().toString(36).slice(2)}@example.test`;
    await app.request('/sign-in', {
      host: HOST,
      cookie: cookiesOf(page),
      headers: { origin: `http://${HOST}`, 'x-forwarded-for': xff },
      form: { csrf: hiddenField(await page.text(), 'csrf'), return_to: '/', email, password: 'not the password' },
    });
    const [entry] = await database.db
      .select({ metadata: auditEvents.metadata })
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.action, 'failed'), sql`${auditEvents.metadata}->>'email' = ${email}`));
    return (entry!.metadata as { ip: string }).ip;
  }

  it('the client address is the one the proxy appended, whatever the client listed first', async () => {
    expect(await recordedAddress(1, '10.0.0.1, 1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(await recordedAddress(2, '10.0.0.1, 203.0.113.8, 192.168.0.2')).toBe('203.0.113.8');
  });

  it('is ignored without a trusted proxy', async () => {
    expect(await recordedAddress(0, '203.0.113.9')).not.toBe('203.0.113.9');
  });
});
