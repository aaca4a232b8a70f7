import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { fromPglite, openPostgres } from '../../src/db/connection.js';
import { migrate } from '../../src/db/migrate.js';
import { adminQuery, withDatabase } from './postgres.js';

/**
 * Migrates one template per test run, so each test file gets its own database cheaply: a dump of a migrated PGlite
 * (embedded, the default) or a migrated PostgreSQL template database (when DATABASE_URL is set; CI does both).
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `${new URL(url).pathname.slice(1) || 'orgonaut'}_tpl_${process.pid}`;
    await adminQuery(url, `drop database if exists "${template}"`);
    await adminQuery(url, `create database "${template}"`);
    const database = await openPostgres(withDatabase(url, template), { max: 2 });
    await migrate(database);
    await database.close();
    project.provide('pgTemplate', template);
    return async () => {
      await adminQuery(url, `drop database if exists "${template}" with (force)`);
    };
  }
  const client = new PGlite();
  await migrate(fromPglite(client, 'template'));
  const dump = await client.dumpDataDir('none');
  const file = path.join(os.tmpdir(), `orgonaut-template-${process.pid}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  project.provide('pgliteTemplate', file);
  return () => fs.rmSync(file, { force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate?: string;
    pgliteTemplate?: string;
  }
}
