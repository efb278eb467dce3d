// Messages that do not fit the step type, sent to `call-session-machine inspect` (a real
// process) by any local process, with its page open in Chromium: a message nested deep
// enough to overflow a recursive walk, markup in a number field, a number where a string
// goes. Each is dropped and counted, the page says how many, and the server and the page
// go on showing the valid steps that follow, to pages open and pages opened later.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { chromiumForTests, launchChromium } from '../scripts/chromium.js';
import { buildInspectorForTests } from './support/inspectorBuild.js';
import { nestedArrayJson, openApp, startInspectProcess, validStep } from './support/inspectorSteps.js';

const chromium = chromiumForTests('test/inspectorHostileSteps.test.ts', test);
// Deep, and still under the server's 1 MiB message limit.
const DEEP_ARRAYS = 200_000;
const DEEP_OBJECTS = 100_000;

describe.skipIf(!chromium)('hostile messages to the live inspector', () => {
  let bin = '';
  let browser: Browser;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    ({ bin } = await buildInspectorForTests('hostile'));
    browser = await launchChromium(chromium!);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function inspect() {
    const server = await startInspectProcess(bin);
    cleanups.push(() => {
      if (!server.exited()) server.child.kill('SIGKILL');
    });
    return server;
  }

  async function open(url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await browser.newPage();
    cleanups.push(() => page.close());
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(url);
    await page.waitForSelector('html[data-ready]');
    return { page, errors, requests };
  }

  const stateShown = (page: Page) => page.$eval('.panel', (panel) => panel.querySelector('h2')?.textContent ?? '');
  const rowsShown = (page: Page) => page.$$eval('.events li', (rows) => rows.length);
  const rejectedShown = (page: Page) => page.$eval('.rejected', (note) => note.textContent ?? '').catch(() => '');

  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const end = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`never: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  test('a message nested 100,000 levels deep or more (a step, a Stately snapshot) does not kill the server; it is dropped and counted', async () => {
    const server = await inspect();
    const { page, errors } = await open(server.url);
    const app = await openApp(server.appUrl);
    cleanups.push(() => app.terminate());

    const step = JSON.stringify(validStep({ seq: 0 }));
    app.send(step.replace('"settings":{', `"settings":${nestedArrayJson(DEEP_ARRAYS)},"unused":{`));
    app.send(JSON.stringify({ type: '@xstate.actor', sessionId: 'x:9', name: 'callSession' }));
    app.send(
      `{"type":"@xstate.snapshot","sessionId":"x:9","snapshot":{"value":${'{"a":'.repeat(DEEP_OBJECTS)}"b"${'}'.repeat(DEEP_OBJECTS)},"context":{}}}`,
    );
    app.send(JSON.stringify(validStep({ seq: 0 })));
    await until(async () => (await stateShown(page)).startsWith('joining'), 'the valid step after the deep ones');
    expect(server.exited()).toBe(false);
    await until(async () => /\b2 messages? rejected/.test(await rejectedShown(page)), 'the two rejected messages');
    expect(errors).toEqual([]);
  });

  test('markup in countdowns[].period does not reach the page: no navigation, no element, the message dropped', async () => {
    const server = await inspect();
    const { page, errors, requests } = await open(server.url);
    const app = await openApp(server.appUrl);
    cleanups.push(() => app.terminate());

    const attack =
      '1"><meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/owned"><img src="http://127.0.0.1:9/img">';
    app.send(
      JSON.stringify(
        validStep({ seq: 0, countdowns: [{ key: 'idle', label: 'idle timeout', deadline: 5_000, period: attack }] }),
      ),
    );
    app.send(JSON.stringify(validStep({ seq: 1, from: 'joining', to: 'joined.alone' })));
    await until(async () => (await stateShown(page)).startsWith('joined.alone'), 'the valid step');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a refresh of 0 s would have gone by now
    expect(page.url()).toBe(server.url);
    expect(await page.$$eval('meta[http-equiv="refresh"], img', (found) => found.length)).toBe(0);
    expect(requests.filter((url) => url.includes(':9/'))).toEqual([]);
    expect(await rejectedShown(page)).toMatch(/\b1 message rejected/);
    expect(errors).toEqual([]);
  });

  test('sessionId 7 (a number) is dropped: later steps still show, on this page and on one opened afterwards', async () => {
    const server = await inspect();
    const { page, errors } = await open(server.url);
    const app = await openApp(server.appUrl);
    cleanups.push(() => app.terminate());

    app.send(JSON.stringify(validStep({ seq: 0, sessionId: 7 })));
    app.send(JSON.stringify(validStep({ seq: 0 })));
    app.send(JSON.stringify(validStep({ seq: 1, from: 'joining', to: 'joined.alone' })));
    await until(async () => (await stateShown(page)).startsWith('joined.alone'), 'the steps after sessionId 7');
    expect(await rowsShown(page)).toBe(2);
    expect(await page.$eval('.sessions button strong', (name) => name.textContent)).toBe('standup');

    // The server keeps messages for pages opened later: none of them is the bad one.
    const late = await open(server.url);
    await until(async () => (await stateShown(late.page)).startsWith('joined.alone'), 'the steps on a late page');
    expect(await rowsShown(late.page)).toBe(2);
    expect(await rejectedShown(late.page)).toMatch(/\b1 message rejected/);
    expect([...errors, ...late.errors]).toEqual([]);
  });

  test('every field of the step type is checked: each wrong type is dropped, the valid step around them shown', async () => {
    const server = await inspect();
    const { page, errors } = await open(server.url);
    const app = await openApp(server.appUrl);
    cleanups.push(() => app.terminate());

    const wrong: Record<string, unknown>[] = [
      { actor: 1 },
      { seq: 'x' },
      { seq: -1 },
      { at: 'now' },
      { clock: 'wall' },
      { event: { type: 1, label: 'x' } },
      { event: 'session.join' },
      { from: 3 },
      { to: null },
      { ignored: 'no' },
      { transitions: [1] },
      { callbacks: 'onJoined' },
      { participants: [{ uid: 2 }] },
      { participants: [null] },
      { participantCount: -3 },
      { countdowns: [{ key: 'idle', label: 'x', deadline: 'soon', period: 1 }] },
      { countdowns: [{ key: {}, label: 'x', deadline: null, period: 1 }] },
      { settings: { idleTimeoutPeriod: '300', reconnectTimeoutPeriod: 60, idleWarningPeriod: 0, type: 'VIDEO' } },
      { settings: null },
      { endReason: 5 },
      { status: ['active'] },
    ];
    for (const fields of wrong) app.send(JSON.stringify(validStep({ seq: 0, ...fields })));
    app.send(JSON.stringify(validStep({ seq: 0 })));
    await until(async () => (await stateShown(page)).startsWith('joining'), 'the valid step');
    await until(
      async () => new RegExp(`\\b${wrong.length} messages rejected`).test(await rejectedShown(page)),
      `${wrong.length} rejected`,
    );
    expect(await rowsShown(page)).toBe(1);
    expect(errors).toEqual([]);
  });

  test('markup in every string a valid step carries shows as text', async () => {
    const server = await inspect();
    const { page, errors } = await open(server.url);
    const app = await openApp(server.appUrl);
    cleanups.push(() => app.terminate());

    const markup = (field: string) => `<img src=x id="${field}"><b>${field}</b>`;
    app.send(
      JSON.stringify(
        validStep({
          seq: 0,
          actor: markup('actor'),
          sessionId: markup('sessionId'),
          event: { type: markup('type'), label: markup('label') },
          from: markup('from'),
          to: markup('to'),
          callbacks: [markup('callback')],
          participants: [{ uid: markup('uid'), pid: markup('pid'), name: markup('name') }],
          countdowns: [{ key: markup('key'), label: markup('countdown'), deadline: 1_000, period: 2_000 }],
          endReason: markup('endReason'),
          status: 'done',
        }),
      ),
    );
    await until(async () => (await rowsShown(page)) === 1, 'the step');
    // The chart's arrowhead markers are the page's only elements with an id.
    const found = await page.$$eval('#app img, #app [id]:not(marker)', (nodes) => nodes.map((node) => node.outerHTML));
    expect(found).toEqual([]);
    const text = await page.$eval('#app', (app) => app.textContent ?? '');
    for (const field of ['sessionId', 'label', 'from', 'to', 'callback', 'name', 'countdown', 'endReason'])
      expect(text).toContain(markup(field));
    expect(errors).toEqual([]);
  });
});
