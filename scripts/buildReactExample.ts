// Bundles the React call screen (examples/react-call-screen), React included, into
// examples/react-call-screen/dist/: index.html and app.js, a classic script, so the page
// opens from a local server or straight from disk. `npm run example:react`; the browser
// test and `npm run screenshots:react` build it the same way.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const example = new URL('../examples/react-call-screen/', import.meta.url);

/** Builds the example into `outdir` (default its `dist/`); returns that directory. */
export async function buildReactExample(outdir = fileURLToPath(new URL('dist/', example))): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(new URL('app.tsx', example))],
    tsconfig: fileURLToPath(new URL('tsconfig.json', example)),
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  copyFileSync(new URL('index.html', example), join(outdir, 'index.html'));
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = await buildReactExample();
  console.log(`built ${join(outdir, 'index.html')} and app.js`);
}
