// The Twilio driver the tests use is the one the package ships
// (src/testing/twilio/index.ts, call-session-machine/testing/twilio): every use of
// twilio-video internals is there. Here only what needs this repository's node_modules.
import { readFileSync } from 'node:fs';

export * from '../../src/testing/twilio/index.js';

/** The version of twilio-video actually installed. */
export function installedTwilioVersion(): string {
  const manifest = new URL('../../node_modules/twilio-video/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
