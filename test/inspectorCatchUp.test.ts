// A live page opened late catches up with what the server kept in time linear in events:
// each timeline row is built once, as its step arrives, and the session picker is not
// rebuilt per step. Counted in Chromium with a MutationObserver installed before the
// page's script runs (how long it takes is for `npm run bench:inspector`).
import type { Browser } from 'puppeteer-core';
import { SimulatedClock } from 'xstate';
import * as ws from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCallSession } from '../src/index.js';
import { connectInspector } from '../src/inspector/index.js';
import { inspectorHtml } from '../src/cli/html.js';
import { startInspectorServer, type WsModule } from '../src/cli/server.js';
import { chromiumForTests, launchChromium } from '../scripts/chromium.js';
import { buildInspectorForTests } from './support/inspectorBuild.js';

const chromium = chromiumForTests('test/inspectorCatchUp.test.ts', test);
const EVENTS = 400;

describe.skipIf(!chromium)('a late live page catching up', () => {
  let browser: Browser;
  let assets: { script: string; style: string };
  beforeAll(async () => {
    ({ assets } = await buildInspectorForTests('catch-up'));
    browser = await launchChromium(chromium!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test(`${EVENTS} kept events: ${EVENTS} timeline rows built, each once, the last one current`, async () => {
    let appUrl = '';
    const server = await startInspectorServer({
      ws: ws as unknown as WsModule,
      page: () => inspectorHtml(assets, { mode: 'live', appUrl, events: '/events' }),
    });
    appUrl = server.appUrl;
    const inspector = connectInspector(server.appUrl, { WebSocket: ws.WebSocket, maxBufferedBytes: 1 << 28 });
    const page = await browser.newPage();
    try {
      while (inspector.status === 'connecting') await new Promise((resolve) => setTimeout(resolve, 5));
      const clock = new SimulatedClock();
      const session = createCallSession({ clock, inspect: inspector });
      session.join('catch-up');
      session.send({ type: 'session.joined' });
      for (let i = 3; i < EVENTS; i++) {
        clock.increment(1_000);
        if (i % 2) session.send({ type: 'participant.joined', participant: { uid: `p${i}` } });
        else session.send({ type: 'participant.left', participant: { uid: `p${i - 1}` } });
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      await page.evaluateOnNewDocument(() => {
        const counts = { rows: 0, sessionButtons: 0 };
        (window as unknown as { built: typeof counts }).built = counts;
        const count = (node: Node, selector: string) =>
          node instanceof Element ? Number(node.matches(selector)) + node.querySelectorAll(selector).length : 0;
        new MutationObserver((records) => {
          for (const record of records)
            for (let i = 0; i < record.addedNodes.length; i++) {
              const node = record.addedNodes[i]!;
              counts.rows += count(node, '.events li');
              counts.sessionButtons += count(node, '.sessions button');
            }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(server.url);
      await page.waitForFunction(
        `(document.querySelector('.panel .at')?.textContent ?? '').startsWith('event ${EVENTS} of ${EVENTS}')`,
        { timeout: 60_000 },
      );
      const seen = await page.evaluate(() => ({
        built: (window as unknown as { built: { rows: number; sessionButtons: number } }).built,
        rows: document.querySelectorAll('.events li').length,
        current: document.querySelector<HTMLElement>('.events li.current')?.dataset.index,
      }));
      expect(seen.rows).toBe(EVENTS);
      expect(seen.current).toBe(String(EVENTS - 1));
      expect(seen.built.rows).toBeLessThanOrEqual(EVENTS + 1);
      expect(seen.built.sessionButtons).toBeLessThanOrEqual(2);
      session.dispose();
    } finally {
      await page.close();
      inspector.close();
      await server.close();
    }
  });
});
