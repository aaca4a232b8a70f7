import type { AuthInfo } from '@modelcontextprotocol/server';
import type { Principal } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import type { Logger } from '../logger.js';
import type { Tenant } from '../tenancy/tenants.js';
import { nameStyleOf, type NameStyle } from './registry.js';

export const MCP_PATH = '/mcp/orgonaut';

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
    return `${this.origin}/.well-known/oauth-protected-resource${MCP_PATH}`;
  }

  /** The SDK's view of the (already verified) credential, carrying this session. */
  toAuthInfo(): AuthInfo {
    const { principal } = this;
    return {
      token: '',
      clientId: principal.clientId ?? principal.kind,
      scopes: [...(principal.scopes ?? [])],
      resource: new URL(`${this.origin}${MCP_PATH}`),
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
