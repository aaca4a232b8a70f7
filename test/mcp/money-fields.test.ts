import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { AS_OF } from '../support/fixture-org.js';
import { connect, structured, withConnections, principalOf, type Connection, type McpWorld } from './support.js';

/**
 * Every money figure an assistant reads, in every tool, follows one convention (docs/MCP.md, "Money"): a flat
 * integer field ending in `_minor` whose name says what it is and its period (`annual_cost_minor`,
 * `monthly_cost_minor`, `annual_cost_per_fte_minor`, `vacant_seats_annual_cost_minor`; pay as the change ops take it:
 * `target_salary_minor`, `day_rate_minor`, a compensation's `amount_minor` with its `kind`), with the ISO currency
 * beside it as `currency` on the same object. No `{amount_minor, currency}` objects, no `annual` / `per_fte` /
 * `annual_loaded_cost` spellings. Without costs.read none of it is there.
 */

let world: McpWorld;
let owner: Connection;
let noCosts: Connection;
withConnections(['owner'], (w, connections) => {
  world = w;
  owner = connections.owner;
});

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

/** Every [path, key, value, holder] of a JSON value. */
function entries(value: unknown, path = ''): [string, string, unknown, Record<string, unknown>][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => entries(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  return Object.entries(record).flatMap(([key, field]) => [[`${path}.${key}`, key, field, record] as [string, string, unknown, Record<string, unknown>], ...entries(field, `${path}.${key}`)]);
}

const OLD_SPELLINGS = new Set(['annual', 'monthly', 'per_fte', 'vacant_seats_annual', 'annual_cost', 'annual_loaded_cost', 'target_salary', 'day_rate', 'amount']);

/** What breaks the convention in a result: money objects, old names, a `_minor` figure without its currency beside it. */
function offences(result: unknown): string[] {
  const found: string[] = [];
  for (const [path, key, value, holder] of entries(result)) {
    if (OLD_SPELLINGS.has(key)) found.push(`${path}: old spelling`);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'amount_minor' in value && 'currency' in value && !('kind' in value)) {
      found.push(`${path}: a money object`);
    }
    if (key.endsWith('_minor') && typeof value === 'number' && typeof holder.currency !== 'string' && typeof holder[`${key.slice(0, -6)}_currency`] !== 'string') {
      found.push(`${path}: no currency beside it`);
    }
  }
  return found;
}

const MONEY_TOOLS: [string, (w: McpWorld) => Record<string, unknown>][] = [
  ['org_summary', () => ({ as_of: AS_OF })],
  ['org_metrics_get', () => ({ as_of: AS_OF })],
  ['org_costs_rollup', () => ({ as_of: AS_OF })],
  ['org_units_tree', () => ({ as_of: AS_OF, metrics: 'full' })],
  ['org_units_get', (w) => ({ org_unit_id: w.ids.units.P, as_of: AS_OF })],
  ['org_departments_list', () => ({ as_of: AS_OF })],
  ['org_teams_list', () => ({ as_of: AS_OF })],
  ['org_positions_list', () => ({ as_of: AS_OF })],
  ['org_actors_get', (w) => ({ actor_id: w.ids.id('sales_head'), as_of: AS_OF })],
  ['fetch', (w) => ({ id: `actor:${w.ids.id('p1')}` })],
  ['scenario_metrics_delta', (w) => ({ scenario_id: w.edited.id, as_of: AS_OF })],
];

describe('one money convention across the MCP tools', () => {
  it.each(MONEY_TOOLS)('%s: flat *_minor figures with their currency beside them', async (tool, args) => {
    const result = await owner.call(tool, args(world));
    const content = structured(result);
    expect(offences(content)).toEqual([]);
    expect(textOf(result)).toBe(JSON.stringify(content));
  });

  it('a cost block names unit and period: annual, monthly, per FTE a year, vacant seats a year', async () => {
    const { metrics } = structured<{ metrics: { cost: Record<string, unknown> } }>(await owner.call('org_metrics_get', { as_of: AS_OF }));
    expect(Object.keys(metrics.cost)).toEqual(
      expect.arrayContaining(['currency', 'annual_cost_minor', 'monthly_cost_minor', 'annual_cost_per_fte_minor', 'vacant_seats_annual_cost_minor', 'without_compensation']),
    );
    expect(metrics.cost.currency).toBe('EUR');
    // F's pay in GBP has no rate: the figures say which currency they leave out, once, beside them.
    expect(metrics.cost.unconvertible).toEqual(['GBP']);
    expect(metrics.cost.monthly_cost_minor).toBe(Math.round((metrics.cost.annual_cost_minor as number) / 12));
  });

  it('a cost roll-up row has the same figures as a metrics cost block, flat in the row', async () => {
    const rollup = structured<{ total: Record<string, unknown>; org_units: Record<string, unknown>[] }>(await owner.call('org_costs_rollup', { as_of: AS_OF }));
    const metrics = structured<{ metrics: { cost: Record<string, unknown> } }>(await owner.call('org_metrics_get', { as_of: AS_OF }));
    expect(rollup.total.annual_cost_minor).toEqual(expect.any(Number));
    for (const field of ['currency', 'annual_cost_minor', 'monthly_cost_minor', 'annual_cost_per_fte_minor', 'vacant_seats_annual_cost_minor']) {
      expect(rollup.total[field], field).toEqual(metrics.metrics.cost[field]);
    }
  });

  it('a summary’s top units and a seat’s loaded cost are annual_cost_minor, as every other annual cost', async () => {
    const summary = structured<{ top_level_units: Record<string, unknown>[]; totals: { cost: Record<string, unknown> } }>(await owner.call('org_summary', { as_of: AS_OF }));
    expect(summary.top_level_units[0]!.annual_cost_minor).toBe(summary.totals.cost.annual_cost_minor);
    expect(summary.top_level_units[0]!.currency).toBe('EUR');
    const { positions } = structured<{ positions: Record<string, unknown>[] }>(await owner.call('org_positions_list', { as_of: AS_OF }));
    const seat = positions.find((p) => p.id === world.ids.id('pos_p1'))!;
    expect(seat).toMatchObject({ target_salary_minor: 9_000_000, currency: 'EUR', annual_cost_minor: expect.any(Number) });
  });

  it('an actor paid in USD: pay in its own currency, loaded cost in the reporting currency, each said', async () => {
    const { actor } = structured<{ actor: Record<string, unknown> & { compensation: Record<string, unknown>[] } }>(
      await owner.call('org_actors_get', { actor_id: world.ids.id('sales_head'), as_of: AS_OF }),
    );
    expect(actor).toMatchObject({ annual_cost_minor: expect.any(Number), currency: 'EUR' });
    expect(actor.compensation[0]).toMatchObject({ kind: 'salary', amount_minor: 12_000_000, currency: 'USD' });
  });

  it('fetch text writes the figure with its currency', async () => {
    const fetched = structured<{ text: string }>(await owner.call('fetch', { id: `actor:${world.ids.id('p1')}` }));
    expect(fetched.text).toMatch(/Annual loaded cost: [\d,.]+ EUR/);
  });
});

describe('without costs.read, no money at all (unchanged)', () => {
  it.each(MONEY_TOOLS.filter(([tool]) => tool !== 'org_costs_rollup'))('%s', async (tool, args) => {
    noCosts ??= await connect(world, principalOf(world.tenant, 'owner', { userId: 'no-costs', kind: 'api_token', abilities: withoutCosts() }));
    const result = await noCosts.call(tool, args(world));
    const money = entries(structured(result))
      .map(([path, key]) => [path, key] as const)
      .filter(([, key]) => key.endsWith('_minor') || key === 'currency' || key === 'unconvertible' || key === 'compensation' || key === 'cost' || OLD_SPELLINGS.has(key));
    expect(money).toEqual([]);
    expect(textOf(result)).not.toMatch(/_minor|loaded cost/i);
  });

  it.each<[string, (w: McpWorld) => Record<string, unknown>]>([
    ['org_activity_list', () => ({ entity_type: 'compensation' })],
    ['org_lineage_list', () => ({})],
    ['scenario_delta', (w) => ({ scenario_id: w.edited.id, as_of: AS_OF })],
  ])('%s (pay in its events, deltas and records)', async (tool, args) => {
    noCosts ??= await connect(world, principalOf(world.tenant, 'owner', { userId: 'no-costs', kind: 'api_token', abilities: withoutCosts() }));
    const [withCosts, without] = [await owner.call(tool, args(world)), await noCosts.call(tool, args(world))];
    expect(textOf(withCosts)).toMatch(/_minor/); // there is money to hide
    expect(textOf(without)).not.toMatch(/_minor|"currency"/);
  });

  it('org_costs_rollup is refused naming costs.read', async () => {
    const result = await noCosts.call('org_costs_rollup', { as_of: AS_OF });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('costs.read');
  });
});

function withoutCosts() {
  return [
    'org-units.read',
    'teams.read',
    'actors.read',
    'placements.read',
    'positions.read',
    'org-metrics.read',
    'scenarios.read',
    'activity.read',
    'mcp.access',
  ] as never;
}
