import type { ScopeChallenge, ScopeChallengeHandler } from '@modelcontextprotocol/server';
import type { Ability } from '../access/abilities.js';
import type { Principal } from '../access/policy.js';
import { abilitiesFor, isRecord, type ToolDefinition } from './registry.js';
import type { McpSession } from './session.js';

/** The transport scope every MCP OAuth token carries. */
export const MCP_SCOPE = 'mcp:use';

/**
 * SPEC §5: when the role has an ability but the OAuth token's scopes narrowed it away, the HTTP request itself is
 * answered 403 `insufficient_scope` so the client can step up (re-authorize with the scope) and retry. This is
 * the SDK's per-primitive `scopeChallenge` hook: it runs before dispatch, in both protocol eras, and the SDK
 * writes `WWW-Authenticate: Bearer error="insufficient_scope", scope="…", resource_metadata="…"` from the
 * session's AuthInfo. Anything a step-up cannot fix (the role lacks the ability; a personal token or a session)
 * is left to the tool, which answers an `isError` result naming the ability.
 */
export function stepUpChallenge(principal: Principal, needed: readonly Ability[]): ScopeChallenge | undefined {
  if (principal.kind !== 'oauth') return undefined;
  const missing = needed.filter((ability) => !principal.abilities.has(ability));
  if (missing.length === 0) return undefined;
  if (missing.some((ability) => !principal.roleAbilities.has(ability))) return undefined;
  return {
    // Every scope the request needs in one challenge (not just the missing one), then the transport scope.
    scopes: [needed[0]!, ...needed.slice(1), MCP_SCOPE],
    errorDescription: `This request needs the scope ${missing.join(' and ')}`,
  };
}

export function toolStepUp(tool: ToolDefinition, session: McpSession): ScopeChallengeHandler {
  return ({ request }) => {
    const args = isRecord(request.params) ? request.params.arguments : undefined;
    return stepUpChallenge(session.principal, abilitiesFor(tool, args));
  };
}

export function abilityStepUp(needed: readonly Ability[], session: McpSession): ScopeChallengeHandler {
  return () => stepUpChallenge(session.principal, needed);
}
