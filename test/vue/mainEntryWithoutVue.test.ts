// Vue is an optional peer dependency: the main entry, every other subpath, and every
// module they reach, import no Vue, so an app without Vue loads them. The packed tarball
// is checked the same way by scripts/check-package.sh, in a project where Vue cannot be found.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { default: string }>;
};

/** Every bare module name the graph of `entry` imports, following relative imports (`.js` → `.ts`). */
function bareImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) visit(resolve(dirname(file), fileName.replace(/\.js$/, '.ts')));
      else bare.add(fileName);
    }
  };
  visit(resolve(root, entry));
  return bare;
}

const isVue = (name: string) => /^(vue|@vue\/.*)(\/|$)/.test(name);

/** Each subpath's source entry, from the `exports` map (dist/src/x/index.js → src/x/index.ts). */
const entries = Object.entries(pkg.exports)
  .filter(([subpath]) => subpath !== './package.json')
  .map(([subpath, target]) => {
    const file = typeof target === 'string' ? target : target.default;
    return [subpath, file.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')] as const;
  });

test('the exports map has the main entry and ./vue', () => {
  expect(entries.map(([subpath]) => subpath)).toEqual(expect.arrayContaining(['.', './vue', './react']));
});

test.each(entries.filter(([subpath]) => subpath !== './vue'))('%s (%s) reaches no Vue', (_, entry) => {
  expect([...bareImports(entry)].filter(isVue)).toEqual([]);
});

test('the walk would see it: call-session-machine/vue imports vue, and only vue', () => {
  expect([...bareImports('src/vue/index.ts')].filter(isVue)).toEqual(['vue']);
});
