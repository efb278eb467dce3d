// The inspector page in a real browser (Debian's Chromium, driven by puppeteer-core): the
// report written by `inspect --out` opening from file:// with every request that would
// leave the file refused, the chart, time travel and play, several sessions, a live
// session appearing as its events arrive, and the Origin rule. One browser for the file.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { SimulatedClock } from 'xstate';
import * as ws from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createCallSession, SessionSettingsBuilder } from '../src/index.js';
import { connectInspector, type InspectorWebSocketConstructor } from '../src/inspector/index.js';
import { SESSION_STATES } from '../src/session/callSession.js';
import { inspectorHtml } from '../src/cli/html.js';
import { startInspectorServer, type InspectorServer, type WsModule } from '../src/cli/server.js';
import type { InspectorPageAssets } from '../scripts/buildInspectorPage.js';
import { buildInspectorForTests } from './support/inspectorBuild.js';
import { chromiumForTests, launchChromium } from '../scripts/chromium.js';

const execute = promisify(execFile);
const chromium = chromiumForTests('test/inspectorBrowser.test.ts', test);
const SECOND = 1_000;

describe.skipIf(!chromium)('the inspector page in Chromium', () => {
  let browser: Browser;
  let assets: InspectorPageAssets;
  let reportUrl = '';
  const pages: Page[] = [];
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    const built = await buildInspectorForTests('browser');
    assets = built.assets;
    const dir = new URL('../.tmp/inspector-browser/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const report = new URL('demo-report.html', dir);
    // The report exactly as users make it: the command, --out.
    await execute(process.execPath, [
      built.bin,
      'inspect',
      new URL('../examples/demo.jsonl', import.meta.url).pathname,
      '--out',
      report.pathname,
    ]);
    reportUrl = report.href;
    browser = await launchChromium(chromium!);
  });

  afterEach(async () => {
    // Pages first: a live page whose server goes away would reconnect to it.
    for (const page of pages.splice(0)) await page.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function newPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    pages.push(page);
    await page.setViewport({ width: 1440, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    return { page, errors };
  }

  /** Opens the report with every request that leaves the file refused and recorded. */
  async function openReport(): Promise<{ page: Page; errors: string[]; refused: string[]; openMs: number }> {
    const { page, errors } = await newPage();
    const refused: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = request.url();
      if (/^(file|data|blob):/.test(url)) void request.continue();
      else {
        refused.push(url);
        void request.abort('blockedbyclient');
      }
    });
    const started = Date.now();
    await page.goto(reportUrl);
    await page.waitForSelector('html[data-ready]', { timeout: 10_000 });
    return { page, errors, refused, openMs: Date.now() - started };
  }

  /** What the page shows now: the state boxes lit, the edges taken, the bars, the current event. */
  function shown(page: Page) {
    return page.evaluate(() => {
      const active = [...document.querySelectorAll<SVGGElement>('svg.chart .node.active')].map(
        (node) => node.dataset.states,
      );
      const taken = [...document.querySelectorAll<SVGGElement>('svg.chart .taken')].map(
        (item) => item.dataset.transition,
      );
      const bars = [...document.querySelectorAll<HTMLElement>('.countdown')].map((bar) => ({
        key: bar.dataset.countdown,
        running: bar.classList.contains('running'),
        width: bar.querySelector<HTMLElement>('.fill')!.style.width,
      }));
      return {
        state: document.querySelector('.panel h2.state')?.firstChild?.textContent?.trim(),
        active,
        taken,
        bars,
        current: Number(document.querySelector<HTMLElement>('.events li.current')?.dataset.index),
        clock: document.querySelector('.clock')?.textContent,
        participants: [...document.querySelectorAll('.panel .participants li')].map((item) => item.textContent),
      };
    });
  }

  const width = (fraction: number) => `${Number((fraction * 100).toFixed(2))}%`;

  test('the report opens from file:// with no request leaving the file, and draws all eight states', async () => {
    const { page, errors, refused, openMs } = await openReport();
    console.log(`report of examples/demo.jsonl open in Chromium: ${openMs} ms (navigation to the page ready)`);
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    const drawn = await page.evaluate(() => ({
      states: [...document.querySelectorAll<SVGGElement>('svg.chart .node:not(.compound)')].flatMap((node) =>
        node.dataset.states ? node.dataset.states.split(' ') : [],
      ),
      titles: [...document.querySelectorAll('svg.chart .node .title')].map((title) => title.textContent),
      finals: [...document.querySelectorAll('svg.chart .node.final .title')].map((title) => title.textContent),
      edges: document.querySelectorAll('svg.chart .edge').length,
      box: document.querySelector('svg.chart')!.getBoundingClientRect().width,
      sessions: [...document.querySelectorAll('.sessions button strong')].map((name) => name.textContent),
    }));
    expect(drawn.states.sort()).toEqual([...SESSION_STATES].sort());
    expect(drawn.titles).toEqual([
      'idle',
      'joining',
      'joined',
      'alone',
      'accompanied',
      'H',
      'reconnecting',
      'left',
      'timedOut',
      'closed',
    ]);
    expect(drawn.finals).toEqual(['left', 'timedOut', 'closed']);
    expect(drawn.edges).toBeGreaterThan(20);
    expect(drawn.box).toBeGreaterThan(1000);
    expect(drawn.sessions).toEqual(['standup', '1:1', 'flaky']);
    expect((await shown(page)).state).toBe('idle');
  });

  test('stepping through the timeline moves the highlighted state, the edge taken and the countdown bars', async () => {
    const { page } = await openReport();
    const seen = [await shown(page)];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('ArrowRight');
      seen.push(await shown(page));
    }
    expect(seen.map((view) => [view.current, view.state, view.active.join()])).toEqual([
      [0, 'idle', 'idle'],
      [1, 'joining', 'joining'],
      [2, 'joined.alone', 'joined.alone'],
      [3, 'joined.accompanied', 'joined.accompanied'],
      [4, 'joined.accompanied', 'joined.accompanied'],
      [5, 'joined.accompanied', 'joined.accompanied'],
      [6, 'joined.alone', 'joined.alone'],
      [7, 'reconnecting', 'reconnecting'],
      [8, 'joined.alone', 'joined.alone'],
      [9, 'joined.alone', 'joined.alone'],
      [10, 'joined.alone', 'joined.alone'],
      [11, 'joined.alone', 'joined.alone'],
      [12, 'timedOut', 'timedOut'],
    ]);
    expect(seen[1]!.taken).toEqual(['callSession.idle#session.join#0']);
    expect(seen[8]!.taken).toEqual(['callSession.reconnecting#connection.restored#0']);
    expect(seen[9]!.taken).toEqual([
      'callSession.joined.alone#xstate.after.idleWarningPeriod.callSession.joined.alone#0',
    ]);
    expect(seen[10]!.taken).toEqual(['callSession.joined.alone#idle.extend#0']);
    expect(seen[12]!.taken).toEqual([
      'callSession.joined.alone#xstate.after.idleTimeoutPeriod.callSession.joined.alone#0',
    ]);
    expect(seen[0]!.taken).toEqual([]);
    const bars = (index: number) => seen[index]!.bars.map((bar) => [bar.key, bar.running, bar.width]);
    expect(bars(2)).toEqual([
      ['idle', true, '100%'],
      ['warning', true, '100%'],
      ['reconnect', false, '0%'],
    ]);
    expect(bars(3)).toEqual([
      ['idle', false, '0%'],
      ['warning', false, '0%'],
      ['reconnect', false, '0%'],
    ]);
    // Lost at 150 s: the idle countdown (due at 250 s, warning at 220 s) runs on, the 30 s
    // reconnect bound starts.
    expect(bars(7)).toEqual([
      ['idle', true, width(100 / 120)],
      ['warning', true, width(70 / 90)],
      ['reconnect', true, '100%'],
    ]);
    expect(bars(8)).toEqual([
      ['idle', true, width(88 / 120)],
      ['warning', true, width(58 / 90)],
      ['reconnect', false, '0%'],
    ]);
    // The warning at 220 s: its bar is done; the stay at 225 s starts both again.
    expect(bars(9)).toEqual([
      ['idle', true, width(30 / 120)],
      ['warning', false, '0%'],
      ['reconnect', false, '0%'],
    ]);
    expect(bars(10)).toEqual([
      ['idle', true, '100%'],
      ['warning', true, '100%'],
      ['reconnect', false, '0%'],
    ]);
    expect(seen[4]!.participants).toEqual(['Ana (uid ana)', 'Ben (uid ben)']);

    // Back, and by the other controls: a row, the slider, Home and End.
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    expect((await shown(page)).current).toBe(7);
    expect((await shown(page)).state).toBe('reconnecting');
    await page.click('.events li[data-index="3"]');
    expect((await shown(page)).current).toBe(3);
    await page.evaluate(() => {
      const slider = document.querySelector<HTMLInputElement>('.slider')!;
      slider.value = '6';
      slider.dispatchEvent(new Event('input'));
    });
    expect((await shown(page)).active).toEqual(['joined.alone']);
    await page.keyboard.press('Home');
    expect((await shown(page)).current).toBe(0);
    await page.keyboard.press('End');
    expect((await shown(page)).state).toBe('timedOut');
  });

  test('play replays at the chosen speed, through the time between events', async () => {
    const { page } = await openReport();
    await page.select('.speed', '100');
    await page.click('.play');
    const samples: { state?: string; clock?: string | null }[] = [];
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const view = await shown(page);
      samples.push({ state: view.state, clock: view.clock });
      if ((await page.$eval('.play', (button) => button.getAttribute('aria-label'))) === 'Play' && samples.length > 1)
        break;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    // Play can end between the last sample and the label read: the final view is a sample too.
    const last = await shown(page);
    samples.push({ state: last.state, clock: last.clock });
    expect(last.state).toBe('timedOut');
    expect(last.current).toBe(12);
    // 345 s at 100×: about 3.5 s, sampled on the way (every 40 ms or slower on a loaded
    // machine, so a 120 ms state such as reconnecting may fall between two samples),
    // seeing states in the timeline's order and clock times between events.
    const order = ['idle', 'joining', 'joined.alone', 'joined.accompanied', 'reconnecting', 'timedOut'];
    const states = samples.map((sample) => sample.state).filter((state, i, all) => state !== all[i - 1]);
    expect(new Set(states).size).toBeGreaterThanOrEqual(3);
    expect(states.every((state) => order.includes(state!))).toBe(true);
    expect(states.at(-1)).toBe('timedOut');
    const clocks = new Set(samples.map((sample) => sample.clock));
    expect(clocks.size).toBeGreaterThan(5);
  });

  test('each session of the log can be selected', async () => {
    const { page } = await openReport();
    await page.click('button[data-track="flaky"]');
    await page.keyboard.press('End');
    expect((await shown(page)).state).toBe('closed');
    expect(await page.$eval('.panel .badge', (badge) => badge.textContent)).toBe('ended: reconnectTimeout');
    await page.click('button[data-track="1:1"]');
    await page.keyboard.press('End');
    expect((await shown(page)).state).toBe('left');
    expect((await shown(page)).participants).toEqual(['Dee (uid dee)']);
    expect(await page.$eval('button[aria-pressed="true"] strong', (name) => name.textContent)).toBe('1:1');
  });

  describe('live', () => {
    async function live(): Promise<InspectorServer> {
      let appUrl = '';
      const server = await startInspectorServer({
        ws: ws as unknown as WsModule,
        page: () => inspectorHtml(assets, { mode: 'live', appUrl, events: '/events' }),
      });
      appUrl = server.appUrl;
      cleanups.push(() => server.close());
      return server;
    }

    async function until(page: Page, check: () => boolean | Promise<boolean>, what: string): Promise<void> {
      const end = Date.now() + 5_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`the page never showed ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      void page;
    }

    test('a session connected with connectInspector appears, labelled by its sessionId, as its events arrive', async () => {
      const server = await live();
      const { page, errors } = await newPage();
      await page.goto(server.url);
      await page.waitForSelector('html[data-ready]');
      expect(await page.$eval('.panel h2', (title) => title.textContent)).toBe('Waiting for a session');

      const inspector = connectInspector(server.appUrl, { WebSocket: ws.WebSocket });
      cleanups.push(() => inspector.close());
      const clock = new SimulatedClock();
      const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(120).setReconnectTimeoutPeriod(30).build();
      const session = createCallSession({ clock, settings, inspect: inspector });
      session.join('standup-live');
      await until(page, async () => (await shown(page)).state === 'joining', 'joining');
      expect(await page.$eval('.sessions button strong', (name) => name.textContent)).toBe('standup-live');

      session.send({ type: 'session.joined', participants: [{ uid: 'ana', name: 'Ana' }] });
      await until(page, async () => (await shown(page)).state === 'joined.accompanied', 'joined.accompanied');
      expect((await shown(page)).participants).toEqual(['Ana (uid ana)']);
      expect((await shown(page)).taken).toEqual(['callSession.joining#session.joined#0']);

      clock.increment(30 * SECOND);
      session.send({ type: 'participant.left', participant: { uid: 'ana' } });
      await until(page, async () => (await shown(page)).state === 'joined.alone', 'joined.alone');
      expect((await shown(page)).bars[0]).toEqual({ key: 'idle', running: true, width: '100%' });
      expect((await shown(page)).clock).toBe('30.000 s');

      clock.increment(120 * SECOND);
      await until(page, async () => (await shown(page)).state === 'timedOut', 'timedOut');

      // A second session of the same app: a second entry, the first one kept.
      const second = createCallSession({ inspect: inspector });
      second.join('second-call');
      await until(page, async () => (await page.$$('.sessions button')).length === 2, 'a second session');
      expect(await page.$$eval('.sessions button strong', (names) => names.map((name) => name.textContent))).toEqual([
        'standup-live',
        'second-call',
      ]);
      // Stepping back on a live session stays there as more arrives.
      await page.keyboard.press('ArrowLeft');
      expect((await shown(page)).state).toBe('joined.alone');

      inspector.close();
      await until(page, async () => (await page.$$('.sessions button.gone')).length === 2, 'the app gone');
      second.dispose();
      expect(errors).toEqual([]);
    });

    test('a page of another origin cannot open the app WebSocket; the page itself can', async () => {
      const server = await live();
      const other = http.createServer((_request, response) =>
        response.writeHead(200, { 'content-type': 'text/html' }).end('<p>another site</p>'),
      );
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => {
        // The browser keeps its connections for later: end them, or close() waits for them.
        other.closeAllConnections();
        return new Promise((resolve) => other.close(resolve));
      });
      const tryWebSocket = (url: string) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(url);
          socket.onopen = () => {
            socket.close();
            resolve('open');
          };
          socket.onerror = () => resolve('refused');
        });

      const { page: foreign } = await newPage();
      await foreign.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      expect(await foreign.evaluate(tryWebSocket, server.appUrl)).toBe('refused');

      const { page: own } = await newPage();
      await own.goto(server.url);
      expect(await own.evaluate(tryWebSocket, server.appUrl)).toBe('open');
    });
  });

  test('the report carries everything it draws', () => {
    const html = readFileSync(new URL(reportUrl), 'utf8');
    expect(html).toContain(assets.script);
    expect(html).toContain(assets.style);
  });
});

// The browser's own WebSocket fits connectInspector's option (checked by the compiler, with the DOM library).
const browserWebSocket: InspectorWebSocketConstructor | undefined =
  typeof WebSocket === 'function' ? WebSocket : undefined;
void browserWebSocket;
