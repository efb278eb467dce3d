import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const MARKER = '<!-- readme-example';

/** Each ts block after a `readme-example` marker, exactly as a reader copies it, with what the README says it prints. */
function readmeExamples(): { code: string; promised: string[] }[] {
  const examples: { code: string; promised: string[] }[] = [];
  for (let at = readme.indexOf(MARKER); at >= 0; at = readme.indexOf(MARKER, at + 1)) {
    const rest = readme.slice(at);
    const block = /```ts\n([\s\S]*?)```/.exec(rest)!;
    const afterBlock = rest.slice(block.index + block[0].length);
    const promised = /prints (.*?)\.\n/s.exec(afterBlock)![1]!.replace(/\s+/g, ' ');
    examples.push({ code: block[1]!, promised: [...promised.matchAll(/`([^`]*)`/g)].map((match) => match[1]!) });
  }
  return examples;
}

afterEach(() => {
  vi.restoreAllMocks();
});

test('the README has the short example at the top and the longer one under Use', () => {
  const examples = readmeExamples();
  expect(examples).toHaveLength(2);
  expect(examples[0]!.code.trim().split('\n').length).toBeLessThanOrEqual(12);
  expect(readme.indexOf(MARKER)).toBeLessThan(readme.indexOf('npm install && npm start'));
  expect(readme.indexOf('npm install call-session-machine xstate')).toBeLessThan(readme.indexOf(MARKER));
  expect(readme.indexOf('npm install && npm start')).toBeLessThan(readme.indexOf('<!-- statechart:start'));
});

test.each(readmeExamples().map((example, index) => [index, example] as const))(
  'README example %i runs verbatim and prints what the README says it prints',
  async (index, { code, promised }) => {
    const dir = new URL('../.tmp/readme/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example${index}.ts`, dir);
    writeFileSync(file, code);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    await import(/* @vite-ignore */ `${file.href}?t=${Date.now()}`);
    expect(printed).toEqual(promised);
  },
);
