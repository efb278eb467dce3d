// docs/inspecting.md, "the trace inspector": its example runs verbatim, as a reader copies
// it, and prints the lines the doc shows, each in the columns the doc describes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, test, vi } from 'vitest';

const doc = readFileSync(new URL('../docs/inspecting.md', import.meta.url), 'utf8');

/** The body of the first fenced block of `language` after `marker`. */
function blockAfter(marker: string, language: string): string {
  const at = doc.indexOf(marker);
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(doc.slice(at));
  if (at < 0 || !block) throw new Error(`docs/inspecting.md has no ${language} block after ${marker}`);
  return block[1]!;
}

afterEach(() => {
  vi.restoreAllMocks();
});

test('the trace example runs verbatim and prints exactly the lines the doc shows', async () => {
  const dir = new URL('../.tmp/docs-inspecting/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('trace.ts', dir);
  writeFileSync(file, blockAfter('<!-- inspecting-example: trace', 'ts'));
  const printed: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
  await import(/* @vite-ignore */ `${file.href}?t=${Date.now()}`);

  const shown = blockAfter('<!-- inspecting-output: trace', 'text').trimEnd().split('\n');
  expect(shown.length).toBeGreaterThan(0);
  expect(printed).toEqual(shown);

  // The columns the doc lists: time, event, then the move with its callbacks and timers,
  // or the state the event was ignored in, or (first line) the state the session starts in.
  const time = String.raw`\s*\d+\.\d{3}s`;
  const move = new RegExp(String.raw`^${time}  \S.*?  +\S+ → \S+(  +on\w+.*?)?(  ⏱ .+)?$`);
  const ignored = new RegExp(String.raw`^${time}  \S.*?  +\S+ \(ignored\)$`);
  const created = new RegExp(String.raw`^${time}  \(created\)  +idle$`);
  expect(printed[0]).toMatch(created);
  for (const line of printed.slice(1)) expect(line).toSatisfy((text: string) => move.test(text) || ignored.test(text));
  // What the example does, line by line: the timer line is the idle countdown, at 161.5 s.
  expect(printed.map((line) => line.trim().split(/\s{2,}/)[1])).toEqual([
    '(created)',
    'session.join(standup)',
    'session.joined[Ana]',
    'participant.left(Ana)',
    'connection.lost',
    'connection.lost',
    'connection.restored',
    'after idleTimeoutPeriod',
  ]);
  expect(printed.at(-1)).toMatch(
    /^\s*161\.500s {2}after idleTimeoutPeriod {2,}joined\.alone → timedOut {2,}onSessionTimedOut/,
  );
});
