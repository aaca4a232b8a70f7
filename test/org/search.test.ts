import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { searchOrganisation } from '../../src/org/search.js';
import { emptyGraph, type Actor, type OrgUnit } from '../../src/org/types.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, uid, writeGraph } from '../support/factories.js';

/** The search behind the MCP `search` tool: every record considered, best match first. */

let database: Database;
let tenant: Tenant;

const unit = (name: string, type: OrgUnit['type'] = 'team', extra: Partial<OrgUnit> = {}): OrgUnit => ({
  id: uid(name, 'search'),
  parentId: null,
  type,
  name,
  code: null,
  validFrom: null,
  validTo: null,
  ...extra,
});

const actor = (n: number, displayName: string, title: string | null): Actor => ({
  id: uid(`actor-${n}`, 'search'),
  kind: 'human',
  displayName,
  email: `person${n}@example.test`,
  externalUid: `E${n}`,
  sourceHris: null,
  sourceHrisId: null,
  fte: 1,
  title,
  level: null,
  validFrom: null,
  validTo: null,
});

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database);
  const graph = emptyGraph();
  for (const u of [
    unit('Data Platform'),
    unit('Platformers Guild'),
    unit('Platform'),
    unit('Platform Operations', 'department'),
    unit('Cloud', 'team', { code: 'PLATFORM-2' }),
    unit('Platform Legacy', 'team', { validTo: '2020-01-01' }),
  ]) {
    graph.orgUnits.set(u.id, u);
  }
  // 3,000 engineers sort before "Zoe Smith" by name: she must still be found, and first for her own name.
  for (let n = 0; n < 3_000; n++) {
    const a = actor(n, `Alex Engineer ${String(n).padStart(4, '0')}`, 'Software Engineer');
    graph.actors.set(a.id, a);
  }
  const zoe = actor(9_999, 'Zoe Smith', 'Staff Engineer');
  graph.actors.set(zoe.id, zoe);
  tenant = await writeGraph(database, tenant, graph);
});

afterAll(async () => {
  await database?.close();
});

describe('searchOrganisation', () => {
  it('ranks the name itself first, then names starting with the query, then word starts, then the rest', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'viewer'));
    const { orgUnits } = await searchOrganisation(ctx, 'platform');
    // Platform Legacy has ended; Cloud matches only by its code.
    expect(orgUnits.map((u) => u.name)).toEqual(['Platform', 'Platform Operations', 'Platformers Guild', 'Data Platform', 'Cloud']);
  });

  it('finds a person however many others share a word of the query, and needs every word', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'viewer'));
    expect((await searchOrganisation(ctx, 'zoe engineer')).actors.map((a) => a.displayName)).toEqual(['Zoe Smith']);
    expect((await searchOrganisation(ctx, 'smith')).actors.map((a) => a.displayName)).toEqual(['Zoe Smith']);
    const engineers = await searchOrganisation(ctx, 'engineer');
    expect(engineers.actors).toHaveLength(10);
    expect(engineers.actors[0]!.displayName).toBe('Alex Engineer 0000');
    expect((await searchOrganisation(ctx, 'zoe platform')).actors).toEqual([]);
  });

  it('shows no actors to a caller without actors.read, and refuses a query without a word', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'viewer', ['org-units.read']));
    const found = await searchOrganisation(ctx, 'zoe');
    expect(found.actors).toEqual([]);
    await expect(searchOrganisation(ctx, '   ')).rejects.toMatchObject({ field: 'query' });
  });
});
