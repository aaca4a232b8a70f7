import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import { runCli } from '../support/cli.js';
import { fixtureCliWorld } from '../support/cli-world.js';
import { fixtureIds } from '../support/fixture-org.js';

/** `orgonaut scenario discard`: the change tray's undo from a terminal, over the REST route; refusals in words. */

const SLUG = 'clidiscard';
const { units } = fixtureIds('cli-discard');
const world = fixtureCliWorld(SLUG, 'cli-discard');

describe('orgonaut scenario discard', () => {
  it('discards the changes named, says what became of each, and refuses one others depend on', async () => {
    const sid = (await createScenario(world.owner, { name: 'CLI undo' })).id;
    const outcome = await applyBatch(world.owner, sid, [
      { op: 'create_org_unit', type: 'team', name: 'Tiger', parent_id: units.E, ref: 'tiger' },
      { op: 'add_actor', kind: 'agent', display_name: 'Tiger bot', org_unit_id: '$tiger' },
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' },
    ]);
    const tiger = outcome.created.find((c) => c.ref === 'tiger')!.id;

    const renamed = await runCli(['scenario', 'discard', 'CLI undo', `org_unit:${units.M}`], world.config);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain(`Discarded the changes to 1 record of scenario "CLI undo"`);
    expect(renamed.stdout).toContain(`org unit ${units.M}: as in the source again`);

    const refused = await runCli(['scenario', 'discard', sid, `org_unit:${tiger}`], world.config);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/discarding would leave the scenario with 1 problem/);
    expect((await listScenarioChanges(world.owner, sid)).page.items).toHaveLength(4); // unit, team, agent, placement: nothing discarded

    const usage = await runCli(['scenario', 'discard', sid, 'nonsense'], world.config);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('"nonsense" is not <family>:<record-id>');
  });
});
