import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../src/db/seed/demo.js';
import { findTenantBySlug } from '../../src/tenancy/tenants.js';
import {
  api,
  authorizeInBrowser,
  callTool,
  createDatabase,
  field,
  initializeMessage,
  InstanceBrowser,
  mcp,
  MCP_PROTOCOL,
  oauthVia,
  ownerOf,
  query,
  registerPublicClient,
  runCli,
  runsOnPostgres,
  sleep,
  startServer,
  type OpsDatabase,
  type ServerProcess,
} from './support.js';

/**
 * Two instances on one PostgreSQL (docs/OPERATIONS.md "N stateless instances"): real server processes on the same
 * database, different ports, the demo seeded by the first only, both started together on an empty database (so
 * they migrate it together). One client spreads its requests over both behind one public host
 * (acme.localhost:<port of A>), as a load balancer would: an OAuth authorization on A redeemed on B and refreshed
 * on A, MCP requests alternating, a REST scenario created on A and changed on B, a governed proposal planned on A
 * and confirmed on B — without an error. Revoking the app on B is seen on A within a second; a plan change made by
 * the admin command on PostgreSQL directly is seen by both within a second, and so are OAuth keys it rotates.
 */

const RUNS = runsOnPostgres('test/ops/multi-instance.test.ts', 'the multi-instance tests');
const DEMO_PASSWORD = 'orgonaut-demo';
const OWNER = 'owner@acme.test';

let database: OpsDatabase;
let a: ServerProcess;
let b: ServerProcess;
let origin: string;
/** The personal API token of acme's owner (REST, and MCP after the app is revoked). */
let personalToken: string;

/** Polls `check` until it holds; returns the milliseconds it took. Fails after `withinMs`. */
async function within(withinMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > withinMs) throw new Error(`${what}: not seen within ${withinMs} ms`);
    await sleep(20);
  }
}

describe.skipIf(!RUNS)('two server processes on one PostgreSQL', () => {
  beforeAll(async () => {
    database = await createDatabase('multi', { fromTemplate: false });
    // Both start at once on the empty database, both asked for the demo: migrations and the seed run once, each
    // under its advisory lock.
    [a, b] = await Promise.all([startServer(database.url, { ORGONAUT_DEMO: '1' }), startServer(database.url, { ORGONAUT_DEMO: '1' })]);
    origin = `http://acme.localhost:${a.port}`;
    const db = await database.open();
    const acme = (await findTenantBySlug(db.db, 'acme'))!;
    expect(acme.plan).toBe('business');
    personalToken = (await ownerOf(db, acme, OWNER)).token;
    await database.closePool();
  }, 180_000);

  afterAll(async () => {
    const exits = await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    // Neither instance may have logged an error (level 50) while serving the other's traffic.
    for (const [name, server] of [['A', a], ['B', b]] as const) {
      if (!server) continue;
      const errors = server.output().split('\n').filter((line) => line.includes('"level":50'));
      expect(errors, `errors logged by ${name}`).toEqual([]);
    }
    for (const exit of exits) if (exit) expect(exit.code).toBe(0);
  }, 60_000);

  it('migrated the empty database once and seeded the demo once, though both instances asked for it', async () => {
    expect(a.output()).toContain('Orgonaut is ready on PostgreSQL');
    expect(b.output()).toContain('Orgonaut is ready on PostgreSQL');
    const tenants = await query<{ slug: string; scenarios: number }>(
      database.url,
      'select t.slug, (select count(*)::int from scenarios s where s.tenant_id = t.id) as scenarios from tenants t order by t.slug',
    );
    expect(tenants.map((t) => t.slug).sort()).toEqual(DEMO_TENANTS.map((t) => t.slug).sort());
    expect(tenants.find((t) => t.slug === 'acme')!.scenarios).toBe(2); // its snapshot and planning scenario, once
    for (const server of [a, b]) expect((await api(server.port, origin, 'GET', '/readyz', null)).body).toMatchObject({ status: 'ready', database: 'postgres' });
  });

  it(
    'serves one client alternating between the instances without an error, and sees revocation and plan changes everywhere within a second',
    async () => {
      // ---- OAuth: discovery on A, registration on B, authorize (sign-in + consent) on A, code redeemed on B, refresh on A.
      const { as, client } = await registerPublicClient(origin, b.port, 'Ops multi-instance client');
      const browser = new InstanceBrowser(a.port, () => a.port);
      const { params, verifier } = await authorizeInBrowser(browser, as, client, { email: OWNER, password: DEMO_PASSWORD });
      const redeemed = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, 'https://claude.ai/api/mcp/auth_callback', verifier, oauthVia(() => b.port)),
      );
      expect(redeemed.refresh_token).toBeTruthy();
      const tokens = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), redeemed.refresh_token!, oauthVia(() => a.port)));
      expect(tokens.refresh_token).not.toBe(redeemed.refresh_token);
      const accessToken = tokens.access_token;
      // Only the refresh token rotates: the access token the code gave still works, on either instance.
      for (const server of [a, b]) expect((await mcp(server.port, origin, redeemed.access_token, { id: 1, method: 'tools/list' })).status).toBe(200);

      // ---- MCP, round robin: initialize on one instance, everything after it on the other (stateless: no session).
      const order = [a, b, a, b, a, b];
      let id = 10;
      for (let round = 0; round < 2; round++) {
        const [first, second, third] = order.slice(round, round + 3) as [ServerProcess, ServerProcess, ServerProcess];
        const init = await mcp(first.port, origin, accessToken, initializeMessage(id++), false);
        expect(init.status, init.text).toBe(200);
        expect(init.result?.protocolVersion).toBe(MCP_PROTOCOL);
        expect(init.headers.get('mcp-session-id')).toBeNull();
        const initialized = await mcp(second.port, origin, accessToken, { method: 'notifications/initialized' });
        expect(initialized.status).toBe(202);
        const list = await mcp(second.port, origin, accessToken, { id: id++, method: 'tools/list' });
        expect(list.status, list.text).toBe(200);
        expect((list.result.tools as { name: string }[]).map((t) => t.name)).toEqual(expect.arrayContaining(['org_summary', 'org_units_tree', 'org_actors_list', 'scenario_action_plan']));
        const summary = await callTool(second.port, origin, accessToken, 'org_summary', {}, id++);
        expect(summary.tenant ?? summary).toBeTruthy();
        await callTool(third.port, origin, accessToken, 'org_units_tree', {}, id++);
      }
      const actors = (await callTool(b.port, origin, accessToken, 'org_actors_list', { limit: 5 }, id++)).actors as { id: string; fte?: number }[];
      expect(actors.length).toBe(5);

      // ---- REST with the personal token: a scenario created on A, changed on B, read on A.
      const created = await api(a.port, origin, 'POST', '/api/v1/scenarios', personalToken, { name: 'Spread over two instances' });
      expect(created.status, created.text).toBe(201);
      const scenarioId = created.body.data.id as string;
      const changed = await api(b.port, origin, 'POST', `/api/v1/scenarios/${scenarioId}/changes`, personalToken, { changes: [{ op: 'set_fte', actor_id: actors[0]!.id, fte: 0.6 }] });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body.data).toMatchObject({ scenario_id: scenarioId, revision: 1, records_changed: 1 });
      const shown = await api(a.port, origin, 'GET', `/api/v1/scenarios/${scenarioId}`, personalToken);
      expect(shown.status, shown.text).toBe(200);
      expect(shown.body.data.revision).toBe(1);

      // ---- A governed proposal: planned on A, confirmed on B (proposals live in the database), confirmed again on A.
      const planned = await callTool(a.port, origin, accessToken, 'scenario_action_plan', { scenario_id: scenarioId, changes: [{ op: 'set_fte', actor_id: actors[1]!.id, fte: 0.7 }] }, id++);
      expect(planned.proposal_id).toBeTruthy();
      const confirmed = await callTool(b.port, origin, accessToken, 'scenario_action_confirm', { proposal_id: planned.proposal_id }, id++);
      expect(confirmed).toMatchObject({ status: 'confirmed', already_confirmed: false, outcome: { scenario_id: scenarioId, revision: 2 } });
      const again = await callTool(a.port, origin, accessToken, 'scenario_action_confirm', { proposal_id: planned.proposal_id }, id++);
      expect(again).toMatchObject({ status: 'confirmed', already_confirmed: true });
      const delta = await api(a.port, origin, 'GET', `/api/v1/scenarios/${scenarioId}`, personalToken);
      expect(delta.body.data.revision).toBe(2);

      // ---- Revoke the app on B (Settings → API and MCP → Disconnect); A refuses the token within a second.
      browser.port = () => b.port;
      const settings = await browser.request(`${origin}/settings/api`);
      const html = await settings.text();
      expect(settings.status, html.slice(0, 500)).toBe(200);
      expect((await mcp(a.port, origin, accessToken, { id: id++, method: 'tools/list' })).status).toBe(200); // cached as valid on A
      const form = new RegExp(`<form method="post" action="/settings/api/apps/revoke"[^>]*>([\\s\\S]*?)</form>`, 'g');
      const ours = [...html.matchAll(form)].map((m) => m[1]!).find((f) => f.includes(client.client_id));
      expect(ours, 'a Disconnect form for the client').toBeTruthy();
      const revoked = await browser.request(`${origin}/settings/api/apps/revoke`, { csrf: field(ours!, 'csrf'), user_id: field(ours!, 'user_id'), client_id: field(ours!, 'client_id') });
      expect(revoked.status).toBe(303);
      const refusedAfter = await within(1_000, 'the revoked token refused on A', async () => (await mcp(a.port, origin, accessToken, { id: 99, method: 'tools/list' })).status === 401);
      expect(refusedAfter).toBeLessThan(1_000);
      expect((await mcp(b.port, origin, accessToken, { id: 99, method: 'tools/list' })).status).toBe(401);
      const reused = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, oauthVia(() => a.port));
      expect(reused.status).toBe(400);
      expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');

      // ---- The plan changes to team through the admin command on PostgreSQL directly, while the client keeps calling
      // both instances (so their caches are warm when it commits): MCP answers 404 on both within a second.
      const samples: { server: 'A' | 'B'; at: number; status: number }[] = [];
      let watching = true;
      const watchers = ([['A', a], ['B', b]] as const).map(async ([name, server]) => {
        while (watching) {
          const status = (await mcp(server.port, origin, personalToken, { id: 100, method: 'tools/list' })).status;
          samples.push({ server: name, at: Date.now(), status });
          await sleep(25);
        }
      });
      const setPlan = await runCli(['tenants', 'set-plan', 'acme', 'team'], { DATABASE_URL: database.url });
      await sleep(1_200);
      watching = false;
      await Promise.all(watchers);
      expect(setPlan.code, setPlan.stderr).toBe(0);
      expect(setPlan.stdout).toContain('now on the team plan');
      const [{ committed }] = await query<{ committed: Date }>(database.url, `select updated_at as committed from tenants where slug = 'acme'`);
      const lags: Record<string, number> = {};
      for (const name of ['A', 'B'] as const) {
        const mine = samples.filter((s) => s.server === name);
        expect(new Set(mine.map((s) => s.status)), `statuses seen on ${name}`).toEqual(new Set([200, 404]));
        const first404 = mine.find((s) => s.status === 404)!;
        expect(mine.filter((s) => s.at > first404.at).every((s) => s.status === 404), `${name} never answers 200 again`).toBe(true);
        expect(mine.some((s) => s.status === 200 && s.at < committed.getTime()), `${name} was answering before the change`).toBe(true);
        lags[name] = first404.at - committed.getTime();
        expect(lags[name], `plan change seen on ${name}`).toBeLessThan(1_000);
      }
      console.log(`multi-instance: revocation seen on A after ${refusedAfter.toFixed(0)} ms; plan change seen after ${lags.A} ms (A) and ${lags.B} ms (B)`);
      // The OAuth discovery documents are gone with MCP too.
      expect((await api(b.port, origin, 'GET', '/.well-known/oauth-protected-resource/mcp/orgonaut', null)).status).toBe(404);
    },
    120_000,
  );

  it('uses OAuth keys rotated and retired by the admin command on both instances within a second, without a restart', async () => {
    // initech (enterprise) still has MCP after acme's plan change above.
    const initech = `http://initech.localhost:${a.port}`;
    const published = async (server: ServerProcess) => ((await api(server.port, initech, 'GET', '/oauth/jwks', null)).body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const [before] = await published(a);
    expect(await published(b)).toEqual([before]); // both instances have built (and cached) the tenant's provider
    const seenBy = (kids: string[]) =>
      Promise.all([a, b].map((server) => within(1_000, `keys ${kids.join(', ')} published by :${server.port}`, async () => JSON.stringify(await published(server)) === JSON.stringify(kids))));

    const rotate = await runCli(['oauth-keys', 'rotate', '--tenant', 'initech', '--json'], { DATABASE_URL: database.url });
    expect(rotate.code, rotate.stderr).toBe(0);
    const { signing_key: rotated } = JSON.parse(rotate.stdout) as { signing_key: string };
    expect(rotated).not.toBe(before);
    const rotationLags = await seenBy([rotated, before!]);

    // Retiring at once is refused (what the old keys signed may still be in use); --force does it.
    const early = await runCli(['oauth-keys', 'retire', '--tenant', 'initech'], { DATABASE_URL: database.url });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/may be in use until .* UTC\. Retire them after then, or add --force/);
    const retire = await runCli(['oauth-keys', 'retire', '--tenant', 'initech', '--force'], { DATABASE_URL: database.url });
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stdout).toContain(`Retired the previous OAuth keys of initech (signing key ${before}, 1 cookie key)`);
    const retirementLags = await seenBy([rotated]);
    console.log(`multi-instance: key rotation seen after ${rotationLags.map((ms) => ms.toFixed(0)).join(' / ')} ms, retirement after ${retirementLags.map((ms) => ms.toFixed(0)).join(' / ')} ms (A / B)`);
  }, 180_000); // three admin command runs, each starting tsx (10–20 s apiece on a loaded 2-core machine)
});
