import { z } from 'zod';
import { can } from '../../access/policy.js';
import { FAMILY_OF_ENTITY } from '../../org/family-names.js';
import { FAMILY_ABILITIES, labelOf, METRIC_ORDER } from '../../scenarios/delta.js';
import { MAX_DISCARD } from '../../scenarios/discard.js';
import { CHANGE_FAMILIES } from '../../scenarios/list-changes.js';
import { cancelProposal, confirmProposal, planDiscardWithGraph, planProposal, planProposalWithGraph } from '../../scenarios/proposals.js';
import { changeAbilities, changeOpsReference, changesField } from '../changes.js';
import { id, movedMetricsOnly, withChangeNames } from '../fields.js';
import { PLACEMENT_CHECK_PAIRS } from '../placement-checks.js';
import { typeNamesById } from '../../tenancy/settings.js';
import type { OrgGraph } from '../../org/types.js';
import { openView } from '../../org/view.js';
import { inMcpMoneyNames } from '../money.js';
import { defineTool, isRecord } from '../registry.js';

/**
 * Governed actions (SPEC §5): an assistant drafts changes to a planning scenario, a person sees the preview and
 * agrees, and only then is the draft applied — to that scenario, never to Live (promotion is web and REST only).
 * The services check everything (abilities, a mutable scenario of this tenant, each command, the proposal's owner,
 * expiry and staleness); these declarations only choose what the assistant is shown.
 */

const proposalId = id('The proposal_id returned by `scenario.action.plan`.');
const proposalOut = { proposal_id: z.string(), scenario_id: z.string(), status: z.enum(['planned', 'confirmed', 'cancelled']) };

export const planTool = defineTool({
  name: 'scenario.action.plan',
  title: 'Draft scenario changes',
  description:
    'Drafts changes to a planning scenario for the person to confirm; nothing is applied. Every change is validated ' +
    'against the scenario, all or nothing (a bad one is named as `changes[i].field`). Returns a `proposal_id`, a ' +
    'preview (the records that would be added, changed or removed and the metric and cost impact) and `expires_at` ' +
    '(30 minutes). Show the preview to the person; only after they agree call `scenario.action.confirm` with the ' +
    'proposal_id, else `scenario.action.cancel`. Live is never changed here. Each change is a flat object: `op` plus ' +
    'that op’s fields, listed in the `op` description (`capability.explain` has the table). Use an editable scenario ' +
    'from `scenario.list` (none? scenarios are not created over MCP: ask the person to create one on the Scenarios ' +
    'page of the web app) and ids from the org tools called with the same `scenario_id`. Needs ai.scenarios.draft and ' +
    'scenarios.write, plus scenarios.delete for close, end and deactivate, and costs.read for pay.',
  purpose: 'scenario-actions',
  inputSchema: z.object({
    scenario_id: id('The planning scenario to change (`editable: true` in `scenario.list`); snapshots and applied scenarios are read-only.'),
    changes: changesField,
  }),
  outputSchema: z.object({
    ...proposalOut,
    expires_at: z.string(),
    planned_against_revision: z.number(),
    preview: z.looseObject({
      commands: z.number(),
      as_of: z
        .string()
        .optional()
        .describe('The day the metrics are for (the last change takes effect then); absent: today'),
      records: z.record(z.string(), z.looseObject({})).describe('Per family: the records added, removed and changed (from → to)'),
      metrics: z
        .record(z.string(), z.looseObject({}))
        .optional()
        .describe(
          'Metric deltas of the whole organisation, from = the scenario as it is now, to = after these changes (its earlier changes are in `scenario.delta`); absent without org-metrics.read; cost pairs are minor units of the `currency` they name (the reporting currency); a cost delta with `unconvertible` currencies is unknown; `without_compensation`: actors with no pay, whose cost the cost delta leaves out; `vacant_seats_annual_cost_minor`: budgeted, not paid — what the vacant positions would cost a year filled at their target pay (loaded), apart from the cost of the people in seats; ' +
            `${PLACEMENT_CHECK_PAIRS}: organisation-wide counts of actors failing each placement check (lower is better; \`org.actors.list\` with \`placement_check\` and the \`scenario_id\` names them once confirmed)`,
        ),
      by_org_unit: z.array(z.looseObject({ org_unit_id: z.string() })),
      notes: z
        .array(z.string())
        .optional()
        .describe('What the figures leave out and the change that fixes it (a new actor without pay or manager); absent when nothing'),
    }),
    next_step: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  requires: ['ai.scenarios.draft', 'scenarios.write'],
  callRequires: changeAbilities,
  example: {
    scenario_id: '<an editable scenario id from scenario.list>',
    changes: [{ op: 'set_fte', actor_id: '<an actor id from org.actors.list>', fte: 0.8 }],
  },
  reference: { change_ops: changeOpsReference() },
  async handler(ctx, input, call) {
    const { proposal: planned, after } = await planProposalWithGraph(ctx, { scenarioId: input.scenario_id.trim(), changes: input.changes });
    const preview = planned.preview as {
      by_org_unit?: object[];
      records?: Record<string, { changed?: Record<string, unknown>[] }>;
      withheld?: { part: string }[];
      notes?: string[];
      as_of?: string;
    };
    const notes = preview.notes?.map((note) => call.catalog.renderNames(inMcpMoneyNames(note), call.names));
    const proposal = { ...planned, preview: readingOrder({ ...preview, ...(await namedRecords(ctx, planned.scenario_id, preview, after)), ...(notes ? { notes } : {}) }) };
    // No record would change and none is hidden from this caller: the scenario already is what was asked for.
    const recordsHidden = (preview.withheld ?? []).some((w) => w.part !== 'metrics' && w.part !== 'money');
    const changesNothing = Object.keys(preview.records ?? {}).length === 0 && !recordsHidden;
    const next = changesNothing
      ? 'This proposal changes no record: the scenario already has what the changes ask for. Tell the person; ' +
        'call scenario.action.cancel to discard it, or plan different changes.'
      : `Show this preview to the person${preview.notes?.length ? ' with its notes (what the figures leave out: offer to plan again with the fix)' : ''}` +
        `${preview.as_of ? `, saying its figures are for ${preview.as_of}, when the last change takes effect` : ''}. ` +
        'Call scenario.action.confirm with the proposal_id only after they agree (before expires_at); call ' +
        'scenario.action.cancel if they do not.';
    return { ...proposal, next_step: call.catalog.renderNames(next, call.names) };
  },
});

export const planDiscardTool = defineTool({
  name: 'scenario.action.plan_discard',
  title: 'Draft undoing scenario changes',
  description:
    'Drafts discarding the scenario’s own changes to some records, for the person to confirm; nothing is applied. Each ' +
    'record named takes its source’s value again: one the scenario added is dropped, one it removed comes back, one it ' +
    'changed loses those changes; the scenario’s other changes stay. Name records as `scenario.delta` lists them ' +
    '(`family` and the record’s `id`, against the source). Discarding what other changes depend on (people placed in an ' +
    'added unit, a line to an added person) is refused naming the records to discard with it (`also`): add them and ' +
    'plan again. Returns a `proposal_id` and a preview, like `scenario.action.plan`: show it, then ' +
    '`scenario.action.confirm` after the person agrees, else `scenario.action.cancel`. To change a record rather than ' +
    'undo it, use `scenario.action.plan`. Needs ai.scenarios.draft and scenarios.write, plus scenarios.delete to drop an ' +
    'added record and costs.read for pay.',
  purpose: 'scenario-actions',
  inputSchema: z.object({
    scenario_id: id('The planning scenario whose changes to discard (`editable: true` in `scenario.list`).'),
    records: z
      .array(
        z.object({
          family: z.enum(CHANGE_FAMILIES as [string, ...string[]]).describe('The record’s family, as `scenario.delta` groups it'),
          record_id: id('The record’s `id` in `scenario.delta`.'),
        }).strict(),
      )
      .min(1)
      .max(MAX_DISCARD)
      .describe(`The records whose change to discard, 1–${MAX_DISCARD}.`),
  }),
  outputSchema: z.object({
    ...proposalOut,
    expires_at: z.string(),
    planned_against_revision: z.number(),
    preview: z.looseObject({
      discarded: z
        .array(z.looseObject({ family: z.string(), record_id: z.string(), label: z.string().optional().describe('What a person calls the record, as scenario.delta labels it'), op: z.string() }))
        .describe('Each record whose change would be discarded, and what that change did (add: the record is dropped; change: its fields go back; remove: it comes back)'),
      as_of: z.string().optional().describe('The day the metrics are for (a record involved starts then); absent: today'),
      records: z.record(z.string(), z.looseObject({})).describe('Per family: the records that would be added, removed and changed (from → to) by the discard'),
      metrics: z.record(z.string(), z.looseObject({})).optional().describe('Metric deltas of the whole organisation, from = the scenario as it is now, to = after the discard'),
      by_org_unit: z.array(z.looseObject({ org_unit_id: z.string() })),
    }),
    next_step: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  requires: ['ai.scenarios.draft', 'scenarios.write'],
  example: { scenario_id: '<an editable scenario id from scenario.list>', records: [{ family: 'placement', record_id: '<a placement id from scenario.delta>' }] },
  async handler(ctx, input, call) {
    const records = input.records.map((r) => ({ family: r.family, record_id: r.record_id.trim() }));
    const { proposal: planned, after } = await planDiscardWithGraph(ctx, { scenarioId: input.scenario_id.trim(), records });
    const preview = planned.preview as PreviewRecords & { as_of?: string };
    const next =
      `Show this preview to the person${preview.as_of ? `, saying its figures are for ${preview.as_of}` : ''}: the records listed go back to ` +
      'their source. Call scenario.action.confirm with the proposal_id only after they agree (before expires_at); call ' +
      'scenario.action.cancel if they do not.';
    const discarded = await labelledDiscards(ctx, planned.scenario_id, (preview as { discarded?: Discarded[] }).discarded ?? []);
    return {
      ...planned,
      preview: readingOrder({ ...preview, discarded, ...(await namedRecords(ctx, planned.scenario_id, preview, after)) }),
      next_step: call.catalog.renderNames(next, call.names),
    };
  },
});

type Discarded = { op: string; family: string; record_id: string };

/**
 * Each discarded record with what a person calls it (`label`: "m1", "Ann Lee in Platform (50 %)", as scenario.delta
 * labels records) beside its id, from the scenario, else Live (a record the scenario removed); only for a family the
 * caller may read, as the delta shows it.
 */
async function labelledDiscards(ctx: Parameters<typeof planProposal>[0], scenarioId: string, discarded: Discarded[]) {
  if (!discarded.length) return discarded;
  const [scenario, live] = await Promise.all([openView(ctx, { scenarioId }), ctx.graphs.live(ctx.tenant.id)]);
  const graphs = [scenario.graph, live.graph];
  return discarded.map((entry) => {
    const family = FAMILY_OF_ENTITY.get(entry.family);
    if (!family || !FAMILY_ABILITIES[family].every((ability) => can(ctx.principal, ability))) return entry;
    const record = graphs.map((graph) => graph[family].get(entry.record_id)).find((found) => found !== undefined);
    const label = record ? labelOf(record as unknown as Record<string, unknown>, graphs, can(ctx.principal, 'actors.read')) : null;
    return label ? { ...entry, label } : entry;
  });
}

type PreviewRecords = { by_org_unit?: object[]; records?: Record<string, { changed?: Record<string, unknown>[] }> };

/**
 * A preview's records with a changed id field naming both records, as scenario.delta does — named as the proposal
 * leaves the scenario (`after`: a team it creates or renames by its new name), what it removes as the scenario has
 * it now — and per org unit only the metrics that moved.
 */
async function namedRecords(ctx: Parameters<typeof planProposal>[0], scenarioId: string, preview: PreviewRecords, after: OrgGraph) {
  const view = await openView(ctx, { scenarioId });
  const records = preview.records && withChangeNames(ctx.principal, view, preview.records, await typeNamesById(ctx), after);
  return { records, by_org_unit: movedMetricsOnly(preview.by_org_unit ?? []) };
}

/** Keys a reader looks for first, in this order; the rest keep theirs. */
const LEADING_KEYS = ['id', 'org_unit_id', 'name', 'label', 'from', 'to', 'delta'];

/**
 * The preview with each object's keys in reading order. It is read back from the database, whose JSON orders keys
 * by length: pairs came as {"to": 0.9, "from": 0.6} and each unit's id and name after its metrics.
 */
function readingOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map(readingOrder) as T;
  if (!isRecord(value)) return value;
  // Then the metric pairs in the order scenario.delta gives them (headcount, robots, agents, fte, …).
  const rank = (key: string) =>
    LEADING_KEYS.includes(key)
      ? LEADING_KEYS.indexOf(key)
      : METRIC_ORDER.includes(key)
        ? LEADING_KEYS.length + METRIC_ORDER.indexOf(key)
        : LEADING_KEYS.length + METRIC_ORDER.length;
  const entries = Object.entries(value).sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries.map(([key, field]) => [key, readingOrder(field)])) as T;
}

export const confirmTool = defineTool({
  name: 'scenario.action.confirm',
  title: 'Apply a confirmed draft',
  description:
    'Applies a proposal from `scenario.action.plan` or `scenario.action.plan_discard` to its scenario, atomically and exactly once — call it only after ' +
    'the person has seen the preview and agreed. Returns the outcome (new scenario revision, records changed, ids ' +
    'of created records). Calling it again returns the same outcome with `already_confirmed: true`. A stale proposal ' +
    '(expired, cancelled, planned by another user or client, or the scenario changed since) is refused with the ' +
    'reason and applies nothing: plan again. Changes the scenario only, never Live.',
  purpose: 'scenario-actions',
  inputSchema: z.object({ proposal_id: proposalId }),
  outputSchema: z.object({
    ...proposalOut,
    already_confirmed: z.boolean(),
    outcome: z.looseObject({
      scenario_id: z.string(),
      revision: z.number(),
      records_changed: z.number(),
      created: z
        .array(z.looseObject({}))
        .describe('The records created, in order: the `index` of the change, `family` — the record type as `org.activity.list` names it (`entity_type`: org_unit, actor, placement, position) —, the `id` and the change’s `ref`, if it gave one'),
    }),
  }),
  // Confirming may end or close records in the scenario; repeating it changes nothing more.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  requires: ['ai.scenarios.draft', 'scenarios.write'],
  example: { proposal_id: '<the proposal_id from scenario.action.plan>' },
  async handler(ctx, input) {
    const confirmed = await confirmProposal(ctx, input.proposal_id.trim());
    // The service names created records' families as the activity log does (`org_unit`).
    const { proposal_id, scenario_id, status, already_confirmed, outcome } = confirmed;
    // A confirmed discard names its records as its preview did (a record it dropped is in no graph now: its id alone).
    const discarded = (outcome as { discarded?: Discarded[] } | null)?.discarded;
    const named = discarded ? { ...outcome, discarded: await labelledDiscards(ctx, scenario_id, discarded) } : outcome;
    return { proposal_id, scenario_id, status, already_confirmed, outcome: named };
  },
});

export const cancelTool = defineTool({
  name: 'scenario.action.cancel',
  title: 'Discard a draft',
  description:
    'Discards a proposal from `scenario.action.plan` or `scenario.action.plan_discard` that the person does not want; ' +
    'nothing is applied and it can no longer be confirmed. Cancelling a cancelled proposal is harmless; a confirmed one ' +
    'cannot be cancelled (undo its changes with `scenario.action.plan_discard` instead).',
  purpose: 'scenario-actions',
  inputSchema: z.object({ proposal_id: proposalId }),
  outputSchema: z.object(proposalOut),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  requires: ['ai.scenarios.draft'],
  example: { proposal_id: '<the proposal_id from scenario.action.plan>' },
  async handler(ctx, input) {
    const { proposal_id, scenario_id, status } = await cancelProposal(ctx, input.proposal_id.trim());
    return { proposal_id, scenario_id, status };
  },
});

export const scenarioActionTools = [planTool, planDiscardTool, confirmTool, cancelTool];
