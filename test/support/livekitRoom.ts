// The LiveKit driver the tests use is the one the package ships
// (src/testing/livekit/index.ts, call-session-machine/testing/livekit): every use of
// livekit-client internals is there. Here only what needs this repository's node_modules.
import { readFileSync } from 'node:fs';

export * from '../../src/testing/livekit/index.js';

/** The version of livekit-client actually installed. */
export function installedLiveKitVersion(): string {
  // livekit-client's exports map does not expose its package.json.
  const manifest = new URL('../../node_modules/livekit-client/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
