import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const root = new URL('../', import.meta.url);
const docs = readdirSync(new URL('docs/', root)).filter((name) => name.endsWith('.md'));

/** Every `<!-- include: path -->` marker is followed by a code block holding that file. */
const includes = docs.flatMap((name) => {
  const text = readFileSync(new URL(`docs/${name}`, root), 'utf8');
  return [...text.matchAll(/<!-- include: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map(
    (match) => [name, match[1]!, match[2]!] as const,
  );
});

test('the docs include code from files', () => {
  expect(includes.length).toBeGreaterThan(0);
});

test.each(includes)('%s shows %s exactly as it is', (_, path, block) => {
  expect(block).toBe(readFileSync(new URL(path, root), 'utf8'));
});
