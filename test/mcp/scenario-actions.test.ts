import { createHash } from 'node:crypto';
import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/access/policy.js';
import { auditEvents, scenarioProposals } from '../../src/db/schema/index.js';
import { changeItem } from '../../src/mcp/changes.js';
import { OP_FIELD_LISTS } from '../../src/scenarios/op-fields.js';
import { CATALOG } from '../../src/mcp/catalog.js';
import { underscoreName } from '../../src/mcp/registry.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { FAMILIES } from '../../src/org/types.js';
import { CHANGE_OP_NAMES, ChangeCommandSchema } from '../../src/scenarios/commands.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { createType } from '../../src/tenancy/settings.js';
import { findTenantById } from '../../src/tenancy/tenants.js';
import { AS_OF } from '../support/fixture-org.js';
import { validArgs } from './tool-cases.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * The scenario engine over MCP (SPEC §5): the delta tools, and governed actions — plan → the person agrees →
 * confirm, exactly once, only ever in a planning scenario. Live never changes, whatever a client does.
 */

let world: McpWorld;
let owner: Connection;
let member: Connection;
let viewer: Connection;

beforeAll(async () => {
  world = await buildWorld();
  owner = await connect(world, principalOf(world.tenant, 'owner'));
  member = await connect(world, principalOf(world.tenant, 'member'));
  viewer = await connect(world, principalOf(world.tenant, 'viewer'));
});

afterAll(async () => {
  for (const mcp of [owner, member, viewer]) await mcp?.close();
  await world?.database.close();
});

type Proposal = { proposal_id: string; status: string; expires_at: string; preview: Record<string, unknown>; next_step: string };
type Confirmed = { status: string; already_confirmed: boolean; outcome: { revision: number; created: { family: string; id: string; ref?: string }[] } };

/** A fresh planning scenario branched from Live. */
async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

async function proposalsIn(scenarioId: string): Promise<number> {
  const [row] = await world.database.db.select({ n: count() }).from(scenarioProposals).where(eq(scenarioProposals.scenarioId, scenarioId));
  return row!.n;
}

/** Every Live record of every family (read fresh from the database) and the Live version, hashed. */
async function liveChecksum(): Promise<string> {
  const { graph, version } = await new GraphStore(world.database.db).live(world.tenant.id);
  const families = FAMILIES.map((family) => [family, [...graph[family].values()].map((r) => JSON.stringify(r)).sort()]);
  const tenant = await findTenantById(world.database.db, world.tenant.id);
  return createHash('sha256').update(JSON.stringify({ version, liveVersion: tenant!.liveVersion, families })).digest('hex');
}

const fteOf = async (mcp: Connection, actorId: string, scenarioId?: string) =>
  structured<{ actor: { fte: number } }>(await mcp.call('org_actors_get', { actor_id: actorId, ...(scenarioId ? { scenario_id: scenarioId } : {}) })).actor.fte;

describe('scenario.action.plan → confirm', () => {
  it('drafts without applying, then changes the scenario and not Live', async () => {
    const live = await liveChecksum();
    const sid = await newScenario('AI draft');
    const changes = [
      { op: 'set_fte', actor_id: world.ids.id('p2'), fte: 1 },
      { op: 'add_actor', kind: 'agent', display_name: 'Bot 2', org_unit_id: world.ids.units.P, email: '', manager_id: '' },
    ];
    const plan = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.status).toBe('planned');
    expect(new Date(plan.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect(plan.preview).toMatchObject({ commands: 2, metrics: { fte: { from: 7.5, to: 8, delta: 0.5 }, agents: { delta: 1 } } });
    expect(plan.next_step).toContain('scenario_action_confirm');
    expect(await fteOf(member, world.ids.id('p2'), sid)).toBe(0.5); // nothing applied yet

    const confirmed = structured<Confirmed>(await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect(confirmed).toMatchObject({ status: 'confirmed', already_confirmed: false, outcome: { revision: 1 } });
    expect(await fteOf(member, world.ids.id('p2'), sid)).toBe(1);
    expect(await fteOf(member, world.ids.id('p2'))).toBe(0.5);
    const created = confirmed.outcome.created.find((c) => c.family === 'actor')!.id;
    expect((plan.preview.records as { actor: { added: { id: string }[] } }).actor.added[0]!.id).toBe(created);
    expect(await liveChecksum()).toBe(live);
  });

  it('creates a team and moves people into it in one proposal, naming the new team by its ref', async () => {
    const sid = await newScenario('New team');
    const changes = [
      { op: 'create_org_unit', name: 'Payments Core', type: 'team', parent_id: world.ids.units.E, ref: 'payments' },
      { op: 'move_placement', placement_id: world.ids.id('pl-p2'), org_unit_id: '$payments' },
    ];
    const plan = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.status).toBe('planned');
    const confirmed = structured<Confirmed>(await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const team = confirmed.outcome.created.find((c) => c.ref === 'payments')!;
    expect(team).toMatchObject({ family: 'org_unit' });
    const placements = structured<{ placements: { org_unit_id: string }[] }>(
      await member.call('org_placements_list', { scenario_id: sid, actor_id: world.ids.id('p2') }),
    ).placements;
    expect(placements.map((p) => p.org_unit_id)).toEqual([team.id]);

    // A ref nothing in the list gave is refused with the field and the fix; nothing is planned.
    const wrong = await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'move_placement', placement_id: world.ids.id('pl-p1'), org_unit_id: '$payments' }] });
    expect(wrong.isError).toBe(true);
    expect(JSON.stringify(wrong.content)).toContain('changes[0].org_unit_id');
    expect(JSON.stringify(wrong.content)).toContain('give the change that creates it ref');
  });

  it('shows that a hire without pay leaves the cost unknown, not unchanged', async () => {
    const sid = await newScenario('Hire');
    const changes = [{ op: 'add_actor', kind: 'human', display_name: 'New engineer', org_unit_id: world.ids.units.P }];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    const metrics = plan.preview.metrics as Record<string, { from: number; to: number; delta: number }>;
    expect(metrics.headcount).toMatchObject({ delta: 1 });
    expect(metrics.annual_cost_minor).toMatchObject({ delta: 0 });
    expect(metrics.without_compensation).toEqual({ from: metrics.without_compensation!.from, to: metrics.without_compensation!.from + 1, delta: 1 });
    const platform = (plan.preview.by_org_unit as { org_unit_id: string; without_compensation?: { delta: number } }[]).find((u) => u.org_unit_id === world.ids.units.P);
    expect(platform?.without_compensation).toMatchObject({ delta: 1 });
    const asMember = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(asMember.preview.metrics).not.toHaveProperty('without_compensation');
  });

  it('takes the preview of a hire starting next year on their first day, and says which day', async () => {
    const sid = await newScenario('Hire next year');
    const day = `${new Date().getUTCFullYear() + 1}-03-01`;
    const changes = [{ op: 'add_actor', kind: 'human', display_name: 'Later hire', org_unit_id: world.ids.units.P, manager_id: world.ids.id('p1'), date: day }];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.as_of).toBe(day);
    expect((plan.preview.metrics as Record<string, { delta: number }>).headcount!.delta).toBe(1);
    expect(plan.next_step).toContain(`its figures are for ${day}, when the last change takes effect`);
    // Changes of today keep today's figures and say no day.
    const now = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ ...changes[0], date: undefined }] }));
    expect(now.preview).not.toHaveProperty('as_of');
    expect((now.preview.metrics as Record<string, { delta: number }>).headcount!.delta).toBe(1);
  });

  it('says in notes what a hire leaves out — no pay (cost delta 0), no manager (a new layer 1) — and the change that fixes each', async () => {
    const sid = await newScenario('Hire notes');
    const hire = { op: 'add_actor', kind: 'human', display_name: 'Ada New', org_unit_id: world.ids.units.P, ref: 'ada' };
    const bare = structured<Proposal & { preview: { notes?: string[] } }>(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [hire] }));
    expect(bare.preview.notes).toHaveLength(2);
    expect(bare.preview.notes![0]).toMatch(/^This new actor has no pay: "Ada New"\. The cost figures leave them out/);
    expect(bare.preview.notes![0]).toContain('set_compensation change with actor_id "$<ref>"');
    expect(bare.preview.notes![1]).toMatch(/^This new actor has no manager: "Ada New"\..*`manager_id`/);
    expect(bare.next_step).toMatch(/^Show this preview to the person with its notes/);
    // Without costs.read the figures show no cost at all: only the manager note.
    const asMember = structured<Proposal & { preview: { notes?: string[] } }>(await member.call('scenario_action_plan', { scenario_id: sid, changes: [hire] }));
    expect(asMember.preview.notes).toEqual([expect.stringMatching(/no manager/)]);
    // Paid and placed under a manager: nothing to note, and the cost moves.
    const placed = structured<Proposal & { preview: { notes?: string[]; metrics: Record<string, { delta: number }> } }>(
      await owner.call('scenario_action_plan', {
        scenario_id: sid,
        changes: [
          { ...hire, manager_id: world.ids.id('p1') },
          { op: 'set_compensation', actor_id: '$ada', kind: 'salary', amount_minor: 6_000_000, currency: 'EUR' },
        ],
      }),
    );
    expect(placed.preview).not.toHaveProperty('notes');
    expect(placed.preview.metrics.annual_cost_minor!.delta).toBe(7_500_000);
    expect(placed.next_step).toMatch(/^Show this preview to the person\. /);
  });

  it('hires into a new seat in one proposal, as the changes description says: the seat\'s ref, then "$<ref>"', async () => {
    const sid = await newScenario('Seat');
    const tool = (await owner.client.listTools()).tools.find((t) => t.name === 'scenario_action_plan')!;
    expect(JSON.stringify(tool.inputSchema)).toContain('give its change a `ref` and write \\"$<ref>\\" in the later change');
    const changes = [
      { op: 'create_position', org_unit_id: world.ids.units.P, title: 'Platform engineer', ref: 'seat' },
      { op: 'add_actor', kind: 'human', display_name: 'New hire', org_unit_id: world.ids.units.P, position_id: '$seat' },
    ];
    const hired = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    const metrics = hired.preview.metrics as Record<string, { delta: number }>;
    expect(metrics.headcount!.delta).toBe(1);
    // The new seat is filled by the new hire at once: no more vacancies than before.
    expect(metrics.vacant_positions?.delta ?? 0).toBe(0);
  });

  it('says what new vacant seats would cost filled, as the cost delta of a hiring plan leaves them out', async () => {
    const sid = await newScenario('Hiring plan');
    const seat = (title: string, pay: Record<string, unknown>) => ({ op: 'create_position', org_unit_id: world.ids.units.P, title, date: '2027-01-04', ...pay });
    const changes = [
      seat('Engineer', { target_salary_minor: 6_000_000, currency: 'EUR' }),
      seat('Engineer', { day_rate_minor: 50_000, currency: 'USD' }),
      seat('London engineer', { target_salary_minor: 5_000_000, currency: 'GBP' }),
      seat('Intern', {}),
    ];
    const planned = structured<Proposal & { preview: { notes?: string[]; metrics: Record<string, { delta: number | null }> } }>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes }),
    );
    expect(planned.preview.metrics.vacant_positions!.delta).toBe(4);
    expect(planned.preview.metrics.annual_cost_minor!.delta).toBe(0);
    const settings = structured<{ cost_settings: { burden_pct: number; working_days_per_year: number } }>(await owner.call('org_settings_get'));
    const { burden_pct: burden, working_days_per_year: days } = settings.cost_settings;
    // 60,000 EUR plus the burden, and 500 USD a day × the working days at the world's 0.9 EUR per USD.
    const expected = (60_000 * (1 + burden / 100) + 500 * days * 0.9).toLocaleString('en-US', { minimumFractionDigits: 2 });
    expect(planned.preview.notes).toEqual([
      'These 4 new positions are vacant: the cost figures count the people in seats, not empty seats, so the cost delta leaves them out; ' +
        '`vacant_seats_annual_cost_minor` counts their budget apart. ' +
        `Filled at their target pay, the 2 with target pay would add ${expected} EUR a year (loaded, as \`annual_cost_minor\` in \`org_positions_list\`). ` +
        'What "London engineer" (no exchange rate for GBP), "Intern" (no target pay) would cost is unknown: give create_position ' +
        'target_salary_minor or day_rate_minor with a currency that has an exchange rate, then plan again.',
    ]);
    expect(planned.next_step).toMatch(/^Show this preview to the person with its notes/);
    // The budget of the vacant seats, apart from the payroll cost: the convertible part (EUR and USD seats) in minor
    // units; the GBP seat has no rate, so the change as a whole is unknown (no delta), never counted as 0.
    const budget = (planned.preview.metrics as Record<string, { from: number; to: number; delta?: number; unconvertible?: string[] }>).vacant_seats_annual_cost_minor!;
    expect(budget).toMatchObject({ unconvertible: ['GBP'], to_unconvertible: ['GBP'], currency: 'EUR' });
    expect(budget).not.toHaveProperty('delta');
    expect(budget.to - budget.from).toBe(Math.round((60_000 * (1 + burden / 100) + 500 * days * 0.9) * 100));
    // Without costs.read no money is shown, so nothing is said about it.
    const asMember = structured<Proposal & { preview: { notes?: string[] } }>(await member.call('scenario_action_plan', { scenario_id: sid, changes: [seat('Engineer', {})] }));
    expect(asMember.preview).not.toHaveProperty('notes');
    // A seat the batch fills at once is no vacancy, and the hire's pay is in the cost delta.
    const filled = structured<Proposal & { preview: { notes?: string[] } }>(
      await owner.call('scenario_action_plan', {
        scenario_id: sid,
        changes: [
          { ...seat('Engineer', { target_salary_minor: 6_000_000, currency: 'EUR' }), ref: 'seat' },
          { op: 'add_actor', kind: 'human', display_name: 'New hire', org_unit_id: world.ids.units.P, position_id: '$seat', manager_id: world.ids.id('p1'), ref: 'hire', date: '2027-01-04' },
          { op: 'set_compensation', actor_id: '$hire', kind: 'salary', amount_minor: 6_000_000, currency: 'EUR', date: '2027-01-04' },
        ],
      }),
    );
    expect(filled.preview).not.toHaveProperty('notes');
  });

  it('answers a second confirm with the same outcome, already_confirmed', async () => {
    const sid = await newScenario('Twice');
    const plan = structured<Proposal>(
      await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('f1'), fte: 0.8 }] }),
    );
    const first = structured<Confirmed>(await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const second = structured<Confirmed>(await member.call('scenario.action.confirm', { proposal_id: plan.proposal_id }));
    expect(second).toEqual({ ...first, already_confirmed: true });
    expect(structured<{ scenario: { revision: number } }>(await member.call('scenario_get', { scenario_id: sid })).scenario.revision).toBe(1);
  });

  it('applies once when 20 confirms race over MCP', async () => {
    const sid = await newScenario('Race');
    const plan = structured<Proposal>(
      await member.call('scenario_action_plan', {
        scenario_id: sid,
        changes: [{ op: 'add_actor', kind: 'robot', display_name: 'Racer', org_unit_id: world.ids.units.F }],
      }),
    );
    const results = await Promise.all(Array.from({ length: 20 }, () => member.call('scenario_action_confirm', { proposal_id: plan.proposal_id })));
    const confirmed = results.map((r) => structured<Confirmed>(r));
    expect(confirmed.filter((r) => !r.already_confirmed)).toHaveLength(1);
    expect(new Set(confirmed.map((r) => JSON.stringify(r.outcome))).size).toBe(1);
    const scenario = structured<{ scenario: { revision: number; change_counts: Record<string, unknown> } }>(await member.call('scenario_get', { scenario_id: sid }));
    expect(scenario.scenario).toMatchObject({ revision: 1, change_counts: { actor: { add: 1 }, placement: { add: 1 } } });
  });

  it('cancels a draft, which then cannot be confirmed', async () => {
    const sid = await newScenario('Cancel');
    const plan = structured<Proposal>(
      await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('f1'), fte: 0.7 }] }),
    );
    expect(structured(await member.call('scenario_action_cancel', { proposal_id: plan.proposal_id }))).toMatchObject({ status: 'cancelled' });
    expect(structured(await member.call('scenario_action_cancel', { proposal_id: plan.proposal_id }))).toMatchObject({ status: 'cancelled' });
    expect(errorOf(await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id }))).toMatchObject({ code: 'stale_proposal', reason: 'cancelled' });
    expect(await fteOf(member, world.ids.id('f1'), sid)).toBe(1);
  });
});

describe('stale proposals are refused with the reason and the fix', () => {
  it('after the scenario changed, when expired, and from another client', async () => {
    const sid = await newScenario('Stale');
    const plan = (changes: object[], mcp = member) => mcp.call('scenario_action_plan', { scenario_id: sid, changes }).then((r) => structured<Proposal>(r));
    const first = await plan([{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.7 }]);
    const second = await plan([{ op: 'set_fte', actor_id: world.ids.id('f1'), fte: 0.6 }]);
    structured(await member.call('scenario_action_confirm', { proposal_id: first.proposal_id }));
    const moved = await member.call('scenario_action_confirm', { proposal_id: second.proposal_id });
    expect(errorOf(moved)).toMatchObject({ code: 'stale_proposal', reason: 'scenario_changed', fix: 'Review the scenario (`scenario_delta`) and plan the change again with `scenario_action_plan`.' });
    expect((moved.content[0] as { text: string }).text).toMatch(/^The scenario changed since this proposal was planned; nothing was applied\./);
    expect(await fteOf(member, world.ids.id('f1'), sid)).toBe(1);

    const expiring = await plan([{ op: 'set_fte', actor_id: world.ids.id('f1'), fte: 0.6 }]);
    await world.database.db.update(scenarioProposals).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(scenarioProposals.id, expiring.proposal_id));
    const expired = errorOf(await member.call('scenario_action_confirm', { proposal_id: expiring.proposal_id }));
    expect(expired).toMatchObject({ code: 'stale_proposal', reason: 'expired', fix: 'Plan the change again with scenario_action_plan.' });

    const mine = await plan([{ op: 'set_fte', actor_id: world.ids.id('f1'), fte: 0.6 }]);
    const otherClient = await connect(world, principalOf(world.tenant, 'member', { kind: 'oauth', abilities: ['ai.scenarios.draft', 'scenarios.write', 'scenarios.read'] }));
    expect(errorOf(await otherClient.call('scenario_action_confirm', { proposal_id: mine.proposal_id }))).toMatchObject({ reason: 'other_owner' });
    await otherClient.close();
    expect(errorOf(await owner.call('scenario_action_confirm', { proposal_id: mine.proposal_id }))).toMatchObject({ reason: 'other_owner' });
  });
});

describe('who may draft', () => {
  it('a member may; a viewer gets an isError naming ai.scenarios.draft', async () => {
    const sid = await newScenario('Who');
    const changes = [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9 }];
    expect((await member.call('scenario_action_plan', { scenario_id: sid, changes })).isError).toBeFalsy();
    const refused = await viewer.call('scenario_action_plan', { scenario_id: sid, changes });
    expect(errorOf(refused)).toMatchObject({ code: 'missing_ability', ability: 'ai.scenarios.draft', granted_by: ['owner', 'admin'] });
    expect((refused.content[0] as { text: string }).text).toContain('"ai.scenarios.draft"');
    expect(errorOf(await viewer.call('scenario_action_confirm', { proposal_id: world.proposals.confirm }))).toMatchObject({ ability: 'ai.scenarios.draft' });
    expect(await proposalsIn(sid)).toBe(1);
  });

  it('an OAuth token narrowed to scenarios.read is asked to step up (403) before planning', async () => {
    const sid = await newScenario('Step up');
    const mcp = await connect(world, principalOf(world.tenant, 'member', { kind: 'oauth', abilities: ['scenarios.read'] }), { era: 'modern' });
    const changes = [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9 }];
    await expect(mcp.call('scenario_action_plan', { scenario_id: sid, changes })).rejects.toBeInstanceOf(InsufficientScopeError);
    const response = mcp.responses.at(-1)!;
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('Bearer error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain('scope="ai.scenarios.draft scenarios.write scenarios.read mcp:use"');
    expect((await mcp.call('scenario_delta', { scenario_id: sid })).isError).toBeFalsy(); // what it may do still works
    await mcp.close();
    expect(await proposalsIn(sid)).toBe(0);
  });

  it('steps up for the abilities an op needs (scenarios.delete), and names them when the role lacks them', async () => {
    const sid = await newScenario('Per op');
    const changes = [{ op: 'close_position', position_id: world.ids.id('pos_m_open') }];
    const manager = await connect(world, principalOf(world.tenant, 'manager', { kind: 'oauth', abilities: ['ai.scenarios.draft', 'scenarios.write', 'scenarios.read'] }));
    await expect(manager.call('scenario_action_plan', { scenario_id: sid, changes })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(manager.responses.at(-1)!.headers.get('www-authenticate')).toContain('scope="ai.scenarios.draft scenarios.write scenarios.delete scenarios.read mcp:use"');
    await manager.close();
    expect(errorOf(await member.call('scenario_action_plan', { scenario_id: sid, changes }))).toMatchObject({ code: 'missing_ability', ability: 'scenarios.delete' });
    expect(await proposalsIn(sid)).toBe(0);
  });
});

describe('scope and validation', () => {
  it('answers not found for another tenant’s scenario and proposal', async () => {
    const changes = [{ op: 'set_fte', actor_id: world.otherIds.id('p1'), fte: 0.9 }];
    expect(errorOf(await member.call('scenario_action_plan', { scenario_id: world.otherScenario.id, changes }))).toMatchObject({ code: 'not_found' });
    const them = await connect(world, principalOf(world.other, 'owner'));
    expect(errorOf(await them.call('scenario_action_confirm', { proposal_id: world.proposals.cancel }))).toMatchObject({ code: 'not_found' });
    expect(errorOf(await them.call('scenario_action_cancel', { proposal_id: world.proposals.cancel }))).toMatchObject({ code: 'not_found' });
    await them.close();
  });

  it('names the invalid change field and stores nothing', async () => {
    const sid = await newScenario('Invalid');
    const plan = (change: Record<string, unknown>) => member.call('scenario_action_plan', { scenario_id: sid, changes: [change] });
    const p1 = world.ids.id('p1');
    expect(errorOf(await plan({ op: 'set_fte', actor_id: p1, fte: 9 }))).toMatchObject({ code: 'invalid_input', field: 'changes[0].fte' });
    expect(errorOf(await plan({ op: 'set_fte', actor_id: p1, fte: 'lots' }))).toMatchObject({ field: 'changes[0].fte', message: 'Invalid changes[0].fte: must be a number' });
    expect(errorOf(await plan({ op: 'set_fte', actor_id: p1, fte: 1, bogus: 1 }))).toMatchObject({ field: 'changes[0].bogus' });
    expect(errorOf(await plan({ op: 'fire_everyone' }))).toMatchObject({ field: 'changes[0].op' });
    expect(errorOf(await plan({ op: 'set_fte', actor_id: '', fte: 1 }))).toMatchObject({ field: 'changes[0].actor_id' });
    expect(errorOf(await member.call('scenario_action_plan', { scenario_id: sid, changes: [] }))).toMatchObject({ field: 'changes' });
    // The id an assistant has instead of the one the op needs: where to find that one.
    const instead = errorOf(await plan({ op: 'move_placement', actor_id: p1, org_unit_id: world.ids.units.M }));
    expect(instead).toMatchObject({ field: 'changes[0].actor_id' });
    expect(instead.message).toContain('which takes placement_id, org_unit_id, date; find the placement_id with `org_placements_list` (filter it by actor_id');
    expect(await proposalsIn(sid)).toBe(0);
    // Blank strings are absent: set_manager without a manager removes it.
    expect((await plan({ op: 'set_manager', actor_id: p1, manager_id: '', date: '' })).isError).toBeFalsy();
    // So is null, which strict function calling sends for every field an op does not use.
    const unused = Object.fromEntries(Object.keys(changeItem.shape).map((field) => [field, null]));
    expect((await plan({ ...unused, op: 'set_fte', actor_id: p1, fte: 0.9 })).isError).toBeFalsy();
    expect(errorOf(await plan({ ...unused, op: 'set_fte', actor_id: p1 }))).toMatchObject({ field: 'changes[0].fte' });
  });

  it('names who closes the loop when a new manager would make a reporting cycle, and stores nothing', async () => {
    const sid = await newScenario('Cycle');
    const cycle = errorOf(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_manager', actor_id: world.ids.id('ceo'), manager_id: world.ids.id('p1') }] }));
    expect(cycle).toMatchObject({ code: 'invalid_input', field: 'changes[0].manager_id' });
    expect(cycle.message).toContain('through the chain “ceo” → “p1” → “eng_head” → “ceo” (a cycle)');
    expect(await proposalsIn(sid)).toBe(0);
  });

  it('refuses a snapshot as read-only', async () => {
    const result = await member.call('scenario_action_plan', { scenario_id: world.snapshot.id, changes: [{ op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9 }] });
    expect(errorOf(result)).toMatchObject({ code: 'read_only', kind: 'snapshot' });
    expect(await proposalsIn(world.snapshot.id)).toBe(0);
  });

  it('takes every op with the fields the schema documents as required', async () => {
    const { id, units } = world.ids;
    const sid = await newScenario('Every op');
    const changes = [
      { op: 'create_org_unit', name: 'Data', type: 'team', parent_id: units.E },
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Apps' },
      { op: 'move_org_unit', org_unit_id: units.F, parent_id: units.E },
      { op: 'update_team', org_unit_id: units.P, purpose: 'Platform and tooling' },
      { op: 'set_manager', actor_id: id('f2'), manager_id: id('ceo') },
      { op: 'add_placement', actor_id: id('f1'), org_unit_id: units.S, allocation_pct: 20, ref: 'f1_sales' },
      { op: 'set_primary_placement', placement_id: '$f1_sales' },
      { op: 'set_allocation', placement_id: id('pl-m1-p'), allocation_pct: 30 },
      { op: 'end_placement', placement_id: id('pl-m1-p') },
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.P }, // after the one there ends: one placement per unit
      { op: 'close_position', position_id: id('pos_m_open') }, // before its unit: a unit with open positions cannot close
      { op: 'close_org_unit', org_unit_id: units.M },
      { op: 'set_fte', actor_id: id('p2'), fte: 0.8 },
      { op: 'update_actor', actor_id: id('p2'), title: 'Senior engineer' },
      { op: 'update_department', org_unit_id: units.E, description: 'Builds the product' },
      { op: 'add_actor', kind: 'agent', display_name: 'Helper', org_unit_id: units.P },
      { op: 'deactivate_actor', actor_id: id('bot') },
      { op: 'create_position', org_unit_id: units.P, title: 'SRE' },
      { op: 'fill_position', position_id: id('pos_f_open'), actor_id: id('f2') },
      { op: 'update_position', position_id: id('pos_p1'), title: 'Platform engineer', planned_fte: 0.8 },
      { op: 'set_compensation', actor_id: id('f1'), kind: 'salary', amount_minor: 7_000_000, currency: 'EUR' },
    ];
    expect(new Set(changes.map((c) => c.op))).toEqual(new Set(CHANGE_OP_NAMES));
    for (const change of changes) {
      const given = Object.keys(change).filter((k) => k !== 'op');
      expect(given, change.op).toEqual(expect.arrayContaining(OP_FIELD_LISTS[change.op as keyof typeof OP_FIELD_LISTS].required));
    }
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.commands).toBe(changes.length);
    expect(structured<Confirmed>(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id })).outcome.revision).toBe(1);
    // Each op alone names one of its documented required fields as missing.
    for (const op of CHANGE_OP_NAMES) {
      const error = errorOf(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op }] }));
      expect(OP_FIELD_LISTS[op].required.map((f) => `changes[0].${f}`), op).toContain(error.field);
    }
  });

  it('advertises every field of the core change command, and explains each op', async () => {
    expect(Object.keys(changeItem.shape).sort()).toEqual(Object.keys(ChangeCommandSchema.shape).sort());
    const explained = structured<{ arguments: { name: string; fields?: { name: string }[] }[]; reference: { change_ops: { op: string; required: string[] }[] } }>(
      await viewer.call('capability_explain', { name: 'scenario_action_plan' }),
    );
    expect(explained.reference.change_ops.map((o) => o.op)).toEqual(CHANGE_OP_NAMES);
    // No extra ability: absent, not [] on every op.
    const setFte = explained.reference.change_ops.find((o) => o.op === 'set_fte');
    expect(setFte).toMatchObject({ required: ['actor_id', 'fte'] });
    expect(setFte).not.toHaveProperty('also_needs');
    expect(explained.reference.change_ops.find((o) => o.op === 'close_org_unit')).toMatchObject({ also_needs: ['scenarios.delete'] });
    const changes = explained.arguments.find((a) => a.name === 'changes')!;
    expect(changes.fields!.map((f) => f.name)).toContain('allocation_pct');
  });
});

describe('scenario.delta and scenario.metrics.delta', () => {
  let sid: string;

  beforeAll(async () => {
    sid = await newScenario('Delta');
    const changes = [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 1 }];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
  });

  it('shows only the changed records, conflicts and metric deltas', async () => {
    type Delta = {
      compare: string;
      against: { kind: string };
      families: Record<string, { changed: { id: string; fields: Record<string, unknown> }[] }>;
      conflicts: unknown[];
      metrics: { total: Record<string, { from: number; to: number; delta: number }>; by_org_unit: { name: string }[] };
    };
    const delta = structured<Delta>(await owner.call('scenario_delta', { scenario_id: sid, as_of: AS_OF }));
    expect(delta).toMatchObject({ compare: 'source', against: { kind: 'live' }, conflicts: [] });
    expect(Object.keys(delta.families)).toEqual(['actor']);
    expect(delta.families.actor!.changed).toEqual([{ id: world.ids.id('p2'), label: 'p2', fields: { fte: { from: 0.5, to: 1 } } }]);
    expect(delta.metrics.total.fte).toEqual({ from: 7.5, to: 8, delta: 0.5 });
    expect(delta.metrics.total).toHaveProperty('annual_cost_minor');
    expect(delta.metrics.by_org_unit.map((u) => u.name)).toEqual(['Engineering', 'Fixture Co', 'Platform']);
    const asViewer = structured<Delta>(await viewer.call('scenario_delta', { scenario_id: sid, compare: 'live', as_of: AS_OF }));
    expect(asViewer.metrics.total).not.toHaveProperty('annual_cost_minor');
  });

  it('names the units and people a changed id field points to, in the preview and the delta (a team moved from Engineering to Sales)', async () => {
    const moved = await newScenario('Move Mobile');
    const changes = [{ op: 'move_org_unit', org_unit_id: world.ids.units.M, parent_id: world.ids.units.S }];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: moved, changes }));
    const moveOf = (records: unknown) => (records as Record<string, { changed: { fields: Record<string, unknown> }[] }>).org_unit!.changed[0]!.fields.parent_id;
    expect(moveOf(plan.preview.records)).toMatchObject({ from_name: 'Engineering', to_name: 'Sales' });
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    type Delta = { families: Record<string, { changed: { label: string; fields: Record<string, unknown> }[] }> };
    const delta = structured<Delta>(await owner.call('scenario_delta', { scenario_id: moved }));
    expect(delta.families.org_unit!.changed).toEqual([
      { id: world.ids.units.M, label: 'Mobile', fields: { parent_id: { from: world.ids.units.E, to: world.ids.units.S, from_name: 'Engineering', to_name: 'Sales' } } },
    ]);
  });

  it("names a team's new type, in the preview and the delta (team_type_id: to_name 'Enabling'), as REST's names do", async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const enabling = await createType(ctx, 'team', 'Enabling');
    const typed = await newScenario('Type Platform');
    const changes = [{ op: 'update_team', org_unit_id: world.ids.units.P, team_type_id: enabling.id }];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: typed, changes }));
    const typeOf = (records: unknown) => (records as Record<string, { changed: { fields: Record<string, unknown> }[] }>).team!.changed[0]!.fields.team_type_id;
    expect(typeOf(plan.preview.records)).toMatchObject({ to: enabling.id, to_name: 'Enabling' });
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const delta = structured<{ families: Record<string, unknown> }>(await owner.call('scenario_delta', { scenario_id: typed }));
    expect(typeOf(delta.families)).toMatchObject({ to: enabling.id, to_name: 'Enabling' });
  });

  it('answers a scenario with no changes compactly, saying so and what to do, within the output schema', async () => {
    const empty = await newScenario('Nothing yet');
    const result = await owner.call('scenario_delta', { scenario_id: empty });
    const delta = structured<{ families: object; conflicts: unknown[]; metrics: { total?: object }; note: string; next_step: string }>(result);
    expect(delta).toMatchObject({ families: {}, conflicts: [] });
    expect(delta.metrics).not.toHaveProperty('total');
    expect(delta.note).toMatch(/^This scenario changes nothing against Live on \d{4}-\d{2}-\d{2}: no records, conflicts or metric moves\.$/);
    expect(delta.next_step).toContain('scenario_action_plan');
    expect(Buffer.byteLength(JSON.stringify(result.structuredContent))).toBeLessThan(700);
    const metrics = await owner.call('scenario_metrics_delta', { scenario_id: empty });
    expect(structured(metrics)).toMatchObject({ note: delta.note, next_step: delta.next_step });
    expect(structured(metrics)).not.toHaveProperty('total.headcount');
    expect(Buffer.byteLength(JSON.stringify(metrics.structuredContent))).toBeLessThan(700);
    // A scenario with a change keeps its figures, and no note.
    const changed = structured<{ metrics: { total: object } }>(await owner.call('scenario_delta', { scenario_id: sid, as_of: AS_OF }));
    expect(changed.metrics.total).toHaveProperty('fte');
    expect(changed).not.toHaveProperty('note');
  });

  it('gives the metric deltas alone, for one org unit even when it did not move', async () => {
    type Metrics = { total: Record<string, { delta: number }>; by_org_unit: { org_unit_id: string; fte: { delta: number } }[] };
    const all = structured<Metrics>(await owner.call('scenario_metrics_delta', { scenario_id: sid, as_of: AS_OF }));
    expect(all.total.fte!.delta).toBe(0.5);
    expect(all).not.toHaveProperty('families');
    const platform = structured<Metrics>(await owner.call('scenario_metrics_delta', { scenario_id: sid, as_of: AS_OF, org_unit_id: world.ids.units.P }));
    expect(platform.by_org_unit).toEqual([expect.objectContaining({ org_unit_id: world.ids.units.P, fte: expect.objectContaining({ delta: 0.5 }) })]);
    const sales = structured<Metrics>(await owner.call('scenario_metrics_delta', { scenario_id: sid, as_of: AS_OF, org_unit_id: world.ids.units.S }));
    expect(sales.by_org_unit[0]).toMatchObject({ org_unit_id: world.ids.units.S, fte: { delta: 0 } });
    const foreign = await owner.call('scenario_metrics_delta', { scenario_id: sid, org_unit_id: world.otherIds.units.P });
    expect(errorOf(foreign)).toMatchObject({ code: 'not_found' });
  });

  it('compares a snapshot with Live, and reads the delta as a resource', async () => {
    expect((await owner.call('scenario_delta', { scenario_id: world.snapshot.id })).isError).toBeFalsy();
    // compare=promotion is for applied scenarios: anything else is told so.
    expect(errorOf(await owner.call('scenario_delta', { scenario_id: sid, compare: 'promotion' }))).toMatchObject({ code: 'invalid_input', field: 'compare' });
    const read = await viewer.client.readResource({ uri: `orgonaut://scenarios/${sid}/delta` });
    const delta = JSON.parse((read.contents[0] as { text: string }).text) as { families: Record<string, unknown>; metrics: { total: object } };
    expect(Object.keys(delta.families)).toEqual(['actor']);
    expect(delta.metrics.total).not.toHaveProperty('annual_cost_minor');
    await expect(viewer.client.readResource({ uri: `orgonaut://scenarios/${world.otherScenario.id}/delta` })).rejects.toThrow(/not found/i);
  });

  it('shows a token only the record families and metrics its read abilities cover, and says what it left out', async () => {
    type Delta = { families: Record<string, unknown>; metrics: { total?: object; by_org_unit: unknown[] }; withheld: { part: string; needs: string[] }[] };
    const bare = await connect(world, principalOf(world.tenant, 'member', { abilities: ['mcp.access', 'scenarios.read'] }));
    const withActors = await connect(world, principalOf(world.tenant, 'member', { abilities: ['mcp.access', 'scenarios.read', 'actors.read'] }));
    try {
      expect(errorOf(await bare.call('org_actors_list', {}))).toMatchObject({ code: 'missing_ability' });
      const hidden = structured<Delta>(await bare.call('scenario_delta', { scenario_id: sid, as_of: AS_OF }));
      expect(hidden.families).toEqual({});
      expect(hidden.metrics).toEqual({ by_org_unit: [] });
      expect(hidden.withheld).toEqual(expect.arrayContaining([expect.objectContaining({ part: 'actor', needs: ['actors.read'] }), expect.objectContaining({ part: 'metrics', needs: ['org-metrics.read'] })]));
      expect(JSON.stringify(hidden)).not.toContain(world.ids.id('p2'));
      const read = await bare.client.readResource({ uri: `orgonaut://scenarios/${sid}/delta` });
      const resource = JSON.parse((read.contents[0] as { text: string }).text) as Delta;
      expect(resource.families).toEqual({});
      expect(resource.withheld.map((w) => w.part)).toContain('actor');
      expect(errorOf(await bare.call('scenario_metrics_delta', { scenario_id: sid }))).toMatchObject({ code: 'missing_ability' });

      const shown = structured<Delta>(await withActors.call('scenario_delta', { scenario_id: sid, as_of: AS_OF }));
      expect(Object.keys(shown.families)).toEqual(['actor']);
      expect(shown.withheld.map((w) => w.part)).not.toContain('actor');
    } finally {
      await bare.close();
      await withActors.close();
    }
  });
});

describe('nothing an MCP client does changes Live', () => {
  it('holds after a session that calls every tool, plans, confirms and cancels, and reads every resource', async () => {
    const before = await liveChecksum();
    const args = validArgs(world);
    for (const principal of [principalOf(world.tenant, 'owner'), principalOf(world.tenant, 'member', { kind: 'oauth', abilities: ['scenarios.read', 'ai.scenarios.draft', 'scenarios.write', 'actors.read'] })] as Principal[]) {
      const mcp = await connect(world, principal);
      for (const tool of CATALOG.tools) await mcp.call(underscoreName(tool.name), args[tool.name]).catch(() => undefined);
      const sid = await newScenario(`Session ${principal.kind}`);
      const plan = structured<Proposal>(
        await mcp.call('scenario_action_plan', {
          scenario_id: sid,
          changes: [
            { op: 'add_actor', kind: 'human', display_name: 'New hire', org_unit_id: world.ids.units.F, fte: 1 },
            { op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.6 },
            { op: 'move_placement', placement_id: world.ids.id('pl-p2'), org_unit_id: world.ids.units.M },
          ],
        }),
      );
      expect((await mcp.call('scenario_action_confirm', { proposal_id: plan.proposal_id })).isError).toBeFalsy();
      const dropped = structured<Proposal>(await mcp.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 1 }] }));
      expect((await mcp.call('scenario_action_cancel', { proposal_id: dropped.proposal_id })).isError).toBeFalsy();
      const { resources } = await mcp.client.listResources();
      for (const resource of resources) await mcp.client.readResource({ uri: resource.uri });
      for (const uri of [`orgonaut://scenarios/${sid}`, `orgonaut://scenarios/${sid}/delta`, `orgonaut://org-units/${world.ids.units.P}`]) {
        await mcp.client.readResource({ uri }).catch(() => undefined);
      }
      for (const prompt of (await mcp.client.listPrompts()).prompts) await mcp.client.getPrompt({ name: prompt.name });
      await mcp.close();
      expect(await fteOf(owner, world.ids.id('p1'), sid)).toBe(0.6);
      // Every applied change is audited with the user and, for an OAuth client, the client.
      const audited = await world.database.db.select().from(auditEvents).where(and(eq(auditEvents.scenarioId, sid), eq(auditEvents.entityType, 'actor')));
      expect(audited.length).toBeGreaterThan(0);
      for (const event of audited) expect(event).toMatchObject({ userId: principal.userId, clientName: principal.clientName ?? null });
    }
    expect(await fteOf(owner, world.ids.id('p1'))).toBe(1);
    expect(await liveChecksum()).toBe(before);
  });
});
