import { and, count, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { hrisEvents, hrisIntegrations } from '../db/schema/index.js';
import { seal, open } from '../secrets/seal.js';
import { secretKeyFor } from '../secrets/key.js';

/** The tenant's HRIS integration row and its sealed configuration. Secrets are opened only where they are used. */

export type IntegrationRow = typeof hrisIntegrations.$inferSelect;

/** What `config_encrypted` holds once opened. */
export interface HrisConfig {
  subdomain: string | null;
  base_url: string | null;
  api_key: string | null;
  webhook_secret: string | null;
}

export const EMPTY_CONFIG: HrisConfig = { subdomain: null, base_url: null, api_key: null, webhook_secret: null };

const context = (tenantId: string) => `orgonaut:hris-config:${tenantId}`;

export async function loadIntegration(db: Db, tenantId: string): Promise<IntegrationRow | null> {
  const [row] = await db.select().from(hrisIntegrations).where(eq(hrisIntegrations.tenantId, tenantId));
  return row ?? null;
}

export async function openConfig(db: Db, row: IntegrationRow): Promise<HrisConfig> {
  if (!row.configEncrypted) return { ...EMPTY_CONFIG };
  return { ...EMPTY_CONFIG, ...(JSON.parse(open(await secretKeyFor(db), row.configEncrypted, context(row.tenantId))) as Partial<HrisConfig>) };
}

export async function sealConfig(db: Db, tenantId: string, config: HrisConfig): Promise<string> {
  return seal(await secretKeyFor(db), JSON.stringify(config), context(tenantId));
}

export async function queuedEventCount(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(hrisEvents).where(and(eq(hrisEvents.tenantId, tenantId), eq(hrisEvents.status, 'queued')));
  return Number(row?.n ?? 0);
}
