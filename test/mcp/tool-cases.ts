import { AS_OF, fixtureIds } from '../support/fixture-org.js';
import type { McpWorld } from './support.js';

type Args = Record<string, unknown>;
type Ids = ReturnType<typeof fixtureIds>;

/**
 * Arguments for a successful first call of every tool on the fixture org. The registry test requires an entry
 * for each tool, so a new tool cannot skip the per-tool matrix (tools.test.ts).
 */
const VALID_ARGS: Record<string, (world: McpWorld) => Args> = {
  'capability.list': () => ({}),
  'capability.explain': () => ({ name: 'org.units.list' }),
  'org.review.guide': () => ({}),
  'scenario.review.guide': () => ({}),
  'org.summary': () => ({ as_of: AS_OF }),
  'org.units.list': () => ({ as_of: AS_OF }),
  'org.units.tree': () => ({ as_of: AS_OF }),
  'org.units.get': (w) => ({ org_unit_id: w.ids.units.P, as_of: AS_OF }),
  'org.departments.list': () => ({ as_of: AS_OF }),
  'org.teams.list': () => ({ as_of: AS_OF }),
  'org.actors.list': () => ({ as_of: AS_OF }),
  'org.actors.get': (w) => ({ actor_id: w.ids.id('p1'), as_of: AS_OF }),
  'org.reporting_lines.list': () => ({ as_of: AS_OF }),
  'org.placements.list': () => ({ as_of: AS_OF }),
  'org.positions.list': () => ({ as_of: AS_OF }),
  'org.metrics.get': () => ({ as_of: AS_OF }),
  'org.spans.list': () => ({ as_of: AS_OF, span: 'all' }),
  'org.costs.rollup': () => ({ as_of: AS_OF }),
  'org.lineage.list': () => ({}),
  'org.snapshots.list': () => ({}),
  'org.activity.list': () => ({}),
  'org.settings.get': () => ({}),
  'org.operations.status': () => ({ limit: 5 }),
  'scenario.list': () => ({}),
  'scenario.get': (w) => ({ scenario_id: w.scenario.id }),
  'scenario.delta': (w) => ({ scenario_id: w.scenario.id, as_of: AS_OF }),
  'scenario.metrics.delta': (w) => ({ scenario_id: w.scenario.id, as_of: AS_OF }),
  'scenario.action.plan': (w) => ({ scenario_id: w.scenario.id, changes: [{ op: 'set_fte', actor_id: w.ids.id('p1'), fte: 0.9 }] }),
  'scenario.action.plan_discard': (w) => ({ scenario_id: w.edited.id, records: [{ family: 'actor', record_id: w.ids.id('m1') }] }),
  'scenario.action.confirm': (w) => ({ proposal_id: w.proposals.confirm }),
  'scenario.action.cancel': (w) => ({ proposal_id: w.proposals.cancel }),
  search: () => ({ query: 'p' }),
  fetch: (w) => ({ id: `actor:${w.ids.id('p1')}` }),
};

export const TOOLS_WITH_CASES = Object.keys(VALID_ARGS);

export function validArgs(world: McpWorld): Record<string, Args> {
  return Object.fromEntries(Object.entries(VALID_ARGS).map(([name, build]) => [name, build(world)]));
}

/** Calls that name records by id, built from another tenant's ids: each must answer "not found". */
export function foreignIdArgs(ids: Ids, scenarioId: string, proposalId = ''): Record<string, Args[]> {
  return {
    'org.units.get': [{ org_unit_id: ids.units.P }],
    'org.actors.get': [{ actor_id: ids.id('p1') }],
    'org.actors.list': [{ org_unit_id: ids.units.P }],
    'org.units.list': [{ parent_id: ids.units.E }],
    'org.reporting_lines.list': [{ manager_id: ids.id('eng_head') }, { actor_id: ids.id('p1') }],
    'org.placements.list': [{ actor_id: ids.id('p1') }, { org_unit_id: ids.units.P }, { position_id: ids.id('pos_p1') }],
    'org.positions.list': [{ org_unit_id: ids.units.P }],
    'org.metrics.get': [{ org_unit_id: ids.units.P }],
    'org.spans.list': [{ org_unit_id: ids.units.P }],
    'org.costs.rollup': [{ org_unit_id: ids.units.P }],
    'org.units.tree': [{ root_id: ids.units.P }],
    'scenario.get': [{ scenario_id: scenarioId }],
    'scenario.delta': [{ scenario_id: scenarioId }],
    'scenario.metrics.delta': [{ scenario_id: scenarioId }],
    'scenario.action.plan': [{ scenario_id: scenarioId, changes: [{ op: 'set_fte', actor_id: ids.id('p1'), fte: 0.9 }] }],
    'scenario.action.plan_discard': [{ scenario_id: scenarioId, records: [{ family: 'actor', record_id: ids.id('p1') }] }],
    'scenario.action.confirm': [{ proposal_id: proposalId }],
    'scenario.action.cancel': [{ proposal_id: proposalId }],
    fetch: [{ id: `org-unit:${ids.units.P}` }, { id: `actor:${ids.id('p1')}` }],
  };
}

/** The tools `foreignIdArgs` covers (known before any world exists, for it.each). */
export const FOREIGN_ID_TOOLS = Object.keys(foreignIdArgs(fixtureIds('names'), ''));

/** Tools whose result carries money for a principal with costs.read on the fixture world (the detector's check). */
export const MONEY_TOOLS = [
  'org.summary',
  'org.units.tree',
  'org.units.get',
  'org.departments.list',
  'org.teams.list',
  'org.actors.get',
  'org.positions.list',
  'org.metrics.get',
  'org.costs.rollup',
  'org.lineage.list',
  'org.activity.list',
  'org.settings.get',
  'scenario.delta',
  'scenario.metrics.delta',
  'scenario.action.plan',
  'fetch',
];

const MONEY_FIELD = /"([a-z_]*_minor|cost|annual|monthly|per_fte|annual_cost|target_salary|day_rate|compensation|annual_loaded_cost|annual_cost_minor|rate_to_reporting|cost_settings|burden_pct)":/;
const MONEY_TEXT = /loaded cost|\d EUR\b/i;

/** Whether a tool result shows any money figure: a money field, or money in a readable `text` (fetch). */
export function showsMoney(result: { structuredContent?: unknown }): boolean {
  const structured = (result.structuredContent ?? {}) as { text?: unknown };
  return MONEY_FIELD.test(JSON.stringify(structured)) || (typeof structured.text === 'string' && MONEY_TEXT.test(structured.text));
}
