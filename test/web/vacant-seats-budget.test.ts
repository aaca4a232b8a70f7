import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { ServiceContext } from '../../src/context.js';
import { pageText, type TestApp } from '../support/app.js';
import { AS_OF, fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * "What would our open seats cost?" on the web: Live's totals, tree and unit pages show the vacant seats' budget
 * beside the cost (with costs.read, in the scenario pages' words), and the scenario delta's per-unit table has a
 * column for it. The fixture's vacant seats: Mobile, and Field from 2026-03-01, each €90,000 + 25 % = €112,500 a
 * year; Platform's seat is filled.
 */

let site: FixtureSite;
let app: TestApp;
let manager: string;
let viewer: string;
let ctx: ServiceContext;
const HOST = 'vacantseats.localhost';
const { units } = fixtureIds('vacant-seats');
const LABEL = 'Vacant seats, budgeted (annual, not paid)';

async function page(path: string, cookie: string) {
  const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
  expect(response.status, path).toBe(200);
  const html = await response.text();
  return { html, text: pageText(html) };
}

beforeAll(async () => {
  site = await fixtureSite({ slug: 'vacantseats', name: 'Vacant Seats', salt: 'vacant-seats', currencies: [{ code: 'USD', rateToReporting: 0.9 }] });
  ({ app, ctx } = site);
  manager = await site.signIn('manager');
  viewer = await site.signIn('viewer');
});
afterAll(() => site?.database.close());

describe('Live', () => {
  it('shows the organisation’s vacant seats’ budget beside its cost, and each unit’s in the tree', async () => {
    const { html, text } = await page(`/live?as_of=${AS_OF}`, manager);
    expect(html).toContain(`<dt>${LABEL}</dt><dd>€225,000</dd>`);
    expect(text).toContain('Annual cost €982,500');
    // The tree: Mobile's vacant seat, Platform's filled one budgets nothing.
    // The tree: Mobile's vacant seat, its budget beside the vacancy (short on the line, in full for screen readers and
    // as the tooltip); Platform's filled one budgets nothing.
    expect(html).toContain(
      `Mobile</a><span class="badge">team</span><span class="figures">1 person · 1 FTE · 0.6 eff. FTE · <span class="vacant-budget" title="${LABEL}: €112.5k">1 vacancy <span aria-hidden="true">(€112.5k/yr)</span><span class="visually-hidden">, ${LABEL}: €112.5k</span></span> · €67.5k/yr</span>`,
    );
    expect(text).toContain(`the amount beside its vacancies, “(€…/yr)”, is their budget — “${LABEL}” on unit and scenario pages`);
    const platformLine = text.slice(text.indexOf('Platform team'), text.indexOf('Sales department'));
    expect(platformLine).toContain('€232.5k/yr');
    expect(platformLine).not.toContain('Vacant seats');
  });

  it('shows a unit’s vacant seats’ budget on its page', async () => {
    const mobile = await page(`/live/units/${units.M}?as_of=${AS_OF}`, manager);
    expect(mobile.html).toContain(`<dt>${LABEL}</dt><dd>€112,500</dd>`);
    // Before Field's seat starts, Sales budgets nothing for it.
    const sales = await page(`/live/units/${units.S}?as_of=2026-02-01`, manager);
    expect(sales.html).toContain(`<dt>${LABEL}</dt><dd>€0</dd>`);
  });

  it('shows a viewer no budget (no cost at all)', async () => {
    for (const path of [`/live?as_of=${AS_OF}`, `/live/units/${units.M}?as_of=${AS_OF}`]) {
      const { text } = await page(path, viewer);
      expect(text, path).toContain('Vacancies');
      expect(text, path).not.toContain('Vacant seats, budgeted');
      expect(text, path).not.toContain('/yr');
      expect(text, path).not.toContain('€112');
    }
  });
});

describe('the scenario delta’s table by org unit', () => {
  it('has the vacant seats’ budget per unit beside the monthly cost', async () => {
    const sid = (await createScenario(ctx, { name: 'Two more platform seats' })).id;
    await applyBatch(
      ctx,
      sid,
      [1, 2].map((n) => ({ op: 'create_position', org_unit_id: units.P, title: `Platform engineer ${n}`, target_salary_minor: 8_000_000, currency: 'EUR' })),
    );
    const { html, text } = await page(`/scenarios/${sid}/delta`, manager);
    const table = html.slice(html.indexOf('id="units-title"'));
    expect(table).toContain(`<th scope="col" class="num">Monthly cost</th><th scope="col" class="num">${LABEL}</th>`);
    // 2 × €80,000 × 1.25 = €200,000 budgeted for Platform; its people cost no more (monthly €0 change).
    const tableText = text.slice(text.indexOf('Metric deltas by org unit'));
    expect(tableText).toMatch(/Platform .*€0 → €200,000 \(\+€200,000\)/);
    expect(tableText).toMatch(/Engineering .*€112,500 → €312,500 \(\+€200,000\)/);
    expect(table).toContain('<span class="delta-cost-rise">(+€200,000)</span>');

    const seen = await page(`/scenarios/${sid}/delta`, viewer);
    expect(seen.text).toContain('Metric deltas by org unit');
    expect(seen.text).not.toContain('Vacant seats, budgeted');
    expect(seen.text).not.toContain('€200,000');
  });
});
