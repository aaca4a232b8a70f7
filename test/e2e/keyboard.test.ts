import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, screenshot, SKIP_REASON, type OwnerSession, type WatchedPage } from './support.js';

/**
 * With the keyboard only, in real Chromium: the Live tree's units fold and unfold, the copy buttons copy and say so,
 * disclosures open, and wherever Tab goes the focus shows — a ring of at least 2 px with 3:1 contrast against what is
 * around it (WCAG 2.4.7, 1.4.11). Only with DATABASE_URL.
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

const LONG = 200_000;

interface Focused {
  what: string;
  ring: string | null;
}

describe.skipIf(SKIP_REASON !== null)('the keyboard in Chromium', () => {
  let session: OwnerSession;
  let acme: string;
  let w: WatchedPage;

  beforeAll(async () => {
    session = await ownerSession({ clipboard: true });
    ({ acme, w } = session);
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  /** The focused element, and what is wrong with its focus ring (null: a solid ring ≥ 2 px with ≥ 3:1 contrast). */
  const focused = () =>
    w.page.evaluate((): Focused => {
      const e = document.activeElement as HTMLElement | null;
      if (!e || e === document.body) return { what: 'body', ring: null };
      const what = `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} “${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40)}”`;
      const style = getComputedStyle(e);
      const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r, g, b]: number[]) =>
        [r!, g!, b!].map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4)).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
      let around = e.parentElement;
      while (around && (rgb(getComputedStyle(around).backgroundColor)[3] === 0 || getComputedStyle(around).backgroundColor === 'transparent')) around = around.parentElement;
      const background = around ? rgb(getComputedStyle(around).backgroundColor) : [255, 255, 255];
      const [a, b] = [luminance(rgb(style.outlineColor)), luminance(background)];
      const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return { what, ring: `no ring (${style.outlineStyle} ${style.outlineWidth})` };
      if (contrast < 3) return { what, ring: `ring ${style.outlineColor} at ${contrast.toFixed(2)}:1 on ${getComputedStyle(around ?? document.body).backgroundColor}` };
      return { what, ring: null };
    });

  /** Presses Tab until the focused element matches `selector`; every element passed on the way must show its focus. */
  async function tabTo(selector: string, max = 120): Promise<void> {
    const unseen: string[] = [];
    for (let i = 0; i < max; i++) {
      await w.page.keyboard.press('Tab');
      const now = await focused();
      if (now.ring) unseen.push(`${now.what}: ${now.ring}`);
      if (await w.page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
        expect(unseen, `focus shows on the way to ${selector}`).toEqual([]);
        return;
      }
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  it('folds and unfolds a unit of the Live tree with Enter and Space on its toggle, which follows the unit’s link', async () => {
    const { page } = w;
    await page.goto(`${acme}/live`);
    await checkPage(w);
    const root = page.locator('ul.tree > li.branch').first();
    const toggle = root.locator(':scope > details > summary');
    const child = root.locator(':scope > details > ul > li').first().locator(':scope > :is(.line, .leaf) .node > a:first-child');
    const rootName = (await root.locator(':scope > .line .node > a:first-child').innerText()).trim();
    expect(await toggle.textContent()).toMatch(new RegExp(`^${rootName}: \\d+ units? below$`));

    // Tab reaches the unit's line (its link, then its warnings), then its toggle, then the first unit below.
    await tabTo('ul.tree > li.branch > .line .node > a:first-child');
    expect((await focused()).what).toContain(rootName);
    await tabTo('ul.tree > li.branch > details > summary', 4);
    expect(await toggle.evaluate((e) => e === document.activeElement)).toBe(true);
    expect((await focused()).ring, 'the toggle shows its focus').toBeNull();
    await screenshot(page, 'keyboard-tree-toggle-focused', false);

    expect(await child.isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => child.isVisible()).toBe(false);
    expect(await root.locator(':scope > details').evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await root.locator(':scope > .line').isVisible(), 'the unit itself stays').toBe(true);
    await page.keyboard.press('Space');
    await expect.poll(() => child.isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await child.evaluate((e) => e === document.activeElement), 'after the toggle: the first unit below').toBe(true);
  }, LONG);

  it('copies with the keyboard: each copy button named for what it copies, “Copied” shown and announced; disclosures open with Enter', async () => {
    const { page } = w;
    await page.goto(`${acme}/settings/api`);
    await checkPage(w);
    // Told apart by name (a screen reader's list of buttons), "Copy" on screen.
    const names = await page.locator('button[data-copy]').evaluateAll((bs) => bs.map((b) => b.textContent!.replace(/\s+/g, ' ').trim()));
    expect(names.length).toBeGreaterThan(3);
    expect(new Set(names).size, names.join(' | ')).toBe(names.length);
    expect(await page.getByRole('button', { name: 'Copy MCP server URL', exact: true }).count()).toBe(1);
    const copy = page.locator('button[data-copy="mcp-url"]');
    // What shows on the button: its own words (the rest of its name is visually hidden).
    const shown = () => copy.evaluate((b) => [...b.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim());
    expect(await shown()).toBe('Copy');
    expect(await copy.locator('.visually-hidden').innerText()).toBe('MCP server URL');

    await tabTo('button[data-copy="mcp-url"]');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${acme}/mcp/orgonaut`);
    expect(await shown()).toBe('Copied');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Copied' }).textContent()).toBe('Copied MCP server URL');
    expect(await copy.evaluate((b) => b === document.activeElement), 'focus stays on the button').toBe(true);
    await expect.poll(shown, { timeout: 5000 }).toBe('Copy');
    expect(await page.getByRole('button', { name: 'Copy MCP server URL', exact: true }).count(), 'its name is back').toBe(1);

    // The manual OAuth endpoints: a disclosure opened with Enter, its fields and copy buttons then reached with Tab.
    const endpoints = page.locator('main details', { hasText: 'OAuth endpoints (for manual setups)' });
    expect(await endpoints.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    await tabTo('main details > summary');
    await page.keyboard.press('Enter');
    expect(await endpoints.evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    await tabTo('button[data-copy="prm"]', 4);
    await page.keyboard.press('Space');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${acme}/.well-known/oauth-protected-resource/mcp/orgonaut`);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Copied' }).textContent()).toBe('Copied Protected resource metadata');
  }, LONG);

  it('lands on the field at fault when a form comes back refused, and leaves the focus alone on a page only read', async () => {
    const { page } = w;
    const activeId = () => page.evaluate(() => (document.activeElement === document.body ? 'body' : document.activeElement?.id ?? ''));
    await page.goto(`${acme}/scenarios`);
    expect(await activeId(), 'a page read with GET starts at the top').toBe('body');
    const create = async (name: string) => {
      await page.fill('#s-name', name);
      await Promise.all([page.waitForLoadState('domcontentloaded'), page.getByRole('button', { name: 'Create scenario' }).click()]);
      await page.waitForLoadState('load');
    };
    await create('Focus after a refusal');
    expect(new URL(page.url()).pathname).toMatch(/^\/scenarios\/[\w-]+$/);
    await page.goto(`${acme}/scenarios`);
    // The same name again: refused (409) on the name field, which now has the focus and shows it.
    await create('Focus after a refusal');
    await expect.poll(() => page.locator('#s-name').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(activeId).toBe('s-name');
    expect((await focused()).ring, 'the refused field shows its focus').toBeNull();
    await checkPage(w);
  }, LONG);

  it('shows where focus is on every stop of a page, from the skip link to the last control', async () => {
    const { page } = w;
    for (const path of ['/live', '/live/matrix', '/settings/members', '/account']) {
      await page.goto(`${acme}${path}`);
      await checkPage(w);
      const unseen: string[] = [];
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        const now = await focused();
        if (now.what === 'body') break;
        if (now.ring) unseen.push(`${now.what}: ${now.ring}`);
      }
      expect(unseen, path).toEqual([]);
    }
  }, LONG);
});
