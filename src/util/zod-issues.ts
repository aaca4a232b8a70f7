import type { z } from 'zod';

/**
 * A schema's complaint in plain words, the same on every surface (REST problems, MCP isError results): the field as
 * the caller wrote it (`changes[2].fte`) and the reason ("must be a number", "must be one of planning, applied,
 * snapshot") rather than zod's English ("Invalid input: expected number, received NaN").
 */

/** `changes[0].fte`: the path as the caller wrote it (and as the scenario services name fields). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}

/** zod's own English (as opposed to a rule a schema words itself, like "must be a whole number from 1 to 500"). */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Unrecognized key)/;

export function reasonOf(issue: z.core.$ZodIssue): string {
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
