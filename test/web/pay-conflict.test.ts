import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import type { ServiceContext } from '../../src/context.js';
import { money } from '../../src/web/live/format.js';
import { hiddenField, pageText } from '../support/app.js';
import { runCli, serveForCli } from '../support/cli.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * A pay conflict — Live changed a person's pay since the scenario branched, and the scenario changed it too — reads
 * as money in the pay's own currency wherever it is shown (the delta, the promotion form before and after a refusal,
 * `orgonaut scenario delta`),
 * never as bare minor units or in the reporting currency; the API's conflict carries that currency beside the
 * amounts; and someone without costs.read sees no pay conflict at all.
 */

let site: FixtureSite;
let database: Database;
let ctx: ServiceContext;
let owner: string;
let viewer: string;
const { id } = fixtureIds('pay-conflict');
const p1 = id('p1');
let mine: string;

beforeAll(async () => {
  site = await fixtureSite({ slug: 'payconflict', name: 'Pay Conflict', salt: 'pay-conflict', currencies: [{ code: 'USD', rateToReporting: 0.9 }] });
  ({ database, ctx } = site);
  owner = await site.signIn('owner');
  viewer = await site.signIn('viewer');
  // Live pays p1 in US dollars from today; two scenarios then correct that pay (in place, the same day).
  const usd = (await createScenario(ctx, { name: 'Pay in dollars' })).id;
  await applyBatch(ctx, usd, [{ op: 'set_compensation', actor_id: p1, kind: 'salary', amount_minor: 9_000_000, currency: 'USD' }]);
  await (await promoteScenario(ctx, usd)).done;
  mine = (await createScenario(ctx, { name: 'My raise' })).id;
  const theirs = (await createScenario(ctx, { name: 'Their raise' })).id;
  await applyBatch(ctx, mine, [{ op: 'set_compensation', actor_id: p1, kind: 'salary', amount_minor: 9_500_000, currency: 'USD' }]);
  await applyBatch(ctx, theirs, [{ op: 'set_compensation', actor_id: p1, kind: 'salary', amount_minor: 9_800_000, currency: 'USD' }]);
  await (await promoteScenario(ctx, theirs)).done;
});

afterAll(() => database?.close());

const dollars = `${money(9_000_000, 'USD')} ${money(9_500_000, 'USD')} ${money(9_800_000, 'USD')}`;

describe('a conflict on pay', () => {
  it('shows the three amounts as money in the pay’s currency on the delta and in the promotion form', async () => {
    expect(dollars).toBe('US$90,000 US$95,000 US$98,000');
    const delta = pageText((await site.get(`/scenarios/${mine}/delta`, owner)).html);
    expect(delta).toContain(`Compensation: Pay of p1 Amount ${dollars}`);
    const overview = (await site.get(`/scenarios/${mine}`, owner)).html;
    expect(pageText(overview)).toContain(`Compensation: Pay of p1 Amount ${dollars} scenario Live`);
    // Refused for the open conflict, the form lists it again the same way.
    const refused = await site.post(`/scenarios/${mine}/promote`, { csrf: hiddenField(overview, 'csrf'), confirm: 'yes' }, owner);
    expect(refused.status).toBe(409);
    expect(pageText(refused.html)).toContain(`Compensation: Pay of p1 Amount ${dollars} scenario Live`);
    expect(refused.html).not.toContain('9500000');
  });

  it('carries the currency beside the amounts in the API’s conflict', async () => {
    const token = await site.token('owner');
    const answer = await site.api(`/api/v1/scenarios/${mine}/delta`, { token });
    expect(answer.status).toBe(200);
    const conflicts = (answer.body as unknown as { data: { conflicts: Record<string, unknown>[] } }).data.conflicts;
    expect(conflicts).toEqual([
      expect.objectContaining({ family: 'compensation', field: 'amount_minor', base: 9_000_000, scenario: 9_500_000, source: 9_800_000, currency: 'USD' }),
    ]);
  });

  it('reads as money in its currency in `orgonaut scenario delta`', async () => {
    const server = await serveForCli(site.app, 'payconflict');
    try {
      const run = await runCli(['scenario', 'delta', mine], server.signIn('owner', await site.token('owner')));
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^Pay\s+Pay of p1\s+Amount\s+95,000\.00 USD\s+98,000\.00 USD\s+changed_in_both$/m);
    } finally {
      await server.close();
    }
  });

  it('is not shown to someone who may not read costs', async () => {
    const delta = pageText((await site.get(`/scenarios/${mine}/delta`, viewer)).html);
    expect(delta).not.toContain('Pay of p1');
    expect(delta).not.toMatch(/US\$|€|9,?500,?000/);
  });
});
