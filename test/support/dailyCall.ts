// The Daily driver the tests use is the one the package ships
// (src/testing/daily/index.ts, call-session-machine/testing/daily): every use of daily-js
// internals is there. Here only what needs this repository's node_modules.
import { readFileSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';

export * from '../../src/testing/daily/index.js';

/** The version of @daily-co/daily-js actually installed. */
export function installedDailyVersion(): string {
  // Node's URL: under happy-dom the global URL is the DOM's.
  const manifest = new NodeURL('../../node_modules/@daily-co/daily-js/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
