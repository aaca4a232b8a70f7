import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { ServiceContext } from '../../src/context.js';
import { listRows } from '../../src/imports/review.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant, liveState } from './support.js';

/**
 * Identity (reference/csv-field-reference.md): a BambooHR directory file links managers by SupervisorID and stores
 * PersonID as the source identity; a later file is matched by that identity first (an email change is an update, not
 * a new person), then by email (a canonical file links the existing person to a source identity).
 */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database));
});
afterAll(() => database?.close());

const people = async () => new Map([...(await owner.graphs.live(tenant.id)).graph.actors.values()].map((a) => [a.sourceHrisId ?? a.email, a]));

describe('identity', () => {
  it('reads a BambooHR directory file: PersonID is the source identity, SupervisorID links managers', async () => {
    const run = await importFile(
      owner,
      csvOf(['Name', 'PersonID', 'SupervisorID', 'Email', 'Department', 'Division', 'Job Title'], [
        ['Bo Boss', '10', '', 'bo@id.test', 'Leadership', '', 'CEO'],
        ['Ida Ic', '11', '10', 'ida@id.test', 'Engineering', 'Product', 'Engineer'],
      ]),
    );
    expect(run).toMatchObject({ format: 'bamboohr', status: 'completed', summary: { rows: { created: 2 } } });
    const byId = await people();
    expect(byId.get('10')).toMatchObject({ sourceHris: 'bamboohr', displayName: 'Bo Boss', email: 'bo@id.test' });
    const graph = (await owner.graphs.live(tenant.id)).graph;
    expect([...graph.reportingLines.values()].find((l) => l.actorId === byId.get('11')!.id)?.managerId).toBe(byId.get('10')!.id);
  });

  it('matches by source identity before email: a changed email updates the same person', async () => {
    const before = await liveState(database, tenant.id);
    const run = await importFile(owner, csvOf(['Name', 'PersonID', 'SupervisorID', 'Work Email', 'Department'], [['Ida Ic', '11', '10', 'ida.ic@id.test', 'Engineering']]));
    expect(run.summary).toMatchObject({ rows: { updated: 1, created: 0 } });
    expect((await liveState(database, tenant.id)).actors).toBe(before.actors);
    expect((await people()).get('11')!.email).toBe('ida.ic@id.test');
  });

  it('falls back to email, and links a person without a source identity to one', async () => {
    await importFile(owner, csvOf(['email', 'name', 'department'], [['cas@id.test', 'Cas Csv', 'Ops']]));
    const run = await importFile(owner, csvOf(['email', 'source_hris', 'source_hris_id', 'job_title'], [['CAS@id.test', 'workday', 'W-5', 'Operator']]));
    expect(run.summary).toMatchObject({ rows: { updated: 1, created: 0 } });
    expect((await people()).get('W-5')).toMatchObject({ email: 'cas@id.test', sourceHris: 'workday', title: 'Operator' });
    // The same email with another source identity is a conflict, not a silent re-link.
    const conflict = await importFile(owner, csvOf(['email', 'source_hris', 'source_hris_id'], [['cas@id.test', 'workday', 'W-6']]));
    expect((await listRows(owner, conflict.id)).items[0]!.reason).toMatchObject({ code: 'identity_conflict' });
  });
});
