import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { roleBundles, tenantCurrencies, tenantDomains, tenants, type TenantSettings } from '../db/schema/index.js';
import { DEFAULT_BUNDLES, ROLES } from '../access/bundles.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { isPlan, type Plan } from './plans.js';
import type { CostSettings } from '../org/types.js';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  plan: Plan;
  reportingCurrency: 'EUR' | 'USD';
  burdenPct: number;
  workingDaysPerYear: number;
  actorAllowance: number | null;
  settings: TenantSettings;
  liveVersion: number;
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Slugs that would collide with hosts the product itself serves. */
const RESERVED_SLUGS = new Set(['app', 'www', 'api', 'admin', 'mcp', 'static', 'docs', 'status']);

type TenantRow = typeof tenants.$inferSelect;

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    plan: row.plan as Plan,
    reportingCurrency: row.reportingCurrency as Tenant['reportingCurrency'],
    burdenPct: Number(row.burdenPct),
    workingDaysPerYear: row.workingDaysPerYear,
    actorAllowance: row.actorAllowance,
    settings: row.settings ?? {},
    liveVersion: Number(row.liveVersion),
  };
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | null> {
  const [row] = await db.select().from(tenants).where(eq(tenants.slug, slug.toLowerCase())).limit(1);
  return row ? toTenant(row) : null;
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | null> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id)).limit(1);
  return row ? toTenant(row) : null;
}

/** The tenant that owns a custom domain, or null. */
export async function findTenantByDomain(db: Db, host: string): Promise<Tenant | null> {
  const [row] = await db
    .select({ tenant: tenants })
    .from(tenantDomains)
    .innerJoin(tenants, eq(tenants.id, tenantDomains.tenantId))
    .where(eq(tenantDomains.host, host.toLowerCase()))
    .limit(1);
  return row ? toTenant(row.tenant) : null;
}

export async function listTenantDomains(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db.select({ host: tenantDomains.host }).from(tenantDomains).where(eq(tenantDomains.tenantId, tenantId));
  return rows.map((r) => r.host).sort();
}

export interface CreateTenantInput {
  slug: string;
  name: string;
  plan: string;
  reportingCurrency?: string;
  burdenPct?: number;
  workingDaysPerYear?: number;
  actorAllowance?: number | null;
  domains?: string[];
}

/** Creates a tenant with the default role bundles and its reporting currency active. */
export async function createTenant(db: Db, input: CreateTenantInput): Promise<Tenant> {
  const slug = input.slug.trim().toLowerCase();
  if (!SLUG_PATTERN.test(slug)) throw new InvalidInput('slug', 'use 1–40 lowercase letters, digits or dashes');
  if (RESERVED_SLUGS.has(slug)) throw new InvalidInput('slug', `"${slug}" is reserved`);
  if (!isPlan(input.plan)) throw new InvalidInput('plan', 'must be free, team, business, enterprise or agency');
  const currency = (input.reportingCurrency ?? 'EUR').toUpperCase();
  if (currency !== 'EUR' && currency !== 'USD') throw new InvalidInput('reporting_currency', 'must be EUR or USD');
  if (await findTenantBySlug(db, slug)) throw new Conflict(`A tenant with the slug "${slug}" already exists.`);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(tenants)
      .values({
        slug,
        name: input.name.trim() || slug,
        plan: input.plan,
        reportingCurrency: currency,
        burdenPct: input.burdenPct ?? 25,
        workingDaysPerYear: input.workingDaysPerYear ?? 220,
        actorAllowance: input.actorAllowance ?? null,
      })
      .returning();
    const tenant = toTenant(row!);
    await tx.insert(roleBundles).values(ROLES.map((role) => ({ tenantId: tenant.id, role, abilities: [...DEFAULT_BUNDLES[role]] })));
    await tx.insert(tenantCurrencies).values({ tenantId: tenant.id, code: currency, rateToReporting: 1 });
    for (const host of input.domains ?? []) {
      await tx.insert(tenantDomains).values({ tenantId: tenant.id, host: host.toLowerCase() });
    }
    return tenant;
  });
}

/** Changes a tenant's plan. Effective for every later request (caches expire within a second). */
export async function setTenantPlan(db: Db, slug: string, plan: string): Promise<{ tenant: Tenant; previous: Plan }> {
  if (!isPlan(plan)) throw new InvalidInput('plan', 'must be free, team, business, enterprise or agency');
  const tenant = await findTenantBySlug(db, slug);
  if (!tenant) throw new NotFound('Tenant', slug);
  const [row] = await db
    .update(tenants)
    .set({ plan, updatedAt: sql`now()` })
    .where(eq(tenants.id, tenant.id))
    .returning();
  return { tenant: toTenant(row!), previous: tenant.plan };
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  const rows = await db.select().from(tenants).orderBy(tenants.slug);
  return rows.map(toTenant);
}

/**
 * How long a tenant's exchange rates are reused for the same tenant object. The tenant objects of requests come from
 * the TenantDirectory, which hands out a fresh object at least every 800 ms and at once after `forget()` (the
 * settings pages call it after changing rates or cost settings), so rates follow the same rule as the tenant row:
 * a change made in this process is seen by the next request, one made elsewhere within a second.
 */
const COST_SETTINGS_MS = 800;
const costSettings = new WeakMap<Tenant, { value: Promise<CostSettings>; expires: number }>();

/** The tenant's cost settings with its exchange rates (missing rates are simply absent: unconvertible). */
export function loadCostSettings(db: Db, tenant: Tenant): Promise<CostSettings> {
  const now = performance.now();
  const cached = costSettings.get(tenant);
  if (cached && cached.expires > now) return cached.value;
  const value = readCostSettings(db, tenant);
  costSettings.set(tenant, { value, expires: now + COST_SETTINGS_MS });
  value.catch(() => {
    if (costSettings.get(tenant)?.value === value) costSettings.delete(tenant);
  });
  return value;
}

async function readCostSettings(db: Db, tenant: Tenant): Promise<CostSettings> {
  const rates = await db
    .select({ code: tenantCurrencies.code, rate: tenantCurrencies.rateToReporting })
    .from(tenantCurrencies)
    .where(eq(tenantCurrencies.tenantId, tenant.id));
  const exchangeRates: Record<string, number> = { [tenant.reportingCurrency]: 1 };
  for (const { code, rate } of rates) {
    if (rate !== null && code !== tenant.reportingCurrency) exchangeRates[code] = Number(rate);
  }
  return {
    reportingCurrency: tenant.reportingCurrency,
    burdenPct: tenant.burdenPct,
    workingDaysPerYear: tenant.workingDaysPerYear,
    exchangeRates,
  };
}
