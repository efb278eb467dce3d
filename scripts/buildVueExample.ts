// Bundles the Vue call screen (examples/vue-call-screen), Vue's runtime included, into
// examples/vue-call-screen/dist/: index.html and app.js, a classic script, so the page
// opens from a local server or straight from disk. No Vite: esbuild, with a plugin that
// compiles each .vue file through @vue/compiler-sfc (Vue's own compiler, installed with
// vue). `npm run example:vue`; the browser test builds it the same way.
import { copyFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileScript, parse } from '@vue/compiler-sfc';
import { build, type Plugin } from 'esbuild';

const example = new URL('../examples/vue-call-screen/', import.meta.url);

/** A `<script setup lang="ts">` component with its template compiled inline; styles are the page's. */
const vueSfc: Plugin = {
  name: 'vue-sfc',
  setup(bundler) {
    bundler.onLoad({ filter: /\.vue$/ }, ({ path }) => {
      const { descriptor, errors } = parse(readFileSync(path, 'utf8'), { filename: path });
      if (errors.length > 0) throw errors[0];
      if (descriptor.styles.length > 0) throw new Error(`${path}: <style> is not supported here; style the page`);
      const id = createHash('sha256').update(path).digest('hex').slice(0, 8);
      // Throws on a template error, so a broken template fails the build.
      const { content } = compileScript(descriptor, { id, inlineTemplate: true });
      return { contents: content, loader: 'ts', resolveDir: dirname(path) };
    });
  },
};

/** Builds the example into `outdir` (default its `dist/`); returns that directory. */
export async function buildVueExample(outdir = fileURLToPath(new URL('dist/', example))): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(new URL('app.ts', example))],
    tsconfig: fileURLToPath(new URL('tsconfig.json', example)),
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    plugins: [vueSfc],
    // Vue's esm-bundler build reads these flags; production, with no devtools hooks.
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    logLevel: 'warning',
  });
  copyFileSync(new URL('index.html', example), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = await buildVueExample();
  console.log(`built ${join(outdir, 'index.html')} and app.js`);
}
