import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const from = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The README and docs examples import the package by name, exactly as users do.
    alias: [
      { find: /^call-session-machine\/testing$/, replacement: from('./src/testing/index.ts') },
      { find: /^call-session-machine\/inspector$/, replacement: from('./src/inspector/index.ts') },
      { find: /^call-session-machine$/, replacement: from('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
