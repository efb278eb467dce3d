/**
 * The one Chromium launcher of the project: Debian's Chromium, driven by puppeteer-core (a
 * dev dependency), for every browser test (the inspector page, the React example) and
 * every screenshot script.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** How to get the browser the tests drive; no browser download works in CI here. */
export const INSTALL_CHROMIUM = 'apt-get install -y chromium';

/** `CHROMIUM_PATH` if set (and only it), else Debian's Chromium. */
export function findChromium(): string | undefined {
  const given = process.env.CHROMIUM_PATH;
  if (given) return existsSync(given) ? given : undefined;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** In CI a missing browser fails the browser tests; elsewhere they are skipped with how to install it. */
export const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** What a browser test file says when there is no Chromium. */
export function missingChromium(file: string): string {
  return `${file}: no Chromium at /usr/bin/chromium (or CHROMIUM_PATH); to run its browser tests: ${INSTALL_CHROMIUM}`;
}

/**
 * The browser a test file runs on. Without one it warns and the caller skips its tests,
 * except in CI, where `failInCi` (a vitest `test`) registers one failing test instead:
 * a CI without its browser must not pass by testing nothing.
 */
export function chromiumForTests(file: string, failInCi: (name: string, run: () => void) => void): string | undefined {
  const found = findChromium();
  if (found) return found;
  if (inCi) {
    failInCi('Chromium is installed: CI runs the browser tests', () => {
      throw new Error(missingChromium(file));
    });
  } else {
    console.warn(`${missingChromium(file)}; skipped`);
  }
  return undefined;
}

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // A page in a tab that is not in front must still render and run its timers at full rate.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Headless Chromium with a fresh profile, nothing in the background; `close()` also removes the profile. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'csm-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [...FLAGS, `--user-data-dir=${profile}`],
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return browser;
}
