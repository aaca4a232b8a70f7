import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { prepareBatch, savePreparedBatch } from '../../scenarios/apply-batch.js';
import { CHANGE_OP_NAMES, CHANGE_OPS, ChangeCommandSchema, MAX_BATCH } from '../../scenarios/commands.js';
import { fieldNotRead, notAFieldOf } from '../../scenarios/op-fields.js';
import { COMPARE_MODES, scenarioDelta } from '../../scenarios/delta.js';
import { DELTA_PAGE_DEFAULT } from '../../scenarios/delta-pages.js';
import { CHANGE_FAMILIES, listScenarioChanges } from '../../scenarios/list-changes.js';
import { entityOfCreated } from '../../org/family-names.js';
import { promoteScenario } from '../../scenarios/promotion.js';
import { itemEnvelope, listEnvelope, locationHeader, needs, pagedResponse, PageQuery, problemResponses } from '../schemas.js';
import { IdParam, IfMatchHeader, IsoDate, json, listBody, pageOf, SECURITY, v1Router } from './common.js';
import { preconditionFailed } from './etag.js';
import { currentScenario, ETAG_HEADER, scenarioIfMatch } from './scenarios.js';
import { BatchOutcomeSchema, ChangeSchema, DeltaSchema, PromoteBody, TaskSchema } from './scenario-schemas.js';
import { detach } from './tasks.js';

/** What a scenario changes: its delta, its overlay, applying change batches, and promotion to Live. */

const tags = ['Scenarios'];

const delta = createRoute({
  method: 'get',
  path: '/api/v1/scenarios/{id}/delta',
  tags,
  summary: 'The scenario’s delta: changed records, conflicts and metric deltas',
  description:
    'Only the records and fields that differ from the source’s current state (`compare=source`, default) or from Live ' +
    '(`compare=live`), with fields changed in both since branching listed as conflicts. Money only with `costs.read`. ' +
    'A scenario started from another that has no change of its own yet is compared with Live unless `compare` is given ' +
    '(against its source it changes nothing); the answer’s `compare` and `against` say which. Records come a page at a time ' +
    `(\`limit\`, default ${DELTA_PAGE_DEFAULT}, across families in the order of \`families\`: added, removed, changed, then by id): ` +
    'pass `next_cursor` as `cursor` for the next page; `counts` gives every family’s totals on every page, and conflicts, ' +
    'metrics and `names` (of that page’s records) come on every page too. `family` keeps one family’s records.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: {
    params: IdParam,
    query: z.object({
      compare: z
        .enum(COMPARE_MODES)
        .optional()
        .openapi({ description: 'Compare with the source (default; Live for a branch with no change of its own yet), with Live now, or (applied scenarios only) promotion: with the Live its promotion replaced, i.e. what the promotion changed' }),
      as_of: IsoDate.optional().openapi({ description: 'The day metrics are computed for (default today)' }),
      family: z
        .enum(CHANGE_FAMILIES as [string, ...string[]])
        .optional()
        .openapi({ description: 'Only this family’s records (`counts`, conflicts and metrics stay whole)', example: 'actor' }),
      limit: PageQuery.shape.limit.openapi({ description: `Records per page, across families (1–500, default ${DELTA_PAGE_DEFAULT})`, example: DELTA_PAGE_DEFAULT }),
      cursor: PageQuery.shape.cursor.openapi({ description: 'The `next_cursor` of the previous page, with the same `compare` and `family` (another is refused: 400)' }),
    }),
  },
  responses: { 200: { description: 'The delta, or one page of its records: `next_cursor` is the next page’s `cursor` (null on the last)', ...json(itemEnvelope(DeltaSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

const changes = createRoute({
  method: 'get',
  path: '/api/v1/scenarios/{id}/changes',
  tags,
  summary: 'The scenario’s overlay: each record it adds, changes or removes',
  description: 'Not folded with the source (see the delta for that). Compensation changes and money fields only with `costs.read`.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: {
    params: IdParam,
    query: PageQuery.extend({ family: z.enum(CHANGE_FAMILIES as [string, ...string[]]).optional().openapi({ description: 'Only changes of this family' }) }),
  },
  responses: { 200: pagedResponse('A page of changes', listEnvelope(ChangeSchema)), ...problemResponses(400, 401, 403, 404) },
});

/** The engine's command schema, rebuilt with the OpenAPI-aware zod so it is documented as a named schema. */
// The shared schema points MCP clients at their explain tool; REST readers find each op described on `changes`.
const ChangeCommand = z
  .object({ ...ChangeCommandSchema.shape, op: ChangeCommandSchema.shape.op.describe('What to change: one of the ops listed (with what each does) on `changes`.') })
  .strict()
  // A field the op does not read is refused by name, as MCP refuses it: `set_fte` with a `manager_id` would
  // otherwise read as done and change no manager. A null is no value (typed clients send one for every field).
  .superRefine((change, ctx) => {
    const foreign = fieldNotRead(change, (field) => change[field as keyof typeof change] != null);
    if (foreign) ctx.addIssue({ code: 'custom', path: [foreign], message: notAFieldOf(change.op, foreign) });
  })
  .openapi('ChangeCommand');

const ApplyChangesBody = z
  .object({
    changes: z
      .array(ChangeCommand)
      .min(1)
      .max(MAX_BATCH)
      .openapi({ description: `Flat \`{ op, …fields }\` commands, validated and applied as one batch (all or nothing). Ops: ${CHANGE_OP_NAMES.map((op) => `\`${op}\` (${CHANGE_OPS[op].summary})`).join('; ')}.` }),
  })
  .strict()
  .openapi('ApplyChanges');

const apply = createRoute({
  method: 'post',
  path: '/api/v1/scenarios/{id}/changes',
  tags,
  summary: 'Apply a batch of change commands to an active planning scenario',
  description:
    'Needs `scenarios.write`, plus `scenarios.delete` for deactivate/close/end ops and `costs.read` for pay changes. The first invalid ' +
    'command is named in the 400 problem (`changes[2].fte`) and nothing is saved — a field its op does not read too (`set_fte` with a `manager_id`; a null counts as absent). A refusal a client may act on also says why ' +
    'in `reason`, with its parameters, to read instead of the words of `detail`: `no_such_record` and `not_active` (`kind`, `id`, ' +
    '`day`; an ended placement `ended_on`, `continued_by`), `still_manages` (the leaver’s `reports`, `from`), `has_primary_placement` ' +
    '(`placement_id`), `already_primary` (a set_primary_placement of the actor’s primary: its `id`, `day`), `placed_in_unit_already` (the actor’s placement already in that unit: `placement_id`, `org_unit_id`, `from`; a move_placement there also `op` and `moved_placement_id`), `ends_before` (what the change makes would outlast the org unit, manager or position it names, which ends later in the scenario: its `kind`, `id`, `ends_on`, `day`), `unit_not_empty` (its `child_units`, `placements` and open `positions`, `from`), `open_positions` (`positions`, `from`), `position_filled` (`position_id`, the `placements` that fill it ' +
    'elsewhere, `from`), `required` (`op`), `undated_only` (`op`, `date`), `later_change_of_leaver` (`change`, `later_op`, `from`), `name_taken` (a sibling unit of `parent_id` has the name: ' +
    'its `id`, and `change`, the index of the change of the batch that creates it, if one does), `email_taken` (another active actor has the email, ignoring case: ' +
    'their `id`, and `change`, the index of the change of the batch that adds them, if one does); ' +
    '`suggested_op` names the op to use instead (`alternative_op`, another that also would).',
  security: SECURITY,
  ...needs('scenarios.write'),
  request: { params: IdParam, headers: IfMatchHeader, body: { ...json(ApplyChangesBody), required: true } },
  responses: {
    200: { description: 'Applied; `ETag` is the scenario’s after the batch (absent if another write landed right after it)', headers: ETAG_HEADER, ...json(itemEnvelope(BatchOutcomeSchema)) },
    ...problemResponses(400, 401, 403, 404, 409, 412),
  },
});

const promote = createRoute({
  method: 'post',
  path: '/api/v1/scenarios/{id}/promote',
  tags,
  summary: 'Promote a planning scenario to Live (a background task)',
  description:
    'Snapshots Live, applies the scenario and locks it as applied, in a background task: poll `GET /api/v1/tasks/{id}`. ' +
    'Fields changed in both the scenario and its source since branching must be resolved first: a 409 problem lists them in ' +
    '`conflicts`; send one `resolutions` entry per conflict. A resolution that matches no conflict (a stale file, a mistyped id) is a mistake, never ignored: ' +
    'it is listed back in `unmatched_resolutions` — in that 409 while a conflict is open, else in a 400 problem (`field` `resolutions`) — and nothing is written. A scenario with no changes (none of its own, none in the planning ' +
    'scenarios it was started from) is refused with a 409 problem, code `nothing_to_promote`, and nothing is written.',
  security: SECURITY,
  ...needs('scenarios.promote'),
  request: { params: IdParam, headers: IfMatchHeader, body: { ...json(PromoteBody), required: false } },
  responses: {
    202: { description: 'Started; the task to poll', headers: locationHeader('The task to poll', '/api/v1/tasks/{id}'), ...json(itemEnvelope(TaskSchema)) },
    ...problemResponses(400, 401, 403, 404, 409, 412),
  },
});

export function scenarioChangeRoutes() {
  const router = v1Router();
  router.openapi(delta, async (c) => {
    const q = c.req.valid('query');
    const page = { ...pageOf(q), family: q.family };
    const data = await scenarioDelta(serviceContext(c), { scenarioId: c.req.valid('param').id, compare: q.compare, asOf: q.as_of }, { names: true, page });
    return c.json({ data: data as z.infer<typeof DeltaSchema> }, 200);
  });
  router.openapi(changes, async (c) => {
    const q = c.req.valid('query');
    const { page } = await listScenarioChanges(serviceContext(c), c.req.valid('param').id, { ...pageOf(q), family: q.family });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(apply, async (c) => {
    const { id } = c.req.valid('param');
    const checked = await scenarioIfMatch(c, id);
    const ctx = serviceContext(c);
    const batch = await prepareBatch(ctx, id, c.req.valid('json').changes);
    // The batch is saved only at the revision it was validated at: checked there too, nothing can land in between.
    if (checked !== undefined && batch.scenario.revision !== checked) throw preconditionFailed(`/api/v1/scenarios/${id}`);
    const outcome = await savePreparedBatch(ctx, batch);
    // The scenario's ETag at the revision this batch saved, so the next batch can send it as If-Match without a read.
    const { scenario, etag } = await currentScenario(c, id);
    const headers: Record<string, string> = scenario.revision === outcome.revision ? { etag } : {};
    return c.json({ data: { ...outcome, created: outcome.created.map((r) => ({ ...r, family: entityOfCreated(r.family) })) } }, 200, headers);
  });
  router.openapi(
    promote,
    async (c) => {
      const { id } = c.req.valid('param');
      await scenarioIfMatch(c, id);
      const ctx = serviceContext(c);
      const started = await promoteScenario(ctx, id, c.req.valid('json').resolutions ?? []);
      const task = detach(started, (err) => c.var.logger.error({ err, task: started.task.id }, 'promotion task did not report back'));
      return c.json({ data: task }, 202, { location: `/api/v1/tasks/${task.id}` });
    },
  );
  return router;
}
