import type { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { InvalidInput } from '../errors.js';
import { fieldPath, reasonOf } from '../util/zod-issues.js';
import { unknownChangeField } from '../scenarios/op-fields.js';

/**
 * A request that fails its route's schema, as the 400 problem every route answers: the field named as the caller
 * wrote it (`changes[2].fte`, `limit`, `row`) and the reason in plain words ("is required", "must be a number",
 * "must be one of planning, applied, snapshot") rather than zod's ("Invalid input: expected number, received NaN").
 * A field the route does not take is named first (with the fields the body takes, `bodyFields`, when it is one of
 * them): a misspelt field is the usual cause of a missing one.
 */
export function invalidRequest(issues: readonly z.core.$ZodIssue[], input: unknown, target: string, bodyFields: readonly string[] | null = null): InvalidInput {
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  const whole = target === 'json' ? 'body' : target;
  if (!issue) return new InvalidInput(whole, 'is not valid');
  if (issue.code === 'unrecognized_keys') {
    const field = fieldPath([...issue.path, issue.keys[0] ?? '']);
    // A change command's field no op has (`changes[0].salary`): named with the fields its op takes, as MCP names them.
    const ofChange = whole === 'body' ? changeFieldReason(input, issue.path, issue.keys[0] ?? '') : undefined;
    if (ofChange) return new InvalidInput(field, ofChange);
    const takes = whole !== 'body' ? '' : !issue.path.length && bodyFields?.length ? ` (it takes ${bodyFields.join(', ')})` : ' (see /docs/api for the fields it takes)';
    return new InvalidInput(field, `is not a field of this request${takes}`);
  }
  const field = issue.path.length ? fieldPath(issue.path) : whole;
  const absent = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  return new InvalidInput(field, absent ? 'is required' : reasonOf(issue));
}

/** "is not a field of set_fte, which takes actor_id, fte" for a field of `changes[i]` (a change batch), else undefined. */
function changeFieldReason(input: unknown, path: readonly PropertyKey[], key: string): string | undefined {
  if (path.length !== 2 || path[0] !== 'changes' || typeof path[1] !== 'number') return undefined;
  const changes = (input as { changes?: unknown } | null)?.changes;
  return Array.isArray(changes) ? unknownChangeField(changes[path[1]], key) : undefined;
}

/** A query parameter the route does not take (a misspelt filter), named with the parameters it takes. */
export function unknownParameter(name: string, known: readonly string[]): InvalidInput {
  // A name that is not a plain identifier is not echoed back (hostile or huge keys): the problem names `query`.
  const field = /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : 'query';
  const what = field === 'query' ? 'has a parameter this route does not take' : 'is not a parameter of this route';
  return new InvalidInput(field, `${what} (${known.length ? `it takes ${known.join(', ')}` : 'it takes none'})`);
}

/**
 * A query parameter given blank (`?limit=`, `?as_of=`, `?status=` — what a form or a template with an empty value
 * sends) counts as absent, on every read: `limit` is the default page, a filter filters nothing, as a blank `cursor`
 * or id filter already did (`?limit=` was a 400 "must be a whole number"). Mounted after the check for parameters a
 * route does not take, so a blank misspelt one is still refused by name.
 */
export function blankQueryAsAbsent(): MiddlewareHandler {
  return async (c, next) => {
    // Most reads carry no query at all: they are passed on without parsing the URL.
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && c.req.url.includes('?')) {
      const url = new URL(c.req.url);
      const blank = [...url.searchParams].filter(([, value]) => value.trim() === '').map(([name]) => name);
      if (blank.length) {
        for (const name of blank) url.searchParams.delete(name);
        c.req.raw = new Request(url, c.req.raw);
      }
    }
    await next();
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
