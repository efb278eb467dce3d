/**
 * `npm run bench:inspector`: how long a live inspector page opened late takes to catch up
 * with one real session, in Chromium. The session (connectInspector, a simulated clock)
 * handles N events first; the server keeps them; then the page opens and replays them.
 * Timed from navigation to the page showing event N of N with N rows in its timeline.
 * `INSPECTOR_EVENTS=250,500` picks the sizes.
 */
import { SimulatedClock } from 'xstate';
import * as ws from 'ws';
import { createCallSession, type CallSession } from '../src/index.js';
import { connectInspector } from '../src/inspector/index.js';
import { inspectorHtml } from '../src/cli/html.js';
import { startInspectorServer, type WsModule } from '../src/cli/server.js';
import { bundleInspectorPage } from '../scripts/buildInspectorPage.js';
import { findChromium, INSTALL_CHROMIUM, launchChromium } from '../scripts/chromium.js';

const chromium = findChromium();
if (!chromium) {
  console.error(`no Chromium: ${INSTALL_CHROMIUM}`);
  process.exit(1);
}
const sizes = (process.env.INSPECTOR_EVENTS ?? '250,500,1000,10000').split(',').map(Number);
const assets = await bundleInspectorPage();
const browser = await launchChromium(chromium);

/** N events of one session: created, join, joined, then participants coming and going. */
function drive(session: CallSession, clock: SimulatedClock, events: number): void {
  session.join('catch-up');
  session.send({ type: 'session.joined' });
  for (let i = 3; i < events; i++) {
    clock.increment(1_000);
    if (i % 2) session.send({ type: 'participant.joined', participant: { uid: `p${i}`, name: `Person ${i}` } });
    else session.send({ type: 'participant.left', participant: { uid: `p${i - 1}` } });
  }
}

console.log('events   catch-up ms (navigation to event N of N shown)');
try {
  for (const events of sizes) {
    let appUrl = '';
    const server = await startInspectorServer({
      ws: ws as unknown as WsModule,
      page: () => inspectorHtml(assets, { mode: 'live', appUrl, events: '/events' }),
    });
    appUrl = server.appUrl;
    const inspector = connectInspector(server.appUrl, { WebSocket: ws.WebSocket, maxBufferedBytes: 1 << 30 });
    while (inspector.status === 'connecting') await new Promise((resolve) => setTimeout(resolve, 5));
    const clock = new SimulatedClock();
    const session = createCallSession({ clock, inspect: inspector });
    drive(session, clock, events);
    // Let the server receive them all before the page opens (its kept messages).
    await new Promise((resolve) => setTimeout(resolve, 500 + events / 10));
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    const started = performance.now();
    await page.goto(server.url);
    await page.waitForFunction(
      `document.querySelectorAll('.events li').length === ${events} && (document.querySelector('.panel .at')?.textContent ?? '').startsWith('event ${events} of ${events}')`,
      { timeout: 0, polling: 100 },
    );
    const ms = performance.now() - started;
    console.log(`${String(events).padEnd(8)} ${ms.toFixed(0).padStart(11)}`);
    await page.close();
    inspector.close();
    session.dispose();
    await server.close();
  }
} finally {
  await browser.close();
}
