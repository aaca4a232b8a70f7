import type { z } from '@hono/zod-openapi';
import { InvalidInput } from '../errors.js';

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
    const takes = whole !== 'body' ? '' : !issue.path.length && bodyFields?.length ? ` (it takes ${bodyFields.join(', ')})` : ' (see /docs/api for the fields it takes)';
    return new InvalidInput(fieldPath([...issue.path, issue.keys[0] ?? '']), `is not a field of this request${takes}`);
  }
  const field = issue.path.length ? fieldPath(issue.path) : whole;
  const absent = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  return new InvalidInput(field, absent ? 'is required' : reasonOf(issue));
}

/** `changes[0].fte`: the path as the caller wrote it (and as the scenario services name fields). */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** zod's own English (as opposed to a rule a schema words itself, like "must be a whole number from 1 to 500"). */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Unrecognized key)/;

function reasonOf(issue: z.core.$ZodIssue): string {
  if (!ZOD_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPES[issue.expected] ?? `a ${issue.expected}`}`;
    case 'too_small':
      return `must ${bound(issue.origin, issue.minimum, issue.inclusive, 'at least', 'more than')}`;
    case 'too_big':
      return `must ${bound(issue.origin, issue.maximum, issue.inclusive, 'at most', 'less than')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'is not in the expected format (see /docs/api)' : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return 'is not valid';
  }
}

const TYPES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list (a JSON array)',
  object: 'a JSON object',
};

function bound(origin: string, limit: number | bigint, inclusive: boolean | undefined, within: string, beyond: string): string {
  const n = Number(limit);
  if (origin === 'string') return n === 1 && within === 'at least' ? 'not be empty' : `have ${within} ${n} characters`;
  if (origin === 'array' || origin === 'set') return `have ${within} ${n} item${n === 1 ? '' : 's'}`;
  return `be ${inclusive === false ? beyond : within} ${n}`;
}
