import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * Every operation of /docs/api.json has an `operationId`: the name a client generator gives its function, a Postman
 * import its request, a link its target. Without one each tool makes up its own from the path (`apiV1ActorsGet`).
 */

let database: Database;
let doc: any;

beforeAll(async () => {
  database = await testDatabase();
  await buildTenant(database, { slug: 'opids', plan: 'business' });
  doc = await (await testApp(database).request('/docs/api.json', { host: 'opids.localhost' })).json();
});
afterAll(() => database?.close());

describe('operationId', () => {
  it('names every operation, once, in camelCase', () => {
    const ids: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, any>)) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        if (!item[method]) continue;
        expect(item[method].operationId, `${method.toUpperCase()} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        ids.push(item[method].operationId);
      }
    }
    expect(ids.length).toBeGreaterThan(50);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('says what the operation does, verb then noun, for the routes an integration uses', () => {
    const id = (method: string, path: string) => doc.paths[path][method].operationId;
    expect(id('get', '/api/v1/actors')).toBe('listActors');
    expect(id('get', '/api/v1/org-units/tree')).toBe('getOrgUnitTree');
    expect(id('post', '/api/v1/scenarios')).toBe('createScenario');
    expect(id('post', '/api/v1/scenarios/{id}/changes')).toBe('applyScenarioChanges');
    expect(id('get', '/api/v1/scenarios/{id}/delta')).toBe('getScenarioDelta');
    expect(id('post', '/api/v1/scenarios/{id}/submit')).toBe('submitScenario');
    expect(id('post', '/api/v1/scenarios/{id}/promote')).toBe('promoteScenario');
    expect(id('get', '/api/v1/tasks/{id}')).toBe('getTask');
  });
});
