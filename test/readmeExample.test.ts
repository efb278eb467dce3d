import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first ts block after the `readme-example` marker, exactly as a reader copies it. */
function readmeExample(): string {
  const marker = readme.indexOf('<!-- readme-example');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (marker < 0 || !block) throw new Error('README.md has no marked example');
  return block[1]!;
}

afterEach(() => {
  vi.restoreAllMocks();
});

test('the README example runs verbatim and prints what the README says it prints', async () => {
  const dir = new URL('../.tmp/readme/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('example.ts', dir);
  writeFileSync(file, readmeExample());
  const printed: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
  await import(/* @vite-ignore */ `${file.href}?t=${Date.now()}`);
  const promised = /That prints (.*?)\.\n/s.exec(readme)![1]!.replace(/\s+/g, ' ');
  const expected = [...promised.matchAll(/`([^`]*)`/g)].map((match) => match[1]);
  expect(printed).toEqual(expected);
});
