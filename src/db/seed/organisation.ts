import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../connection.js';
import { FAMILY_TABLES } from '../families.js';
import { writeLive, type LiveWrite } from '../live-store.js';
import { departmentTypes, teamTypes, tenantCurrencies } from '../schema/index.js';
import { generateOrg, type GeneratedOrg } from '../../org/generator/index.js';
import { FAMILIES, recordId, type Family } from '../../org/types.js';
import { actorAllowance } from '../../tenancy/plans.js';
import type { Tenant } from '../../tenancy/tenants.js';
import { Conflict } from '../../errors.js';
import { planLimitRefusal } from '../../tenancy/plan-limits.js';

/** Illustrative exchange rates for generated organisations: units of the reporting currency per unit. */
const DEMO_RATES: Record<'EUR' | 'USD', Record<string, number>> = {
  EUR: { USD: 0.92, GBP: 1.17, CHF: 1.05, PLN: 0.23 },
  USD: { EUR: 1.09, GBP: 1.27, CHF: 1.14, CAD: 0.73 },
};

export interface SeedOrganisationOptions {
  actors: number;
  seed?: string;
  /** Replace the tenant's current Live organisation instead of refusing when it has one. */
  replace?: boolean;
  startDate?: string;
}

/**
 * Generates an organisation of `actors` actors and writes it into the tenant's Live as one Live version, with its
 * department/team types and currencies (exchange rates included). Refuses to exceed the tenant's actor allowance.
 */
export async function seedOrganisation(db: Db, tenant: Tenant, options: SeedOrganisationOptions): Promise<GeneratedOrg> {
  const allowance = actorAllowance(tenant);
  if (options.actors > allowance) throw planLimitRefusal(tenant, null, 'actors', options.actors);
  const existing = await countCurrentActors(db, tenant.id);
  if (existing > 0 && !options.replace) {
    throw new Conflict(`Tenant "${tenant.slug}" already has an organisation (${existing} actors).`, 'Pass --replace to replace it.');
  }
  const generated = generateOrg({
    actors: options.actors,
    seed: options.seed ?? tenant.slug,
    companyName: tenant.name,
    reportingCurrency: tenant.reportingCurrency,
    idPrefix: tenant.id.slice(0, 8),
    startDate: options.startDate,
  });
  await db.transaction(async (tx) => {
    await insertReferenceLists(tx, tenant, generated);
    const write: LiveWrite = {};
    for (const family of FAMILIES) {
      const records = [...generated.graph[family].values()];
      const keep = new Set(records.map((r) => recordId(family, r as never)));
      const remove = options.replace ? (await currentKeys(tx, tenant.id, family)).filter((k) => !keep.has(k)) : [];
      (write as Record<Family, unknown>)[family] = { upsert: records, remove };
    }
    await writeLive(tx, tenant.id, write);
  });
  return generated;
}

async function insertReferenceLists(tx: Db, tenant: Tenant, generated: GeneratedOrg): Promise<void> {
  if (generated.departmentTypes.length) {
    await tx
      .insert(departmentTypes)
      .values(generated.departmentTypes.map((t) => ({ tenantId: tenant.id, id: t.id, name: t.name })))
      .onConflictDoNothing();
  }
  if (generated.teamTypes.length) {
    await tx
      .insert(teamTypes)
      .values(generated.teamTypes.map((t) => ({ tenantId: tenant.id, id: t.id, name: t.name })))
      .onConflictDoNothing();
  }
  const rates = DEMO_RATES[tenant.reportingCurrency];
  for (const code of generated.currencies) {
    const rate = code === tenant.reportingCurrency ? 1 : rates[code] ?? null;
    await tx.insert(tenantCurrencies).values({ tenantId: tenant.id, code, rateToReporting: rate }).onConflictDoNothing();
  }
}

export async function countCurrentActors(db: Db, tenantId: string): Promise<number> {
  const t = FAMILY_TABLES.actors;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(t.table)
    .where(and(eq(t.tenantId, tenantId), isNull(t.versionTo)));
  return Number(row?.n ?? 0);
}

async function currentKeys(db: Db, tenantId: string, family: Family): Promise<string[]> {
  const t = FAMILY_TABLES[family];
  const rows = await db.select({ key: t.key }).from(t.table).where(and(eq(t.tenantId, tenantId), isNull(t.versionTo)));
  return rows.map((r) => r.key as string);
}
