import { mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { writeInspectorPage, type InspectorPageAssets } from '../../scripts/buildInspectorPage.js';

/**
 * The command and its page, built into a scratch directory laid out as dist/ is
 * (`dist/src/cli/bin.js`, `dist/inspector/page.js`), so that tests run what ships without
 * the slower `npm run build`. The bin is bundled by esbuild from the same sources tsc
 * compiles; packages stay external, found in the project's node_modules.
 */
export async function buildInspectorForTests(name: string): Promise<{ bin: string; assets: InspectorPageAssets }> {
  const out = new URL(`../../.tmp/inspector-build-${name}/`, import.meta.url);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bin = new URL('dist/src/cli/bin.js', out).pathname;
  const [, assets] = await Promise.all([
    build({
      entryPoints: [new URL('../../src/cli/bin.ts', import.meta.url).pathname],
      outfile: bin,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    }),
    writeInspectorPage(new URL('dist/inspector/', out).pathname),
  ]);
  return { bin, assets };
}
