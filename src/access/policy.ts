import { MissingAbility } from '../errors.js';
import { planWithholds, type Plan } from '../tenancy/plans.js';
import { ALL_ABILITIES, toAbility, type Ability } from './abilities.js';
import type { BundleTable, Role } from './bundles.js';

/**
 * The signed-in party of a request: a user and the credential they used (never "actor", a domain word). Its
 * abilities are already effective: role ∩ credential ∩ plan.
 */
export interface Principal {
  kind: 'session' | 'api_token' | 'oauth' | 'system';
  userId: string | null;
  tenantId: string;
  role: Role | null;
  abilities: ReadonlySet<Ability>;
  /** The abilities of the role alone (to tell "your role lacks it" from "this token lacks it"). */
  roleAbilities: ReadonlySet<Ability>;
  /**
   * The tenant's role bundles as they stood when the principal was made (the Authenticator's cached lookup, no query
   * of its own): a refusal names the roles that have an ability here and who can give it. Absent: the defaults.
   */
  bundles?: BundleTable;
  tokenId?: string;
  /** When the personal API token of the request expires (null: never); absent for other credentials. */
  tokenExpiresAt?: Date | null;
  /** OAuth client of the request (MCP), for audit. */
  clientId?: string;
  clientName?: string;
  /** OAuth scopes granted to the token, when the credential is an OAuth access token. */
  scopes?: readonly string[];
}

/**
 * Effective abilities = role abilities ∩ credential abilities ∩ plan. `credential` null means the credential adds
 * no restriction (a browser session, or an OAuth token with only `mcp:use`). Unknown names are ignored, aliases
 * resolved; narrowing never widens.
 */
export function effectiveAbilities(
  roleAbilities: Iterable<string>,
  credential: Iterable<string> | null,
  plan: Plan,
): Set<Ability> {
  const role = toAbilitySet(roleAbilities);
  const allowed = credential === null ? null : toAbilitySet(credential);
  const withheld = planWithholds(plan);
  const result = new Set<Ability>();
  for (const ability of ALL_ABILITIES) {
    if (role.has(ability) && (allowed === null || allowed.has(ability)) && !withheld.has(ability)) result.add(ability);
  }
  return result;
}

export function toAbilitySet(names: Iterable<string>): Set<Ability> {
  const set = new Set<Ability>();
  for (const name of names) {
    const ability = toAbility(name);
    if (ability) set.add(ability);
  }
  return set;
}

export function can(principal: Principal, ability: Ability): boolean {
  return principal.abilities.has(ability);
}

/** Throws MissingAbility naming the ability when the principal lacks it. */
export function authorize(principal: Principal, ability: Ability): void {
  if (!principal.abilities.has(ability)) throw new MissingAbility(ability);
}

/** Every ability with whether the principal has it: for pages and `capability.list`. */
export function serializeAbilities(principal: Principal): Record<Ability, boolean> {
  return Object.fromEntries(ALL_ABILITIES.map((a) => [a, principal.abilities.has(a)])) as Record<Ability, boolean>;
}

/** A principal for the system itself (seeding, admin commands): every ability the plan allows. */
export function systemPrincipal(tenantId: string, plan: Plan): Principal {
  const abilities = effectiveAbilities(ALL_ABILITIES, null, plan);
  return { kind: 'system', userId: null, tenantId, role: null, abilities, roleAbilities: abilities };
}
