import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { ServiceContext } from '../../src/context.js';
import { getOrgUnit } from '../../src/org/read-structure.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario, type ConflictResolution } from '../../src/scenarios/promotion.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** What walking a planner's journey (scenario, branch, changes, conflicts, promotion) found rough. */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
const SALT = 'planner-walk';
const { units } = fixtureIds(SALT);

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SALT));
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
});
afterAll(() => database?.close());

describe('promoting a branch with a conflict', () => {
  it('the refusal says how to answer (the field to send, what each choice takes), and following it works', async () => {
    const parent = (await createScenario(owner, { name: 'Rename teams' })).id;
    await applyBatch(owner, parent, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Apps' }]);
    const branch = (await createScenario(owner, { name: 'Rename teams, option B', sourceScenarioId: parent })).id;
    await applyBatch(owner, branch, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Mobile Clients' }]);
    await applyBatch(owner, parent, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' }]);

    const refused = await promoteScenario(owner, branch).catch((error: unknown) => error as { fix: string; details: { conflicts: Record<string, string>[] } });
    expect(refused).toMatchObject({ code: 'conflict' });
    const { fix, details } = refused as { fix: string; details: { conflicts: Record<string, string>[] } };
    // The answer is a list of { family, id, field, choice }: the refusal names `choice`, and that "live" takes the
    // source's value — here the scenario it was started from, not Live.
    expect(fix).toMatch(/family, id and field/);
    expect(fix).toMatch(/choice "scenario"/);
    expect(fix).toMatch(/"live" \(take the source’s value: Live’s, or that of the scenario it was started from\)/);
    const resolutions: ConflictResolution[] = details.conflicts.map((c) => ({ family: c.family!, id: c.id!, field: c.field!, choice: 'live' }));
    const { done } = await promoteScenario(owner, branch, resolutions);
    expect((await done).status).toBe('succeeded');
    expect((await getOrgUnit(owner, units.M)).unit.name).toBe('Apps');
  });
});
