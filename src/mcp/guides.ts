import type { Principal } from '../access/policy.js';
import type { Catalog } from './catalog.js';
import { abilitiesFor, listedName, type NameStyle } from './registry.js';

/**
 * Step-by-step review workflows for assistants, pointing at the tools to call. Offered three ways — as tools (for
 * clients that only show tools), as prompts and as resources — all rendered from these definitions and the live
 * catalog: a step whose tools are not registered is left out, so a guide never names a tool that does not exist.
 */

interface GuideStep {
  goal: string;
  /** Tool names in backticks are rendered in the tenant's naming style. */
  how: string;
  /** Dotted names of the tools the step uses. */
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
  'Lists are paginated: pass the returned `next_cursor` as `cursor` to continue; `limit` is 1–500 (default 50).',
  'Money appears only with the costs.read ability; without it cost fields are simply absent, not zero.',
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
      how: 'Call `org.actors.list` with `org_unit_id` for a unit’s members, `org.actors.get` for one person, `org.reporting_lines.list` with `manager_id` for direct reports.',
      tools: ['org.actors.list', 'org.actors.get', 'org.reporting_lines.list'],
    },
    {
      goal: 'Check capacity and open seats',
      how: 'Call `org.placements.list` for allocations and shared people, `org.positions.list` with `status: "vacant"` for open seats.',
      tools: ['org.placements.list', 'org.positions.list'],
    },
    {
      goal: 'Assess the shape',
      how: 'Call `org.metrics.get` for the whole organisation and for the units that stand out: span of control, layers, manager:IC ratio, vacancy rate.',
      tools: ['org.metrics.get'],
    },
    {
      goal: 'Follow the money',
      how: 'Call `org.costs.rollup` for loaded cost per unit and `org.settings.get` for the currency, rates and burden behind it.',
      tools: ['org.costs.rollup', 'org.settings.get'],
    },
    {
      goal: 'See how it got here',
      how: 'Call `org.lineage.list` for promotions and restores, `org.snapshots.list` for earlier states and `org.activity.list` for who changed what.',
      tools: ['org.lineage.list', 'org.snapshots.list', 'org.activity.list'],
    },
  ],
  tips: COMMON_TIPS,
};

export const SCENARIO_REVIEW: Guide = {
  id: 'scenario-review',
  title: 'Review a scenario against Live',
  summary: 'Find a scenario, see what it changes and compare its structure, metrics and cost with Live.',
  steps: [
    {
      goal: 'Find the scenario',
      how: 'Call `scenario.list` (kind "planning", state "active"; `submitted: true` for those sent for review) or `org.snapshots.list` for snapshots.',
      tools: ['scenario.list', 'org.snapshots.list'],
    },
    { goal: 'See what it changes', how: 'Call `scenario.get` for its source, revision and the records it adds, changes and removes.', tools: ['scenario.get'] },
    {
      goal: 'Compare the shape',
      how: 'Call `org.metrics.get` twice — with the `scenario_id` and without — and compare headcount, FTE, spans, layers and vacancies; repeat with `org_unit_id` for the units it touches.',
      tools: ['org.metrics.get'],
    },
    {
      goal: 'Compare the structure',
      how: 'Call `org.units.tree` with and without `scenario_id` to see moved, added or closed units.',
      tools: ['org.units.tree'],
    },
    {
      goal: 'Compare the cost',
      how: 'Call `org.costs.rollup` with and without `scenario_id` (needs costs.read).',
      tools: ['org.costs.rollup'],
    },
    {
      goal: 'Check the people moves',
      how: 'Call `org.actors.list` and `org.placements.list` with the `scenario_id` for the affected units; `org.reporting_lines.list` for new managers.',
      tools: ['org.actors.list', 'org.placements.list', 'org.reporting_lines.list'],
    },
  ],
  tips: COMMON_TIPS,
};

export const GUIDES: readonly Guide[] = [ORG_REVIEW, SCENARIO_REVIEW];

/** A guide for one caller: steps with the tool names they should call and whether they may call them now. */
export function renderGuide(guide: Guide, catalog: Catalog, style: NameStyle, principal: Principal) {
  const steps = guide.steps
    .map((step) => ({ ...step, tools: step.tools.map((name) => catalog.find(name)).filter((tool) => tool !== undefined) }))
    .filter((step) => step.tools.length > 0)
    .map((step, index) => ({
      step: index + 1,
      goal: step.goal,
      how: catalog.renderNames(step.how, style),
      tools: step.tools.map((tool) => ({
        name: listedName(tool, style),
        available_now: abilitiesFor(tool, {}).every((ability) => principal.abilities.has(ability)),
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
