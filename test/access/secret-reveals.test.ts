import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropExpiredReveals, holdSecret, takeSecret } from '../../src/access/secret-reveals.js';
import type { Database } from '../../src/db/connection.js';
import { secretReveals, sessions } from '../../src/db/schema/index.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

let database: Database;
let sessionIds: [string, string];

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await buildTenant(database, { slug: 'reveals' });
  const member = await buildMember(database, tenant, 'owner');
  const session = (id: string) => ({ id, userId: member.id, tenantId: tenant.id, csrfToken: `csrf-${id}`, expiresAt: new Date(Date.now() + 3_600_000) });
  await database.db.insert(sessions).values([session('reveal-session-a'), session('reveal-session-b')]);
  sessionIds = ['reveal-session-a', 'reveal-session-b'];
});
afterAll(() => database?.close());

describe('a secret held for its reveal', () => {
  it('is shown once, to the session that created it, and is stored sealed', async () => {
    const [mine, other] = sessionIds;
    const id = await holdSecret(database.db, mine, 'CI token', 'ogn_secret_value_123');
    const [row] = await database.db.select().from(secretReveals).where(eq(secretReveals.id, id));
    expect(JSON.stringify(row)).not.toContain('ogn_secret_value_123');
    expect(await takeSecret(database.db, other, id)).toBeNull();
    expect(await takeSecret(database.db, mine, id)).toEqual({ label: 'CI token', secret: 'ogn_secret_value_123' });
    expect(await takeSecret(database.db, mine, id)).toBeNull();
  });

  it('is dropped by the maintenance job once its time is up, whether or not its session came back', async () => {
    const [mine, other] = sessionIds;
    const expired = await holdSecret(database.db, mine, 'Forgotten', 'ogn_forgotten');
    const fresh = await holdSecret(database.db, other, 'Fresh', 'ogn_fresh');
    await database.db.update(secretReveals).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(secretReveals.id, expired));
    expect(await dropExpiredReveals(database.db)).toBe(1);
    const left = await database.db.select({ id: secretReveals.id }).from(secretReveals);
    expect(left.map((r) => r.id)).toEqual([fresh]);
    expect(await takeSecret(database.db, other, fresh)).toMatchObject({ secret: 'ogn_fresh' });
  });
});
