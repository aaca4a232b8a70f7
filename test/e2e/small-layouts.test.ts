import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * Small layout rules: a metric's change on a phone (390 px), "(+€143,750)", is one word, never broken after its sign
 * onto two lines; a filter field's label and checkbox ("Placed in ☐ and below") stay inside their field and never run
 * into the next one; an import's summary keeps space between its stat cards and its tables. Only with DATABASE_URL
 * (SPEC §10).
 */
const PHONE = { width: 390, height: 800 };

describe.skipIf(SKIP_REASON !== null)('small layouts', () => {
  let session: OwnerSession;

  beforeAll(async () => {
    session = await ownerSession();
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('keeps each change of the compare and delta pages on one line', async () => {
    const { w, acme } = session;
    await w.page.setViewportSize(PHONE);
    await w.page.goto(`${acme}/scenarios`);
    const ids = await w.page.locator('input[type=checkbox][name=id]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    await w.page.goto(`${acme}/scenarios/compare?${ids.map((id) => `id=${id}`).join('&')}`);
    await checkPage(w);
    const changes = w.page.locator('td .delta-cost-rise, td .delta-saving, td .delta-neutral');
    expect(await changes.count(), 'the demo scenario moves some figures').toBeGreaterThan(0);
    const wrapped = await changes.evaluateAll((spans) =>
      spans.filter((s) => s.getClientRects().length > 1 || s.getBoundingClientRect().height > parseFloat(getComputedStyle(s).lineHeight) * 1.5).map((s) => s.textContent),
    );
    expect(wrapped, 'changes broken over two lines').toEqual([]);

    // The delta's Change column too.
    await w.page.goto(`${acme}/scenarios/${ids[0]}/delta`);
    await checkPage(w);
    const cells = w.page.locator('table.metric-deltas td.delta-cost-rise, table.metric-deltas td.delta-saving, table.metric-deltas td.delta-neutral');
    expect(await cells.count()).toBeGreaterThan(0);
    const tall = await cells.evaluateAll((tds) =>
      tds
        .filter((td) => {
          const range = document.createRange();
          range.selectNodeContents(td);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
        })
        .map((td) => td.textContent),
    );
    expect(tall, 'delta changes broken over two lines').toEqual([]);
  });

  it('keeps the People filters’ "Placed in ☐ and below" inside its field, at desktop and phone widths', async () => {
    const { w, acme } = session;
    for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
      await w.page.setViewportSize(viewport);
      await w.page.goto(`${acme}/live/matrix`);
      await checkPage(w);
      const overflow = await w.page.locator('form.filters .field').evaluateAll((fields) =>
        fields.flatMap((field) => {
          const box = field.getBoundingClientRect();
          return [...field.querySelectorAll('label, input, select')]
            .filter((e) => e.getBoundingClientRect().right > box.right + 1)
            .map((e) => `${e.tagName === 'LABEL' ? e.textContent?.trim() : e.getAttribute('name')} overflows its field by ${Math.round(e.getBoundingClientRect().right - box.right)} px`);
        }),
      );
      expect(overflow, `at ${viewport.width} px`).toEqual([]);
    }
  });

  it('keeps space between an import’s file facts and its mapping, and between its stat cards, table of records by kind and facts', async () => {
    const { w, acme } = session;
    await w.page.setViewportSize({ width: 1280, height: 900 });
    await w.page.goto(`${acme}/imports`);
    const csv = 'Work Email,First Name,Last Name,Department,Job Title,Manager Email,FTE\nlayout.lead@acme.test,Lea,Lead,Layout,Lead,,1\nlayout.two@acme.test,Tom,Two,Layout,Engineer,layout.lead@acme.test,1\n';
    await w.page.locator('input[type=file]').setInputFiles({ name: 'layout.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await w.page.getByRole('button', { name: 'Upload and check' }).click();
    await checkPage(w);
    // The file's facts ("File layout.csv (…)") stand apart from the card under them.
    const factsGap = await w.page.evaluate(() => {
      const facts = document.querySelector('main dl.facts');
      const next = facts?.nextElementSibling;
      return facts && next ? next.getBoundingClientRect().top - facts.getBoundingClientRect().bottom : null;
    });
    expect(factsGap, 'file facts → the card under them').toBeGreaterThanOrEqual(12);
    await w.page.getByRole('button', { name: 'Start import' }).click();
    await w.page.waitForURL(/\/progress/);
    for (let i = 0; i < 60 && !(await w.page.getByRole('heading', { name: 'Summary' }).count()); i++) {
      await w.page.waitForTimeout(500);
      await w.page.reload();
    }
    await checkPage(w);
    const gaps = await w.page.evaluate(() => {
      const below = (upper: Element | null, lower: Element | null) => (upper && lower ? lower.getBoundingClientRect().top - upper.getBoundingClientRect().bottom : null);
      const rows = document.querySelector('dl.stats[aria-label="Rows"]');
      const table = document.querySelector('[role=region][aria-label="Records by kind table"]');
      const stages = document.querySelector('[role=region][aria-label="Stages of the import table"]');
      return {
        rowsToTable: below(rows, table),
        tableToChange: below(table, document.querySelector('dl.stats[aria-label="What changed"]')),
        stagesToFacts: below(stages, stages?.nextElementSibling ?? null),
      };
    });
    expect(gaps.rowsToTable, 'stat cards → records by kind').toBeGreaterThanOrEqual(12);
    expect(gaps.tableToChange, 'records by kind → what changed').toBeGreaterThanOrEqual(12);
    expect(gaps.stagesToFacts, 'stages → facts').toBeGreaterThanOrEqual(12);
  });
});
