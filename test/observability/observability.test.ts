import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createRuntime } from '../../src/app.js';
import type { Database } from '../../src/db/connection.js';
import { issueApiToken } from '../../src/access/api-tokens.js';
import { effectiveAbilities } from '../../src/access/policy.js';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';
import { testConfig, toRequestInit } from '../support/app.js';

let database: Database;
const lines: string[] = [];
let app: ReturnType<typeof createApp>;
let secret: string;

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await buildTenant(database, { slug: 'obsacme', plan: 'business' });
  const owner = await buildMember(database, tenant, 'owner');
  ({ secret } = await issueApiToken(database.db, { tenantId: tenant.id, userId: owner.id, roleAbilities: effectiveAbilities(DEFAULT_BUNDLES.owner, null, 'business'), name: 'obs', abilities: ['org-units.read', 'costs.read', 'mcp.access'] }));
  const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
  const runtime = createRuntime(testConfig({ metricsToken: 'metrics-secret-token' }), database, pino({ level: 'info' }, sink));
  app = createApp(runtime);
});
afterAll(() => database?.close());

describe('observability', () => {
  it('logs one JSON line per request with tenant and principal kind, never the token', async () => {
    const response = await app.request('/api/v1/me', toRequestInit({ host: 'obsacme.localhost', token: secret }));
    expect(response.status).toBe(200);
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.path === '/api/v1/me');
    expect(line).toMatchObject({ method: 'GET', status: 200, tenant: 'obsacme', principal: 'api_token', msg: 'request' });
    expect(typeof line!.requestId).toBe('string');
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('serves Prometheus metrics only with the metrics token (or from loopback)', async () => {
    expect((await app.request('/metrics', toRequestInit({ host: 'obsacme.localhost' }))).status).toBe(404);
    expect((await app.request('/metrics', toRequestInit({ host: 'obsacme.localhost', token: 'wrong-token-of-same-len' }))).status).toBe(404);
    await app.request('/api/v1/me', toRequestInit({ host: 'obsacme.localhost', token: 'orgo_pat_' + 'x'.repeat(43) }));
    const response = await app.request('/metrics', toRequestInit({ host: 'anything.example', token: 'metrics-secret-token' }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/orgonaut_http_requests_total\{method="GET",route="\/api\/v1\/me",status="2xx"\} \d+/);
    expect(text).toMatch(/orgonaut_http_request_duration_seconds_bucket\{route="\/api\/v1\/me",le="\+Inf"\} \d+/);
    expect(text).toMatch(/orgonaut_auth_failures_total\{reason="invalid_token",surface="rest"\} \d+/);
    expect(text).not.toContain(secret);
  });
});
