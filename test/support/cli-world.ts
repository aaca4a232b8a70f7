import { afterAll, beforeAll } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from './app.js';
import { serveForCli, type CliServer } from './cli.js';
import { testDatabase } from './db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from './factories.js';
import { buildFixtureOrg } from './fixture-org.js';

// Apart from support/cli.ts, which stays light: a test of what the CLI loads (admin-channel) imports that one.

/** A test file's CLI world: the fixture organisation in a tenant of its own, served for the CLI, the owner signed in. */
export interface FixtureCliWorld {
  database: Database;
  tenant: Tenant;
  /** The owner, for setting the stage through the services. */
  owner: ServiceContext;
  server: CliServer;
  /** The owner's sign-in file, the `config` of `runCli`. */
  config: string;
}

/**
 * Sets up (beforeAll) and tears down (afterAll) a {@link FixtureCliWorld} for the calling test file: tenant `slug`
 * (business plan) holding `buildFixtureOrg(salt)`. Read its fields inside tests, once beforeAll has run.
 */
export function fixtureCliWorld(slug: string, salt: string): FixtureCliWorld {
  const world = {} as FixtureCliWorld;
  beforeAll(async () => {
    world.database = await testDatabase();
    world.tenant = await writeGraph(world.database, await buildTenant(world.database, { slug, plan: 'business' }), buildFixtureOrg(salt));
    world.owner = contextFor(world.database, world.tenant, principalFor(world.tenant, 'owner'));
    world.server = await serveForCli(testApp(world.database), slug);
    world.config = world.server.signIn('owner', await memberToken(world.database, world.tenant, 'owner'));
  }, 180_000);
  afterAll(async () => {
    await world.server?.close();
    await world.database?.close();
  });
  return world;
}
