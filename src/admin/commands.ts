import type { Database } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { seedDemo } from '../db/seed/demo.js';
import { seedOrganisation } from '../db/seed/organisation.js';
import { recordAudit } from '../audit/record.js';
import type { Mailer } from '../mail/mailer.js';
import { InvalidInput, NotFound } from '../errors.js';
import { runKeyCommand } from './key-commands.js';
import { runMemberCommand } from './member-commands.js';
import { runOAuthClientCommand } from './oauth-client-commands.js';
import { runRoleCommand } from './role-commands.js';
import { runTenantSettingsCommand } from './tenant-settings-commands.js';
import { runTokenCommand } from './token-commands.js';
import { assertDomainFree, customDomain } from '../tenancy/domains.js';
import { createTenant, findTenantBySlug, listTenants, setTenantPlan, type Tenant } from '../tenancy/tenants.js';

/**
 * The operator commands of SPEC §9 (and `oauth-keys`), as data so they run the same way in-process (PostgreSQL, or an embedded
 * directory nobody holds) and through a running server's loopback admin channel.
 */
export type AdminCommand =
  | { name: 'migrate' }
  | { name: 'seed.demo'; password: string }
  | { name: 'seed.tenant'; tenant: string; actors: number; replace?: boolean; seed?: string }
  /** `baseDomain`: as for `tenants.domains.add`, which checks `domains` the same way. */
  | { name: 'tenants.create'; slug: string; tenantName?: string; plan: string; currency?: string; domains?: string[]; baseDomain?: string }
  | { name: 'tenants.set-plan'; slug: string; plan: string }
  | { name: 'tenants.list' }
  /** `allowance`: an override of the plan's actor allowance, or null for the plan's own. */
  | { name: 'tenants.set-allowance'; slug: string; allowance: number | null }
  /** `baseDomain`: ORGONAUT_BASE_DOMAIN as the CLI's configuration has it (hosts under it are not custom domains). */
  | { name: 'tenants.domains.add'; slug: string; domain: string; baseDomain: string }
  | { name: 'tenants.domains.remove'; slug: string; domain: string }
  | { name: 'tenants.domains.list'; slug: string }
  | { name: 'tokens.create'; tenant: string; email: string; tokenName: string; abilities?: string[]; expiresInDays?: number }
  | { name: 'tokens.list'; tenant: string; email?: string }
  | { name: 'tokens.revoke'; tenant: string; id: string }
  /** `origin`: the tenant's public origin, for the invitation link (the CLI knows the configuration, not the channel). */
  | { name: 'members.invite'; tenant: string; email: string; role: string; origin: string }
  | { name: 'members.list'; tenant: string }
  | { name: 'roles.list'; tenant: string }
  /** `abilities`: exactly what the role grants from now on (the owner role and owner-only abilities are refused). */
  | { name: 'roles.set'; tenant: string; role: string; abilities: string[] }
  | { name: 'roles.reset'; tenant: string; role: string }
  | { name: 'oauth-keys.rotate'; tenant: string }
  /** `force`: retire even within the longest lifetime of what the previous keys signed. */
  | { name: 'oauth-keys.retire'; tenant: string; force?: boolean }
  | { name: 'oauth-keys.list'; tenant: string }
  /** `redirectDomains`: MCP_REDIRECT_DOMAINS as the CLI's configuration has it (the policy registrations pass). */
  | { name: 'oauth-clients.add'; tenant: string; clientName: string; redirectUris: string[]; confidential: boolean; redirectDomains: string[] }
  | { name: 'oauth-clients.list'; tenant: string }
  | { name: 'oauth-clients.remove'; tenant: string; clientId: string };

export interface AdminResult {
  message: string;
  data: unknown;
}

/** What a command may use beyond the database: the mailer of ORGONAUT_SMTP_URL (null or absent: email delivery is off). */
export interface AdminServices {
  mailer?: Mailer | null;
}

export async function runAdminCommand(database: Database, command: AdminCommand, services: AdminServices = {}): Promise<AdminResult> {
  const { db } = database;
  switch (command.name) {
    case 'migrate':
      await migrate(database);
      return { message: `Migrations applied to the ${database.describe}.`, data: { ok: true } };
    case 'seed.demo': {
      const created = await seedDemo(db, { password: command.password });
      const message = created.length ? `Seeded demo tenants: ${created.join(', ')}.` : 'Demo tenants already exist; nothing to do.';
      return { message, data: { created } };
    }
    case 'seed.tenant': {
      if (!Number.isInteger(command.actors) || command.actors < 10 || command.actors > 100_000) {
        throw new InvalidInput('actors', 'must be a whole number from 10 to 100000');
      }
      const tenant = await findTenantBySlug(db, command.tenant);
      if (!tenant) throw new NotFound('Tenant', command.tenant);
      const started = performance.now();
      const org = await seedOrganisation(db, tenant, { actors: command.actors, replace: command.replace, seed: command.seed });
      const seconds = (performance.now() - started) / 1000;
      return {
        message: `Seeded ${org.graph.actors.size} actors into ${tenant.slug} in ${seconds.toFixed(1)} s.`,
        data: { tenant: tenant.slug, actors: org.graph.actors.size, org_units: org.graph.orgUnits.size, seconds },
      };
    }
    case 'tenants.create': {
      // A custom domain is checked as `tenants domains add` checks it: a host name, not the base domain's, no other tenant's.
      const domains = (command.domains ?? []).map((domain) => customDomain(domain, command.baseDomain ?? ''));
      for (const host of domains) await assertDomainFree(db, host);
      const tenant = await createTenant(db, {
        slug: command.slug,
        name: command.tenantName ?? command.slug,
        plan: command.plan,
        reportingCurrency: command.currency,
        domains,
      });
      // Which database: an admin command run without the server's DATABASE_URL acts on the embedded one instead.
      return { message: `Created tenant ${tenant.slug} on the ${tenant.plan} plan, in the ${database.describe}.`, data: presentTenant(tenant) };
    }
    case 'tenants.set-plan': {
      const { tenant, previous } = await setTenantPlan(db, command.slug, command.plan);
      if (previous === tenant.plan) return { message: `Tenant ${tenant.slug} is already on the ${tenant.plan} plan; nothing changed.`, data: { ...presentTenant(tenant), previous_plan: previous } };
      await recordAudit(db, {
        tenantId: tenant.id,
        category: 'security',
        entityType: 'plan',
        entityId: tenant.id,
        action: 'changed',
        before: { plan: previous },
        after: { plan: tenant.plan },
      });
      return { message: `Tenant ${tenant.slug} is now on the ${tenant.plan} plan (was ${previous}).`, data: { ...presentTenant(tenant), previous_plan: previous } };
    }
    case 'tenants.set-allowance':
    case 'tenants.domains.add':
    case 'tenants.domains.remove':
    case 'tenants.domains.list':
      return runTenantSettingsCommand(db, command);
    case 'tokens.create':
    case 'tokens.list':
    case 'tokens.revoke':
      return runTokenCommand(db, command);
    case 'members.invite':
    case 'members.list':
      return runMemberCommand(db, command, services.mailer ?? null);
    case 'roles.list':
    case 'roles.set':
    case 'roles.reset':
      return runRoleCommand(db, command);
    case 'oauth-keys.rotate':
    case 'oauth-keys.retire':
    case 'oauth-keys.list':
      return runKeyCommand(db, command);
    case 'oauth-clients.add':
    case 'oauth-clients.list':
    case 'oauth-clients.remove':
      return runOAuthClientCommand(db, command);
    case 'tenants.list': {
      const tenants = await listTenants(db);
      const lines = tenants.map((t) => `${t.slug.padEnd(20)} ${t.plan.padEnd(11)} ${t.reportingCurrency}  ${t.name}`);
      return { message: lines.join('\n') || 'No tenants yet.', data: tenants.map(presentTenant) };
    }
  }
}

/** A tenant as `--json` prints it: snake_case like the REST API and the other admin commands. */
function presentTenant(tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    reporting_currency: tenant.reportingCurrency,
    burden_pct: tenant.burdenPct,
    working_days_per_year: tenant.workingDaysPerYear,
    actor_allowance: tenant.actorAllowance,
    live_version: tenant.liveVersion,
  };
}
