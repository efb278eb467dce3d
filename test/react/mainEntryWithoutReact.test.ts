// React is an optional peer dependency (SPEC §9): the main entry, and every module it
// reaches, imports no React, so an app without React installed loads it. The packed
// tarball is checked the same way by scripts/check-package.sh, in a project where React
// cannot be found.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

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

const isReact = (name: string) => /^(react|react-dom|@types\/react)(\/|$)/.test(name);

test('the main entry’s import graph contains no React', () => {
  const imports = bareImports('src/index.ts');
  expect(imports).toContain('xstate');
  expect([...imports].filter(isReact)).toEqual([]);
});

test('the walk would see it: call-session-machine/react imports react', () => {
  expect([...bareImports('src/react/index.ts')].filter(isReact)).toEqual(['react']);
});
