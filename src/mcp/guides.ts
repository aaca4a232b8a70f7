import type { Principal } from '../access/policy.js';
import type { Catalog } from './catalog.js';
import { MONEY_UNITS } from './fields.js';
import { listedName, needsFor, satisfies, type NameStyle } from './registry.js';

/**
 * Step-by-step review workflows for assistants, pointing at the tools to call. Offered three ways — as tools (for
 * clients that only show tools), as prompts and as resources — all rendered from these definitions and the live
 * catalog: a step whose tools are not registered is left out, so a guide never names a tool that does not exist
 * (a step for the person, with no tools, is kept).
 */

interface GuideStep {
  goal: string;
  /** Tool names in backticks are rendered in the tenant's naming style. */
  how: string;
  /** Dotted names of the tools the step uses; none for a step the person takes. */
  tools: string[];
}

export interface Guide {
  id: 'org-review' | 'scenario-review';
  title: string;
  summary: string;
  steps: GuideStep[];
  tips: string[];
}

const COMMON_TIPS = [
  'Every org tool reads Live by default; pass `scenario_id` to read a scenario or snapshot and `as_of` (YYYY-MM-DD) for another day.',
  'Lists are paginated: pass the returned `next_cursor` as `cursor` to continue; `limit` is 1–500 (default 25); a page cut short says `truncated: true` and, in `more`, how to read the rest or narrow it.',
  `Money appears only with the costs.read ability; without it cost fields are simply absent, not zero. ${MONEY_UNITS}`,
  'An error result names what is wrong and how to fix it — a missing ability, an unknown id or an invalid argument.',
];

export const ORG_REVIEW: Guide = {
  id: 'org-review',
  title: 'Review the organisation',
  summary: 'From the big picture to units, people, capacity, metrics, cost and history.',
  steps: [
    { goal: 'Get the big picture', how: 'Call `org.summary` for headcount, FTE, cost, the top levels and scenario counts.', tools: ['org.summary'] },
    {
      goal: 'Walk the structure',
      how: 'Call `org.units.tree` (depth 2–3) for the hierarchy with roll-up metrics, then `org.units.get` on a unit of interest. `org.departments.list` and `org.teams.list` give flat lists.',
      tools: ['org.units.tree', 'org.units.get', 'org.departments.list', 'org.teams.list'],
    },
    {
      goal: 'Look at the people',
      how: 'Call `org.actors.list` with `org_unit_id` for a unit’s members (`include_subunits: true` for everyone below a department) or with `query` to find someone by name or title (`search` finds units and people at once; its ids work in every tool), `org.actors.get` for one person, `org.reporting_lines.list` with `manager_id` for direct reports.',
      tools: ['org.actors.list', 'search', 'org.actors.get', 'org.reporting_lines.list'],
    },
    {
      goal: 'Check capacity and open seats',
      how:
        'Call `org.placements.list` for allocations and shared people, `org.positions.list` with `status: "vacant"` for open seats (a department’s: its `org_unit_id` with `include_subunits: true`). ' +
        'Check the `placement_checks` of `org.metrics.get` (or `org.summary`): how many actors are over-allocated, under-allocated, unplaced or without a primary placement — all 0 is clean. ' +
        'For a count above 0, `org.actors.list` with that `placement_check` names them, and `org.actors.get` shows one’s placements and `total_allocation_pct`.',
      tools: ['org.placements.list', 'org.positions.list', 'org.metrics.get', 'org.actors.list', 'org.actors.get'],
    },
    {
      goal: 'Assess the shape',
      how: 'Call `org.metrics.get` for the whole organisation and for the units that stand out: span of control, layers, manager:IC ratio, vacancy rate. When it counts narrow or wide spans, `org.spans.list` names those managers; for a threshold of the person’s own ("spans over 8") pass it `min_direct_reports: 9`.',
      tools: ['org.metrics.get', 'org.spans.list'],
    },
    {
      goal: 'Follow the money',
      how: 'Call `org.costs.rollup` for loaded cost per unit and `org.settings.get` for the currency, rates and burden behind it.',
      tools: ['org.costs.rollup', 'org.settings.get'],
    },
    {
      goal: 'See how it got here',
      how: 'Call `org.lineage.list` for promotions and restores, `org.snapshots.list` for earlier states and `org.activity.list` for who changed what (`scope: "live"` with `since` for what changed in Live lately, leaving out changes drafted in scenarios).',
      tools: ['org.lineage.list', 'org.snapshots.list', 'org.activity.list'],
    },
    {
      goal: 'Try a change',
      how: 'Changes are drafted in a planning scenario, never in Live: follow `scenario.review.guide` — review with `scenario.delta`, draft with `scenario.action.plan`, apply with `scenario.action.confirm` only after the person agrees.',
      tools: ['scenario.review.guide', 'scenario.action.plan'],
    },
  ],
  tips: COMMON_TIPS,
};

export const SCENARIO_REVIEW: Guide = {
  id: 'scenario-review',
  title: 'Review a scenario and draft changes',
  summary: 'Find a scenario, see what it changes against its source or Live, then draft changes for the person to confirm.',
  steps: [
    {
      goal: 'Find the scenario',
      how: 'Call `scenario.list` (kind "planning", state "active"; `editable` ones you can draft changes in — `cannot_draft` says why when none is, `submitted` ones were sent for review) or `org.snapshots.list` for snapshots.',
      tools: ['scenario.list', 'org.snapshots.list'],
    },
    { goal: 'See what it is', how: 'Call `scenario.get` for its source, revision and how many records it adds, changes and removes.', tools: ['scenario.get'] },
    {
      goal: 'See what it changes',
      how: 'Call `scenario.delta` for the changed records by family (field by field), the conflicts a person must resolve, and the metric deltas; `compare: "live"` compares with Live instead of its source.',
      tools: ['scenario.delta'],
    },
    {
      goal: 'Weigh the numbers',
      how: 'Call `scenario.metrics.delta` for headcount, FTE, spans, layers, vacancies and (with costs.read) cost, in total and per org unit (`org_unit_id` for one); its total also counts the actors failing each placement check (`over_allocated`, `under_allocated`, `unplaced`, `no_primary`: lower is better). For full figures call `org.metrics.get` or `org.costs.rollup` with the `scenario_id`.',
      tools: ['scenario.metrics.delta', 'org.metrics.get', 'org.costs.rollup'],
    },
    {
      goal: 'Look at the result',
      how: 'Call `org.units.tree`, `org.actors.list`, `org.placements.list` and `org.reporting_lines.list` with the `scenario_id` to see the structure and people as the scenario has them; they also give the ids changes refer to.',
      tools: ['org.units.tree', 'org.actors.list', 'org.placements.list', 'org.reporting_lines.list'],
    },
    {
      goal: 'Draft changes',
      how: 'Call `scenario.action.plan` with an editable `scenario_id` and the `changes` (each `{ op, …fields }`; `capability.explain` lists every op). To undo some of the scenario’s own changes instead (drop a unit it added, put a value back), call `scenario.action.plan_discard` with the records `scenario.delta` lists. Nothing is applied: you get a `proposal_id`, a preview and an expiry. With no editable scenario, ask the person to create one on the Scenarios page of the web app: scenarios are not created over MCP.',
      tools: ['scenario.action.plan', 'scenario.action.plan_discard'],
    },
    {
      goal: 'Show the preview to the person',
      how: 'Present the records and metric impact of the preview and ask whether to apply it. Do not confirm on your own.',
      tools: [],
    },
    {
      goal: 'Apply after they agree',
      how: 'Call `scenario.action.confirm` with the `proposal_id` once they agree (again returns the same outcome); if they decline, `scenario.action.cancel`. If it is refused as stale, review and plan again.',
      tools: ['scenario.action.confirm', 'scenario.action.cancel'],
    },
  ],
  tips: [
    ...COMMON_TIPS,
    'Nothing here changes Live: confirmed changes land in the planning scenario, and a person promotes it in the web app.',
  ],
};

export const GUIDES: readonly Guide[] = [ORG_REVIEW, SCENARIO_REVIEW];

/** A guide for one caller: steps with the tool names they should call and whether they may call them now. */
export function renderGuide(guide: Guide, catalog: Catalog, style: NameStyle, principal: Principal) {
  const steps = guide.steps
    .map((step) => ({ ...step, declared: step.tools.length, tools: step.tools.map((name) => catalog.find(name)).filter((tool) => tool !== undefined) }))
    // A step for the person (no tools) stays; a step whose tools are all missing from this catalog goes.
    .filter((step) => step.tools.length > 0 || step.declared === 0)
    .map((step, index) => ({
      step: index + 1,
      goal: step.goal,
      how: catalog.renderNames(step.how, style),
      tools: step.tools.map((tool) => ({
        name: listedName(tool, style),
        available_now: satisfies(needsFor(tool, {}), principal.abilities),
      })),
    }));
  return {
    guide: guide.id,
    title: guide.title,
    summary: guide.summary,
    steps,
    tips: guide.tips.map((tip) => catalog.renderNames(tip, style)),
  };
}

export type RenderedGuide = ReturnType<typeof renderGuide>;

/** The same guide as Markdown, for prompts and resources. */
export function guideMarkdown(guide: RenderedGuide): string {
  const steps = guide.steps.map((s) => {
    const unavailable = s.tools.filter((t) => !t.available_now).map((t) => t.name);
    const note = unavailable.length ? ` (not available to you now: ${unavailable.join(', ')})` : '';
    return `${s.step}. **${s.goal}.** ${s.how}${note}`;
  });
  return [`# ${guide.title}`, '', guide.summary, '', ...steps, '', '## Tips', ...guide.tips.map((t) => `- ${t}`), ''].join('\n');
}
