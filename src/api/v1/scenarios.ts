import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import { archiveScenario, createScenario, editScenario, getScenario, listScenarios, submitScenario, unarchiveScenario, withdrawScenario } from '../../scenarios/lifecycle.js';
import { SCENARIO_KINDS } from '../../scenarios/store.js';
import { itemEnvelope, listEnvelope, locationHeader, needs, PageQuery, pagedResponse, problemResponses } from '../schemas.js';
import { IdParam, IfMatchHeader, json, listBody, pageOf, SECURITY, v1Router } from './common.js';
import { assertIfMatch, weakEtag } from './etag.js';
import { CreateScenarioBody, EditScenarioBody, ScenarioDetailSchema, ScenarioSchema } from './scenario-schemas.js';

/** Scenario lifecycle (SPEC §6): list, create within the plan's cap, show, edit, submit for review, archive, unarchive. */

const tags = ['Scenarios'];

/** The ETag a scenario write answers with: that of `GET /api/v1/scenarios/{id}` now, to send as the next write's If-Match. */
export const ETAG_HEADER = {
  ETag: {
    description: 'The scenario’s ETag after this write, as `GET /api/v1/scenarios/{id}` gives it: send it as `If-Match` on the next write without reading the scenario again',
    schema: { type: 'string' as const, example: 'W/"jI2IjuQ3IeKrSCcnC3IRB5Gm13O"' },
  },
};

const list = createRoute({
  method: 'get',
  path: '/api/v1/scenarios',
  tags,
  summary: 'List scenarios and snapshots, newest first',
  description:
    'Every scenario of the tenant — planning (editable while active), applied (promoted, locked) and snapshot (Live as it was) — ' +
    'active and archived alike unless `kind` or `state` narrows the list. Each names its source (`source`) and says ' +
    'whether it was submitted for review and whether it can still be edited (`editable`). Paged by `cursor`.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: {
    query: PageQuery.extend({
      kind: z.enum(SCENARIO_KINDS).optional().openapi({ description: 'planning, applied or snapshot' }),
      state: z.enum(['active', 'archived']).optional(),
    }),
  },
  responses: { 200: pagedResponse('A page of scenarios', listEnvelope(ScenarioSchema)), ...problemResponses(400, 401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/api/v1/scenarios',
  tags,
  summary: 'Create a planning scenario (a branch of Live or of another scenario)',
  description:
    'Counts against the plan’s cap of active planning scenarios (403 `plan_limit` names the limit and the plan). ' +
    '`source_scenario_id` must be a planning scenario of this tenant (active or archived); an unknown id, a promoted (applied) ' +
    'scenario or a snapshot is a 400 problem naming the field. A branch follows its source; once the source is promoted, it follows Live. ' +
    'Names are unique among active planning scenarios, ignoring case and spaces: a name one has is a 409 problem, code ' +
    '`scenario_name_taken`, naming it in `existing_scenario` (archiving or promoting a scenario frees its name).',
  security: SECURITY,
  ...needs('scenarios.write'),
  request: { body: { ...json(CreateScenarioBody), required: true } },
  responses: {
    201: {
      description: 'Created: the scenario as `GET /api/v1/scenarios/{id}` answers it, with its `ETag` for the first write’s `If-Match`',
      headers: {
        ...locationHeader('The new scenario’s path', '/api/v1/scenarios/{id}'),
        ...ETAG_HEADER,
      },
      ...json(itemEnvelope(ScenarioDetailSchema)),
    },
    ...problemResponses(400, 401, 403, 409),
  },
});

const show = createRoute({
  method: 'get',
  path: '/api/v1/scenarios/{id}',
  tags,
  summary: 'One scenario with its change counts',
  description:
    'The scenario as listed, plus `change_counts`: how many records it adds, changes and removes in each model family compared ' +
    'with its source. The records themselves are in `GET /api/v1/scenarios/{id}/changes`; what they do to headcount, FTE and cost ' +
    'is `GET /api/v1/scenarios/{id}/delta`. Another tenant’s id is a 404.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { params: IdParam },
  responses: { 200: { description: 'The scenario', ...json(itemEnvelope(ScenarioDetailSchema)) }, ...problemResponses(401, 403, 404) },
});

const edit = createRoute({
  method: 'patch',
  path: '/api/v1/scenarios/{id}',
  tags,
  summary: 'Rename a planning scenario or change its description',
  description:
    'Send `name`, `description` or both; a field left out stays (a null or empty `description` clears it). Active and archived ' +
    'planning scenarios alike, submitted ones included. An active scenario’s new name must be free among active planning ' +
    'scenarios (409 `scenario_name_taken`, naming the scenario that has it in `existing_scenario`); an archived one may take any ' +
    'name (renaming it is how it comes back while another active scenario has its old name). A promoted (applied) scenario and ' +
    'a snapshot keep their names: 409 `read_only`. Changing nothing is no change (nothing is recorded). Another tenant’s id is a 404.',
  security: SECURITY,
  ...needs('scenarios.write'),
  request: { params: IdParam, headers: IfMatchHeader, body: { ...json(EditScenarioBody), required: true } },
  responses: {
    200: {
      description: 'The scenario after the change, as `GET /api/v1/scenarios/{id}` answers it now',
      headers: ETAG_HEADER,
      ...json(itemEnvelope(ScenarioDetailSchema)),
    },
    ...problemResponses(400, 401, 403, 404, 409, 412),
  },
});

function transition(path: string, summary: string, description: string) {
  return createRoute({
    method: 'post',
    path: `/api/v1/scenarios/{id}/${path}`,
    tags,
    summary,
    description,
    security: SECURITY,
    ...needs('scenarios.write'),
    request: { params: IdParam, headers: IfMatchHeader },
    responses: {
      200: {
        description: 'The scenario after the change, as `GET /api/v1/scenarios/{id}` answers it now',
        headers: ETAG_HEADER,
        ...json(itemEnvelope(ScenarioDetailSchema)),
      },
      ...problemResponses(401, 403, 404, 409, 412),
    },
  });
}

const submit = transition(
  'submit',
  'Submit a planning scenario for review',
  'Recorded and shown in lists; editing continues until promotion. Idempotent. A scenario with no changes (none of its own ' +
    'and none in the planning scenarios it was started from) is refused with a 409 problem, code `nothing_to_submit`.',
);
const withdraw = transition('withdraw', 'Take a submitted scenario back from review', 'Clears the submission; editing was never stopped. Idempotent.');
const archive = transition('archive', 'Archive a planning scenario', 'Frees a place under the plan’s cap, and ends a review: a submitted scenario is no longer submitted (submit it again when it comes back). Idempotent.');
const unarchive = transition(
  'unarchive',
  'Bring an archived planning scenario back',
  'Within the plan’s cap; snapshots and applied scenarios never come back. Idempotent. Refused (409 `scenario_name_taken`) while ' +
    'an active planning scenario has its name.',
);

/** The scenario as `GET /api/v1/scenarios/{id}` answers it now, and that answer's ETag (for a write to hand back). */
export async function currentScenario(c: Context<AppEnv>, id: string) {
  const scenario = await getScenario(serviceContext(c), id);
  return { scenario, etag: weakEtag(JSON.stringify({ data: scenario })) };
}

/**
 * Checks a write's `If-Match` against the scenario as `GET /api/v1/scenarios/{id}` shows it now (412 if it changed).
 * Returns the revision it was checked at, so a batch can make sure nothing landed in between; undefined without one.
 */
export async function scenarioIfMatch(c: Context<AppEnv>, id: string): Promise<number | undefined> {
  const ifMatch = c.req.header('if-match');
  if (ifMatch === undefined) return undefined;
  const scenario = await getScenario(serviceContext(c), id);
  assertIfMatch(ifMatch, { data: scenario }, `/api/v1/scenarios/${id}`);
  return scenario.revision;
}

export function scenarioRoutes() {
  const router = v1Router();
  router.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const { items, nextCursor } = await listScenarios(serviceContext(c), { ...pageOf(q), kind: q.kind, state: q.state });
    return c.json(listBody(c, { items, nextCursor }), 200);
  });
  router.openapi(
    create,
    async (c) => {
      const body = c.req.valid('json');
      const created = await createScenario(serviceContext(c), { name: body.name, description: body.description, sourceScenarioId: body.source_scenario_id });
      // As its GET answers it, with the ETag a first batch of changes can send as If-Match without reading it again.
      const { scenario, etag } = await currentScenario(c, created.id);
      return c.json({ data: scenario }, 201, { location: `/api/v1/scenarios/${scenario.id}`, etag });
    },
  );
  router.openapi(show, async (c) => c.json({ data: await getScenario(serviceContext(c), c.req.valid('param').id) }, 200));
  router.openapi(edit, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await scenarioIfMatch(c, id);
    await editScenario(serviceContext(c), id, { name: body.name, description: body.description });
    const { scenario, etag } = await currentScenario(c, id);
    return c.json({ data: scenario }, 200, { etag });
  });
  const transitions = [[submit, submitScenario], [withdraw, withdrawScenario], [archive, archiveScenario], [unarchive, unarchiveScenario]] as const;
  for (const [route, act] of transitions) {
    router.openapi(route, async (c) => {
      const { id } = c.req.valid('param');
      await scenarioIfMatch(c, id);
      await act(serviceContext(c), id);
      // The scenario as its GET answers it (with change counts), and that answer's ETag for the next If-Match.
      const { scenario, etag } = await currentScenario(c, id);
      return c.json({ data: scenario }, 200, { etag });
    });
  }
  return router;
}
