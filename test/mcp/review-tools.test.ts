import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/record.js';
import { ENTITY_TYPES } from '../../src/org/family-names.js';
import { AS_OF } from '../support/fixture-org.js';
import { buildMember } from '../support/factories.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/** What the org review tools return on the hand-computed fixture org (test/support/fixture-org.ts). */

let world: McpWorld;
let owner: Connection;
let viewer: Connection;

beforeAll(async () => {
  world = await buildWorld();
  await buildMember(world.database, world.tenant, 'owner');
  await buildMember(world.database, world.tenant, 'viewer');
  await buildMember(world.database, world.tenant, 'viewer');
  owner = await connect(world, principalOf(world.tenant, 'owner'));
  viewer = await connect(world, principalOf(world.tenant, 'viewer'), { era: 'modern' });
});

afterAll(async () => {
  await owner?.close();
  await viewer?.close();
  await world?.database.close();
});

/** A cost block or roll-up row as MCP gives it (docs/MCP.md, Money): flat `*_minor` figures beside their currency. */
type Cost = { currency: string; annual_cost_minor: number; monthly_cost_minor: number; annual_cost_per_fte_minor: number; unconvertible?: string[] };

describe('org.summary', () => {
  it('gives totals, the top two levels and scenario counts', async () => {
    const summary = structured<{
      tenant: { slug: string; plan: string };
      totals: { headcount: number; fte: number; cost: Cost };
      top_level_units: { name: string; children: { name: string; headcount: number }[] }[];
      scenario_counts: Record<string, number>;
    }>(await owner.call('org_summary', { as_of: AS_OF }));
    expect(summary.tenant).toMatchObject({ slug: world.tenant.slug, plan: 'enterprise' });
    expect(summary.totals).toMatchObject({ headcount: 8, fte: 7.5 });
    expect(summary.totals.cost).toMatchObject({ annual_cost_minor: 98_250_000, currency: 'EUR', unconvertible: ['GBP'] });
    expect(summary.top_level_units.map((u) => u.name)).toEqual(['Fixture Co']);
    expect(summary.top_level_units[0]!.children.map((c) => [c.name, c.headcount])).toEqual([
      ['Engineering', 4],
      ['Sales', 3],
    ]);
    // Reshape sales and Trim sales.
    expect(summary.scenario_counts).toMatchObject({ planning_active: 2, snapshots: 1, applied: 0 });
  });

  it('reads a scenario and says which', async () => {
    const summary = structured<{ context: Record<string, string> }>(await owner.call('org_summary', { scenario_id: world.scenario.id, as_of: AS_OF }));
    expect(summary.context).toEqual({ scenario_id: world.scenario.id, scenario_name: 'Reshape sales', scenario_kind: 'planning', as_of: AS_OF });
  });
});

describe('structure and people', () => {
  it('pages through org units with the cursor', async () => {
    const first = structured<{ org_units: { name: string }[]; next_cursor: string }>(await owner.call('org_units_list', { type: 'team', limit: 2 }));
    expect(first.org_units.map((u) => u.name)).toEqual(['Field', 'Mobile']);
    const next = structured<{ org_units: { name: string }[]; next_cursor?: string }>(
      await owner.call('org_units_list', { type: 'team', limit: 2, cursor: first.next_cursor }),
    );
    expect(next.org_units.map((u) => u.name)).toEqual(['Platform']);
    expect(next).not.toHaveProperty('next_cursor');
  });

  it("refuses another tool's cursor with a hint to go back to that list", async () => {
    const first = structured<{ next_cursor: string }>(await owner.call('org_units_list', { type: 'team', limit: 2 }));
    const result = await owner.call('org_actors_list', { limit: 2, cursor: first.next_cursor });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('belongs to another list (org units), not actors');
  });

  it('cuts the tree at 3 levels by default and at the depth asked', async () => {
    type Node = { name: string; child_count: number; children?: Node[] };
    const tree = structured<{ roots: Node[] }>(await owner.call('org_units_tree', { as_of: AS_OF }));
    expect(tree.roots[0]!.children!.map((c) => c.name)).toEqual(['Engineering', 'Sales']);
    expect(tree.roots[0]!.children![0]!.children!.map((c) => c.name)).toEqual(['Mobile', 'Platform']);
    const shallow = structured<{ roots: Node[] }>(await owner.call('org_units_tree', { depth: 1 }));
    expect(shallow.roots[0]).toMatchObject({ name: 'Fixture Co', child_count: 2 });
    expect(shallow.roots[0]).not.toHaveProperty('children');
  });

  it('gives each tree node a summary of its metrics, and every figure with metrics: "full"', async () => {
    type Node = { name: string; metrics: Record<string, unknown>; children?: Node[] };
    const summary = await owner.call('org_units_tree', { as_of: AS_OF });
    const full = await owner.call('org_units_tree', { as_of: AS_OF, metrics: 'full' });
    const engineering = (result: typeof summary) => structured<{ roots: Node[] }>(result).roots[0]!.children!.find((n) => n.name === 'Engineering')!;
    expect(engineering(summary).metrics).toEqual({
      headcount: 4,
      fte: 3.5,
      robots: 0,
      agents: 1,
      positions: { vacant: 1 },
      span: { average: 3, narrow: 0, wide: 0 },
      layers: 2,
      cost: { annual_cost_minor: (engineering(full).metrics.cost as Cost).annual_cost_minor, currency: 'EUR' },
    });
    expect(engineering(full).metrics).toMatchObject({ effective_fte: 3.5, span: { buckets: expect.any(Object) }, manager_to_ic: expect.any(Object) });
    const size = (result: typeof summary) => JSON.stringify(structured<{ roots: Node[] }>(result).roots).length;
    expect(size(summary)).toBeLessThan(size(full) / 2);
    // Without costs.read there is no cost in either.
    expect(engineering(await viewer.call('org_units_tree', { as_of: AS_OF })).metrics).not.toHaveProperty('cost');
  });

  it('lists the actors of a unit, or with include_subunits everyone below it (each once)', async () => {
    const names = async (args: Record<string, unknown>) =>
      structured<{ actors: { display_name: string }[] }>(await viewer.call('org_actors_list', { as_of: AS_OF, ...args })).actors.map((a) => a.display_name);
    expect(await names({ org_unit_id: world.ids.units.E })).toEqual(['eng_head']);
    expect(await names({ org_unit_id: world.ids.units.E, include_subunits: true })).toEqual(['bot', 'eng_head', 'm1', 'p1', 'p2']);
    expect(await names({ org_unit_id: world.ids.units.E, include_subunits: true, kind: 'human', limit: 2 })).toEqual(['eng_head', 'm1']);
    expect(await names({ org_unit_id: world.ids.units.P, include_subunits: true })).toEqual(await names({ org_unit_id: world.ids.units.P }));
  });

  it('lists who has left a unit with include_inactive (their placement there has ended too)', async () => {
    const names = async (args: Record<string, unknown>) =>
      structured<{ actors: { display_name: string }[] }>(await viewer.call('org_actors_list', { as_of: AS_OF, ...args })).actors.map((a) => a.display_name);
    expect(await names({ org_unit_id: world.ids.units.P })).not.toContain('former');
    expect(await names({ org_unit_id: world.ids.units.P, include_inactive: true })).toContain('former');
    expect(await names({ org_unit_id: world.ids.units.E, include_subunits: true, include_inactive: true })).toContain('former');
  });

  it('names the units and people a record refers to, so an assistant need not look each id up', async () => {
    type Actor = { primary_org_unit_name?: string; manager_name?: string; manager: { display_name: string }; placements: { org_unit_name?: string }[] };
    const p1 = structured<{ actor: Actor }>(await owner.call('org_actors_get', { actor_id: world.ids.id('p1'), as_of: AS_OF })).actor;
    expect(p1).toMatchObject({ primary_org_unit_name: 'Platform', manager: { display_name: 'eng_head' } });
    expect(p1).not.toHaveProperty('manager_name'); // the manager is shown inline already
    expect(p1.placements.map((p) => p.org_unit_name)).toContain('Platform');
    type Unit = { parent_name?: string; department?: { lead_actor_id: string; lead_name?: string } };
    const engineering = structured<{ org_unit: Unit }>(await owner.call('org_units_get', { org_unit_id: world.ids.units.E, as_of: AS_OF })).org_unit;
    expect(engineering).toMatchObject({ parent_name: 'Fixture Co', department: { lead_actor_id: world.ids.id('eng_head'), lead_name: 'eng_head' } });
    const departments = structured<{ departments: ({ name: string } & Unit)[] }>(await owner.call('org_departments_list', { as_of: AS_OF })).departments;
    expect(departments.find((d) => d.name === 'Engineering')!.department).toMatchObject({ lead_name: 'eng_head' });
    // Names only of records the caller may read.
    const unitsOnly = await connect(world, principalOf(world.tenant, 'owner', { abilities: ['org-units.read'] }));
    const seen = structured<{ org_unit: Unit }>(await unitsOnly.call('org_units_get', { org_unit_id: world.ids.units.E, as_of: AS_OF })).org_unit;
    expect(seen.department).not.toHaveProperty('lead_name');
    await unitsOnly.close();
  });

  it('shows an actor with manager and reports, and pay only with costs.read', async () => {
    const args = { actor_id: world.ids.id('eng_head'), as_of: AS_OF };
    const head = structured<{ actor: Record<string, unknown> }>(await owner.call('org_actors_get', args)).actor;
    expect((head.direct_reports as { display_name: string }[]).map((r) => r.display_name)).toEqual(['m1', 'p1', 'p2']);
    expect(head).toMatchObject({ annual_cost_minor: 18_750_000, currency: 'EUR' });
    const seen = structured<{ actor: Record<string, unknown> }>(await viewer.call('org_actors_get', args)).actor;
    expect(seen).not.toHaveProperty('annual_cost_minor');
    expect(seen).not.toHaveProperty('currency');
    expect(seen).not.toHaveProperty('compensation');
  });

  it('lists vacant positions without salaries for a viewer', async () => {
    const vacant = structured<{ positions: Record<string, unknown>[] }>(await viewer.call('org_positions_list', { status: 'vacant', as_of: AS_OF }));
    expect(vacant.positions.map((p) => p.title)).toEqual(['pos_f_open', 'pos_m_open']);
    expect(vacant.positions[0]).not.toHaveProperty('target_salary_minor');
    expect(vacant.positions[0]).not.toHaveProperty('annual_cost_minor');
  });
});

describe('metrics and cost', () => {
  it('rolls cost up per unit, with the organisation total', async () => {
    const all = structured<{ total: Cost; org_units: ({ name: string } & Cost)[] }>(
      await owner.call('org_costs_rollup', { as_of: AS_OF, type: 'team' }),
    );
    expect(all.total).toMatchObject({ annual_cost_minor: 98_250_000, currency: 'EUR', unconvertible: ['GBP'] });
    expect(all.org_units.map((u) => [u.name, u.annual_cost_minor])).toEqual([
      ['Field', 11_000_000],
      ['Mobile', 6_750_000],
      ['Platform', 23_250_000],
    ]);
  });

  it('rolls up one unit and lists its children', async () => {
    const engineering = structured<{ total: { name: string } & Cost; org_units: { name: string }[] }>(
      await owner.call('org_costs_rollup', { org_unit_id: world.ids.units.E, as_of: AS_OF }),
    );
    expect(engineering.total).toMatchObject({ name: 'Engineering', annual_cost_minor: 48_750_000 });
    expect(engineering.org_units.map((u) => u.name)).toEqual(['Mobile', 'Platform']);
  });

  it('gives metrics for one unit', async () => {
    const platform = structured<{ metrics: { headcount: number; effective_fte: number } }>(
      await viewer.call('org_metrics_get', { org_unit_id: world.ids.units.P, as_of: AS_OF }),
    );
    expect(platform.metrics).toMatchObject({ headcount: 2, effective_fte: 1.9 });
    expect(platform.metrics).not.toHaveProperty('cost');
  });

  it('divides cost per FTE as its description says', async () => {
    const tool = (await owner.client.listTools()).tools.find((t) => t.name === 'org_metrics_get')!;
    expect(tool.description).toContain('cost per FTE divides the annual cost by effective_fte');
    type M = { effective_fte: number; cost: Cost };
    const { metrics } = structured<{ metrics: M }>(await owner.call('org_metrics_get', { org_unit_id: world.ids.units.P, as_of: AS_OF }));
    expect(metrics.cost.annual_cost_per_fte_minor).toBe(Math.round(metrics.cost.annual_cost_minor / metrics.effective_fte));
    expect(Math.abs(metrics.cost.monthly_cost_minor - metrics.cost.annual_cost_minor / 12)).toBeLessThanOrEqual(1);
  });

  it('counts narrow and wide spans by the thresholds its description gives', async () => {
    const tool = (await viewer.client.listTools()).tools.find((t) => t.name === 'org_metrics_get')!;
    const [, narrowMax] = /narrow = managers with at most (\d+)/.exec(tool.description!)!;
    const [, wideMin] = /wide = managers with (\d+) or more/.exec(tool.description!)!;
    const lines = structured<{ reporting_lines: { manager_id: string }[] }>(await viewer.call('org_reporting_lines_list', { as_of: AS_OF, limit: 500 }));
    const spans = new Map<string, number>();
    for (const line of lines.reporting_lines) spans.set(line.manager_id, (spans.get(line.manager_id) ?? 0) + 1);
    const metrics = structured<{ metrics: { span: { managers: number; narrow: number; wide: number } } }>(await viewer.call('org_metrics_get', { as_of: AS_OF }));
    expect(metrics.metrics.span).toMatchObject({
      managers: spans.size,
      narrow: [...spans.values()].filter((n) => n <= Number(narrowMax)).length,
      wide: [...spans.values()].filter((n) => n >= Number(wideMin)).length,
    });
  });
});

describe('scenarios, snapshots, lineage and activity', () => {
  it('lists and shows scenarios', async () => {
    const list = structured<{ scenarios: { name: string; kind: string; editable: boolean }[] }>(await owner.call('scenario_list', {}));
    expect(list.scenarios.map((s) => [s.name, s.kind, s.editable])).toEqual(
      expect.arrayContaining([
        ['Reshape sales', 'planning', true],
        ['Before reshape', 'snapshot', false],
      ]),
    );
    const snapshots = structured<{ snapshots: { name: string }[] }>(await owner.call('org_snapshots_list', {}));
    expect(snapshots.snapshots.map((s) => s.name)).toEqual(['Before reshape']);
    const detail = structured<{ scenario: Record<string, unknown> }>(await owner.call('scenario_get', { scenario_id: world.scenario.id }));
    expect(detail.scenario).toMatchObject({ source: { kind: 'live' }, revision: 0, change_counts: {} });
    expect(errorOf(await owner.call('scenario_get', { scenario_id: 'not-a-uuid' }))).toMatchObject({ code: 'not_found' });
  });

  it('shows lineage deltas, without money for a viewer', async () => {
    const asOwner = structured<{ lineage: { deltas: Record<string, number> }[] }>(await owner.call('org_lineage_list', {}));
    expect(asOwner.lineage[0]!.deltas).toEqual({ headcount: 1, annual_cost_minor: 12_000_000 });
    const asViewer = structured<{ lineage: { deltas: Record<string, number> }[] }>(await viewer.call('org_lineage_list', {}));
    expect(asViewer.lineage[0]!.deltas).toEqual({ headcount: 1 });
  });

  it('pages through the activity log newest first without gaps or repeats', async () => {
    for (let i = 0; i < 4; i++) {
      await recordAudit(world.database.db, { tenantId: world.tenant.id, category: 'security', entityType: 'sign_in', action: `attempt-${i}` });
    }
    const seen: { action: string; at: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = structured<{ events: { action: string; at: string }[]; next_cursor?: string }>(
        await owner.call('org_activity_list', { category: 'security', limit: 3, ...(cursor ? { cursor } : {}) }),
      );
      seen.push(...page.events);
      cursor = page.next_cursor;
    } while (cursor);
    // Events in the same instant are ordered by id; what matters is every event once, newest first.
    expect(seen.map((e) => e.action).sort()).toEqual(['attempt-0', 'attempt-1', 'attempt-2', 'attempt-3']);
    expect(seen.map((e) => e.at)).toEqual(seen.map((e) => e.at).sort().reverse());
    const model = structured<{ events: { before: unknown }[] }>(await owner.call('org_activity_list', { category: 'model', entity_type: 'compensation', since: '2000-01-01' }));
    // An update holds only the fields it changed (the kind stayed salary).
    expect(model.events[0]!.before).toEqual({ amount_minor: 9_000_000 });
    const none = structured<{ events: unknown[] }>(await owner.call('org_activity_list', { until: '2000-01-01' }));
    expect(none.events).toEqual([]);
  });
});

describe('org.activity.list filters', () => {
  it('by an entity type its description names: exactly the ones the server records', async () => {
    const tool = (await owner.client.listTools()).tools.find((t) => t.name === 'org_activity_list')!;
    const described = (tool.inputSchema.properties!.entity_type as { description: string }).description;
    const named = described
      .split(/Model:|Security:/)
      .slice(1)
      .flatMap((list) => list.split(','))
      .map((type) => type.trim().replace(/\.$/, ''));
    const recorded = new Set(
      [...fs.readdirSync('src', { recursive: true, encoding: 'utf8' })]
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) => [...fs.readFileSync(`src/${f}`, 'utf8').matchAll(/entityType: ('[a-z_.]+'|\w+ === '\w+' \? '[a-z_.]+' : '[a-z_.]+')|audit\(ctx, '([a-z_]+)'/g)])
        // `entityType: 'x'`, or a choice of two (`action === 'signed_out' ? 'sign_out' : 'sign_in'`).
        .flatMap((m) => (m[1] ? [...m[1].split('?').at(-1)!.matchAll(/'([a-z_.]+)'/g)].map((t) => t[1]!) : [`settings.${m[2]}`])),
    );
    for (const type of Object.values(ENTITY_TYPES)) recorded.add(type); // model records, recorded by family
    expect(named.filter((type) => !recorded.has(type))).toEqual([]);
    expect([...recorded].filter((type) => !named.includes(type))).toEqual([]);
    const events = structured<{ events: { entity_type: string }[] }>(await owner.call('org_activity_list', { entity_type: 'compensation' })).events;
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.entity_type))).toEqual(new Set(['compensation']));
  });

  it('answers "what changed in Live?" with scope live: Live changes and promotions, not scenario drafts; names the scenario', async () => {
    const { db } = world.database;
    const tenantId = world.tenant.id;
    const scenarioId = world.scenario.id;
    const actor = world.ids.id('p2');
    await recordAudit(db, { tenantId, category: 'model', entityType: 'actor', entityId: actor, action: 'updated', before: { title: 'Live before' }, after: { title: 'Live after' } });
    await recordAudit(db, { tenantId, category: 'model', entityType: 'actor', entityId: actor, action: 'updated', scenarioId, before: { title: 'Draft before' }, after: { title: 'Draft after' } });
    await recordAudit(db, { tenantId, category: 'model', entityType: 'scenario', entityId: scenarioId, action: 'promoted', scenarioId, after: { live_version: 9 } });
    await recordAudit(db, { tenantId, category: 'security', entityType: 'sign_in', action: 'succeeded' });
    type Events = { events: { category: string; action: string; scenario_id?: string; scenario_name?: string; after?: { title?: string } }[] };
    const seen = (result: Events) => result.events.map((e) => `${e.category}:${e.action}:${e.after?.title ?? e.scenario_name ?? ''}`);

    const live = structured<Events>(await owner.call('org_activity_list', { scope: 'live', since: '2000-01-01' }));
    expect(seen(live)).toContain('model:updated:Live after');
    expect(seen(live)).toContain('model:promoted:Reshape sales');
    expect(seen(live)).not.toContain('model:updated:Draft after');
    expect(live.events.every((e) => e.category === 'model')).toBe(true);
    // Everything but the promotion happened in Live itself.
    expect(live.events.filter((e) => e.scenario_id).map((e) => e.action)).toEqual(['promoted']);

    const drafts = structured<Events>(await owner.call('org_activity_list', { scope: 'scenarios' }));
    expect(seen(drafts)).toContain('model:updated:Draft after');
    expect(seen(drafts)).not.toContain('model:updated:Live after');
    const draft = drafts.events.find((e) => e.after?.title === 'Draft after')!;
    expect(draft).toMatchObject({ scenario_id: scenarioId, scenario_name: 'Reshape sales' });

    // Scenario names only for those who may read scenarios.
    const narrowed = await connect(world, principalOf(world.tenant, 'owner', { abilities: ['activity.read', 'mcp.access'] }));
    const unnamed = structured<Events>(await narrowed.call('org_activity_list', { scope: 'scenarios' }));
    expect(unnamed.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(unnamed)).not.toContain('Reshape sales');
    await narrowed.close();

    const mixed = errorOf(await owner.call('org_activity_list', { scope: 'live', category: 'security' }));
    expect(mixed).toMatchObject({ code: 'invalid_input', field: 'scope' });
    expect(errorOf(await owner.call('org_activity_list', { scope: 'live', scenario_id: scenarioId }))).toMatchObject({ field: 'scope' });
    expect(errorOf(await owner.call('org_activity_list', { scope: 'everything' }))).toMatchObject({ code: 'invalid_input' });
  });
});

describe('org.settings.get', () => {
  it('shows plan, currencies and members, with rates and cost settings only for costs.read', async () => {
    const asOwner = structured<Record<string, unknown>>(await owner.call('org_settings_get', {}));
    expect(asOwner).toMatchObject({
      plan: { name: 'enterprise', mcp: true, active_planning_scenarios: 'unlimited' },
      reporting_currency: 'EUR',
      cost_settings: { burden_pct: 25, working_days_per_year: 220 },
      members: { total: 3, by_role: { owner: 1, viewer: 2 } },
      mcp_tool_names: 'underscore',
    });
    expect(asOwner.currencies).toEqual([
      { code: 'EUR', name: expect.any(String), active: true, has_rate: true, rate_to_reporting: 1 },
      { code: 'GBP', name: expect.any(String), active: true, has_rate: false },
      { code: 'USD', name: expect.any(String), active: true, has_rate: true, rate_to_reporting: 0.9 },
    ]);
    const asViewer = structured<Record<string, unknown>>(await viewer.call('org_settings_get', {}));
    expect(asViewer).not.toHaveProperty('cost_settings');
    expect(JSON.stringify(asViewer)).not.toContain('rate_to_reporting');
  });
});
