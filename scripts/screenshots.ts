/**
 * `npm run screenshots`: regenerates docs/inspector-report.png (the report of
 * examples/demo.jsonl, as `inspect --out` writes it) and docs/inspector-live.png (a live
 * session), in headless Chromium: the report by the built command, the live page with the
 * built page (`npm run build` first; the npm script does). Also prints how long the report
 * takes to open.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedClock } from 'xstate';
import * as ws from 'ws';
import { findChromium, INSTALL_CHROMIUM, launchChromium } from './chromium.js';
import { createCallSession, SessionSettingsBuilder } from '../src/index.js';
import { connectInspector } from '../src/inspector/index.js';
import { inspectorHtml, readPageAssets } from '../src/cli/html.js';
import { startInspectorServer, type WsModule } from '../src/cli/server.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const chromium = findChromium();
if (!chromium) {
  console.error(`no Chromium: ${INSTALL_CHROMIUM}`);
  process.exit(1);
}
const out = `${root}.tmp/screenshots/`;
mkdirSync(out, { recursive: true });
const report = `${out}demo.html`;
execFileSync(process.execPath, [
  `${root}dist/src/cli/bin.js`,
  'inspect',
  `${root}examples/demo.jsonl`,
  '--out',
  report,
]);

const browser = await launchChromium(chromium);
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });

  // How long the report takes to open: navigation to the page drawn, replay included.
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await page.goto(`file://${report}`);
    await page.waitForSelector('html[data-ready]');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  // A string: this file is checked without the DOM library.
  const loaded = (await page.evaluate(
    "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd",
  )) as number;
  console.log(
    `report of examples/demo.jsonl: open in ${times.map((time) => time.toFixed(0)).join(', ')} ms (7 runs; median ${times[3]!.toFixed(0)} ms); DOMContentLoaded at ${loaded.toFixed(0)} ms`,
  );

  // The standup session at 150 s: the connection lost while alone, both countdowns running.
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
  await page.screenshot({ path: `${root}docs/inspector-report.png` });
  console.log('wrote docs/inspector-report.png');

  let appUrl = '';
  const assets = readPageAssets(new URL('../dist/inspector/', import.meta.url));
  const server = await startInspectorServer({
    ws: ws as unknown as WsModule,
    page: () => inspectorHtml(assets, { mode: 'live', appUrl, events: '/events' }),
  });
  appUrl = server.appUrl;
  const live = await browser.newPage();
  await live.setViewport({ width: 1440, height: 900 });
  await live.goto(server.url);
  await live.waitForSelector('html[data-ready]');
  const inspector = connectInspector(server.appUrl, { WebSocket: ws.WebSocket });
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(120).setReconnectTimeoutPeriod(30).build();
  const other = createCallSession({ clock, settings, inspect: inspector });
  other.join('support-call');
  const session = createCallSession({ clock, settings, inspect: inspector });
  session.join('daily-standup');
  clock.increment(1_200);
  session.send({
    type: 'session.joined',
    participants: [
      { uid: 'ana', name: 'Ana' },
      { uid: 'ben', name: 'Ben' },
    ],
  });
  clock.increment(20_000);
  session.send({ type: 'participant.left', participant: { uid: 'ben', name: 'Ben' } });
  clock.increment(9_000);
  session.send({ type: 'connection.lost' });
  clock.increment(4_000);
  await live.waitForFunction("document.querySelectorAll('.sessions button').length === 2");
  await live.click('.sessions button:nth-child(2)');
  await live.waitForFunction("document.querySelectorAll('.events li').length === 5");
  await live.keyboard.press('End');
  await live.screenshot({ path: `${root}docs/inspector-live.png` });
  console.log('wrote docs/inspector-live.png');
  inspector.close();
  await server.close();
} finally {
  await browser.close();
}
