// The daily-js import form docs/bindings.md gives for `moduleResolution: nodenext`
// (issue 16): `import Daily from '@daily-co/daily-js'` does not type-check there, the
// documented form does, and at run time in Node it is the class with createCallObject.
// A scratch project under .tmp/ (so that the repository's node_modules resolve), checked
// by the repository's own tsc and run by Node.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
mkdirSync(join(root, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.tmp', 'daily-import-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const DOCUMENTED = `import DailyModule from '@daily-co/daily-js';
const Daily = DailyModule as unknown as typeof DailyModule.default;
export const createCallObject: unknown = Daily.createCallObject;
`;
const NAIVE = `import Daily from '@daily-co/daily-js';
export const createCallObject: unknown = Daily.createCallObject;
`;

async function typeCheck(source: string): Promise<string> {
  const dir = mkdtempSync(join(scratch, 'tsc-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'entry.ts'), source);
  const compilerOptions = {
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2023', 'dom'],
    types: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['entry.ts'] }));
  const args = ['-p', dir];
  try {
    await run(join(root, 'node_modules/.bin/tsc'), args, { cwd: dir });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

test("`import Daily from '@daily-co/daily-js'` does not type-check under nodenext", async () => {
  expect(await typeCheck(NAIVE)).toMatch(/TS2339: Property 'createCallObject' does not exist/);
});

test('the documented form type-checks under nodenext', async () => {
  expect(await typeCheck(DOCUMENTED)).toBe('');
});

test('at run time in Node the documented form is the class, with createCallObject', async () => {
  const file = join(scratch, 'probe.mjs');
  writeFileSync(
    file,
    `import DailyModule from '@daily-co/daily-js';\nconst Daily = DailyModule;\nconsole.log(typeof Daily.createCallObject);\n`,
  );
  const { stdout } = await run(process.execPath, [file], { cwd: scratch });
  expect(stdout.trim()).toBe('function');
});
