import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * Lines that must stay short enough to read at a glance in real Chromium: each unit's line of the Live tree (name,
 * type, figures with costs, span warnings) on one line at 1280 px. Only with DATABASE_URL (SPEC §10).
 */
const DESKTOP = { width: 1280, height: 900 };

describe.skipIf(SKIP_REASON !== null)('compact lines', () => {
  let session: OwnerSession;

  beforeAll(async () => {
    session = await ownerSession();
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('keeps each unit’s line of the Live tree, costs and span warnings included, on one line at 1280 px', async () => {
    const { w, acme } = session;
    await w.page.setViewportSize(DESKTOP);
    await w.page.goto(`${acme}/live?open=all`);
    await checkPage(w);
    const lines = await w.page.locator('.tree .node').evaluateAll((nodes) =>
      nodes.map((node) => {
        const name = node.querySelector('a')!;
        const tops = new Set([...node.children].map((child) => Math.round(child.getBoundingClientRect().top)));
        // Items of one line share a row: their boxes overlap vertically (baselines align a badge a pixel or two off).
        const rows = [...node.children].map((child) => child.getBoundingClientRect()).filter((r) => r.top >= name.getBoundingClientRect().bottom - 2);
        return { name: name.textContent, text: (node as HTMLElement).innerText.replace(/\s+/g, ' '), tops: tops.size, below: rows.length, height: node.getBoundingClientRect().height, nameHeight: name.getBoundingClientRect().height };
      }),
    );
    expect(lines.length, 'the demo tree has units').toBeGreaterThan(5);
    // The demo's costs and warnings are on the lines looked at.
    expect(lines.find((l) => l.name === 'Engineering')?.text).toMatch(/€.*span/);
    const wrapped = lines.filter((l) => l.below > 0 || l.height > l.nameHeight * 1.6).map((l) => `${l.name}: ${l.text}`);
    expect(wrapped, 'unit lines wrapped at 1280 px').toEqual([]);
  });
});
