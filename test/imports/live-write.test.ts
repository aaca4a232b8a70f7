import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { loadLiveGraph, writeLive } from '../../src/db/live-store.js';
import type { Actor } from '../../src/org/types.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { newId } from '../../src/util/ids.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * The Live write an import ends with (writeLive writes its records as JSON text, built without an object per row):
 * every value reads back as written — quotes, backslashes, line breaks, non-ASCII text, numbers, nulls — and text
 * PostgreSQL cannot store (a NUL character, an unpaired surrogate) is replaced with U+FFFD instead of failing the write.
 */

let database: Database;
let tenant: Tenant;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database);
});
afterAll(() => database?.close());

function actor(fields: Partial<Actor>): Actor {
  const id = newId();
  return { id, kind: 'human', displayName: 'A', email: null, externalUid: `x-${id}`, sourceHris: null, sourceHrisId: null, fte: 1, title: null, level: null, validFrom: null, validTo: null, ...fields };
}

describe('writeLive', () => {
  it('writes values as they are, in chunks, and replaces text PostgreSQL cannot store', async () => {
    const odd = actor({ displayName: 'Zoë "Z" O\'Neil \\ ⏎\nnext line 👩‍💻', title: '{"not": "json"}', fte: 0.8, level: null, validFrom: '2024-03-05', validTo: '2030-01-01' });
    const unstorable = actor({ displayName: `NUL\u0000 and a lone \ud800 surrogate`, email: 'u@acme.test' });
    const many = Array.from({ length: 4_500 }, (_, i) => actor({ displayName: `Person ${i}`, email: `p${i}@acme.test`, fte: i % 2 ? 0.5 : null }));
    const version = await database.db.transaction((tx) => writeLive(tx, tenant.id, { actors: { upsert: [odd, unstorable, ...many] } }));
    const graph = await loadLiveGraph(database.db, tenant.id, version);
    expect(graph.actors.size).toBe(4_502);
    expect(graph.actors.get(odd.id)).toEqual(odd);
    expect(graph.actors.get(unstorable.id)).toEqual({ ...unstorable, displayName: 'NUL\ufffd and a lone \ufffd surrogate' });
    for (const a of many) expect(graph.actors.get(a.id)).toEqual(a);
  });
});
