import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ALL_ABILITIES, type Ability } from '../access/abilities.js';
import { anyOfRoles, grantorsIn, rolesIncluding, type BundleTable } from '../access/bundles.js';
import type { Principal } from '../access/policy.js';
import { AppError, MissingAbility } from '../errors.js';

/** RFC 9457 problem details for an error; never a stack trace, and a 500 never carries the error's message. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  fix?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** What to do about Hono's own refusals, which carry no fix of ours. */
const HTTP_FIXES: Record<number, string> = {
  400: 'Send a body of valid JSON, as /docs/api shows for this route.',
  413: 'Send a smaller request; split large batches.',
  415: 'Send the body as JSON with the header Content-Type: application/json.',
};

/** A JSON route's refusal of a body that is not JSON (415). */
export function bodyNotJson(): AppError {
  return new AppError('unsupported_media_type', 415, 'The request body is not JSON: this route reads a JSON body.', HTTP_FIXES[415]);
}

export function toProblem(error: unknown, requestId?: string): Problem {
  if (error instanceof AppError) {
    return {
      type: `https://orgonaut.dev/problems/${error.code}`,
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
      code: error.code,
      ...(error.fix ? { fix: error.fix } : {}),
      ...error.details,
    };
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own refusals (malformed JSON, body too large, unsupported media type): the message is Hono's, not ours
    // to leak, so only well-known statuses get a detail.
    const status = error.status;
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return {
      type: `https://orgonaut.dev/problems/${code}`,
      title: TITLES[status] ?? 'Bad request',
      status,
      detail: status === 400 ? 'The request body is not valid JSON or not in the expected format.' : TITLES[status] ?? 'The request was refused.',
      ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
      code,
      fix: HTTP_FIXES[status] ?? 'Check the request against /docs/api and send it again.',
    };
  }
  return {
    type: 'https://orgonaut.dev/problems/internal_error',
    title: TITLES[500]!,
    status: 500,
    detail: `Something went wrong on our side. Quote request id ${requestId ?? 'unknown'} if you contact support.`,
    ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
    code: 'internal_error',
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
  });
}

export function respondWithProblem(c: Context, error: unknown): Response {
  const requestId = c.get('requestId') as string | undefined;
  const problem = toProblem(error, requestId);
  const principal = c.get('principal') as Principal | undefined;
  if (error instanceof MissingAbility && principal?.bundles && (ALL_ABILITIES as readonly string[]).includes(error.ability)) problem.fix = missingAbilityFix(error.ability as Ability, principal.bundles);
  return problemResponse(problem);
}

/**
 * A missing ability's fix, naming this tenant's roles (`Principal.bundles`) rather than the defaults MissingAbility
 * assumes: who has `members.manage` here (the owner always), and the roles that include the ability here.
 */
export function missingAbilityFix(ability: Ability, bundles: BundleTable): string {
  return `Ask ${anyOfRoles(grantorsIn(bundles))} of this tenant for a role that includes it (${rolesIncluding(ability, bundles, 'tenant')}), or use a token that was granted it.`;
}
