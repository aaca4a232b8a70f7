import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type E2eBrowser } from '../e2e/support.js';
import { onPostgres } from '../support/db.js';
import {
  approveInBrowser,
  CHROMIUM,
  DEMO_OWNER,
  DEMO_TENANT,
  describeFailures,
  judge,
  ownerToken,
  preRegisterLoopbackClient,
  readResults,
  RESOLVE_LOCALHOST,
  startDemoServer,
  startSuite,
  startTokenProxy,
  suiteMissing,
  tail,
  type Baseline,
  type Check,
  type DemoServer,
  type TokenProxy,
  type Verdict,
} from './support.js';

/**
 * The official MCP conformance suite (SPEC §5, §10) against a real server: `startServer` on a fresh PostgreSQL
 * database with the demo seeded, behind a loopback proxy that adds the demo owner's personal API token (the suite's
 * server runner sends no credentials). The suite runs on its own Node 22 from tools/conformance/.
 *
 * - Server scenarios, once per spec revision and wire (`--requirements 2025-11-25`: the initialize handshake;
 *   `--requirements 2026-07-28`: stateless, per-request _meta), every scored and not-scored scenario the revision
 *   lists. Results are compared with expected-failures.json: scenarios that need the suite's own fixture tools,
 *   prompts and resources (test_*, test://…) or capabilities Orgonaut does not offer fail as listed there; any other
 *   failure, or a listed failure that now passes, fails this test.
 * - The `authorization` command against the acme host's authorization server (issuer
 *   http://acme.localhost:<port>/mcp/orgonaut): metadata, then the authorization code grant with a pre-registered
 *   loopback client, its browser step (sign in as the demo owner, Allow) driven in headless Chromium.
 *
 * PostgreSQL only (skipped with a printed reason without DATABASE_URL). Takes about 30 s.
 */

const BASELINE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'expected-failures.json');
const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
const SCENARIO_TIMEOUT_MS = 20_000;
const RUN_TIMEOUT_MS = 120_000;

const skipReason = onPostgres ? null : 'needs a real server on PostgreSQL (SPEC §10): set DATABASE_URL';
if (skipReason) console.log(`[conformance] skipped: ${skipReason}`);

describe.skipIf(Boolean(skipReason))('the official MCP conformance suite', () => {
  const baseline = JSON.parse(fs.readFileSync(BASELINE_FILE, 'utf8')) as { server: Baseline; authorization: Record<string, string> };
  let demo: DemoServer | undefined;
  let proxy: TokenProxy | undefined;
  let browser: E2eBrowser | undefined;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-conformance-'));

  beforeAll(async () => {
    // Installed by .ci/run (npm ci in tools/conformance). Missing here is a setup error to report, not a skip.
    const missing = suiteMissing();
    if (missing) throw new Error(`the conformance suite cannot run: ${missing}`);
    demo = await startDemoServer();
    proxy = await startTokenProxy({ port: demo.port }, { token: await ownerToken(demo), tenant: DEMO_TENANT });
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await proxy?.close();
    await demo?.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }, 60_000);

  for (const revision of REVISIONS) {
    it(
      `passes the server scenarios of ${revision} except the baseline's expected failures`,
      async () => {
        const dir = path.join(outDir, `server-${revision}`);
        // `localhost`, not 127.0.0.1: the DNS-rebinding scenario only judges localhost URLs.
        const url = `http://localhost:${proxy!.port}/mcp/orgonaut`;
        const run = await startSuite(['server', '--url', url, '--requirements', revision, '-o', dir, '--timeout', String(SCENARIO_TIMEOUT_MS)], {
          timeoutMs: RUN_TIMEOUT_MS,
        }).done;
        const attempted = [...run.stdout.matchAll(/^=== Running scenario: (\S+) ===$/gm)].map((m) => m[1]!);
        if (!attempted.length || run.signal) {
          throw new Error(
            `the suite did not run (exit ${run.code ?? run.signal}, ${(run.ms / 1000).toFixed(0)} s):\n${tail(run.stdout)}\n${tail(run.stderr)}`,
          );
        }
        const results = readResults(dir);
        // A scenario that crashed inside the suite writes no checks.json: count it as failed.
        for (const scenario of attempted) {
          if (!results.has(scenario)) results.set(scenario, [{ id: scenario, name: scenario, status: 'FAILURE', errorMessage: 'the suite recorded no result' }]);
        }
        const expected = baseline.server[revision] ?? {};
        const verdict = judge(results, expected);
        report(`server ${revision}`, results, verdict, run.ms, proxy!.forwarded);
        expect(verdict.missing, `baseline entries for scenarios the suite no longer runs at ${revision}`).toEqual([]);
        expect(failureMessage(revision, results, verdict, expected), 'conformance').toBe('');
      },
      RUN_TIMEOUT_MS + 10_000,
    );
  }

  it(
    "passes the authorization scenarios against the tenant host's authorization server (browser consent in Chromium)",
    async () => {
      if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium; .ci/run installs it)`);
      const callbackPort = await freePort();
      const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
      const clientId = await preRegisterLoopbackClient(demo!, redirectUri);
      const issuer = `${demo!.tenantOrigin}/mcp/orgonaut`;
      const dir = path.join(outDir, 'authorization');
      const suite = startSuite(
        ['authorization', '--url', issuer, '--client-id', clientId, '--port', String(callbackPort), '--resource', issuer, '-o', dir],
        { timeoutMs: RUN_TIMEOUT_MS, nodeArgs: ['--import', RESOLVE_LOCALHOST] },
      );
      let consentText = '';
      try {
        // The suite prints the authorization URL for a person to open, then waits for the redirect to its callback.
        const [, authorizeUrl] = await suite.waitFor(/^(http:\/\/\S+\/oauth\/authorize\?\S+)$/m, 60_000);
        browser ??= await launchBrowser();
        const who = { email: DEMO_OWNER, password: demo!.server.runtime.config.demoPassword };
        ({ consentText } = await approveInBrowser(browser.browser, authorizeUrl!, who, redirectUri));
      } catch (error) {
        suite.kill();
        throw error;
      }
      const run = await suite.done;
      const results = readResults(dir);
      const verdict = judge(results, baseline.authorization ?? {});
      report('authorization', results, verdict, run.ms);
      expect(consentText).toContain('MCP conformance suite');
      expect(consentText).toContain('verified app');
      expect([...results.keys()].sort(), `the suite's output:\n${tail(run.stdout)}`).toEqual(['authorization-code-grant', 'authorization-server-metadata-endpoint']);
      expect(results.get('authorization-code-grant')!.map((c) => c.status)).toEqual(['SUCCESS']);
      expect(failureMessage('authorization', results, verdict, baseline.authorization ?? {}), 'conformance').toBe('');
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});

/** Empty when the run matches its baseline; otherwise what is wrong and what to do. */
function failureMessage(label: string, results: Map<string, Check[]>, verdict: Verdict, expected: Record<string, string>): string {
  const parts: string[] = [];
  if (verdict.unexpected.length) {
    const keys = new Set(verdict.unexpected);
    parts.push(
      `${verdict.unexpected.length} unexpected failure(s) at ${label} — fix the server, or (only if the scenario needs the suite's fixtures) add them to test/conformance/expected-failures.json with the reason:\n` +
        describeFailures(results, (scenario, check) => check.status === 'FAILURE' && keys.has(`${scenario}:${check.id}`)),
    );
  }
  if (verdict.stale.length) {
    parts.push(
      `${verdict.stale.length} expected failure(s) at ${label} now pass — remove them from test/conformance/expected-failures.json:\n` +
        verdict.stale.map((key) => `  ✓ ${key} (listed as: ${expected[key] ?? expected[key.split(':')[0]!]})`).join('\n'),
    );
  }
  return parts.join('\n\n');
}

function report(label: string, results: Map<string, Check[]>, verdict: Verdict, ms: number, forwarded?: number): void {
  const checks = [...results.values()].flat();
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  console.log(
    `[conformance] ${label}: ${results.size} scenarios in ${(ms / 1000).toFixed(1)} s` +
      (forwarded !== undefined ? ` (${forwarded} requests through the token proxy so far)` : '') +
      `; ${verdict.passed.length} passed, ${verdict.expected.length} expected failures, ${verdict.unexpected.length} unexpected, ${verdict.stale.length} stale;` +
      ` checks: ${count('SUCCESS')} success, ${count('FAILURE')} failure, ${count('WARNING')} warning, ${count('SKIPPED')} skipped` +
      (verdict.warnings.length ? `\n  warnings (not judged) in: ${verdict.warnings.join(', ')}` : ''),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
