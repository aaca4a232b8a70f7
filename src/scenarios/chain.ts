import type { ServiceContext } from '../context.js';
import type { ScenarioChange } from './overlay.js';
import { loadScenario, type Scenario } from './store.js';

/**
 * The changes promoting a scenario would apply: its own and those of the planning scenarios it was started from, up
 * to Live or a source promoted since (which Live now holds).
 */
export async function chainChanges(ctx: ServiceContext, scenario: Scenario): Promise<ScenarioChange[]> {
  const chain: ScenarioChange[] = [];
  for (let at: Scenario | null = scenario; at; at = at.sourceScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, at.sourceScenarioId) : null) {
    if (at.kind !== 'planning') break;
    chain.push(...(await ctx.graphs.changes(at)));
  }
  return chain;
}

/** Whether promoting the scenario would apply anything: a change of its own or of a planning scenario it builds on. */
export async function hasChangesToPromote(ctx: ServiceContext, scenario: Scenario): Promise<boolean> {
  return (await chainChanges(ctx, scenario)).length > 0;
}
