import { DEFAULT_BUNDLES, type Role } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import { InvalidInput } from '../../src/errors.js';
import type { OrgGraph } from '../../src/org/types.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { runCommands } from '../../src/scenarios/run-commands.js';
import { buildFixtureOrg } from './fixture-org.js';

/** A signed-in member of `role` on an enterprise tenant, with the role's default abilities. */
export function sessionOf(role: Role): Principal {
  const abilities = effectiveAbilities(DEFAULT_BUNDLES[role], null, 'enterprise');
  return { kind: 'session', userId: null, tenantId: 't', role, abilities, roleAbilities: abilities };
}

export interface ChangeRunnerOptions {
  /** The fixture organisation's salt (fixtureIds / buildFixtureOrg). */
  salt: string;
  /** The day the batch is applied on. */
  today: string;
  /** Who applies it (default: an owner). */
  principal?: Principal;
  /** Active currencies (default EUR), department types and team types the batch may name. */
  currencies?: readonly string[];
  departmentTypes?: readonly string[];
  teamTypes?: readonly string[];
}

/**
 * Change commands over the fixture organisation without a database, as the engine runs them for every surface:
 * `run` applies a batch (ids of new records `new-0`, `new-1`… or another prefix), `refusal` is the InvalidInput a batch
 * is refused with (it fails the test when the batch is accepted).
 */
export function changeRunner(options: ChangeRunnerOptions) {
  const references = {
    activeCurrencies: new Set(options.currencies ?? ['EUR']),
    departmentTypes: new Set<string>(options.departmentTypes ?? []),
    teamTypes: new Set<string>(options.teamTypes ?? []),
  };
  const owner = options.principal ?? sessionOf('owner');

  function run(commands: ChangeCommand[], graph: OrgGraph = buildFixtureOrg(options.salt), principal: Principal = owner, prefix = 'new') {
    let n = 0;
    return runCommands(principal, graph, commands, { today: options.today, references, newId: () => `${prefix}-${n++}` });
  }

  function refusal(commands: ChangeCommand[], graph?: OrgGraph, principal?: Principal): InvalidInput {
    try {
      run(commands, graph, principal);
    } catch (error) {
      if (error instanceof InvalidInput) return error;
      throw error;
    }
    throw new Error('the batch was not refused');
  }

  return { run, refusal };
}
