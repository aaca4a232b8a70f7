import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { MAX_DISCARD, prepareDiscard, saveDiscard } from '../../scenarios/discard.js';
import { CHANGE_FAMILIES } from '../../scenarios/list-changes.js';
import { itemEnvelope, needs, problemResponses } from '../schemas.js';
import { IdParam, IfMatchHeader, json, SECURITY, v1Router } from './common.js';
import { preconditionFailed } from './etag.js';
import { currentScenario, ETAG_HEADER, scenarioIfMatch } from './scenarios.js';

/** Discarding a planning scenario's changes record by record: the change tray's undo (see scenarios/discard.ts). */

const family = z.enum(CHANGE_FAMILIES as [string, ...string[]]).openapi({ description: 'The record’s family, as deltas and change lists name it', example: 'placement' });

const DiscardBody = z
  .object({
    records: z
      .array(z.object({ family, record_id: z.string().min(1).max(64).openapi({ example: '2b3c4d5e-6f70-4a1b-8c2d-3e4f5a6b7c8d' }) }).strict())
      .min(1)
      .max(MAX_DISCARD)
      .openapi({ description: 'The records whose change to discard, as `GET /api/v1/scenarios/{id}/changes` lists them (`family`, `record_id`)' }),
  })
  .strict()
  .openapi('DiscardChanges');

const DiscardOutcomeSchema = z
  .object({
    scenario_id: z.string(),
    revision: z.number().int().openapi({ description: 'The scenario’s revision after the discard' }),
    records_changed: z.number().int().openapi({ description: 'Records whose change was discarded (one taken out with nothing left to write is not counted)' }),
    discarded: z
      .array(z.object({ family: z.string().openapi({ example: 'placement' }), record_id: z.string(), op: z.enum(['add', 'change', 'remove']).openapi({ description: 'What the discarded change did: add (the record is dropped), change (its fields take the source’s values), remove (the record comes back)' }) }))
      .openapi({ description: 'Each record whose change was discarded' }),
  })
  .openapi('DiscardOutcome');

const discard = createRoute({
  method: 'post',
  path: '/api/v1/scenarios/{id}/changes/discard',
  tags: ['Scenarios'],
  summary: 'Discard the scenario’s changes to some records (undo), each taking its source’s value again',
  description:
    'The undo of the change tray, record by record: an added record is dropped, a removed one comes back, a changed one takes its ' +
    'source’s current values again; the scenario’s other changes stay. Needs `scenarios.write`, `scenarios.delete` to drop a record ' +
    'the scenario added, `costs.read` for pay, and the read ability of each family (as the delta shows it). A record the scenario has ' +
    'no change of its own to is a 400 problem (`reason` `no_change`). A discard that would leave the scenario with a problem it does ' +
    'not have now (a placement in an added unit that would be gone, a line to a person who would still have left) is a 400 problem with ' +
    '`reason` `leaves_problems`, the `problems` and — in `also` — the records to discard with it in the same request; nothing is saved.',
  security: SECURITY,
  ...needs('scenarios.write'),
  request: { params: IdParam, headers: IfMatchHeader, body: { ...json(DiscardBody), required: true } },
  responses: {
    200: { description: 'Discarded; `ETag` is the scenario’s after it', headers: ETAG_HEADER, ...json(itemEnvelope(DiscardOutcomeSchema)) },
    ...problemResponses(400, 401, 403, 404, 409, 412),
  },
});

export function scenarioDiscardRoutes() {
  const router = v1Router();
  router.openapi(discard, async (c) => {
    const { id } = c.req.valid('param');
    const checked = await scenarioIfMatch(c, id);
    const ctx = serviceContext(c);
    const prepared = await prepareDiscard(ctx, id, c.req.valid('json').records);
    // Saved only at the revision it was validated at, which If-Match checked: nothing can land in between.
    if (checked !== undefined && prepared.scenario.revision !== checked) throw preconditionFailed(`/api/v1/scenarios/${id}`);
    const { scenario_id, revision, records_changed, discarded } = await saveDiscard(ctx, prepared);
    const { scenario, etag } = await currentScenario(c, id);
    const headers: Record<string, string> = scenario.revision === revision ? { etag } : {};
    return c.json({ data: { scenario_id, revision, records_changed, discarded } }, 200, headers);
  });
  return router;
}
