// Regenerates docs/react-call-screen.png: the React example in headless Chromium,
// showing the idle warning with its countdown. `npm run screenshots:react` (needs
// Chromium: apt-get install -y chromium).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDirectory } from '../test/support/reactBrowser.js';
import { findChromium, INSTALL_CHROMIUM, launchChromium } from './chromium.js';
import { buildReactExample } from './buildReactExample.js';

const output = fileURLToPath(new URL('../docs/react-call-screen.png', import.meta.url));

const chromium = findChromium();
if (!chromium) {
  console.error(`no Chromium at /usr/bin/chromium (or CHROMIUM_PATH): ${INSTALL_CHROMIUM}`);
  process.exit(1);
}
const outdir = mkdtempSync(join(tmpdir(), 'csm-react-screenshot-'));
const server = await serveDirectory(await buildReactExample(outdir));
const browser = await launchChromium(chromium);
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 800, height: 400 });
  // Alone for 3 s of a 13 s idle period, the 10 s warning shows; taken at 0:09 left.
  await page.goto(`${server.url}?idle=13&warning=10`);
  await page.waitForFunction(
    () => document.querySelector('[role="alertdialog"] [data-countdown="idle"]')?.textContent === '0:09',
    { timeout: 15_000 },
  );
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(outdir, { recursive: true, force: true });
}
