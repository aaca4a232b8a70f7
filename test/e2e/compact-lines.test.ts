import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkPage, createScenarioInBrowser, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * Lines that must stay short enough to read at a glance in real Chromium: each unit's line of the Live tree (name,
 * type, figures with costs, span warnings) on one line at 1280 px; every placeholder of the People filters and the
 * change tray's fields whole inside its field, at 1280 px and on a phone; an Activity row whose record's name wraps
 * reads on, its action right after the name's last word. Only with DATABASE_URL (SPEC §10).
 */
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 800 };

/**
 * The placeholders on the page cut off by their field: each visible field's placeholder measured in the field's own
 * font against the room inside its padding (and a search field's clear button).
 */
async function cutPlaceholders(page: Page): Promise<string[]> {
  return page.locator('input[placeholder]:visible').evaluateAll((inputs) => {
    const context = document.createElement('canvas').getContext('2d')!;
    return inputs.flatMap((input) => {
      const style = getComputedStyle(input);
      context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = (input as HTMLInputElement).placeholder;
      const needed = context.measureText(text).width;
      const clear = (input as HTMLInputElement).type === 'search' ? 16 : 0;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - clear;
      const label = input.id ? document.querySelector(`label[for="${input.id}"]`)?.textContent?.trim() : input.getAttribute('name');
      return needed > room ? [`${label}: “${text}” needs ${Math.ceil(needed)} px, has ${Math.floor(room)} px`] : [];
    });
  });
}

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

  it('shows every placeholder of the People filters and the change tray whole, at 1280 px and on a phone', async () => {
    const { w, acme } = session;
    const scenarioId = await createScenarioInBrowser(w.page, acme, 'E2E placeholders');
    for (const viewport of [DESKTOP, PHONE]) {
      await w.page.setViewportSize(viewport);
      await w.page.goto(`${acme}/live/matrix`);
      await checkPage(w);
      expect(await w.page.getByLabel('Search', { exact: true }).getAttribute('placeholder'), 'the search field has a placeholder').toBeTruthy();
      expect(await cutPlaceholders(w.page), `People filters at ${viewport.width} px`).toEqual([]);

      await w.page.goto(`${acme}/scenarios/${scenarioId}/changes`);
      await checkPage(w);
      // Every form of the tray open, as a person opens the one they need.
      await w.page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      const manager = w.page.locator('#add_actor-manager_id');
      expect(await manager.getAttribute('placeholder'), 'the tray’s Manager field is typed, with a placeholder').toBeTruthy();
      expect(await cutPlaceholders(w.page), `change tray at ${viewport.width} px`).toEqual([]);
    }
  }, 150_000);

  it('puts an Activity row’s action right after the record’s name when the name wraps', async () => {
    const { w, acme } = session;
    const name = 'Reorganisation of the customer support and success teams across the European and North American regions for the coming fiscal year';
    await createScenarioInBrowser(w.page, acme, name);
    for (const viewport of [DESKTOP, PHONE]) {
      await w.page.setViewportSize(viewport);
      await w.page.goto(`${acme}/activity`);
      await checkPage(w);
      const row = w.page.locator('tbody tr').filter({ hasText: name }).first();
      const layout = await row.locator('td strong').first().evaluate((strong) => {
        const lines = [...strong.getClientRects()];
        const nameRange = document.createRange();
        nameRange.selectNodeContents(strong);
        const nameLines = [...nameRange.getClientRects()];
        const last = nameLines.reduce((a, b) => (b.bottom > a.bottom + 1 || (Math.abs(b.bottom - a.bottom) <= 1 && b.right > a.right) ? b : a));
        // The action: the text after the name in its cell.
        let node: Node | null = strong.nextSibling;
        while (node && !(node.nodeType === Node.TEXT_NODE && node.textContent!.trim())) node = node.nextSibling;
        const range = document.createRange();
        range.selectNodeContents(node!);
        const action = [...range.getClientRects()].filter((r) => r.width > 0)[0]!;
        const lineHeight = parseFloat(getComputedStyle(strong).lineHeight) || 20;
        return { action: node!.textContent!.trim(), lines: new Set(nameLines.map((r) => Math.round(r.top))).size, boxes: lines.length, gap: Math.round(action.left - last.right), rise: Math.round(Math.abs(action.top - last.top)), lineHeight };
      });
      expect(layout.action).toBe('created');
      expect(layout.lines, `the name wraps at ${viewport.width} px`).toBeGreaterThan(1);
      // On the name's last line, a space after its last word.
      expect(layout.rise, `"created" on the name's last line at ${viewport.width} px`).toBeLessThan(layout.lineHeight / 2);
      expect(layout.gap, `"created" a space after the name at ${viewport.width} px`).toBeLessThan(12);
    }
  }, 150_000);
});
