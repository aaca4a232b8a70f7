import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll } from 'vitest';
import type { Ability } from '../../src/access/abilities.js';
import { DEFAULT_BUNDLES, type Role } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import { recordAudit } from '../../src/audit/record.js';
import type { Database } from '../../src/db/connection.js';
import { lineageEntries, tenantCurrencies } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/logger.js';
import { createMcpEndpoint, type McpHandle } from '../../src/mcp/endpoint.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { planProposal } from '../../src/scenarios/proposals.js';
import { insertScenario, type Scenario } from '../../src/scenarios/store.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, uid, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import type { Config } from '../../src/config.js';

/**
 * An MCP test world: one database with our tenant (the fixture org, a planning scenario, a snapshot, a lineage
 * entry, an audit event and two proposals the owner planned in the scenario: one for the matrix to confirm, one to
 * cancel) and another tenant with its own org, the endpoint, and an SDK client whose transport calls `handle()`
 * in-process (no socket) with a test principal.
 */
export interface McpWorld {
  database: Database;
  tenant: Tenant;
  other: Tenant;
  otherScenario: Scenario;
  scenario: Scenario;
  snapshot: Scenario;
  ids: ReturnType<typeof fixtureIds>;
  otherIds: ReturnType<typeof fixtureIds>;
  handle: McpHandle;
  origin: string;
  /** Planned by `principalOf(tenant, 'owner')` (a session) in `scenario`. */
  proposals: { confirm: string; cancel: string };
  /** A planning scenario with one change of its own (m1's FTE 0.5), for the tools that undo changes. */
  edited: Scenario;
}

export const ORIGIN = 'http://acme.localhost';
export const MCP_URL = `${ORIGIN}/mcp/orgonaut`;

/** Rate limits high enough that no test meets them, unless it sets its own. */
const UNLIMITED = { default: { limit: 1_000_000, windowSeconds: 60 }, plans: {} };

export async function buildWorld(options: { allowedOrigins?: string[]; limits?: Pick<Partial<Config>, 'mcpRateLimit' | 'mcpActionRateLimit'> } = {}): Promise<McpWorld> {
  const database = await testDatabase();
  let tenant = await buildTenant(database, { plan: 'enterprise', currency: 'EUR', name: 'Acme' });
  await database.db.insert(tenantCurrencies).values([
    { tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 },
    { tenantId: tenant.id, code: 'GBP', rateToReporting: null },
  ]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg('mcp'));
  const scenario = await insertScenario(database.db, tenant.id, { name: 'Reshape sales', kind: 'planning', liveVersion: tenant.liveVersion });
  const snapshot = await insertScenario(database.db, tenant.id, { name: 'Before reshape', kind: 'snapshot', liveVersion: tenant.liveVersion });
  await database.db.insert(lineageEntries).values({
    tenantId: tenant.id,
    type: 'promotion',
    fromSnapshotId: snapshot.id,
    toScenarioId: scenario.id,
    liveVersion: tenant.liveVersion,
    deltas: { headcount: 1, annual_cost_minor: 12_000_000 },
  });
  await recordAudit(database.db, {
    tenantId: tenant.id,
    category: 'model',
    entityType: 'compensation',
    entityId: fixtureIds('mcp').id('comp-p1'),
    action: 'updated',
    before: { amount_minor: 9_000_000, kind: 'salary' },
    after: { amount_minor: 10_000_000, kind: 'salary' },
  });
  let other = await buildTenant(database, { plan: 'business', name: 'Other' });
  other = await writeGraph(database, other, buildFixtureOrg('other'));
  const otherScenario = await insertScenario(database.db, other.id, { name: 'Theirs', kind: 'planning', liveVersion: other.liveVersion });
  const graphs = new GraphStore(database.db);
  const handle = createMcpEndpoint({
    db: database.db,
    graphs,
    logger: createLogger('silent'),
    config: { mcpAllowedOrigins: options.allowedOrigins ?? ['https://claude.ai'], mcpRateLimit: UNLIMITED, mcpActionRateLimit: UNLIMITED, ...options.limits },
  });
  const asOwner = { db: database.db, graphs, tenant, principal: principalOf(tenant, 'owner') };
  const plan = async (fte: number) =>
    (await planProposal(asOwner, { scenarioId: scenario.id, changes: [{ op: 'set_fte', actor_id: fixtureIds('mcp').id('p2'), fte }] })).proposal_id;
  const proposals = { confirm: await plan(0.8), cancel: await plan(0.9) };
  const edited = await insertScenario(database.db, tenant.id, { name: 'Trim sales', kind: 'planning', liveVersion: tenant.liveVersion });
  await applyBatch(asOwner, edited.id, [{ op: 'set_fte', actor_id: fixtureIds('mcp').id('m1'), fte: 0.5 }]);
  return { database, tenant, other, otherScenario, scenario, edited, snapshot, ids: fixtureIds('mcp'), otherIds: fixtureIds('other'), handle, origin: ORIGIN, proposals };
}

export interface PrincipalOptions {
  /** Narrow to these abilities (a personal token, or OAuth ability scopes). */
  abilities?: Ability[];
  kind?: Principal['kind'];
  /** Default: one user per tenant and role (proposals belong to a user, so the same role is the same person). */
  userId?: string;
}

/** A principal of `tenant` with the role's default bundle, optionally narrowed by its credential. */
export function principalOf(tenant: Tenant, role: Role, options: PrincipalOptions = {}): Principal {
  const kind = options.kind ?? (options.abilities ? 'api_token' : 'session');
  const roleAbilities = effectiveAbilities(DEFAULT_BUNDLES[role], null, tenant.plan);
  const abilities = effectiveAbilities(DEFAULT_BUNDLES[role], options.abilities ?? null, tenant.plan);
  return {
    kind,
    userId: options.userId ?? uid(`user-${role}`, tenant.id),
    tenantId: tenant.id,
    role,
    abilities,
    roleAbilities,
    ...(kind === 'oauth' ? { clientId: 'test-client', clientName: 'Test client', scopes: ['mcp:use', ...(options.abilities ?? [])] } : {}),
  };
}

export type Era = 'legacy' | 'modern';

export interface Connection {
  client: Client;
  /** Every HTTP response the client received, in order. */
  responses: Response[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** An SDK client connected through `handle()`; `modern` pins 2026-07-28, `legacy` runs the 2025 handshake. */
export async function connect(world: McpWorld, principal: Principal, options: { era?: Era; tenant?: Tenant } = {}): Promise<Connection> {
  const tenant = options.tenant ?? (principal.tenantId === world.other.id ? world.other : world.tenant);
  const responses: Response[] = [];
  const fetch = async (url: string | URL, init?: RequestInit) => {
    const response = await world.handle(new Request(url, init), { tenant, principal, origin: world.origin });
    responses.push(response.clone());
    return response;
  };
  const client = new Client(
    { name: 'orgonaut-test', version: '1.0.0' },
    options.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch }));
  return {
    client,
    responses,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: () => client.close(),
  };
}

/** A raw JSON-RPC POST to the endpoint (2025 style, no session). */
export function post(world: McpWorld, principal: Principal, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const request = new Request(MCP_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return world.handle(request, { tenant: world.tenant, principal, origin: world.origin });
}

/** The structured content of a successful result, failing loudly on an error result. */
export function structured<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

export function errorOf(result: CallToolResult): { code: string; message: string; fix?: string; [key: string]: unknown } {
  if (!result.isError) throw new Error(`expected an error result, got ${JSON.stringify(result.structuredContent)}`);
  return (result.structuredContent as { error: { code: string; message: string } }).error;
}

/**
 * For a test file of an assistant's questions: a world and an admin's assistant connected with a personal API token,
 * set up before the file's tests (handed to `use`) and closed after them.
 */
export function withAssistant(use: (world: McpWorld, assistant: Connection) => void): void {
  withWorld(
    (tenant) => [principalOf(tenant, 'admin', { kind: 'api_token' })],
    (world, [assistant]) => use(world, assistant!),
  );
}

/**
 * For a test file of MCP calls: a world and a connection for each of `roles` (the role's session principal), set up
 * before the file's tests (handed to `use`, by role) and closed after them.
 */
export function withConnections<R extends Role>(roles: readonly R[], use: (world: McpWorld, connections: Record<R, Connection>) => void): void {
  withWorld(
    (tenant) => roles.map((role) => principalOf(tenant, role)),
    (world, connections) => use(world, Object.fromEntries(roles.map((role, i) => [role, connections[i]!])) as Record<R, Connection>),
  );
}

/** A world and a connection for each of `principals`, set up before a file's tests (handed to `use`) and closed after them. */
function withWorld(principals: (tenant: Tenant) => Principal[], use: (world: McpWorld, connections: Connection[]) => void): void {
  let world: McpWorld | undefined;
  const connections: Connection[] = [];
  beforeAll(async () => {
    world = await buildWorld();
    for (const principal of principals(world.tenant)) connections.push(await connect(world, principal));
    use(world, connections);
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await world?.database.close();
  });
}
