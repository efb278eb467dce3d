/**
 * Bundles the inspector page (src/inspector/page/main.ts and style.css) with esbuild into
 * one script and one style sheet, which the command inlines into every page it serves or
 * writes. Run by `npm run build` into dist/inspector/; the tests bundle into a scratch
 * directory the same way.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

/** xstate is bundled into the page; its MIT licence asks for its notice to travel with it. */
function licenceNotice(): string {
  const xstateLicence = readFileSync(join(root, 'node_modules/xstate/LICENSE'), 'utf8').trim();
  return `/*! call-session-machine inspector page. Bundles xstate (https://github.com/statelyai/xstate):\n${xstateLicence}\n*/`;
}

export interface InspectorPageAssets {
  readonly script: string;
  readonly style: string;
}

/** The page's script and style sheet, minified. */
export async function bundleInspectorPage(): Promise<InspectorPageAssets> {
  const [script, style] = await Promise.all([
    build({
      entryPoints: [join(root, 'src/inspector/page/main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
      minify: true,
      legalComments: 'none',
      banner: { js: licenceNotice() },
      charset: 'utf8',
      logLevel: 'silent',
    }),
    build({
      entryPoints: [join(root, 'src/inspector/page/style.css')],
      bundle: true,
      write: false,
      minify: true,
      charset: 'utf8',
      logLevel: 'silent',
    }),
  ]);
  const assets = { script: script.outputFiles[0]!.text, style: style.outputFiles[0]!.text };
  // Both are inlined into <script> and <style>: nothing in them may end those elements early.
  if (/<\/script|<!--/i.test(assets.script) || /<\/style/i.test(assets.style)) {
    throw new Error('the bundled page holds </script, <!-- or </style and cannot be inlined');
  }
  return assets;
}

/** Writes page.js and page.css into `dir`. */
export async function writeInspectorPage(dir: string): Promise<InspectorPageAssets> {
  const assets = await bundleInspectorPage();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'page.js'), assets.script);
  writeFileSync(join(dir, 'page.css'), assets.style);
  return assets;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? join(root, 'dist/inspector');
  const assets = await writeInspectorPage(dir);
  console.log(
    `inspector page: ${dir}/page.js (${assets.script.length} bytes), page.css (${assets.style.length} bytes)`,
  );
}
