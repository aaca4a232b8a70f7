import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { archiveScenario, createScenario } from '../../src/scenarios/lifecycle.js';
import { AS_OF } from '../support/fixture-org.js';
import { connect, withAssistant, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * The questions a head of People asks an assistant connected with a personal API token, answered over the real SDK
 * client: each answer must carry what the person needs to read it (names, units, currency) without more calls.
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

function asOwner() {
  return { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
}

async function newScenario(name: string): Promise<string> {
  return (await createScenario(asOwner(), { name })).id;
}

type Pair = { from?: number; to?: number; delta?: number; currency?: string };
type Deltas = Record<string, Pair>;

describe('"move Mobile under Sales and tell me the cost impact"', () => {
  it('gives every cost delta its currency: in the preview, the scenario delta and the metric delta', async () => {
    const scenarioId = await newScenario('Mobile to Sales');
    const plan = structured<{ proposal_id: string; preview: { metrics: Deltas; by_org_unit: ({ name: string } & Deltas)[] } }>(
      await assistant.call('scenario_action_plan', {
        scenario_id: scenarioId,
        changes: [{ op: 'move_org_unit', org_unit_id: world.ids.units.M, parent_id: world.ids.units.S }],
      }),
    );
    const engineering = plan.preview.by_org_unit.find((u) => u.name === 'Engineering')!;
    expect(engineering.annual_cost_minor!.delta).toBeLessThan(0);
    expect(engineering.annual_cost_minor!.currency).toBe('EUR');
    expect(plan.preview.metrics.monthly_cost_minor!.currency).toBe('EUR');
    // Counts are not money: no currency there.
    expect(plan.preview.metrics.headcount).not.toHaveProperty('currency');

    structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const delta = structured<{ metrics: { total: Deltas; by_org_unit: ({ name: string } & Deltas)[] } }>(
      await assistant.call('scenario_delta', { scenario_id: scenarioId, as_of: AS_OF }),
    );
    expect(delta.metrics.total.annual_cost_minor!.currency).toBe('EUR');
    expect(delta.metrics.by_org_unit.find((u) => u.name === 'Sales')!.annual_cost_minor).toMatchObject({ delta: engineering.annual_cost_minor!.delta! * -1, currency: 'EUR' });

    const metrics = structured<{ total: Deltas; by_org_unit: ({ name: string } & Deltas)[] }>(
      await assistant.call('scenario_metrics_delta', { scenario_id: scenarioId, as_of: AS_OF }),
    );
    expect(metrics.total.annual_cost_minor!.currency).toBe('EUR');
    expect(metrics.by_org_unit.find((u) => u.name === 'Engineering')!.monthly_cost_minor!.currency).toBe('EUR');
    expect(metrics.total.headcount).not.toHaveProperty('currency');
  });
});

describe('"what does this person cost us?" about someone who has left', () => {
  it('answers no current cost, saying when they left, and their pay as ended — not their old pay as active', async () => {
    type Actor = { actor: { annual_cost_minor?: number; cost_note?: string; compensation: { active: boolean; ended_on?: string }[] } };
    const former = structured<Actor>(await assistant.call('org_actors_get', { actor_id: world.ids.id('former'), as_of: AS_OF })).actor;
    expect(former.annual_cost_minor ?? null).toBeNull(); // null, which MCP results leave out
    expect(former.cost_note).toBe('Left on 2026-01-01: no current cost — their pay ended when they left.');
    expect(former.compensation).toMatchObject([{ active: false, ended_on: '2026-01-01' }]);
    const then = structured<Actor>(await assistant.call('org_actors_get', { actor_id: world.ids.id('former'), as_of: '2025-06-01' })).actor;
    expect(then.annual_cost_minor).toBe(10_000_000);
    expect(then.compensation).toMatchObject([{ active: true }]);
  });
});

describe('"which vacancies does Engineering have, and what do they cost?"', () => {
  type Position = { title: string; status: string; org_unit_name?: string; target_salary_minor?: number; currency?: string };

  it('lists the vacant seats of a department’s teams with include_subunits, as its vacancy metric counts them', async () => {
    const metrics = structured<{ metrics: { positions: { vacant: number } } }>(
      await assistant.call('org_metrics_get', { org_unit_id: world.ids.units.E, as_of: AS_OF }),
    );
    const vacant = async (args: Record<string, unknown>) =>
      structured<{ positions: Position[] }>(await assistant.call('org_positions_list', { org_unit_id: world.ids.units.E, status: 'vacant', as_of: AS_OF, ...args })).positions;

    const below = await vacant({ include_subunits: true });
    expect(below).toHaveLength(metrics.metrics.positions.vacant);
    expect(below.map((p) => [p.title, p.org_unit_name, p.currency])).toEqual([['pos_m_open', 'Mobile', 'EUR']]);
    // Without it, only seats budgeted in the department itself (none here), as before.
    expect(await vacant({})).toEqual([]);
    // Sales's vacancy is not Engineering's.
    expect(below.map((p) => p.title)).not.toContain('pos_f_open');
  });

  it('gives each seat its loaded annual cost, as the cost roll-ups count it, and no money without costs.read', async () => {
    const settings = structured<{ cost_settings: { burden_pct: number } }>(await assistant.call('org_settings_get', {}));
    const seats = structured<{ positions: (Position & { annual_cost_minor?: number; annual_cost_currency?: string })[] }>(
      await assistant.call('org_positions_list', { status: 'vacant', as_of: AS_OF }),
    ).positions;
    expect(seats.length).toBeGreaterThan(0);
    for (const seat of seats) {
      expect(seat.annual_cost_minor).toBe(Math.round(seat.target_salary_minor! * (1 + settings.cost_settings.burden_pct / 100)));
      expect(seat.currency).toBe('EUR');
      expect(seat).not.toHaveProperty('annual_cost_currency'); // the seat's pay is in the reporting currency already
    }
    expect(settings.cost_settings.burden_pct).toBeGreaterThan(0);

    const viewer = await connect(world, principalOf(world.tenant, 'viewer', { kind: 'api_token' }));
    try {
      const text = JSON.stringify(structured(await viewer.call('org_positions_list', { status: 'vacant', as_of: AS_OF })));
      expect(text).toContain('pos_m_open');
      expect(text).not.toMatch(/_minor|currency/);
    } finally {
      await viewer.close();
    }
  });

  it('pages the department’s positions without losing one, and a cursor serves only the filter it came from', async () => {
    const all = async (args: Record<string, unknown>) => {
      const titles: string[] = [];
      let cursor: string | undefined;
      do {
        const page = structured<{ positions: Position[]; next_cursor?: string }>(
          await assistant.call('org_positions_list', { org_unit_id: world.ids.units.C, include_subunits: true, as_of: AS_OF, limit: 1, ...args, ...(cursor ? { cursor } : {}) }),
        );
        titles.push(...page.positions.map((p) => p.title));
        cursor = page.next_cursor;
      } while (cursor);
      return titles;
    };
    const everywhere = structured<{ positions: Position[] }>(await assistant.call('org_positions_list', { as_of: AS_OF })).positions.map((p) => p.title);
    expect(await all({})).toEqual(everywhere);

    const first = structured<{ next_cursor: string }>(
      await assistant.call('org_positions_list', { org_unit_id: world.ids.units.C, include_subunits: true, as_of: AS_OF, limit: 1 }),
    );
    const mixed = await assistant.call('org_positions_list', { org_unit_id: world.ids.units.C, as_of: AS_OF, limit: 1, cursor: first.next_cursor });
    expect(mixed.isError).toBe(true);
  });
});

describe('"draft it in that scenario" when it cannot be changed', () => {
  const change = () => [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9 }];

  it('a snapshot: says where to find an editable scenario, by the tool name the client was shown', async () => {
    const error = errorOf(await assistant.call('scenario_action_plan', { scenario_id: world.snapshot.id, changes: change() }));
    expect(error).toMatchObject({ code: 'read_only', kind: 'snapshot' });
    expect(error.fix).toMatch(/`scenario_list`.*editable: true/);
    expect(error.fix).toMatch(/Scenarios page of the web app/);
    expect(error.fix).not.toMatch(/scenario\.list/);
  });

  it('an archived scenario: the person unarchives it in the web app (there is no tool for it), or another is used', async () => {
    const archived = await newScenario('Archived plan');
    await archiveScenario(asOwner(), archived);
    const error = errorOf(await assistant.call('scenario_action_plan', { scenario_id: archived, changes: change() }));
    expect(error).toMatchObject({ code: 'read_only', kind: 'archived scenario' });
    expect(error.fix).toMatch(/^Ask the person to unarchive it on the Scenarios page of the web app/);
    expect(error.fix).toMatch(/`scenario_list`/);
  });
});

describe('"what is our span of control in Engineering?"', () => {
  it('names the unit the metrics are for, asked by the id search gives', async () => {
    const { results } = structured<{ results: { id: string; title: string }[] }>(await assistant.call('search', { query: 'Engineering' }));
    const engineering = results.find((r) => r.title.startsWith('Engineering'))!.id;
    const answer = structured<{ org_unit_id: string; org_unit_name?: string; metrics: { span: { average: number; managers: number } } }>(
      await assistant.call('org_metrics_get', { org_unit_id: engineering, as_of: AS_OF }),
    );
    expect(answer).toMatchObject({ org_unit_id: world.ids.units.E, org_unit_name: 'Engineering' });
    // eng_head manages p1, p2 and m1.
    expect(answer.metrics.span).toMatchObject({ managers: 1, average: 3 });
  });
});

describe('records read as resources', () => {
  const read = async (uri: string) => {
    const { contents } = await assistant.client.readResource({ uri });
    return JSON.parse((contents[0] as { text: string }).text) as Record<string, any>;
  };

  it('name the records they refer to, as org_units_get and org_actors_get do', async () => {
    const engineering = await read(`orgonaut://org-units/${world.ids.units.E}`);
    const tool = structured<{ org_unit: Record<string, any> }>(await assistant.call('org_units_get', { org_unit_id: world.ids.units.E })).org_unit;
    expect(engineering.department).toMatchObject({ lead_actor_id: world.ids.id('eng_head'), lead_name: 'eng_head' });
    expect(engineering).toMatchObject({ parent_name: 'Fixture Co' });
    expect(engineering.department).toEqual(tool.department);

    const m1 = await read(`orgonaut://actors/${world.ids.id('m1')}`);
    expect(m1.primary_org_unit_name).toBe('Mobile');
    expect(m1.placements.map((p: { org_unit_name: string }) => p.org_unit_name).sort()).toEqual(['Mobile', 'Platform']);
  });
});

describe('an argument the tool does not take', () => {
  it('is refused with the argument it probably meant and where the arguments are described', async () => {
    const vacant = errorOf(await assistant.call('org_positions_list', { vacant: true }));
    expect(vacant).toMatchObject({ code: 'invalid_input', field: 'vacant', did_you_mean: 'status: "vacant"' });
    expect(vacant.fix).toBe('Did you mean `status: "vacant"`? Leave out "vacant": call `capability_explain` with this tool’s name for its arguments.');

    const unit = errorOf(await assistant.call('org_actors_list', { org_unit: world.ids.units.E }));
    expect(unit.fix).toMatch(/^Did you mean `org_unit_id`\?/);
    expect(unit.message).toMatch(/it takes .*org_unit_id/);
  });
});

describe('"how many vacancies does Engineering have, and how many people?"', () => {
  it('says on the first page how many records match over all pages, as the metrics count them', async () => {
    const engineering = { org_unit_id: world.ids.units.E, include_subunits: true };
    const metrics = structured<{ metrics: { positions: { vacant: number } } }>(await assistant.call('org_metrics_get', { org_unit_id: world.ids.units.E }));
    const countPages = async (tool: string, list: string, args: Record<string, unknown>) => {
      let seen = 0;
      let cursor: string | undefined;
      do {
        const page = structured<Record<string, unknown> & { next_cursor?: string }>(await assistant.call(tool, { ...args, limit: 1, ...(cursor ? { cursor } : {}) }));
        seen += (page[list] as unknown[]).length;
        cursor = page.next_cursor;
      } while (cursor);
      return seen;
    };

    const vacant = structured<{ total: number; positions: unknown[] }>(await assistant.call('org_positions_list', { ...engineering, status: 'vacant', limit: 1 }));
    expect(vacant.positions).toHaveLength(1);
    expect(vacant.total).toBe(metrics.metrics.positions.vacant);
    expect(vacant.total).toBe(await countPages('org_positions_list', 'positions', { ...engineering, status: 'vacant' }));

    const humans = structured<{ total: number; actors: unknown[] }>(await assistant.call('org_actors_list', { ...engineering, kind: 'human', limit: 1 }));
    expect(humans.total).toBe(await countPages('org_actors_list', 'actors', { ...engineering, kind: 'human' }));
    expect(humans.total).toBeGreaterThan(1);
    // Nothing matches: a total of 0, not an absent one.
    const nobody = structured<{ total: number }>(await assistant.call('org_actors_list', { query: 'nobody by this name' }));
    expect(nobody.total).toBe(0);
  });
});
