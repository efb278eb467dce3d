import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const from = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests that open a real connection attempt (to a closed loopback port): LiveKit's
 * signal client needs the global `WebSocket`, which Node 20 has only behind a flag.
 */
const CONNECT_TESTS = 'test/bindings/*.connect.test.ts';

export default defineConfig({
  resolve: {
    // The README and docs examples import the package by name, exactly as users do.
    alias: [
      { find: /^call-session-machine\/testing$/, replacement: from('./src/testing/index.ts') },
      {
        find: /^call-session-machine\/testing\/(livekit|twilio|daily)$/,
        replacement: from('./src/testing/$1/index.ts'),
      },
      { find: /^call-session-machine\/persistence$/, replacement: from('./src/persistence/index.ts') },
      { find: /^call-session-machine\/livekit$/, replacement: from('./src/livekit/index.ts') },
      { find: /^call-session-machine\/twilio$/, replacement: from('./src/twilio/index.ts') },
      { find: /^call-session-machine\/daily$/, replacement: from('./src/daily/index.ts') },
      { find: /^call-session-machine\/stream$/, replacement: from('./src/stream/index.ts') },
      { find: /^call-session-machine\/agora$/, replacement: from('./src/agora/index.ts') },
      { find: /^call-session-machine\/zoom$/, replacement: from('./src/zoom/index.ts') },
      { find: /^call-session-machine\/vonage$/, replacement: from('./src/vonage/index.ts') },
      { find: /^call-session-machine\/inspector$/, replacement: from('./src/inspector/index.ts') },
      { find: /^call-session-machine\/react$/, replacement: from('./src/react/index.ts') },
      { find: /^call-session-machine\/fleet$/, replacement: from('./src/fleet/index.ts') },
      { find: /^call-session-machine\/durable$/, replacement: from('./src/durable/index.ts') },
      { find: /^call-session-machine\/vue$/, replacement: from('./src/vue/index.ts') },
      { find: /^call-session-machine\/server$/, replacement: from('./src/server/index.ts') },
      { find: /^call-session-machine$/, replacement: from('./src/index.ts') },
    ],
  },
  test: {
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx', 'examples/**/*.test.ts'],
          exclude: [...configDefaults.exclude, CONNECT_TESTS],
        },
      },
      {
        extends: true,
        test: {
          name: 'sdk-connect',
          include: [CONNECT_TESTS],
          // Node 22 has the global WebSocket without a flag; Node 20 needs it.
          execArgv: typeof globalThis.WebSocket === 'undefined' ? ['--experimental-websocket'] : [],
        },
      },
    ],
  },
});
