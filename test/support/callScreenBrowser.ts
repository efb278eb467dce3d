// The call-screen examples of React and Vue (examples/react-call-screen,
// examples/vue-call-screen) are one screen in two frameworks, with the same markup and
// engine buttons: one browser suite drives both. Built into a directory of their own,
// opened in headless Chromium, on short periods (?idle=6&warning=3) so that the warning
// shows 3 s into being alone. Without Chromium the suite is skipped, except in CI
// (CI=true), where that is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumForTests, launchChromium } from '../../scripts/chromium.js';
import { serveDirectory } from './reactBrowser.js';

/** The engine buttons drive the session, the screen follows, the warning comes with its countdown, "Stay" restarts it. */
export function describeCallScreenInChromium(
  framework: 'React' | 'Vue',
  testFile: string,
  build: (outdir: string) => Promise<unknown>,
): void {
  const chromium = chromiumForTests(testFile, test);

  describe.skipIf(!chromium)(`the ${framework} call screen in Chromium`, () => {
    let outdir: string;
    let server: Awaited<ReturnType<typeof serveDirectory>>;
    let browser: Browser;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      // A directory of its own: `npm run example:*` may write dist/ at the same time.
      outdir = mkdtempSync(join(tmpdir(), `csm-${framework.toLowerCase()}-example-`));
      await build(outdir);
      server = await serveDirectory(outdir);
      browser = await launchChromium(chromium!);
      page = await browser.newPage();
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${server.url}?idle=6&warning=3`);
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      rmSync(outdir, { recursive: true, force: true });
    });

    const text = (selector: string) => page.$eval(selector, (element) => element.textContent?.trim() ?? '');
    const click = async (label: string) => {
      const button = await page.waitForSelector(`::-p-xpath(//button[normalize-space()="${label}"])`);
      await button!.click();
    };
    const waitForText = (selector: string, expected: string, timeout = 5_000) =>
      page.waitForFunction(
        (selector, expected) => document.querySelector(selector)?.textContent?.trim() === expected,
        { timeout },
        selector,
        expected,
      );

    test('joined and alone: the idle countdown runs', async () => {
      await waitForText('h1', 'Waiting for others');
      expect(await text('.nobody')).toBe('Nobody else is here.');
      expect(await text('[data-countdown="idle"]')).toMatch(/^0:0[1-6]$/);
    });

    test('someone joins and leaves; a lost connection shows the banner until it is restored', async () => {
      await click('Someone joins');
      await waitForText('h1', 'In the call');
      expect(await text('.participants')).toBe('Ana');
      expect(await page.$('[data-countdown="idle"]')).toBeNull();
      await click('Lose connection');
      await page.waitForSelector('.banner');
      expect(await text('.banner')).toMatch(/^Reconnecting… giving up in 0:(30|29)$/);
      await click('Restore connection');
      await page.waitForSelector('.banner', { hidden: true });
      await click('Someone leaves');
      await waitForText('h1', 'Waiting for others');
      // Alone again: a fresh countdown at the full period.
      expect(await text('[data-countdown="idle"]')).toMatch(/^0:0[56]$/);
    });

    test('the warning comes with its countdown, which ticks', async () => {
      await page.waitForSelector('[role="alertdialog"]', { timeout: 10_000 });
      expect(await text('#still-there')).toBe('Are you still there?');
      expect(await text('[role="alertdialog"] [data-countdown="idle"]')).toMatch(/^0:0[1-3]$/);
      await waitForText('[role="alertdialog"] [data-countdown="idle"]', '0:02');
    });

    test('"Stay" closes the warning and restarts the countdown at the full period', async () => {
      await click('Stay');
      await page.waitForSelector('[role="alertdialog"]', { hidden: true });
      expect(await text('[data-countdown="idle"]')).toBe('0:06');
      // And it runs down again, to a second warning.
      await page.waitForSelector('[role="alertdialog"]', { timeout: 10_000 });
    });

    test('"Leave" ends the call and shows why', async () => {
      expect(await page.$('[role="alertdialog"]')).not.toBeNull();
      await click('Leave');
      await waitForText('h1', 'Call ended');
      expect(await text('.end-reason')).toBe('You left the call.');
      expect(errors).toEqual([]);
    });
  });
}
