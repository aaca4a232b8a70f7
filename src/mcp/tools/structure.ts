import { z } from 'zod';
import { getOrgUnit, listDepartments, listOrgUnits, listTeams, orgUnitTree, type TreeNode } from '../../org/read-structure.js';
import { summarizeOrg } from '../../org/read-history.js';
import { ORG_UNIT_TYPES, type OrgUnit } from '../../org/types.js';
import { contextOf, contextOut, costOut, emptyOrgNote, emptyOrgOut, id, includeInactive, item, METRICS_NOTE, minorOut, nextCursor, noMatchNote, noMatchOut, optionalId, pageFields, pageRequest, totalOut, viewFields, viewRequest, withNames, withNamesOne } from '../fields.js';
import { placementChecksOut } from '../placement-checks.js';
import { similarNames } from '../../org/similar-names.js';
import { defineTool, READ_ONLY, type ToolCall } from '../registry.js';
import type { ServiceContext } from '../../context.js';
import type { OrgView } from '../../org/view.js';
import { typeNamesById } from '../../tenancy/settings.js';

/** The structural hierarchy: summary, org units (list, tree, detail), departments and teams. */

const unitType = z.enum(ORG_UNIT_TYPES);
const unitQuery = z.string().max(200).optional().describe('Case-insensitive part of the name, or the exact unit code.');
const unitItem = item({ name: z.string(), type: z.string() });
const metricsOut = z.looseObject({ headcount: z.number(), fte: z.number(), cost: costOut.optional() }).describe(`Roll-up metrics (with org-metrics.read): ${METRICS_NOTE}`);
/** A top-level unit of the summary: its headcount, FTE and, with costs.read, its loaded cost a year. */
const topUnitItem = unitItem.extend({
  annual_cost_minor: minorOut('With costs.read: the unit’s loaded cost a year, everything below it included'),
  currency: z.string().optional().describe('The reporting currency of annual_cost_minor'),
});

export const summaryTool = defineTool({
  name: 'org.summary',
  title: 'Organisation summary',
  description:
    'The big picture of the organisation in Live or a scenario: tenant and plan, headcount, FTE and (with costs.read) ' +
    'loaded cost totals, the top two levels of org units with their headcount, and how many scenarios and snapshots ' +
    'exist. With costs.read the totals’ cost also has `vacant_seats_annual_cost_minor` (budgeted, not paid), as `org.metrics.get` ' +
    'gives it; `placement_checks` counts the actors over- or under-allocated, unplaced or with no primary placement ' +
    '(`org.actors.list` with `placement_check` names them). Start an org review here, then drill down with ' +
    '`org.units.tree` or `org.units.get`.',
  purpose: 'org-review',
  inputSchema: z.object({ ...viewFields }),
  outputSchema: z.object({
    context: contextOut,
    tenant: z.looseObject({ slug: z.string(), name: z.string(), plan: z.string(), reporting_currency: z.string() }),
    totals: metricsOut.optional(),
    placement_checks: placementChecksOut.optional().describe(`With org-metrics.read, as \`org.metrics.get\` gives them. ${placementChecksOut.description}`),
    top_level_units: z.array(topUnitItem.extend({ children: z.array(topUnitItem).optional() })),
    scenario_counts: z.record(z.string(), z.number()).optional(),
    note: emptyOrgOut,
  }),
  annotations: READ_ONLY,
  requires: ['org-units.read'],
  example: {},
  async handler(ctx, input) {
    const summary = await summarizeOrg(ctx, viewRequest(input));
    return {
      context: contextOf(summary.view),
      tenant: summary.tenant,
      totals: summary.totals ?? undefined,
      placement_checks: summary.placementChecks ?? undefined,
      top_level_units: summary.topLevel,
      scenario_counts: summary.scenarioCounts ?? undefined,
      note: emptyOrgNote(summary.view),
    };
  },
});

export const unitsListTool = defineTool({
  name: 'org.units.list',
  title: 'List org units',
  description:
    'Org units (company, departments, teams, system units) as a flat, paginated list sorted by name, with parent (id and name), ' +
    'code, dates and department/team metadata. Filter by type, parent or a name search. Use `org.units.tree` for the ' +
    'hierarchy with metrics and `org.units.get` for one unit in depth.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    type: unitType.optional().describe('Only units of this type.'),
    parent_id: optionalId('Only the direct children of this org unit.'),
    query: unitQuery,
    include_inactive: includeInactive,
    ...pageFields,
  }),
  outputSchema: z.object({ context: contextOut, total: totalOut('org units'), org_units: z.array(unitItem), note: noMatchOut, next_cursor: nextCursor }),
  annotations: READ_ONLY,
  requires: ['org-units.read'],
  example: { type: 'department', limit: 20 },
  async handler(ctx, input, call) {
    const request = { ...viewRequest(input), type: input.type, parentId: input.parent_id, query: input.query };
    const { view, page, total } = await listOrgUnits(ctx, { ...request, ...pageRequest(input), includeInactive: input.include_inactive });
    const note = await noMatchNote({
      records: 'org unit',
      matching: (query) => `"${query}" in its name or as its code`,
      input,
      listed: page.items.length,
      filtered: Boolean(input.type || input.parent_id?.trim()),
      asOf: view.asOf,
      matchesInAnyPeriod: async () => (await listOrgUnits(ctx, { ...request, limit: 1, includeInactive: true })).page.items.length,
      similar: (query) => similarNames(ctx.principal, view, query, ['orgUnits']),
    });
    return {
      context: contextOf(view),
      total,
      org_units: withNames(ctx.principal, view, page.items, await typeNamesById(ctx)),
      note: note && call.catalog.renderNames(note, call.names),
      next_cursor: page.nextCursor ?? undefined,
    };
  },
});

/**
 * Nodes one tree answer holds at most. Each node carries its roll-up metrics (~0.5 KB of JSON): the default depth
 * of a 20,000-person organisation was ~175 KB, more than an assistant can read at once.
 */
export const MAX_TREE_NODES = 100;

export const unitsTreeTool = defineTool({
  name: 'org.units.tree',
  title: 'Org unit tree',
  description:
    'The org unit hierarchy as a nested tree, each node with roll-up metrics (headcount, FTE, spans, vacancies; cost ' +
    'with costs.read) for itself and everything below it — a summary unless `metrics: "full"`. Depth defaults to 3 levels; cut nodes keep `child_count`. ' +
    'Pass `root_id` to start below the top, `types` to keep only departments or teams; a node whose parent is left out names it in `parent`. A tree of more than ' +
    `${MAX_TREE_NODES} nodes is cut at a shallower depth (\`cut\` says where). Compare a scenario with Live ` +
    'by calling it twice, with and without `scenario_id`. Related: `org.units.get`, `org.metrics.get`.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    root_id: optionalId('Start the tree at this org unit instead of the top.'),
    depth: z.number().int().min(1).max(50).optional().describe('Levels to return, 1–50 (default 3).'),
    types: z.array(unitType).max(4).optional().describe('Keep only nodes of these types; each attaches to its nearest kept ancestor.'),
    include_inactive: includeInactive,
    metrics: z
      .enum(['summary', 'full'])
      .optional()
      .describe(
        'Per node: summary (default) — headcount, FTE, robots, agents, vacant positions, span average/narrow/wide, layers, annual cost (`annual_cost_minor` in `cost`); ' +
          'full — every figure org.metrics.get gives (about twice the size).',
      ),
  }),
  outputSchema: z.object({
    context: contextOut,
    roots: z.array(
      z.looseObject({
        id: z.string(),
        name: z.string(),
        type: z.string(),
        child_count: z.number(),
        parent: z
          .object({ id: z.string(), name: z.string() })
          .optional()
          .describe('The unit’s parent when it is not in the answer (left out by `types`, or above `root_id`): a team’s department'),
      }),
    ),
    total: metricsOut.optional(),
    cut: z
      .object({ depth: z.number(), note: z.string() })
      .optional()
      .describe('Present when the tree asked for was too large for one answer and was cut at a shallower depth'),
    note: emptyOrgOut,
  }),
  annotations: READ_ONLY,
  requires: ['org-units.read'],
  example: { depth: 2 },
  async handler(ctx, input) {
    const tree = await orgUnitTree(ctx, {
      ...viewRequest(input),
      rootId: input.root_id,
      depth: input.depth ?? 3,
      types: input.types,
      onlyActive: !input.include_inactive,
    });
    const fitted = fitTree(withParents(tree.roots, tree.view.graph.orgUnits));
    const roots = input.metrics === 'full' ? fitted.roots : summarised(fitted.roots);
    const note = input.root_id?.trim() ? undefined : emptyOrgNote(tree.view);
    return { context: contextOf(tree.view), roots, total: tree.total ?? undefined, cut: fitted.cut, note };
  },
});

/**
 * The nodes with the figures a reader of a hierarchy compares (size, open seats, shape, cost) instead of every
 * metric: ~700 characters a node in full, a tree of 45 departments and teams was 32 KB. `org.metrics.get` and
 * `org.units.get` give the rest for a unit.
 */
function summarised(nodes: TreeNode[]): TreeNode[] {
  return nodes.map((node) => ({ ...node, metrics: summaryMetrics(node.metrics), children: node.children && summarised(node.children) }));
}

type UnitMetrics = TreeNode['metrics'];

/** The summary figures of a unit's roll-up metrics (the tree's nodes, the department and team lists' items). */
function summaryMetrics(m: UnitMetrics): UnitMetrics {
  const metrics = m && {
    headcount: m.headcount,
    fte: m.fte,
    robots: m.robots,
    agents: m.agents,
    positions: { vacant: m.positions.vacant },
    span: { average: m.span.average, narrow: m.span.narrow, wide: m.span.wide },
    layers: m.layers,
    cost: m.cost && { annual: m.cost.annual },
  };
  return metrics as UnitMetrics;
}

/**
 * A department or team list's items with summary metrics unless `metrics: "full"`: a page of 50 teams with every
 * figure was ~35,000 characters on the demo organisation; `org.units.get` and `org.metrics.get` give the rest of one.
 */
function listMetrics<T extends { metrics: UnitMetrics | null }>(items: T[], detail: 'summary' | 'full' | undefined): T[] {
  return detail === 'full' ? items : items.map((item) => ({ ...item, metrics: summaryMetrics(item.metrics) }));
}

const metricsDetail = z
  .enum(['summary', 'full'])
  .optional()
  .describe(
    'Per item: summary (default) — headcount, FTE, robots, agents, vacant positions, span average/narrow/wide, layers, annual cost (`annual_cost_minor` in `cost`); ' +
      'full — every figure org.metrics.get gives (about three times the size).',
  );

/**
 * Each node whose parent is not in the answer, with that parent's id and name: with `types: ["team"]` the teams are
 * roots, and "which department is Platform in?" would take another call per team.
 */
function withParents(roots: TreeNode[], units: ReadonlyMap<string, OrgUnit>): TreeNode[] {
  const shown = new Set<string>();
  const collect = (nodes: TreeNode[]) => nodes.forEach((node) => (shown.add(node.id), node.children && collect(node.children)));
  collect(roots);
  const named = (nodes: TreeNode[]): TreeNode[] =>
    nodes.map((node) => {
      const parent = units.get(units.get(node.id)?.parentId ?? '');
      const { id, name, type, ...rest } = node;
      const out = parent && !shown.has(parent.id) ? { id, name, type, parent: { id: parent.id, name: parent.name }, ...rest } : { ...node };
      if (node.children) out.children = named(node.children);
      return out;
    });
  return named(roots);
}

/** The tree, or, when it has more than MAX_TREE_NODES nodes, cut at the deepest level that fits (roots always stay). */
function fitTree(roots: TreeNode[]): { roots: TreeNode[]; cut?: { depth: number; note: string } } {
  const perLevel: number[] = [];
  const count = (nodes: TreeNode[], level: number) => {
    perLevel[level] = (perLevel[level] ?? 0) + nodes.length;
    for (const node of nodes) if (node.children) count(node.children, level + 1);
  };
  count(roots, 0);
  let depth = 0;
  for (let nodes = 0; depth < perLevel.length && nodes + perLevel[depth]! <= MAX_TREE_NODES; depth++) nodes += perLevel[depth]!;
  if (depth === perLevel.length) return { roots };
  depth = Math.max(depth, 1);
  const prune = (nodes: TreeNode[], level: number): TreeNode[] =>
    nodes.map(({ children, ...node }) => (children && level < depth ? { ...node, children: prune(children, level + 1) } : node));
  const note =
    `Cut at depth ${depth}: the tree asked for has more than ${MAX_TREE_NODES} nodes. Cut nodes keep child_count; ` +
    'call again with root_id set to one of them (or with types) to go deeper.';
  return { roots: prune(roots, 1), cut: { depth, note } };
}

export const unitGetTool = defineTool({
  name: 'org.units.get',
  title: 'Org unit details',
  description:
    'One org unit in depth: type, code, dates, department or team metadata, its path from the top, its direct ' +
    'children and its roll-up metrics (cost with costs.read). Find ids with `org.units.list`, `org.units.tree` or ' +
    '`search`; list its people with `org.actors.list` (org_unit_id).',
  purpose: 'org-review',
  inputSchema: z.object({ org_unit_id: id('The org unit to show.'), ...viewFields }),
  outputSchema: z.object({ context: contextOut, org_unit: unitItem }),
  annotations: READ_ONLY,
  requires: ['org-units.read'],
  example: { org_unit_id: '<an id from org.units.list>' },
  async handler(ctx, input) {
    const { view, unit } = await getOrgUnit(ctx, input.org_unit_id.trim(), viewRequest(input));
    return { context: contextOf(view), org_unit: withNamesOne(ctx.principal, view, unit, await typeNamesById(ctx)) };
  },
});

export const departmentsTool = defineTool({
  name: 'org.departments.list',
  title: 'List departments',
  description:
    'Departments (org units of type department) with cost centre, lead and roll-up metrics, sorted by name and ' +
    'paginated; the metrics are a summary unless `metrics: "full"`; `query` keeps those with it in their name. Use `org.teams.list` for teams and `org.units.get` for one department with its children.',
  purpose: 'org-review',
  inputSchema: z.object({ ...viewFields, query: unitQuery, include_inactive: includeInactive, metrics: metricsDetail, ...pageFields }),
  outputSchema: z.object({ context: contextOut, total: totalOut('departments'), departments: z.array(unitItem), note: noMatchOut, next_cursor: nextCursor }),
  annotations: READ_ONLY,
  requires: ['org-units.read'],
  example: { limit: 20 },
  async handler(ctx, input, call) {
    const request = { ...viewRequest(input), query: input.query };
    const { view, page, total } = await listDepartments(ctx, { ...request, ...pageRequest(input), includeInactive: input.include_inactive });
    const note = await unitsOfTypeNote(ctx, call, {
      type: 'department',
      input,
      listed: page.items.length,
      filtered: false,
      view,
      matchesInAnyPeriod: async () => (await listDepartments(ctx, { ...request, limit: 1, includeInactive: true })).page.items.length,
    });
    return {
      context: contextOf(view),
      total,
      departments: withNames(ctx.principal, view, listMetrics(page.items, input.metrics), await typeNamesById(ctx)),
      note,
      next_cursor: page.nextCursor ?? undefined,
    };
  },
});

export const teamsTool = defineTool({
  name: 'org.teams.list',
  title: 'List teams',
  description:
    'Teams (org units of type team) with purpose, team type and roll-up metrics, sorted by name and paginated ' +
    '(metrics a summary unless `metrics: "full"`; a team whose manager is over span has a `wide` count above 0 in its span metrics). The team type reads by id and name. Filter by a name `query`, team type, or ' +
    '`without_manager` for teams nobody in them manages. Who leads a team: `org.spans.list` with its org_unit_id and `span: "all"`. ' +
    'Related: `org.departments.list`, `org.actors.list` (org_unit_id) for a team’s members.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    query: unitQuery,
    team_type_id: optionalId('Only teams of this team type (`org.settings.get` lists the team types by name).'),
    without_manager: z
      .boolean()
      .optional()
      .describe('true: only teams where nobody homed in the team manages anyone (span.managers 0): its people report to someone outside it, or to no one. Needs org-metrics.read.'),
    include_inactive: includeInactive,
    metrics: metricsDetail,
    ...pageFields,
  }),
  outputSchema: z.object({ context: contextOut, total: totalOut('teams'), teams: z.array(unitItem), note: noMatchOut, next_cursor: nextCursor }),
  annotations: READ_ONLY,
  requires: ['teams.read'],
  callRequires: (args) => (args.without_manager === true ? ['org-metrics.read'] : []),
  example: { limit: 20 },
  async handler(ctx, input, call) {
    const request = { ...viewRequest(input), query: input.query, teamTypeId: input.team_type_id, withoutManager: input.without_manager };
    const { view, page, total } = await listTeams(ctx, { ...request, ...pageRequest(input), includeInactive: input.include_inactive });
    const note = await unitsOfTypeNote(ctx, call, {
      type: 'team',
      input,
      listed: page.items.length,
      filtered: Boolean(input.team_type_id?.trim() || input.without_manager),
      view,
      matchesInAnyPeriod: async () => (await listTeams(ctx, { ...request, limit: 1, includeInactive: true })).page.items.length,
    });
    return {
      context: contextOf(view),
      total,
      teams: withNames(ctx.principal, view, listMetrics(page.items, input.metrics), await typeNamesById(ctx)),
      note,
      next_cursor: page.nextCursor ?? undefined,
    };
  },
});

/**
 * The note of a department or team list whose `query` found nothing, as `org.units.list` gives it: a match out of
 * the day, else the closest names of that type.
 */
async function unitsOfTypeNote(
  ctx: ServiceContext,
  call: ToolCall,
  request: { type: 'department' | 'team'; input: { query?: string; cursor?: string; include_inactive?: boolean }; listed: number; filtered: boolean; view: OrgView; matchesInAnyPeriod: () => Promise<number> },
): Promise<string | undefined> {
  const { type, view } = request;
  const note = await noMatchNote({
    records: type,
    matching: (query) => `"${query}" in its name or as its code`,
    input: request.input,
    listed: request.listed,
    filtered: request.filtered,
    asOf: view.asOf,
    matchesInAnyPeriod: request.matchesInAnyPeriod,
    similar: (query) => similarNames(ctx.principal, view, query, ['orgUnits'], { unitType: type }),
  });
  return note && call.catalog.renderNames(note, call.names);
}

export const structureTools = [summaryTool, unitsListTool, unitsTreeTool, unitGetTool, departmentsTool, teamsTool];
