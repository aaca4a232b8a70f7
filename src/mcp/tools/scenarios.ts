import { z } from 'zod';
import { getScenarioOverview, listScenarios } from '../../org/read-history.js';
import { SCENARIO_KINDS } from '../../scenarios/store.js';
import { id, item, nextCursor, pageFields, pageRequest } from '../fields.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** Finding and inspecting scenarios. Every org tool reads a scenario when given its `scenario_id`. */

const scenarioItem = item({ name: z.string(), kind: z.string(), state: z.string(), mutable: z.boolean() });

export const scenarioListTool = defineTool({
  name: 'scenario.list',
  title: 'List scenarios',
  description:
    'Scenarios of the tenant, newest first: planning scenarios (mutable while active; `submitted_at` when sent for ' +
    'review), applied ones (promoted, locked) and snapshots, with their source and revision. Then use ' +
    '`scenario.get` for what one changes, and pass its id as `scenario_id` to `org.metrics.get`, ' +
    '`org.units.tree` or `org.costs.rollup` to compare it with Live.',
  purpose: 'scenario-review',
  inputSchema: z.object({
    kind: z.enum(SCENARIO_KINDS).optional().describe('Only planning, applied or snapshot scenarios.'),
    state: z.enum(['active', 'archived']).optional().describe('Only active or archived scenarios.'),
    submitted: z.boolean().optional().describe('true = only scenarios submitted for review; false = only the others.'),
    ...pageFields,
  }),
  outputSchema: z.object({ scenarios: z.array(scenarioItem), next_cursor: nextCursor }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { kind: 'planning', state: 'active' },
  async handler(ctx, input) {
    const { page } = await listScenarios(ctx, { ...pageRequest(input), kind: input.kind, state: input.state, submitted: input.submitted });
    return { scenarios: page.items, next_cursor: page.nextCursor ?? undefined };
  },
});

export const scenarioGetTool = defineTool({
  name: 'scenario.get',
  title: 'Scenario details',
  description:
    'One scenario: kind, state, whether it can still be edited, what it branched from, its revision and how many ' +
    'records its overlay adds, changes and removes per family (org units, actors, placements…). Find ids with ' +
    '`scenario.list` or `org.snapshots.list`; read the scenario’s organisation with any org tool and `scenario_id`.',
  purpose: 'scenario-review',
  inputSchema: z.object({ scenario_id: id('The scenario or snapshot to show.') }),
  outputSchema: z.object({
    scenario: scenarioItem.extend({ changes: z.looseObject({ total: z.number(), by_family: z.record(z.string(), z.unknown()) }) }),
  }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { scenario_id: '<an id from scenario.list>' },
  async handler(ctx, input) {
    return getScenarioOverview(ctx, input.scenario_id);
  },
});

export const scenarioTools = [scenarioListTool, scenarioGetTool];
