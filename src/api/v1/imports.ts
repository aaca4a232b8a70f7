import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import { previewRun } from '../../imports/preview.js';
import { checkQueuedRows, fixRow, getRow, ignoreRow, listRows } from '../../imports/review.js';
import { getRun, importFields, listRuns, reprocessRun, startRun, undoRun, updateRunSettings, type StartedRun } from '../../imports/runs.js';
import { RESOLUTIONS, RUN_STATUSES } from '../../imports/store.js';
import { createRunFromUpload } from '../../imports/upload.js';
import { itemEnvelope, listEnvelope, locationHeader, needs, pagedResponse, PageQuery, problemResponses, ProblemSchema, wholeNumber } from '../schemas.js';
import { IdParam, json, listBody, pageOf, SECURITY, v1Router } from './common.js';
import { FieldReferenceSchema, FixedImportRowSchema, FixRowBody, ImportPreviewSchema, ImportRowSchema, ImportRunPatch, ImportRunSchema } from './import-schemas.js';
import { TaskSchema } from './scenario-schemas.js';
import { detach } from './tasks.js';
import { uploadInput } from './import-upload.js';

/**
 * Import runs (reference/import-workflow-and-runs.md): upload a CSV, check and adjust the detected mapping and target,
 * preview, start (a background run: poll it), then review quarantined rows — fix or ignore them — and reprocess.
 */

const tags = ['Imports'];
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

const RowParams = IdParam.extend({
  row: wholeNumber(1, 10_000_000).openapi({ param: { name: 'row', in: 'path' }, description: 'The row number (1 = first data row)' }),
});

const fields = createRoute({
  method: 'get',
  path: '/api/v1/imports/fields',
  tags,
  summary: 'The import field reference: each field, its meaning and the headers it accepts',
  description:
    'Every field a CSV column can be mapped to (`field`), what it means, whether a new person needs it, and the header spellings read as it ' +
    '(Orgonaut CSV, BambooHR, Personio, HiBob, Workday, Rippling exports). Use the field names in `PATCH /api/v1/imports/{id}` (`mapping`) and ' +
    'as keys when fixing a quarantined row. The same for every run and tenant.',
  security: SECURITY,
  ...needs('imports.manage'),
  responses: { 200: { description: 'Fields', ...json(itemEnvelope(z.array(FieldReferenceSchema))) }, ...problemResponses(401, 403) },
});

const upload = createRoute({
  method: 'post',
  path: '/api/v1/imports',
  tags,
  summary: 'Upload a CSV or TXT file (≤ 10 MB) as a new import run',
  description:
    'Send the file as `multipart/form-data` (field `file`; optional fields `target_scenario_id`, `create_missing_types`, `format`) or as ' +
    'the request body with `Content-Type: text/csv` (query `file_name`, `target_scenario_id`, `create_missing_types`, `format`). UTF-8 ' +
    'with or without BOM, comma- or semicolon-separated, RFC 4180 quoting. The run is created `pending` with the detected format and ' +
    'column mapping; check them with the preview, then start it. Binary files, spreadsheets, UTF-16, invalid UTF-8, unbalanced quotes ' +
    'and files over 10 MB are refused (413/415/422) and nothing is stored.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: {
    query: z.object({
      file_name: z.string().max(255).optional(),
      target_scenario_id: z.string().max(64).optional().openapi({ description: 'Import into this active planning scenario instead of Live' }),
      create_missing_types: z.enum(['true', 'false']).optional().openapi({ description: 'Create department and team types the file names but the tenant lacks' }),
      format: z.enum(['orgonaut', 'bamboohr']).optional().openapi({ description: 'Override the detected format' }),
    }),
    body: {
      required: true,
      content: {
        'multipart/form-data': { schema: z.object({ file: z.string().openapi({ format: 'binary' }), target_scenario_id: z.string().optional(), create_missing_types: z.string().optional(), format: z.string().optional() }) },
        'text/csv': { schema: z.string() },
      },
    },
  },
  responses: {
    201: { description: 'The run, pending', headers: locationHeader('The run’s path', '/api/v1/imports/{id}'), ...json(itemEnvelope(ImportRunSchema)) },
    ...problemResponses(400, 401, 403, 404),
    413: problem('The file is over 10 MB'),
    415: problem('Not multipart/form-data or text/csv'),
    422: problem('Not a readable UTF-8 CSV: `code` says why (binary_file, invalid_encoding, malformed_csv, empty_file…)'),
  },
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/imports',
  tags,
  summary: 'List import runs, newest first',
  description:
    'The uploaded runs of this tenant, newest first, each with its status — `pending` (uploaded, mapping still adjustable), `processing`, ' +
    '`completed` or `failed` (`error` says why; start it again) — its target, and, once run, the summary of rows imported and quarantined. ' +
    'Filter by `status`; paged by `cursor`. Follow one with `GET /api/v1/imports/{id}`.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { query: PageQuery.extend({ status: z.enum(RUN_STATUSES).optional().openapi({ description: 'pending, processing, completed or failed' }) }) },
  responses: { 200: pagedResponse('A page of runs', listEnvelope(ImportRunSchema)), ...problemResponses(400, 401, 403) },
});

const show = createRoute({
  method: 'get',
  path: '/api/v1/imports/{id}',
  tags,
  summary: 'One import run: status, progress by stage, summary',
  description:
    'Poll this after `POST …/start`, `…/reprocess` or a sync: `status` goes `pending` → `processing` → `completed` or `failed`; `progress` ' +
    'names the stage (parse, actors, managers, teams, departments, placements, positions, compensations, finalize) with row counts and a ' +
    'percent. Once completed, `summary` counts rows imported, created, updated, unchanged, quarantined and ignored, per family, with the ' +
    'open quarantine reasons and the Live version or scenario revision written. Review quarantined rows with `GET …/quarantine`.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: IdParam },
  responses: { 200: { description: 'The run', ...json(itemEnvelope(ImportRunSchema)) }, ...problemResponses(401, 403, 404) },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/v1/imports/{id}',
  tags,
  summary: 'Change the column mapping, options or target of a run before it starts',
  description:
    'Only while the run is `pending` and has imported nothing: afterwards it is refused (409; upload the file again to import it ' +
    'differently). `mapping` sets columns by index (`{ "column": 3, "field": "manager_email" }`, `field: null` leaves a column out; fields ' +
    'from `GET /api/v1/imports/fields`); `options` sets `create_missing_types`, `format` and `date_order` (how `03/05/2024` is read); ' +
    '`target` is Live or an active planning scenario. Fields left out keep their value. Check the result with `GET …/preview`.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: IdParam, body: { ...json(ImportRunPatch), required: true } },
  responses: { 200: { description: 'The run', ...json(itemEnvelope(ImportRunSchema)) }, ...problemResponses(400, 401, 403, 404, 409) },
});

const preview = createRoute({
  method: 'get',
  path: '/api/v1/imports/{id}/preview',
  tags,
  summary: 'Preview a run: the first rows as mapped, and what it would do (a dry run; nothing is written)',
  description:
    'Plans the whole import against the organisation as it is now and throws the plan away: the first `rows` rows with the field each cell ' +
    'goes to and the reason a row would be quarantined, counts of what would be created, updated and unchanged per family, the actor ' +
    'allowance after the import, and warnings (no identity or manager column mapped, ambiguous dates, a pay column read in cents). ' +
    'Change what it shows with `PATCH /api/v1/imports/{id}`, then `POST …/start`.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: IdParam, query: z.object({ rows: wholeNumber(1, 200).optional().openapi({ description: 'How many rows to show (default 20)' }) }) },
  responses: { 200: { description: 'The preview', ...json(itemEnvelope(ImportPreviewSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

function action(path: string, summary: string, description: string, abilities: string[] = ['imports.manage']) {
  return createRoute({
    method: 'post',
    path: `/api/v1/imports/{id}/${path}`,
    tags,
    summary,
    description,
    security: SECURITY,
    ...needs(...abilities),
    request: { params: IdParam },
    responses: {
      202: { description: 'Started; poll the run', headers: locationHeader('The run to poll', '/api/v1/imports/{id}'), ...json(itemEnvelope(ImportRunSchema)) },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
}

const start = action(
  'start',
  'Start a run (or start a failed one again)',
  'A background run: Parse → Actors → Managers → Teams → Departments → Placements → Positions → Compensations → Finalize, ending in one transaction (Live is untouched or fully imported). Into Live it takes a snapshot first and records lineage. Refused (the run fails, nothing applied) when it would exceed the actor allowance. Poll `GET /api/v1/imports/{id}`.',
);
const reprocess = action('reprocess', 'Import the fixed rows of a finished run', 'Rows a reviewer fixed (resolution `reprocessing`), and rows quarantined because their manager was, go through the same rules in a new step.');

const undo = createRoute({
  method: 'post',
  path: '/api/v1/imports/{id}/undo',
  tags,
  summary: 'Undo an import into Live by restoring the snapshot taken before it (a background task)',
  description:
    'Only while Live is still the version the import left (`live_version_after`): once anything else changed Live, undoing would throw that ' +
    'away too, so it is refused (409) — restore a snapshot from Snapshots instead. A run is undone once: it is marked (`summary.undo`) and ' +
    'a second undo, or reprocessing it, is refused (409).',
  security: SECURITY,
  ...needs('imports.manage', 'snapshots.restore'),
  request: { params: IdParam },
  responses: {
    202: { description: 'Started; the task to poll', headers: locationHeader('The task to poll', '/api/v1/tasks/{id}'), ...json(itemEnvelope(TaskSchema)) },
    ...problemResponses(401, 403, 404, 409),
  },
});

const RowFilter = PageQuery.extend({
  status: z.enum(['pending', 'imported', 'quarantined', 'ignored']).optional(),
  resolution: z.enum(RESOLUTIONS).optional().openapi({ description: 'Review state: pending, reprocessing, failed, fixed, ignored' }),
});

const rows = createRoute({
  method: 'get',
  path: '/api/v1/imports/{id}/rows',
  tags,
  summary: 'The rows of a run, in file order, with what became of each',
  description:
    'Each row with its cells, its `status` — `pending` (not processed yet), `imported`, `quarantined` or `ignored` — the quarantine ' +
    '`reason` (code, field at fault, what to do) and the review `resolution`. Filter by `status` or `resolution`; paged by `cursor`. ' +
    'For the rows a reviewer has to look at, `GET …/quarantine` is shorter.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: IdParam, query: RowFilter },
  responses: { 200: pagedResponse('A page of rows', listEnvelope(ImportRowSchema)), ...problemResponses(400, 401, 403, 404) },
});

const quarantine = createRoute({
  method: 'get',
  path: '/api/v1/imports/{id}/quarantine',
  tags,
  summary: 'Quarantined rows of a run (every row that was ever quarantined), by review state',
  description:
    'The review list: rows the import could not take, each with its reason and fix, and its `resolution` — `pending` (still to ' +
    'review), `reprocessing` (fixed, queued), `fixed` or `failed` (after a reprocess) or `ignored`. Fix one with ' +
    '`PATCH …/rows/{row}` or leave it out with `POST …/rows/{row}/ignore`, then import the fixed rows with `POST …/reprocess`. ' +
    'Filter by `resolution`; paged by `cursor`.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: IdParam, query: PageQuery.extend({ resolution: RowFilter.shape.resolution }) },
  responses: { 200: pagedResponse('A page of rows', listEnvelope(ImportRowSchema)), ...problemResponses(400, 401, 403, 404) },
});

const row = createRoute({
  method: 'get',
  path: '/api/v1/imports/{id}/rows/{row}',
  tags,
  summary: 'One row of a run',
  description:
    'One row by its number (1 = the first data row, as the rows list and the review page number them): its cells as uploaded and as ' +
    'fixed (`original_cells` keeps the uploaded ones), its status, quarantine reason and review resolution. A number past the last row is a 404.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: RowParams },
  responses: { 200: { description: 'The row', ...json(itemEnvelope(ImportRowSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

const fix = createRoute({
  method: 'patch',
  path: '/api/v1/imports/{id}/rows/{row}',
  tags,
  summary: 'Fix a quarantined row’s cells in place; it is queued for reprocessing',
  description:
    '`values` replaces cells, keyed by header, mapped field name or column index (`null` empties a cell); the uploaded cells are kept in ' +
    '`original_cells`. The row becomes `reprocessing` and is imported with the next `POST /api/v1/imports/{id}/reprocess`. Refused (409) while ' +
    'the run is processing, for a row that was imported or not processed yet, and for an undone run; pay cells need `costs.read`.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: RowParams, body: { ...json(FixRowBody), required: true } },
  responses: { 200: { description: 'The row, resolution `reprocessing`, with `check`: whether it now reads well', ...json(itemEnvelope(FixedImportRowSchema)) }, ...problemResponses(400, 401, 403, 404, 409) },
});

const ignore = createRoute({
  method: 'post',
  path: '/api/v1/imports/{id}/rows/{row}/ignore',
  tags,
  summary: 'Leave a quarantined row out of the import',
  description:
    'The row becomes `ignored` (status and resolution) and no reprocess takes it; it stays listed under `GET …/quarantine`, and fixing it ' +
    'later (`PATCH …/rows/{row}`) queues it again. Refused (409) while the run is processing, for a row that was imported or not ' +
    'processed yet, and for an undone run.',
  security: SECURITY,
  ...needs('imports.manage'),
  request: { params: RowParams },
  responses: { 200: { description: 'The row, resolution `ignored`', ...json(itemEnvelope(ImportRowSchema)) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export function importRoutes() {
  const router = v1Router();
  router.openapi(fields, async (c) => c.json({ data: importFields(serviceContext(c)) }, 200));
  router.openAPIRegistry.registerPath(upload);
  router.post('/api/v1/imports', async (c) => {
    const run = await createRunFromUpload(serviceContext(c), await uploadInput(c));
    return c.json({ data: run }, 201, { location: `/api/v1/imports/${run.id}` });
  });
  router.openapi(list, async (c) => {
    const q = c.req.valid('query');
    return c.json(listBody(c, await listRuns(serviceContext(c), { ...pageOf(q), status: q.status })), 200);
  });
  router.openapi(show, async (c) => c.json({ data: await getRun(serviceContext(c), c.req.valid('param').id) }, 200));
  router.openapi(
    patch,
    async (c) => c.json({ data: await updateRunSettings(serviceContext(c), c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  router.openapi(preview, async (c) => c.json({ data: await previewRun(serviceContext(c), c.req.valid('param').id, { rows: c.req.valid('query').rows }) }, 200));
  router.openapi(start, async (c) => started(c, await startRun(serviceContext(c), c.req.valid('param').id)));
  router.openapi(reprocess, async (c) => started(c, await reprocessRun(serviceContext(c), c.req.valid('param').id)));
  router.openapi(undo, async (c) => {
    const task = detachTask(c, await undoRun(serviceContext(c), c.req.valid('param').id));
    return c.json({ data: task }, 202, { location: `/api/v1/tasks/${task.id}` });
  });
  router.openapi(rows, async (c) => {
    const q = c.req.valid('query');
    return c.json(listBody(c, await listRows(serviceContext(c), c.req.valid('param').id, { ...pageOf(q), status: q.status, resolution: q.resolution })), 200);
  });
  router.openapi(quarantine, async (c) => {
    const q = c.req.valid('query');
    return c.json(listBody(c, await listRows(serviceContext(c), c.req.valid('param').id, { ...pageOf(q), resolution: q.resolution, quarantined: true })), 200);
  });
  router.openapi(row, async (c) => {
    const p = c.req.valid('param');
    return c.json({ data: await getRow(serviceContext(c), p.id, p.row) }, 200);
  });
  router.openapi(
    fix,
    async (c) => {
      const p = c.req.valid('param');
      const ctx = serviceContext(c);
      const fixed = await fixRow(ctx, p.id, p.row, c.req.valid('json').values);
      const check = (await checkQueuedRows(ctx, p.id, [fixed])).get(fixed.row_number) ?? null;
      return c.json({ data: { ...fixed, check } }, 200);
    },
  );
  router.openapi(ignore, async (c) => {
    const p = c.req.valid('param');
    return c.json({ data: await ignoreRow(serviceContext(c), p.id, p.row) }, 200);
  });
  return router;
}

function started(c: Context<AppEnv>, run: StartedRun) {
  run.done.catch((err: unknown) => c.var.logger.error({ err, run: run.run.id }, 'import run did not report back'));
  return c.json({ data: run.run }, 202, { location: `/api/v1/imports/${run.run.id}` });
}

function detachTask(c: Context<AppEnv>, started: Parameters<typeof detach>[0]) {
  return detach(started, (err) => c.var.logger.error({ err, task: started.task.id }, 'undo task did not report back'));
}
