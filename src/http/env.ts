import type { Logger } from 'pino';
import type { Tenant } from '../tenancy/tenants.js';

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
}

export interface AppEnv {
  Variables: AppVariables;
}
