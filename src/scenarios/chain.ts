import type { ServiceContext } from '../context.js';
import { AppError } from '../errors.js';
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

/** What each refusal says: the message and the way forward. */
const NOTHING_TO: Record<'promote' | 'submit' | 'restore', [string, string]> = {
  promote: ['This scenario has no changes, so there is nothing to promote; Live was not changed.', 'Plan changes in the scenario first, or archive it if it is no longer needed.'],
  submit: ['This scenario has no changes, so there is nothing to submit for review.', 'Plan changes in the scenario first, or archive it if it is no longer needed.'],
  restore: [
    'This snapshot matches Live, so there is nothing to restore; Live was not changed.',
    'Choose another snapshot: compare it with Live first (its delta) to see what restoring it would change.',
  ],
};

/**
 * A scenario with nothing to promote, and so nothing to submit for review: neither it nor the planning scenarios it
 * was started from hold a change (a record edited back to its source's value holds none). Refused before anything is
 * written — a promotion would only snapshot Live and add a Live version that changes nothing. A scenario whose changes
 * Live already has, or whose changes offset each other in the totals, does hold changes — and so does one whose
 * conflicts were all resolved with the source's value (checked before the resolutions are folded in).
 * Likewise a snapshot that matches Live record for record: restoring it would only archive Live and change nothing.
 */
export class NothingToDo extends AppError {
  constructor(scenarioId: string, action: 'promote' | 'submit' | 'restore') {
    const [message, fix] = NOTHING_TO[action];
    super(`nothing_to_${action}`, 409, message, fix, action === 'restore' ? { snapshot_id: scenarioId } : { scenario_id: scenarioId });
  }
}

/** Refuses to promote or submit a scenario that holds no change (NothingToDo). */
export async function assertHasChanges(ctx: ServiceContext, scenario: Scenario, action: 'promote' | 'submit'): Promise<void> {
  if (!(await hasChangesToPromote(ctx, scenario))) throw new NothingToDo(scenario.id, action);
}
