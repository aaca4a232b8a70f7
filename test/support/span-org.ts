import type { OrgGraph } from '../../src/org/types.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from './fixture-org.js';

/**
 * The fixture org (test/support/fixture-org.ts) with three more managers, for span-of-control tests. As of AS_OF:
 *
 *   ceo (C, layer 1): 2 reports — narrow      sales_head (S): 2 + Bea Boss = 3 — ok
 *   eng_head (E): p1, p2, m1 + Hugo Hub + Sol Solo = 5 — ok
 *   Bea Boss (F, "Head of Field Ops", layer 3): field01…field15 (F) = 15 — wide
 *   Hugo Hub (P, layer 3): plat01…plat14 (P) = 14 — ok (one more makes him wide)
 *   Sol Solo (M, layer 3): mob01 (M) = 1 — narrow
 */
export function buildSpanOrg(salt: string): OrgGraph {
  const g = buildFixtureOrg(salt);
  const { id } = fixtureIds(salt);
  const person = (key: string, name: string, unitKey: string, managerKey: string, title: string | null = null) => {
    g.actors.set(id(key), {
      id: id(key),
      kind: 'human',
      displayName: name,
      email: `${key}@fixture.test`,
      externalUid: key,
      sourceHris: null,
      sourceHrisId: null,
      fte: 1,
      title,
      level: null,
      validFrom: '2024-01-01',
      validTo: null,
    });
    g.placements.set(id(`pl-${key}`), {
      id: id(`pl-${key}`),
      actorId: id(key),
      orgUnitId: id(unitKey),
      positionId: null,
      isPrimary: true,
      allocationPct: 100,
      validFrom: '2024-01-01',
      validTo: null,
    });
    g.reportingLines.set(id(`rl-${key}`), { id: id(`rl-${key}`), actorId: id(key), managerId: id(managerKey), validFrom: '2024-01-01', validTo: null });
  };
  person('boss', 'Bea Boss', 'F', 'sales_head', 'Head of Field Ops');
  person('hub', 'Hugo Hub', 'P', 'eng_head');
  person('solo', 'Sol Solo', 'M', 'eng_head');
  const two = (n: number) => String(n).padStart(2, '0');
  for (let n = 1; n <= 15; n++) person(`field${two(n)}`, `Field ${two(n)}`, 'F', 'boss');
  for (let n = 1; n <= 14; n++) person(`plat${two(n)}`, `Plat ${two(n)}`, 'P', 'hub');
  person('mob01', 'Mob 01', 'M', 'solo');
  return g;
}

export { AS_OF };
