import { ALL_ABILITIES, type Ability } from '../../access/abilities.js';
import { DEFAULT_BUNDLES } from '../../access/bundles.js';
import { AppError, Conflict, InvalidInput, MissingAbility, NotFound, ReadOnlyContext, Unauthenticated } from '../../errors.js';
import { RateLimited } from '../../http/rate-limit.js';
import { ScenarioNameTaken } from '../../scenarios/unique-name.js';
import { typeNameTaken } from '../../tenancy/settings.js';
import { MAX_REQUEST_BYTES, PayloadTooLarge } from '../../http/limits.js';
import { bodyNotJson, missingAbilityFix, toProblem } from '../problem.js';
import { unknownParameter } from '../validation.js';
import { WebhookNotFound } from '../../integrations/webhook.js';
import { preconditionFailed } from './etag.js';

/**
 * The error side of the OpenAPI document: every bearer-authenticated operation documents the rate limit's 429 (every
 * /api/v1 request is counted), and every error response gets an example problem made by the error classes and the
 * mapper (`toProblem`) the routes answer with, so an example is what a client really gets for that status.
 */

type Json = Record<string, any>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const REQUEST_ID = '0b6f4c2e-9d1a-4e7b-8c3f-5a2d1e0f9b8c';
const ID = '3f6c1d2e-8a4b-4c9d-9e1f-2a3b4c5d6e7f';
const RATE = { limit: 600, windowSeconds: 60 };
const RETRY_AFTER = 12;

/** What a record of each tag is called in a 404 ("Actor "…" not found."). */
const NOUNS: Record<string, string> = {
  Actors: 'Actor',
  'API tokens': 'API token',
  Compensation: 'Actor',
  Departments: 'Org unit',
  Imports: 'Import',
  'Org metrics': 'Org unit',
  'Org units': 'Org unit',
  Placements: 'Placement',
  Positions: 'Position',
  Reports: 'Org unit',
  'Reporting lines': 'Actor',
  Scenarios: 'Scenario',
  Snapshots: 'Snapshot',
  Tasks: 'Task',
  Teams: 'Org unit',
};

export const RATE_LIMITED_RESPONSE = {
  description: 'Rate limited: this credential made too many requests in the window; wait `Retry-After` seconds',
  headers: {
    'Retry-After': { description: 'Seconds to wait before the next request', schema: { type: 'integer', example: RETRY_AFTER } },
    RateLimit: { description: 'Requests remaining (`r`) and seconds to the window’s reset (`t`)', schema: { type: 'string', example: `"requests";r=0;t=${RETRY_AFTER}` } },
    'RateLimit-Policy': { description: 'The quota (`q` requests every `w` seconds)', schema: { type: 'string', example: `"requests";q=${RATE.limit};w=${RATE.windowSeconds}` } },
  },
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const BODY_METHODS = new Set(['post', 'put', 'patch']);

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** Adds the 429, the 413 and 415 of bodies, and the problem examples to a generated OpenAPI document (in place) and returns it. */
export function addProblemExamples<T extends Json>(doc: T): T {
  const components: Json = doc.components?.schemas ?? {};
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op: Json | undefined = item[method];
      if (!op) continue;
      op.responses ??= {};
      if ((op.security as unknown[] | undefined)?.length && !op.responses['429']) op.responses['429'] = structuredClone(RATE_LIMITED_RESPONSE);
      // Every body is held to the request limit, and a JSON body must be sent as JSON: said where it applies.
      if (BODY_METHODS.has(method) && !op.responses['413']) op.responses['413'] = problemResponse('The request body is over the size limit (`limit_bytes`); nothing was done');
      if (op.requestBody?.content?.['application/json'] && !op.responses['415']) op.responses['415'] = problemResponse('The body is not sent as `Content-Type: application/json`');
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        const media: Json | undefined = response.content?.['application/problem+json'];
        if (!/^[45]/.test(status) || !media || media.example !== undefined) continue;
        const { instance: _, ...problem } = toProblem(errorFor(Number(status), method, path, op, response.description ?? '', components), REQUEST_ID);
        media.example = { ...problem, instance: `urn:request:${REQUEST_ID}` };
      }
    }
  }
  return doc;
}

/** The error a route of this shape answers with for `status` (the typical case of its description). */
function errorFor(status: number, method: string, path: string, op: Json, description: string, components: Json): AppError {
  const parameters = (op.parameters ?? []) as Json[];
  const tag = (op.tags?.[0] as string | undefined) ?? '';
  switch (status) {
    case 400: {
      // The signed webhook reads a raw body; every other route refuses a query parameter it does not take.
      if (!op.security?.length) return new InvalidInput('body', 'is empty');
      const query = parameters.filter((p) => p.in === 'query').map((p) => p.name as string);
      if (query.length) return unknownParameter('colour', query);
      const body = resolve(op.requestBody?.content?.['application/json']?.schema, components);
      const required = (body?.required as string[] | undefined)?.[0];
      if (required) return new InvalidInput(required, 'is required');
      const whole = parameters.find((p) => p.in === 'path' && p.schema?.type === 'integer');
      if (whole) return new InvalidInput(whole.name, `must be a whole number from ${whole.schema.minimum} to ${whole.schema.maximum}`);
      return unknownParameter('colour', []);
    }
    case 401:
      return op.security?.length ? new Unauthenticated('Sign in, or send a personal API token.') : new AppError('unauthenticated', 401, sentence(description));
    case 403: {
      const named = (op['x-required-abilities'] as Ability[] | undefined)?.[0] ?? ALL_ABILITIES.find((a) => String(op.description).includes(`\`${a}\``)) ?? 'members.manage';
      // As a tenant with the default role bundles is answered.
      return new MissingAbility(named, missingAbilityFix(named, DEFAULT_BUNDLES));
    }
    case 404:
      if (path.startsWith('/api/v1/integrations/bamboohr/webhook/')) return new WebhookNotFound();
      if (/-types\/\{id\}$/.test(path)) return new NotFound(path.includes('/department-types/') ? 'Department type' : 'Team type', ID);
      if (path.includes('{id}')) return new NotFound(NOUNS[tag] ?? 'Record', ID);
      if (parameters.some((p) => p.name === 'scenario_id')) return new NotFound('Scenario', ID);
      return new AppError('not_found', 404, sentence(description), 'Check the id; it must belong to this tenant.');
    case 409:
      if (path === '/api/v1/scenarios') return new ScenarioNameTaken({ id: ID, name: '2026-03 platform-realignment' }, false);
      if (/^\/api\/v1\/(scenarios|snapshots)\//.test(path)) return new ReadOnlyContext('scenario');
      if (/-types(\/\{id\})?$/.test(path)) {
        const kind = path.includes('/department-types') ? 'department' : 'team';
        return method === 'delete' ? typeInUse(kind) : typeNameTaken(kind, { id: ID, name: 'Platform' });
      }
      return new Conflict(sentence(description));
    case 412:
      return preconditionFailed(`/api/v1/scenarios/${ID}`);
    case 413:
      return takesUpload(op) ? new AppError(CODES[413]!, 413, sentence(description)) : new PayloadTooLarge(MAX_REQUEST_BYTES);
    case 415:
      return takesUpload(op) ? new AppError(CODES[415]!, 415, sentence(description)) : bodyNotJson();
    case 429:
      return new RateLimited(RATE, RETRY_AFTER);
    default:
      return new AppError(CODES[status] ?? 'error', status, sentence(description));
  }
}

/**
 * What removing a type some departments or teams still have answers (made as removeType words it: the answer is
 * checked against a real one in test/api/type-edits.test.ts).
 */
function typeInUse(kind: 'department' | 'team'): Conflict {
  return new Conflict(
    `The ${kind} type "Platform" is in use, so it cannot be removed: 1 ${kind} in Live.`,
    `Give those ${kind}s another type first (or rename this one instead).`,
    { in_use: { live: 1, history: 0, scenarios: 0 } },
  );
}

/** The codes of the statuses only an upload (413, 415, 422) or the HRIS sync (502) answers with: the usual one of each. */
const CODES: Record<number, string> = { 413: 'file_too_large', 415: 'unsupported_media_type', 422: 'malformed_csv', 502: 'hris_unreachable' };

/** A file upload (the CSV import), which has its own size limit and media types, rather than a JSON body. */
function takesUpload(op: Json): boolean {
  const media = Object.keys(op.requestBody?.content ?? {});
  return media.includes('multipart/form-data') || media.includes('text/csv');
}

function resolve(schema: Json | undefined, components: Json): Json | undefined {
  return typeof schema?.$ref === 'string' ? components[schema.$ref.split('/').pop()!] : schema;
}

/** A response description as a sentence without its markup. */
function sentence(text: string): string {
  const plain = text.replaceAll('`', '').trim();
  return /[.!?]$/.test(plain) ? plain : `${plain}.`;
}
