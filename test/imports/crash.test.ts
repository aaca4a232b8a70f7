import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { effectiveAbilities } from '../../src/access/policy.js';
import { openPostgres, type Database } from '../../src/db/connection.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { adminQuery, withDatabase } from '../support/postgres.js';
import { memberToken } from '../support/factories.js';
import { freePort } from '../support/ports.js';
import { generatedExport, importTenant, liveState } from './support.js';

/**
 * A server killed in the middle of an import (PostgreSQL, real processes): Live is either untouched or fully
 * imported — never half — and after a restart the interrupted run is failed and can be started again.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const URL_ = process.env.DATABASE_URL;
const ACTORS = 20_000;

if (!URL_) console.log('test/imports/crash.test.ts: skipped — the kill test needs a real server on PostgreSQL (set DATABASE_URL)');

let database: Database;
let dbUrl: string;
let dbName: string;
let tenant: Tenant;
let token: string;
let server: { child: ChildProcess; port: number; output: () => string } | null = null;

function request(port: number, method: string, pathname: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, headers: { host: `${tenant.slug}.localhost`, authorization: `Bearer ${token}` }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startServer(): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORGONAUT_') && k !== 'DATABASE_URL' && k !== 'PORT') env[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: dbUrl, PORT: String(port), ORGONAUT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    const ready = await request(port, 'GET', '/readyz').catch(() => null);
    if (ready?.status === 200) return { child, port, output: () => output };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`server not ready: ${output}`);
}

function kill(s: { child: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(port: number, runId: string, done: (run: any) => boolean, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await request(port, 'GET', `/api/v1/imports/${runId}`);
    if (done(body.data)) return body.data;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${JSON.stringify(body.data?.status)} / ${JSON.stringify(body.data?.progress?.stage)}`);
    await sleep(30);
  }
}

describe.skipIf(!URL_)('a server killed during an import (PostgreSQL)', () => {
  beforeAll(async () => {
    const template = inject('pgTemplate')!;
    dbName = `${template}_crash_${randomBytes(3).toString('hex')}`;
    await adminQuery(URL_!, `create database "${dbName}" template "${template}"`);
    dbUrl = withDatabase(URL_!, dbName);
    database = await openPostgres(dbUrl, { max: 4 });
  }, 120_000);

  afterAll(async () => {
    if (server) await kill(server);
    await database?.close();
    if (URL_ && dbName) await adminQuery(URL_, `drop database if exists "${dbName}" with (force)`);
  }, 60_000);

  for (const [when, stage, delay] of [
    ['while planning', 'teams', 0],
    ['inside the final transaction', 'finalize', 400],
  ] as const) {
    it(
      `leaves Live untouched or fully imported when killed ${when}, and the run can be started again`,
      async () => {
        ({ tenant } = await importTenant(database, { slug: `crash-${stage}`, plan: 'enterprise' }));
        token = await memberToken(database, tenant, 'owner', { name: 'crash' });
        const { csv } = generatedExport(ACTORS, `crash-${stage}`);
        const owner = { db: database.db, tenant, principal: { kind: 'system', userId: null, tenantId: tenant.id, role: null, abilities: effectiveAbilities(DEFAULT_BUNDLES.owner, null, tenant.plan), roleAbilities: effectiveAbilities(DEFAULT_BUNDLES.owner, null, tenant.plan) } } as never;
        const run = await createRunFromUpload(owner, { body: csv, fileName: `crash-${stage}.csv`, maxBytes: 64 * 1024 * 1024 });
        const before = await liveState(database, tenant.id);
        server = await startServer();
        const started = await request(server.port, 'POST', `/api/v1/imports/${run.id}/start`);
        expect(started.status).toBe(202);
        await waitFor(server.port, run.id, (r) => r.status !== 'processing' || r.progress.stage === stage, 120_000);
        await sleep(delay);
        await kill(server);
        server = null;

        const atKill = await liveState(database, tenant.id);
        const imported = atKill.version !== before.version;
        console.log(`crash test (${stage}): killed ${imported ? 'after the commit: Live fully imported' : 'before the commit: Live untouched'}`);
        if (imported) expect(atKill).toMatchObject({ version: before.version + 1, actors: before.actors + ACTORS, snapshots: before.snapshots + 1 });
        else expect(atKill).toEqual(before);

        server = await startServer();
        const settled = await waitFor(server.port, run.id, (r) => r.status === 'failed' || r.status === 'completed', 60_000);
        if (imported) {
          expect(settled.status).toBe('completed');
        } else {
          expect(settled).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
          expect(await liveState(database, tenant.id)).toEqual(before);
          const again = await request(server.port, 'POST', `/api/v1/imports/${run.id}/start`);
          expect(again.status).toBe(202);
          expect(await waitFor(server.port, run.id, (r) => r.status !== 'processing', 120_000)).toMatchObject({ status: 'completed', summary: { rows: { imported: ACTORS } } });
        }
        expect(await liveState(database, tenant.id)).toMatchObject({ version: before.version + 1, actors: before.actors + ACTORS });
        await kill(server);
        server = null;
      },
      400_000,
    );
  }
});
