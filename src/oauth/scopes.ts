import { ABILITIES, type Ability } from '../access/abilities.js';

/**
 * The scopes of the MCP resource (SPEC §4.2). `mcp:use` opens the MCP server with the user's role; every ability an
 * MCP tool can require is also a scope, and ability scopes requested beside `mcp:use` narrow what the token may do
 * (effective = role ∩ ability scopes ∩ plan; narrowing never widens). Pure.
 */
export const MCP_SCOPE = 'mcp:use';

export const ABILITY_SCOPES = [
  'scenarios.read',
  'org-units.read',
  'teams.read',
  'actors.read',
  'placements.read',
  'positions.read',
  'costs.read',
  'org-metrics.read',
  'activity.read',
  'scenarios.write',
  'scenarios.delete',
  'ai.scenarios.draft',
] as const satisfies readonly Ability[];

export type AbilityScope = (typeof ABILITY_SCOPES)[number];

/** Everything `scopes_supported` lists, in this order. */
export const SUPPORTED_SCOPES: readonly string[] = [MCP_SCOPE, ...ABILITY_SCOPES];

const SUPPORTED = new Set(SUPPORTED_SCOPES);

export function isSupportedScope(scope: string): boolean {
  return SUPPORTED.has(scope);
}

/**
 * The scopes to grant for a requested `scope` parameter: `mcp:use` (always: the resource has no other use, and a
 * token without it would only earn a step-up) plus the ability scopes requested, in catalogue order. Unknown scopes
 * (openid, offline_access, another server's) are ignored, never granted.
 */
export function scopesToGrant(requested: string | undefined | null): string[] {
  const asked = new Set((requested ?? '').split(' ').filter(Boolean));
  return [MCP_SCOPE, ...ABILITY_SCOPES.filter((s) => asked.has(s))];
}

/**
 * The `scope` a refresh request (RFC 6749 §6) may pass on to the provider, or null to drop it (the new token then
 * keeps exactly the refresh token's scopes). The provider only checks that each requested scope was granted, which
 * is right where scopes add, but here ability scopes narrow and `mcp:use` alone is the whole role: a refresh naming
 * only `mcp:use` (or no scope of ours: `openid offline_access`) would turn a token approved for one ability into one
 * with every ability of the role. So a request without an ability scope keeps what was approved; one with ability
 * scopes narrows within it (the provider refuses any not granted, `invalid_scope`), `mcp:use` always among them.
 */
export function refreshScope(requested: string): string | null {
  const scopes = scopesToGrant(requested);
  return scopes.length > 1 ? scopes.join(' ') : null;
}

/** A scope in plain words for the consent screen. */
export function describeScope(scope: string): string {
  if (scope === MCP_SCOPE) return 'Use Orgonaut’s MCP server as you, with the abilities of your role';
  if (scope in ABILITIES) return ABILITIES[scope as Ability];
  return scope;
}

/**
 * True when a grant of `have` allows everything a grant of `wanted` would. Ability scopes narrow, so `mcp:use` with
 * no ability scope is the widest grant (the whole role): it covers every request, and only it covers itself.
 */
export function coversScopes(have: readonly string[], wanted: readonly string[]): boolean {
  const haveAbilities = have.filter((s) => s !== MCP_SCOPE);
  const wantedAbilities = wanted.filter((s) => s !== MCP_SCOPE);
  if (!haveAbilities.length) return true;
  if (!wantedAbilities.length) return false;
  const set = new Set(haveAbilities);
  return wantedAbilities.every((s) => set.has(s));
}
