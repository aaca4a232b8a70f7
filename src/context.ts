import type { Logger } from 'pino';
import type { Principal } from './access/policy.js';
import type { Db } from './db/connection.js';
import type { GraphStore } from './org/graph-store.js';
import type { Tenant } from './tenancy/tenants.js';

/**
 * What every service receives: the tenant (from the host, never from arguments), the principal with its effective
 * abilities, the database and the per-process graph cache. Services authorize themselves against `principal`.
 */
export interface ServiceContext {
  db: Db;
  tenant: Tenant;
  principal: Principal;
  graphs: GraphStore;
  requestId?: string;
  logger?: Logger;
}
