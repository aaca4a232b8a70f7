import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { listActors } from '../../src/org/read-people.js';
import { emptyGraph } from '../../src/org/types.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, uid, writeGraph } from '../support/factories.js';

/**
 * The people list's `q` (REST `GET /api/v1/actors?q=`, MCP org_actors_list `query`, the People page's filter): each
 * word starts a word of a name, email or title — "ana" finds Ana, not every Manager, Tanaka and Hana (an assistant got
 * 89 people for "ana") — with case and accents ignored.
 */

let database: Database;
let owner: ServiceContext;

const PEOPLE: [name: string, email: string | null, title: string | null][] = [
  ['Ana Schneider', 'ana.schneider@acme.test', 'Staff Engineer'],
  ['Hana Tanaka', 'hana.tanaka@acme.test', 'Engineering Manager'],
  ['Diana Banerjee', 'd.banerjee@acme.test', 'Product Analyst'],
  ["José O'Brien-Smith", 'jose@acme.test', 'Support Team Lead'],
  ['Build bot', null, null],
];

beforeAll(async () => {
  database = await testDatabase();
  const g = emptyGraph();
  const unit = uid('company', 'q');
  g.orgUnits.set(unit, { id: unit, parentId: null, type: 'company', name: 'Acme', code: null, validFrom: null, validTo: null });
  for (const [name, email, title] of PEOPLE) {
    const id = uid(name, 'q');
    g.actors.set(id, { id, kind: email ? 'human' : 'robot', displayName: name, email, externalUid: id, sourceHris: null, sourceHrisId: null, fte: email ? 1 : null, title, level: null, validFrom: '2024-01-01', validTo: null });
  }
  const tenant = await writeGraph(database, await buildTenant(database, { plan: 'business' }), g);
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
});

afterAll(async () => {
  await database?.close();
});

const found = async (query: string) => (await listActors(owner, { query })).page.items.map((a) => a.display_name);

describe('the people list query', () => {
  it('matches the start of a word, not its middle', async () => {
    // Ana by her name, Diana by her title (Analyst); not Hana Tanaka, Engineering Manager.
    expect(await found('ana')).toEqual(['Ana Schneider', 'Diana Banerjee']);
    expect(await found('schn')).toEqual(['Ana Schneider']);
    expect(await found('manager')).toEqual(['Hana Tanaka']);
    expect(await found('support lead')).toEqual(["José O'Brien-Smith"]);
    expect(await found('anal')).toEqual(['Diana Banerjee']);
  });

  it('reads emails and names with punctuation as words, ignoring case and accents', async () => {
    expect(await found('ana.schneider@acme')).toEqual(['Ana Schneider']);
    expect(await found('JOSE')).toEqual(["José O'Brien-Smith"]);
    expect(await found("o'brien")).toEqual(["José O'Brien-Smith"]);
    expect(await found('smith')).toEqual(["José O'Brien-Smith"]);
    expect(await found('bot')).toEqual(['Build bot']);
    expect(await found('nobody')).toEqual([]);
  });
});
