import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * Going over a plan limit (SPEC §2) is refused with words the reader can act on: how far over, what makes room, which
 * plans allow more, and who changes the plan — the owner asks the provider, anyone else the owner, the operator runs
 * the command (it said "ask the owner to upgrade the plan" to the owner, and "allows 0" on the free plan).
 */

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});

afterAll(async () => {
  await database?.close();
});

describe('plan limit refusals', () => {
  it('on a full team plan, say the scenarios are all in use, how to make room, the larger plans, and who upgrades', async () => {
    const tenant = await buildTenant(database, { plan: 'team' });
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
    for (const name of ['One', 'Two', 'Three']) await createScenario(owner, { name });
    const member = contextFor(database, tenant, principalFor(tenant, 'member'));
    await expect(createScenario(member, { name: 'Four' })).rejects.toMatchObject({
      code: 'plan_limit',
      status: 403,
      message: 'The team plan allows 3 active planning scenarios, and all are in use.',
      fix: 'Archive an active planning scenario to make room. The business (10), enterprise (unlimited) and agency (unlimited) plans allow more: Ask the owner of the organisation to upgrade its plan.',
      details: { limit: 'active planning scenarios', plan: 'team', allowed: 3 },
    });
    await expect(createScenario(owner, { name: 'Four' })).rejects.toMatchObject({ fix: expect.stringContaining('allow more: As the owner of the organisation, ask your Orgonaut provider to upgrade its plan.') });
  });

  it('on the free plan, say it has none rather than "allows 0", with nothing to archive', async () => {
    const tenant = await buildTenant(database, { plan: 'free' });
    const refusal = createScenario(contextFor(database, tenant, principalFor(tenant, 'owner')), { name: 'First' });
    await expect(refusal).rejects.toMatchObject({ message: 'The free plan has no planning scenarios.', fix: expect.stringMatching(/^The team \(3\), business \(10\)/) });
    await expect(refusal).rejects.not.toMatchObject({ fix: expect.stringContaining('Archive') });
  });

  it('for actors, say how many it would make, and an allowance set for the organisation as its own, raised by the operator', async () => {
    const tenant = await buildTenant(database, { plan: 'free' });
    await expect(seedOrganisation(database.db, tenant, { actors: 40 })).rejects.toMatchObject({
      message: 'The free plan allows 25 active actors; this would make 40.',
      fix: `Deactivate actors first, or bring in fewer. The team (250), business (2,500), enterprise (unlimited) and agency (unlimited) plans allow more: Raise it with orgonaut tenants set-plan ${tenant.slug} <plan>.`,
    });
    const business = await buildTenant(database, { plan: 'business' });
    const capped = { ...business, actorAllowance: 30 }; // as orgonaut tenants set-allowance leaves it
    await expect(seedOrganisation(database.db, capped, { actors: 40 })).rejects.toMatchObject({
      message: "This organisation's allowance (set for it; the business plan's is 2,500) allows 30 active actors; this would make 40.",
      fix: `Deactivate actors first, or bring in fewer. Raise it with orgonaut tenants set-allowance ${business.slug} <n|default>.`,
    });
  });
});
