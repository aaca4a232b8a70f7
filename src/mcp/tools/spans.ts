import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { listSpans, MAX_DIRECT_REPORTS, SPAN_FILTERS, type SpanFilter } from '../../org/spans.js';
import type { OrgView } from '../../org/view.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../../org/unit-acc.js';
import { contextOf, contextOut, nextCursor, optionalId, pageFields, pageRequest, viewFields, viewRequest } from '../fields.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** Managers by span of control: who is behind the narrow/wide counts of org.metrics.get. */

const spanItem = z.object({
  id: z.string().describe('The manager’s actor id'),
  kind: z.string(),
  display_name: z.string(),
  title: z.string().optional().describe('Absent when none is recorded'),
  home_org_unit: z.object({ id: z.string(), name: z.string().optional() }).describe('Where the primary placement homes the manager'),
  direct_reports: z.number().int(),
  span: z.enum(['narrow', 'wide', 'ok']),
  layer: z.number().int().describe('1 = no manager above'),
});

export const spansListTool = defineTool({
  name: 'org.spans.list',
  title: 'Managers by span of control',
  description:
    `Names the managers behind the span counts of \`org.metrics.get\`: each with the number of direct reports, span class, ` +
    `layer and home org unit. narrow = ${NARROW_SPAN_MAX} or fewer direct reports, wide = ${WIDE_SPAN_MIN} or more, ok = between. ` +
    'Default `span: "outliers"` lists the wide managers (most reports first) then the narrow ones (fewest first); ' +
    '`narrow` or `wide` only one kind; `all` every manager, most reports first; ties by name. For a threshold of your own ' +
    '("spans over 8", "fewer than 4 reports") pass `min_direct_reports` (9) or `max_direct_reports` (3): without `span` ' +
    'that lists every manager in the range, whatever their class. With `org_unit_id`, only ' +
    'managers homed in that unit or below (as that unit’s metrics count them). Pass `scenario_id` to see a ' +
    'scenario’s spans (a manager change moves people in or out of the list). Follow up on a person with `org.actors.get` ' +
    'or `org.reporting_lines.list` (their reports). Needs org-metrics.read and actors.read.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    span: z.enum(SPAN_FILTERS).optional().describe('outliers (default: narrow and wide), narrow, wide, or all managers.'),
    org_unit_id: optionalId('Only managers homed in this org unit or below it.'),
    min_direct_reports: z
      .number()
      .int()
      .min(0)
      .max(MAX_DIRECT_REPORTS)
      .optional()
      .describe('Only managers with at least this many direct reports ("spans over 8" = 9). Without `span`, every class.'),
    max_direct_reports: z
      .number()
      .int()
      .min(0)
      .max(MAX_DIRECT_REPORTS)
      .optional()
      .describe('Only managers with at most this many direct reports. Without `span`, every class.'),
    ...pageFields,
  }),
  outputSchema: z.object({
    context: contextOut,
    span: z.enum(SPAN_FILTERS),
    managers: z.array(spanItem),
    note: z
      .string()
      .optional()
      .describe(
        'Present when no manager matched (whether anyone manages there at all, and what to ask instead), and when the default outliers hold no wide span (those listed are all narrow)',
      ),
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['org-metrics.read', 'actors.read'],
  example: { min_direct_reports: 9, limit: 20 },
  async handler(ctx, input) {
    const { view, span, page } = await listSpans(ctx, { ...viewRequest(input), ...pageRequest(input), orgUnitId: input.org_unit_id, span: input.span, minReports: input.min_direct_reports, maxReports: input.max_direct_reports });
    const note = input.cursor ? undefined : page.items.length ? onlyNarrowNote(input, span, page.items, view) : await noMatchNote(ctx, input, span, view);
    return { context: contextOf(view), span, managers: page.items, note, next_cursor: page.nextCursor ?? undefined };
  },
});

/**
 * "Where are spans too wide?" asked with the default outliers, where no one is wide: the list holds only narrow
 * managers, which an assistant would otherwise report as the wide ones. Wide managers come first, so the first page
 * tells.
 */
function onlyNarrowNote(input: { org_unit_id?: string; min_direct_reports?: number; max_direct_reports?: number }, span: SpanFilter, managers: readonly { span: string }[], view: OrgView) {
  const ranged = input.min_direct_reports !== undefined || input.max_direct_reports !== undefined;
  if (span !== 'outliers' || ranged || managers.some((m) => m.span === 'wide')) return undefined;
  const where = homedIn(view, input.org_unit_id);
  return (
    `No manager${where} has a wide span (≥ ${WIDE_SPAN_MIN} direct reports) on ${view.asOf}: everyone listed is narrow (≤ ${NARROW_SPAN_MAX}). ` +
    'For a threshold of your own ("spans over 8") pass min_direct_reports: 9.'
  );
}

/** " homed in Sales or below" for a unit asked about, else nothing. */
function homedIn(view: OrgView, orgUnitId: string | undefined): string {
  const unitId = orgUnitId?.trim();
  return unitId ? ` homed in ${view.graph.orgUnits.get(unitId)?.name ?? 'that unit'} or below` : '';
}

const ASKED: Record<SpanFilter, string> = {
  outliers: `a narrow (≤ ${NARROW_SPAN_MAX} direct reports) or wide (≥ ${WIDE_SPAN_MIN}) span`,
  narrow: `a narrow span (≤ ${NARROW_SPAN_MAX} direct reports)`,
  wide: `a wide span (≥ ${WIDE_SPAN_MIN} direct reports)`,
  all: 'direct reports',
};

/**
 * An empty answer says whether anyone manages there at all ("no outliers in Field" is not "no managers in Field"),
 * and, when some do, how to list them.
 */
async function noMatchNote(ctx: ServiceContext, input: { org_unit_id?: string; min_direct_reports?: number; max_direct_reports?: number; scenario_id?: string; as_of?: string }, span: SpanFilter, view: OrgView) {
  const unitId = input.org_unit_id?.trim();
  const where = homedIn(view, unitId);
  const ranged = input.min_direct_reports !== undefined || input.max_direct_reports !== undefined;
  const any = span === 'all' && !ranged ? [] : (await listSpans(ctx, { ...viewRequest(input), orgUnitId: unitId, span: 'all', limit: 1 })).page.items;
  if (!any.length) return `No one${where} manages anyone on ${view.asOf}.`;
  const asked = ranged ? 'direct reports in that range' : ASKED[span];
  return `No manager${where} has ${asked} on ${view.asOf}; span: "all" lists every manager${where} with their direct reports.`;
}

export const spansTools = [spansListTool];
