// What `call-session-machine replay` (a real process) writes to the terminal: lines whose
// length does not grow with the longest session name in the log, and no control
// character from the log (an escape sequence in a session name, a sessionId, a
// participant's name) reaching the terminal; each is shown escaped instead.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { buildInspectorForTests } from './support/inspectorBuild.js';

let bin = '';
beforeAll(async () => {
  ({ bin } = await buildInspectorForTests('replay-output'));
});

function logFile(lines: unknown[]): { path: string; bytes: number } {
  const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
  const path = join(mkdtempSync(join(tmpdir(), 'csm-replay-out-')), 'log.jsonl');
  writeFileSync(path, text);
  return { path, bytes: Buffer.byteLength(text) };
}

/** Runs `replay`; its exit code and its stdout as bytes (not decoded, so nothing is hidden). */
function replay(path: string): Promise<{ code: number | null; out: Buffer }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'replay', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('close', (code) => resolve({ code, out: Buffer.concat(chunks) }));
  });
}

test('one long session name does not pad every line of every other session to its length', async () => {
  const lines: unknown[] = [{ at: 0, session: 'x'.repeat(20_000), event: { type: 'session.join', sessionId: 'long' } }];
  for (let i = 0; i < 300; i++)
    lines.push({ at: 1, session: `s${i}`, event: { type: 'session.join', sessionId: `s${i}` } });
  for (let i = 0; i < 300; i++) lines.push({ at: 2, session: `s${i}`, event: { type: 'session.joined' } });
  const { path, bytes } = logFile(lines);
  const { code, out } = await replay(path);
  expect(code).toBe(0);
  const text = out.toString('utf8');
  expect(out.length).toBeLessThan(10 * bytes);
  const line = text.split('\n').find((row) => row.startsWith('s7 ') && row.includes('session.joined'));
  expect(line!.length).toBeLessThan(200);
  expect(text).toContain('x'.repeat(20_000)); // the long name itself is still shown whole
});

test('escape sequences and other control characters in the log are shown escaped, never written raw', async () => {
  const clear = '\u001b[2J';
  const title = '\u001b]0;owned\u0007';
  const { path } = logFile([
    { at: 0, session: `a${clear}`, event: { type: 'session.join', sessionId: `id${title}` } },
    {
      at: 1,
      session: `a${clear}`,
      event: { type: 'session.joined', participants: [{ uid: 'u', name: `N\u009b31m\r` }] },
    },
    { at: 1, session: `b\u202e`, event: { type: 'session.join', sessionId: 'plain' } },
  ]);
  const { code, out } = await replay(path);
  expect(code).toBe(0);
  // Every byte is printable UTF-8 text or a newline: no C0 or C1 control, no DEL, no bidi override.
  const text = out.toString('utf8');
  const bidi = [0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
  const unprintable = [...text].filter((char) => {
    const code = char.codePointAt(0)!;
    return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || bidi.includes(code);
  });
  expect(unprintable).toEqual([]);
  expect(text).toContain('a\\x1b[2J');
  expect(text).toContain('id\\x1b]0;owned\\x07');
  expect(text).toContain('b\\u202e');
});
