import type { ScopeChallenge, ScopeChallengeHandler } from '@modelcontextprotocol/server';
import type { Ability } from '../access/abilities.js';
import type { Principal } from '../access/policy.js';
import { isRecord, lacking, needsFor, type Needs, type ToolDefinition } from './registry.js';
import type { McpSession } from './session.js';

/** The transport scope every MCP OAuth token carries. */
export const MCP_SCOPE = 'mcp:use';

/**
 * SPEC §5: when the role has an ability but the OAuth token's scopes narrowed it away, the HTTP request itself is
 * answered 403 `insufficient_scope` so the client can step up (re-authorize with the scope) and retry. This is
 * the SDK's per-primitive `scopeChallenge` hook: it runs before dispatch, in both protocol eras, and the SDK
 * writes `WWW-Authenticate: Bearer error="insufficient_scope", scope="…", resource_metadata="…"` from the
 * session's AuthInfo. Anything a step-up cannot fix (the role lacks the ability; a personal token or a session)
 * is left to the tool, which answers an `isError` result naming the ability. A tool that needs one of several
 * abilities (`search`) and has none asks for every one of them the role has.
 */
export function stepUpChallenge(principal: Principal, needs: Needs): ScopeChallenge | undefined {
  if (principal.kind !== 'oauth') return undefined;
  const missing = lacking(needs, principal.abilities);
  if (missing.all.length === 0 && missing.oneOf.length === 0) return undefined;
  if (missing.all.some((ability) => !principal.roleAbilities.has(ability))) return undefined;
  // None of the alternatives: ask for those the role has (all of them, so the answer is complete), if any.
  const alternatives = missing.oneOf.filter((ability) => principal.roleAbilities.has(ability));
  if (missing.oneOf.length && !alternatives.length) return undefined;
  const wanted = [...missing.all, ...(alternatives.length ? [alternatives.join(' or ')] : [])];
  const scopes = [...new Set([...needs.all, ...alternatives])];
  return {
    // Every scope the request needs in one challenge (not just the missing one), then the transport scope.
    scopes: [scopes[0]!, ...scopes.slice(1), MCP_SCOPE],
    errorDescription: `This request needs the scope ${wanted.join(' and ')}`,
  };
}

export function toolStepUp(tool: ToolDefinition, session: McpSession): ScopeChallengeHandler {
  return ({ request }) => {
    const args = isRecord(request.params) ? request.params.arguments : undefined;
    return stepUpChallenge(session.principal, needsFor(tool, args));
  };
}

export function abilityStepUp(needed: readonly Ability[], session: McpSession): ScopeChallengeHandler {
  return () => stepUpChallenge(session.principal, { all: [...needed], oneOf: [] });
}
