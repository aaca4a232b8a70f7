import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Principal } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { Tenant } from '../tenancy/tenants.js';
import { nameStyleOf, type NameStyle } from './registry.js';
import type { RateLimit } from '../config.js';
import { mcpResourceUrl, protectedResourceMetadataUrl } from './urls.js';


/**
 * The JSON-RPC method (and for tools/call the tool name) of a request, when its body is one request — and, filled
 * in by the tool boundary, how a tool call ended: the request's one log line says both.
 */
export interface McpCall {
  method: string;
  name?: string;
  /** The tool's canonical (dotted) name, once it ran. */
  tool?: string;
  outcome?: 'ok' | 'error';
  /** The error's code (`missing_ability`, `not_found`, …) when the outcome is an error. */
  code?: string;
  /** Set once the request's line is written — before the tool ends when the answer is streamed (SSE). */
  logged?: boolean;
}

/** What a parsed body asks for; null for anything but a single request object (a batch, a response, garbage). */
export function callOf(parsed: unknown): McpCall | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { method, params } = parsed as { method?: unknown; params?: unknown };
  if (typeof method !== 'string') return null;
  const name = typeof params === 'object' && params !== null ? (params as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? { method, name } : { method };
}

/**
 * Everything one MCP request is served with: the service context (tenant from the host, principal from the
 * guard), the origin for links and challenges, the naming style and a request id. It travels to the SDK's server
 * factory inside `AuthInfo.extra` — the one pass-through the SDK offers from `fetch()` to the factory.
 */
export class McpSession {
  readonly names: NameStyle;

  constructor(
    readonly ctx: ServiceContext & { requestId: string; logger: Logger },
    readonly origin: string,
    /** What the request asks for, when known: the server registers only what it needs (see buildServer). */
    readonly call: McpCall | null = null,
    /** Calls each governed action tool (one that writes) may take per window, per credential; null = no limit. */
    readonly actionRateLimit: RateLimit | null = null,
  ) {
    this.names = nameStyleOf(ctx.tenant);
  }

  get tenant(): Tenant {
    return this.ctx.tenant;
  }

  get principal(): Principal {
    return this.ctx.principal;
  }

  get requestId(): string {
    return this.ctx.requestId;
  }

  get logger(): Logger {
    return this.ctx.logger;
  }

  /** RFC 9728 metadata of this host's MCP resource, advertised in step-up challenges. */
  get resourceMetadataUrl(): string {
    return protectedResourceMetadataUrl(this.origin);
  }

  /** The SDK's view of the (already verified) credential, carrying this session. */
  toAuthInfo(): AuthInfo {
    const { principal } = this;
    return {
      token: '',
      clientId: principal.clientId ?? principal.kind,
      scopes: [...(principal.scopes ?? [])],
      resource: new URL(mcpResourceUrl(this.origin)),
      resourceMetadataUrl: this.resourceMetadataUrl,
      extra: { session: this },
    };
  }

  static from(authInfo: AuthInfo | undefined): McpSession {
    const session = authInfo?.extra?.session;
    if (!(session instanceof McpSession)) throw new Error('MCP request reached the server factory without a session');
    return session;
  }
}
