import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * The examples of /docs/api.json show values a reader can recognise: never the placeholder `"string"` (the import
 * runs, their rows and the HRIS integration were full of them: `"sha256": "string"`, `"delimiter": "string"`,
 * `"header": "string"`), and an import run's `created_by` is a user id as the API answers it.
 */

let database: Database;
let doc: any;

beforeAll(async () => {
  database = await testDatabase();
  await buildTenant(database, { slug: 'exvalues', plan: 'business' });
  doc = await (await testApp(database).request('/docs/api.json', { host: 'exvalues.localhost' })).json();
});
afterAll(() => database?.close());

function placeholders(value: unknown, at: string, found: string[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => placeholders(v, `${at}[${i}]`, found));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) placeholders(v, `${at}.${k}`, found);
  else if (value === 'string') found.push(at);
}

describe('documented examples', () => {
  it('hold no "string" placeholder, in request or answer', () => {
    const found: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, any>)) {
      for (const [method, op] of Object.entries(item as Record<string, any>)) {
        const key = `${method.toUpperCase()} ${path}`;
        for (const media of Object.values((op.requestBody?.content ?? {}) as Record<string, any>)) placeholders(media.example, `${key} request`, found);
        for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, any>)) {
          for (const media of Object.values((response.content ?? {}) as Record<string, any>)) placeholders(media.example, `${key} ${status}`, found);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('show an import run as the API answers one: file, mapping and who started it', () => {
    const run = doc.paths['/api/v1/imports/{id}'].get.responses['200'].content['application/json'].example.data;
    expect(run.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.file.delimiter).toBe(',');
    expect(run.file.name).toMatch(/\.csv$/);
    expect(run.created_by).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(run.mapping[0].header).toBe('Email');
  });
});

describe('the documented scenario changes example', () => {
  it('reads as changes do: an add carries the whole record and no base, a change the same fields in values and base, names for the ids they point at', () => {
    const changes = doc.paths['/api/v1/scenarios/{id}/changes'].get.responses['200'].content['application/json'].example.data;
    expect(changes.map((c: any) => c.op)).toEqual(expect.arrayContaining(['add', 'change']));
    for (const change of changes) {
      if (change.op === 'add') {
        expect(change.base, change.label).toBeNull();
        expect(change.values.id, change.label).toBe(change.record_id);
      }
      if (change.op === 'change') expect(Object.keys(change.base).sort(), change.label).toEqual(Object.keys(change.values).sort());
      const pointed = Object.entries({ ...change.values, ...change.base }).filter(([field, v]) => field.endsWith('_id') && field !== 'id' && typeof v === 'string');
      for (const [field, target] of pointed) expect(change.names[target as string], `${change.label} ${field}`).toBeTruthy();
    }
  });
});
