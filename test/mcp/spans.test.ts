import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { insertScenario } from '../../src/scenarios/store.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { buildTenant, writeGraph } from '../support/factories.js';
import { fixtureIds } from '../support/fixture-org.js';
import { AS_OF, buildSpanOrg } from '../support/span-org.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * org.spans.list through the official SDK client: an assistant asking "which managers have too many or too few
 * reports?" gets them by name, in Live and in a scenario, per unit and page by page; refusals are isError results.
 */

let world: McpWorld;
let spans: Tenant;
let owner: Connection;
let scenarioId: string;
const S = fixtureIds('mcp-spans');

type Managers = {
  span: string;
  context: { scenario_id?: string; as_of: string };
  managers: { id: string; display_name: string; direct_reports: number; span: string; layer: number; title?: string; home_org_unit: { id: string; name?: string } }[];
  next_cursor?: string;
};
const names = (result: Managers) => result.managers.map((m) => `${m.display_name}:${m.direct_reports}:${m.span}`);

beforeAll(async () => {
  world = await buildWorld();
  spans = await buildTenant(world.database, { plan: 'enterprise', name: 'Spans' });
  spans = await writeGraph(world.database, spans, buildSpanOrg('mcp-spans'));
  const scenario = await insertScenario(world.database.db, spans.id, { name: 'Rebalance field', kind: 'planning', liveVersion: spans.liveVersion });
  scenarioId = scenario.id;
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: spans, principal: principalOf(spans, 'owner') };
  await applyBatch(ctx, scenarioId, [{ op: 'set_manager', actor_id: S.id('field15'), manager_id: S.id('hub'), date: AS_OF }]);
  owner = await connect(world, principalOf(spans, 'owner'), { tenant: spans });
});

afterAll(async () => {
  await owner?.close();
  await world?.database.close();
});

describe('org.spans.list', () => {
  it('is listed for org review, read-only, and org.metrics.get points to it', async () => {
    const { tools } = await owner.client.listTools();
    const tool = tools.find((t) => t.name === 'org_spans_list')!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tool.description).toContain('narrow = 2 or fewer direct reports, wide = 15 or more');
    expect(tool.outputSchema).toBeDefined();
    expect(tools.find((t) => t.name === 'org_metrics_get')!.description).toContain('`org_spans_list`');
  });

  it('names the wide managers, most reports first, then the narrow ones, fewest first', async () => {
    const result = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF }));
    expect(result.span).toBe('outliers');
    expect(names(result)).toEqual(['Bea Boss:15:wide', 'Sol Solo:1:narrow', 'ceo:2:narrow']);
    expect(result.managers[0]).toMatchObject({ id: S.id('boss'), title: 'Head of Field Ops', layer: 3, home_org_unit: { id: S.units.F, name: 'Field' } });
    expect(result.next_cursor).toBeUndefined();
    // The same numbers org.metrics.get counts.
    const metrics = structured<{ metrics: { span: { narrow: number; wide: number } } }>(await owner.call('org_metrics_get', { as_of: AS_OF }));
    expect(metrics.metrics.span).toMatchObject({ narrow: 2, wide: 1 });
  });

  it('reads a scenario, where a manager change moves Hugo Hub into the wide list and Bea Boss out of it', async () => {
    const result = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, scenario_id: scenarioId, span: 'wide' }));
    expect(result.context.scenario_id).toBe(scenarioId);
    expect(names(result)).toEqual(['Hugo Hub:15:wide']);
  });

  it('keeps to one unit and below, and pages with a cursor that is refused once the filters change', async () => {
    expect(names(structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, span: 'all', org_unit_id: S.units.E })))).toEqual([
      'Hugo Hub:14:ok',
      'eng_head:5:ok',
      'Sol Solo:1:narrow',
    ]);
    const first = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, span: 'all', limit: 4 }));
    expect(names(first)).toEqual(['Bea Boss:15:wide', 'Hugo Hub:14:ok', 'eng_head:5:ok', 'sales_head:3:ok']);
    const second = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, span: 'all', limit: 4, cursor: first.next_cursor }));
    expect(names(second)).toEqual(['ceo:2:narrow', 'Sol Solo:1:narrow']);
    expect(second.next_cursor).toBeUndefined();
    const refused = errorOf(await owner.call('org_spans_list', { as_of: AS_OF, span: 'narrow', limit: 4, cursor: first.next_cursor }));
    expect(refused).toMatchObject({ code: 'invalid_input', field: 'cursor' });
    expect(refused.message).toContain('filters changed');
  });

  it('answers "spans over 4" with every manager above the threshold, whatever their class, and refuses an inverted range', async () => {
    // Hugo Hub (14) and eng_head (5) are "ok" by class: the outliers default would have left them out.
    const over = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, min_direct_reports: 5 }));
    expect(over.span).toBe('all');
    expect(names(over)).toEqual(['Bea Boss:15:wide', 'Hugo Hub:14:ok', 'eng_head:5:ok']);
    const band = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, min_direct_reports: 2, max_direct_reports: 3 }));
    expect(names(band)).toEqual(['sales_head:3:ok', 'ceo:2:narrow']);
    // With a class as well, both apply.
    expect(names(structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, span: 'narrow', max_direct_reports: 1 })))).toEqual(['Sol Solo:1:narrow']);
    // Pages keep the threshold: a cursor of another threshold is refused.
    const first = structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, min_direct_reports: 5, limit: 2 }));
    expect(names(first)).toEqual(['Bea Boss:15:wide', 'Hugo Hub:14:ok']);
    expect(names(structured<Managers>(await owner.call('org_spans_list', { as_of: AS_OF, min_direct_reports: 5, limit: 2, cursor: first.next_cursor })))).toEqual(['eng_head:5:ok']);
    expect(errorOf(await owner.call('org_spans_list', { as_of: AS_OF, min_direct_reports: 6, cursor: first.next_cursor }))).toMatchObject({ field: 'cursor' });
    const inverted = errorOf(await owner.call('org_spans_list', { min_direct_reports: 9, max_direct_reports: 3 }));
    expect(inverted).toMatchObject({ code: 'invalid_input', field: 'max_direct_reports' });
    expect(inverted.message).toContain('min_direct_reports (9)');
  });

  it('refuses a token without actors.read, naming the ability, and another tenant’s org unit as not found', async () => {
    const narrowed = await connect(world, principalOf(spans, 'owner', { abilities: ALL_ABILITIES.filter((a) => a !== 'actors.read') }), { tenant: spans });
    const result = await narrowed.call('org_spans_list', { as_of: AS_OF });
    expect(errorOf(result)).toMatchObject({ code: 'missing_ability', ability: 'actors.read' });
    expect(JSON.stringify(result)).not.toContain('Bea Boss');
    await narrowed.close();

    const foreign = await owner.call('org_spans_list', { org_unit_id: world.ids.units.P });
    expect(errorOf(foreign)).toMatchObject({ code: 'not_found' });
    const badSpan = errorOf(await owner.call('org_spans_list', { span: 'tiny' }));
    expect(badSpan.code).toBe('invalid_input');
    expect(JSON.stringify(badSpan)).toContain('span');
  });
});
