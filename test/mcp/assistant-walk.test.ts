import { describe, expect, it } from 'vitest';
import { addDays, today } from '../../src/org/dates.js';
import { withAssistant, errorOf, type Connection, type McpWorld } from './support.js';

/**
 * What an assistant met walking the fixture org through the tools (the official client, a personal token): answers
 * that left it without a next step, each now saying what to do.
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

describe('a day not written YYYY-MM-DD ("yesterday", "last week")', () => {
  it('is refused with today’s date to count from, on every date argument', async () => {
    const day = today();
    const counted = `today is ${day} (UTC), so yesterday is ${addDays(day, -1)} and a week ago ${addDays(day, -7)}`;
    const asOf = errorOf(await assistant.call('org_actors_list', { as_of: 'yesterday' }));
    expect(asOf).toMatchObject({ code: 'invalid_input', field: 'as_of' });
    expect(asOf.fix).toBe(`Correct "as_of" with a day written YYYY-MM-DD: ${counted}.`);

    const since = errorOf(await assistant.call('org_activity_list', { since: 'last week' }));
    expect(since).toMatchObject({ field: 'since' });
    expect(since.fix).toContain(counted);

    const change = errorOf(
      await assistant.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'set_manager', actor_id: world.ids.id('p2'), date: 'tomorrow' }] }),
    );
    expect(change).toMatchObject({ field: 'changes[0].date' });
    expect(change.fix).toContain(counted);
  });
});
