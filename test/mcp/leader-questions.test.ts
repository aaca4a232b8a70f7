import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/record.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { AS_OF } from '../support/fixture-org.js';
import { connect, withAssistant, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * Questions an HR or finance leader asks an assistant connected with a personal API token, answered only through the
 * tools over the real SDK client, where an earlier walk-through found the assistant misled or stuck.
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

type Subunits = { more: number; note: string };

describe('"who works in Engineering?" and "which vacancies does it have?", asked with the department’s id alone', () => {
  it('says how many more actors sit in the units below and how to include them, instead of reading as the whole department', async () => {
    const direct = structured<{ actors: { display_name: string }[]; subunits?: Subunits }>(
      await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, as_of: AS_OF }),
    );
    const everyone = structured<{ actors: { display_name: string }[]; subunits?: Subunits }>(
      await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, include_subunits: true, as_of: AS_OF }),
    );
    expect(direct.actors.map((a) => a.display_name)).toEqual(['eng_head']);
    expect(everyone.actors.map((a) => a.display_name)).toEqual(['bot', 'eng_head', 'm1', 'p1', 'p2']);
    expect(direct.subunits).toEqual({ more: 4, note: '4 more actors in the units below Engineering, not listed here: pass include_subunits: true to include them.' });
    expect(everyone).not.toHaveProperty('subunits');
  });

  it('says a vacancy sits in a team below, so an empty list does not read as "Engineering has no vacancies"', async () => {
    const vacant = structured<{ positions: unknown[]; subunits?: Subunits }>(
      await assistant.call('org_positions_list', { org_unit_id: world.ids.units.E, status: 'vacant', as_of: AS_OF }),
    );
    expect(vacant.positions).toEqual([]);
    expect(vacant.subunits).toEqual({ more: 1, note: '1 more vacant position in the units below Engineering, not listed here: pass include_subunits: true to include them.' });
  });

  it('says nothing when the caller chose include_subunits: false, or for a team with nothing below', async () => {
    const chosen = structured(await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, include_subunits: false, as_of: AS_OF }));
    expect(chosen).not.toHaveProperty('subunits');
    const team = structured(await assistant.call('org_positions_list', { org_unit_id: world.ids.units.M, as_of: AS_OF }));
    expect(team).not.toHaveProperty('subunits');
  });
});

describe('"which teams have no manager, and who leads Platform?"', () => {
  const names = (teams: { name: string }[]) => teams.map((t) => t.name);

  it('lists only the teams nobody in them manages with without_manager, and names a team’s lead with org_spans_list', async () => {
    // In Live every team's people report to their department head: no team has a manager of its own.
    const live = structured<{ teams: { name: string }[] }>(await assistant.call('org_teams_list', { without_manager: true, as_of: AS_OF }));
    expect(names(live.teams)).toEqual(['Field', 'Mobile', 'Platform']);

    // In a scenario p2 reports to p1, who is homed in Platform: Platform now has a manager.
    const owner = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const scenarioId = (await createScenario(owner, { name: 'Platform lead' })).id;
    const plan = structured<{ proposal_id: string }>(
      await assistant.call('scenario_action_plan', { scenario_id: scenarioId, changes: [{ op: 'set_manager', actor_id: world.ids.id('p2'), manager_id: world.ids.id('p1'), date: AS_OF }] }),
    );
    structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const drafted = structured<{ teams: { name: string }[] }>(await assistant.call('org_teams_list', { scenario_id: scenarioId, without_manager: true, as_of: AS_OF }));
    expect(names(drafted.teams)).toEqual(['Field', 'Mobile']);
    const all = structured<{ teams: { name: string }[] }>(await assistant.call('org_teams_list', { scenario_id: scenarioId, without_manager: false, as_of: AS_OF }));
    expect(names(all.teams)).toEqual(['Field', 'Mobile', 'Platform']);

    const leads = structured<{ managers: { display_name: string; direct_reports: number }[] }>(
      await assistant.call('org_spans_list', { scenario_id: scenarioId, org_unit_id: world.ids.units.P, span: 'all', as_of: AS_OF }),
    );
    expect(leads.managers).toMatchObject([{ display_name: 'p1', direct_reports: 1 }]);
    const tools = await assistant.client.listTools();
    expect(tools.tools.find((t) => t.name === 'org_teams_list')!.description).toContain('Who leads a team: `org_spans_list` with its org_unit_id');
  });

  it('asks for org-metrics.read, as the span metrics it reads do, instead of answering without it', async () => {
    const narrow = await connect(world, principalOf(world.tenant, 'admin', { abilities: ['mcp.access', 'teams.read'] }));
    try {
      expect(errorOf(await narrow.call('org_teams_list', { without_manager: true }))).toMatchObject({ code: 'missing_ability', ability: 'org-metrics.read' });
      expect(structured<{ teams: unknown[] }>(await narrow.call('org_teams_list', {})).teams).toHaveLength(3);
    } finally {
      await narrow.close();
    }
  });
});

describe('"what changed in that scenario, and who did it affect?"', () => {
  type Event = { entity_type: string; action: string; entity_name?: string; after?: Record<string, unknown> };

  it('names placements, reporting lines and pay by their person and unit, also a person the scenario added', async () => {
    const owner = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const scenarioId = (await createScenario(owner, { name: 'Field changes' })).id;
    const plan = structured<{ proposal_id: string }>(
      await assistant.call('scenario_action_plan', {
        scenario_id: scenarioId,
        changes: [
          { op: 'set_allocation', placement_id: world.ids.id('pl-m1-p'), allocation_pct: 50 },
          { op: 'set_manager', actor_id: world.ids.id('f2'), manager_id: world.ids.id('f1') },
          { op: 'set_compensation', actor_id: world.ids.id('f1'), kind: 'salary', amount_minor: 7_000_000, currency: 'EUR' },
          { op: 'add_actor', kind: 'human', display_name: 'Dana New', org_unit_id: world.ids.units.M, manager_id: world.ids.id('eng_head') },
        ],
      }),
    );
    structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));

    const events = structured<{ events: Event[] }>(await assistant.call('org_activity_list', { scenario_id: scenarioId, category: 'model' })).events;
    const named = (type: string) => events.filter((e) => e.entity_type === type).map((e) => e.entity_name);
    // A new allocation from a day ends the placement at 40 % and starts one at 50 %.
    expect(named('placement').sort()).toEqual(['Dana New in Mobile (100 %)', 'm1 in Platform (40 %)', 'm1 in Platform (50 %)']);
    // The old line ends (updated), the new one starts (created).
    expect(named('reporting_line').sort()).toEqual(['Dana New reports to eng_head', 'f2 reports to f1', 'f2 reports to sales_head']);
    expect(named('compensation')).toContain('Pay of f1');
    expect(named('actor')).toEqual(['Dana New']);

    // Without actors.read the events keep their ids alone: the names are people's.
    const auditor = await connect(world, principalOf(world.tenant, 'admin', { abilities: ['mcp.access', 'activity.read'] }));
    try {
      const bare = structured<{ events: Event[] }>(await auditor.call('org_activity_list', { category: 'model', entity_type: 'reporting_line' })).events;
      expect(bare.length).toBeGreaterThan(0);
      expect(bare.every((e) => e.entity_name === undefined)).toBe(true);
    } finally {
      await auditor.close();
    }
  });
});

describe('"who used which token?"', () => {
  it('names the token of a security event that carries its name in the metadata (first use, revocation)', async () => {
    await recordAudit(world.database.db, { tenantId: world.tenant.id, category: 'security', entityType: 'api_token', entityId: world.ids.id('token-ci'), action: 'used_first', metadata: { name: 'CI exporter' } });
    const events = structured<{ events: { action: string; entity_id: string; entity_name?: string }[] }>(await assistant.call('org_activity_list', { category: 'security', entity_type: 'api_token' })).events;
    expect(events.find((e) => e.entity_id === world.ids.id('token-ci'))).toMatchObject({ action: 'used_first', entity_name: 'CI exporter' });
  });
});

describe('"what was drafted lately?", across several scenarios in one page', () => {
  type Event = { entity_type: string; scenario_name?: string; entity_name?: string };

  it('names each placement from the scenario it was made in, where its new person exists', async () => {
    const owner = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const hire = async (scenario: string, person: string, unit: string) => {
      const scenarioId = (await createScenario(owner, { name: scenario })).id;
      const plan = structured<{ proposal_id: string }>(
        await assistant.call('scenario_action_plan', { scenario_id: scenarioId, changes: [{ op: 'add_actor', kind: 'human', display_name: person, org_unit_id: unit }] }),
      );
      structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    };
    await hire('Hire in Mobile', 'Ann Two', world.ids.units.M);
    await hire('Hire in Field', 'Bo Three', world.ids.units.F);

    const events = structured<{ events: Event[] }>(await assistant.call('org_activity_list', { scope: 'scenarios', entity_type: 'placement', limit: 2 })).events;
    expect(events.map((e) => [e.scenario_name, e.entity_name])).toEqual([
      ['Hire in Field', 'Bo Three in Field (100 %)'],
      ['Hire in Mobile', 'Ann Two in Mobile (100 %)'],
    ]);
  });
});

describe('"who reports to the Platform team?", asked with the team’s id where a person’s goes', () => {
  it('says the id is an org unit, names it and where such an id goes, instead of a bare "actor not found"', async () => {
    const error = errorOf(await assistant.call('org_reporting_lines_list', { manager_id: world.ids.units.P, as_of: AS_OF }));
    expect(error).toMatchObject({ code: 'not_found', id: world.ids.units.P, is: 'org_unit', name: 'Platform' });
    expect(error.message).toBe(`Actor "${world.ids.units.P}" not found: that id is an org unit.`);
    expect(error.fix).toContain('pass it as org_unit_id — `org_actors_list` lists its people, `org_spans_list` its managers');

    const person = errorOf(await assistant.call('org_units_get', { org_unit_id: `actor:${world.ids.id('p1')}` }));
    expect(person).toMatchObject({ code: 'not_found', is: 'actor', name: 'p1' });
    expect(person.fix).toContain('pass it as actor_id or manager_id');
  });

  it('keeps the plain answer for an id that is nothing here, and names nothing the caller may not read', async () => {
    const unknown = errorOf(await assistant.call('org_reporting_lines_list', { manager_id: world.otherIds.units.P }));
    expect(unknown).not.toHaveProperty('is');
    expect(unknown.fix).toContain('Find actor ids with `org_actors_list` or `search`');

    const peopleOnly = await connect(world, principalOf(world.tenant, 'admin', { abilities: ['mcp.access', 'actors.read'] }));
    try {
      const error = errorOf(await peopleOnly.call('org_reporting_lines_list', { manager_id: world.ids.units.P }));
      expect(error).not.toHaveProperty('name');
      expect(error.message).toBe(`Actor "${world.ids.units.P}" not found.`);
    } finally {
      await peopleOnly.close();
    }
  });
});

describe('"what changed in Live last week?" after a promotion', () => {
  // Last in the file: it changes Live.
  it('says on the promotion where its changes are, and following it lists them', async () => {
    const owner = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const scenarioId = (await createScenario(owner, { name: 'Rename Field' })).id;
    const plan = structured<{ proposal_id: string }>(
      await assistant.call('scenario_action_plan', { scenario_id: scenarioId, changes: [{ op: 'rename_org_unit', org_unit_id: world.ids.units.F, name: 'Field Sales' }] }),
    );
    structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect((await (await promoteScenario(owner, scenarioId)).done).status).toBe('succeeded');

    const events = structured<{ events: { action: string; scenario_name?: string; next_step?: string }[] }>(
      await assistant.call('org_activity_list', { scope: 'live', since: new Date().toISOString().slice(0, 10) }),
    ).events;
    const promoted = events.find((e) => e.action === 'promoted')!;
    expect(promoted).toMatchObject({
      scenario_name: 'Rename Field',
      next_step: 'Its changes to Live, record by record: scenario_delta with this scenario_id and compare: "promotion".',
    });
    expect(events.filter((e) => e.next_step)).toHaveLength(1);

    const delta = structured<{ families: { org_unit?: { changed: { label: string; fields: Record<string, { from: unknown; to: unknown }> }[] } } }>(
      await assistant.call('scenario_delta', { scenario_id: scenarioId, compare: 'promotion' }),
    );
    expect(delta.families.org_unit!.changed).toMatchObject([{ label: 'Field Sales', fields: { name: { from: 'Field', to: 'Field Sales' } } }]);
  });
});
