// index.html in headless Chromium with every network request refused: the
// matrix reads as text, a click shows a cell's details, and hostile text in
// reasons and logs stays text. Skips only when Chromium is absent and cannot
// be installed (see test/helpers/chromium.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../harness/report/html/page.ts';
import { ensureChromium, launchOffline, type OfflineBrowser } from './helpers/chromium.ts';
import { HOSTILE, richResults } from './helpers/report-samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
const rich = join(dir, 'rich.html');
const real = join(dir, 'real.html');
writeFileSync(rich, renderHtmlReport(richResults()));
const fixture = readFileSync(join(import.meta.dirname, 'fixtures', 'results-ts-py.json'), 'utf8');
writeFileSync(real, renderHtmlReport(JSON.parse(fixture)));

let browser: OfflineBrowser | undefined;
let skipReason = '';
const problems: string[] = [];

beforeAll(async () => {
  const found = await ensureChromium();
  if ('reason' in found) {
    skipReason = found.reason;
    process.stdout.write(`html-report-browser: SKIPPED: ${skipReason}\n`);
    return;
  }
  browser = await launchOffline(found.path);
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

/** The text as rendered, what a reader sees: Playwright's innerText, not the DOM's. */
// biome-ignore lint/performance/useDomNodeTextContent: rendered text is the point here
const seen = (l: Locator) => l.innerText();

async function open(file: string): Promise<Page> {
  if (!browser) throw new Error(`Internal error: no browser (${skipReason})`);
  const page = await browser.context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  return page;
}

describe('index.html in Chromium', () => {
  it('shows the matrix as text in every entry', async (ctx) => {
    if (!browser) return ctx.skip(skipReason);
    const page = await open(real);
    const entries = await page.locator('button.entry').allInnerTexts();
    expect(entries).toHaveLength(7);
    for (const text of entries) expect(text).toMatch(/^[✓○!✗] (ok|[A-Z-]+) \d+\/\d+$/);
    const frames = page.locator('.matrix[data-family="frames"]');
    await expect(seen(frames.locator('tbody tr').first())).resolves.toMatch(
      /^ts\s+✓ ok 1\/1\s+○ XFAIL 2\/2$/,
    );
    await expect(page.locator('svg.chart g.pair').count()).resolves.toBe(6);
    await expect(seen(page.locator('table.versions'))).resolves.toContain('0.25.0');
    await page.close();
  });

  it('shows a cell: digests, first divergence, frames, logs and rerun', async (ctx) => {
    if (!browser) return ctx.skip(skipReason);
    const page = await open(rich);
    await page.locator('button.entry.t-bad').click();
    const panel = page.locator('#detail');
    await expect(panel.isVisible()).resolves.toBe(true);
    const list = await panel.locator('.entry-cells li').allInnerTexts();
    expect(list[0]).toMatch(/^✗ FAIL frames\/size-65537/);
    expect(list).toHaveLength(2);

    await panel.locator('.entry-cells button').first().click();
    // A cell opens through a hash change, which the page handles a moment later.
    await panel.locator('.cell-detail').waitFor();
    await expect(seen(panel.locator('#detail-title'))).resolves.toBe(
      'frames/size-65537 ts->py@reference',
    );
    const text = await seen(panel);
    expect(text).toContain('First divergence');
    expect(text).toMatch(/offset\s+65535/);
    expect(text).toMatch(/got\s+<end of stream>/);
    expect(text).toContain('≠ expected');
    expect(text).toContain('Frame log (engine)');
    expect(await panel.locator('table.frames tbody tr').count()).toBe(3);
    expect(text).toContain('worker-ts (2 lines)');
    expect(text).toContain("--cell 'frames/size-65537 ts->py@reference'");
    // Hostile text is shown as text and never runs.
    expect(text).toContain(HOSTILE);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await panel.locator('img').count()).toBe(0);

    await page.keyboard.press('Escape');
    await expect(panel.isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('opens a cell from its link and filters the cell list', async (ctx) => {
    if (!browser) return ctx.skip(skipReason);
    const page = await open(`${rich}`);
    await page.fill('#cell-filter', 'pipeline');
    await expect(seen(page.locator('#cell-count'))).resolves.toBe('2 of 7 cells');
    await page.locator('table.cells button.link').filter({ visible: true }).first().click();
    await page.locator('#detail .cell-detail').waitFor();
    const text = await seen(page.locator('#detail'));
    expect(text).toMatch(/relay-1 py read/);
    expect(text).toMatch(/topology\s+ts → py → ts/);
    await page.fill('#cell-filter', '');
    await page.check('#only-bad');
    await expect(seen(page.locator('#cell-count'))).resolves.toBe('3 of 7 cells');
    await page.close();
  });

  it('gives a reason when Chromium is absent and will not install', async () => {
    const found = await ensureChromium('/nonexistent/chromium', 'echo no package; exit 100');
    expect(found).toEqual({
      reason: expect.stringMatching(/^\/nonexistent\/chromium is absent and .*(root|failed)/),
    });
  });

  it('needed no network and logged no error', (ctx) => {
    if (!browser) return ctx.skip(skipReason);
    expect(browser.blocked).toEqual([]);
    expect(problems).toEqual([]);
  });
});
