import type { Logger } from 'pino';
import type { Runtime } from '../app.js';
import type { Session, SessionEnd } from '../access/sessions.js';
import type { Principal } from '../access/policy.js';
import type { Tenant } from '../tenancy/tenants.js';
import type { McpCall } from '../mcp/session.js';

/** Variables every request carries, set once by the app's middleware (app.ts). */
export interface AppVariables {
  requestId: string;
  logger: Logger;
  /** The tenant of the request (from its host, or from X-Tenant on the central host); null on the central host. */
  tenant: Tenant | null;
  /** How the tenant was chosen: by the host, or by `X-Tenant` on the central host (bearer tokens only). */
  tenantSource: 'host' | 'header' | null;
  /** `<scheme>://<host[:port]>` of this request, after checking the host is known. */
  origin: string;
  /** Configuration, database and per-process caches (set first, for every request). */
  runtime: Runtime;
  /** The browser session, once read (undefined = not looked up yet). */
  session: Session | null | undefined;
  /** Set when the session cookie names a session that ended by itself (idle, or past its lifetime). */
  sessionEnded: SessionEnd | undefined;
  /** The authenticated party, set by the authentication middleware of REST and MCP. */
  principal: Principal | undefined;
  /** On /mcp/orgonaut: the JSON-RPC method (and tool name) of a single-request body, for the request log. */
  mcpCall: McpCall | null | undefined;
}

export interface AppEnv {
  Variables: AppVariables;
}
