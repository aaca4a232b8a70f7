import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testApp, type TestApp, signInThroughForm } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember } from '../support/factories.js';
import { csvOf, importTenant } from '../imports/support.js';

/**
 * The mapping page of a BambooHR report with its pay columns (issue #8): Pay Rate, Pay Type and Pay Per are chosen as
 * base_salary, pay_type and pay_period with what each means, the row paid by the hour waits with its reason, and the
 * salary that looks like an hourly rate is said before the run.
 */

let database: Database;
let app: TestApp;
let owner: string;
let runId: string;
const HOST = 'webpay.localhost';
const PASSWORD = 'correct horse battery';

const HEADER = ['Work Email', 'Name', 'Department', 'Pay Rate', 'Pay Type', 'Pay Per'];
const FILE = csvOf(HEADER, [
  ['ceo@webpay.test', 'Cee Oh', 'Executive', '210000.00 USD', 'Salary', 'Year'],
  ['ann@webpay.test', 'Ann Lee', 'Engineering', '$9,000.00', 'Salary', 'Month'],
  ['bo@webpay.test', 'Bo Park', 'Engineering', '$40.00', 'Salary', ''],
  ['cy@webpay.test', 'Cy Diaz', 'Support', '$38.50', 'Hourly', 'Hour'],
]);

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&').replace(/\s+/g, ' ');

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  const { tenant, owner: ctx } = await importTenant(database, { slug: 'webpay' });
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
  runId = (await createRunFromUpload(ctx, { body: FILE, fileName: 'bamboohr-pay.csv' })).id;
});
afterAll(() => database?.close());

describe('the mapping page of a report with pay columns', () => {
  it('chooses the pay amount, type and period columns, says what each means, and warns before the run', async () => {
    const response = await app.request(`/imports/${runId}`, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    // Each pay column keeps its labelled select, with its field chosen and marked as pay.
    for (const [column, field] of [[3, 'base_salary'], [4, 'pay_type'], [5, 'pay_period']] as const) {
      expect(html).toContain(`<label for="field-${column}" class="visually-hidden">`);
      expect(html).toMatch(new RegExp(`name="field_${column}"[\\s\\S]*?<option value="${field}" selected="">${field} \\(pay\\)</option>`));
    }
    const page = text(html);
    expect(page).toContain('What the pay amount is for: Year (the default when blank), Month or Quarter (imported as the annual salary: ×12, ×4)');
    expect(page).toContain('Row 3’s pay in “Pay Rate”, $40.00, looks like an hourly rate');
    expect(page).toContain('“$38.50” in “Pay Rate” is pay by the hour (“Pay Per” says Hour)');
  });
});
