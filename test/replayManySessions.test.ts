// A well-formed log of 150,000 sessions replays (`call-session-machine replay`, a real
// process) and its report replays too (the page's own replay, run here in Node): nothing
// on the way spreads one argument per session into a call.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { tracksOfLog } from '../src/inspector/page/tracks.js';
import { buildInspectorForTests } from './support/inspectorBuild.js';

const execute = promisify(execFile);
const SESSIONS = 150_000;
let bin = '';
let log = '';
let path = '';

beforeAll(async () => {
  ({ bin } = await buildInspectorForTests('many-sessions'));
  const lines: string[] = [];
  for (let i = 0; i < SESSIONS; i++)
    lines.push(JSON.stringify({ at: 0, session: `s${i}`, event: { type: 'session.join', sessionId: `s${i}` } }));
  log = `${lines.join('\n')}\n`;
  path = join(mkdtempSync(join(tmpdir(), 'csm-many-')), 'many.jsonl');
  writeFileSync(path, log);
});

test(`replay of ${SESSIONS.toLocaleString('en')} sessions exits 0 and prints every session's end state`, async () => {
  const { stdout, stderr } = await execute(process.execPath, [bin, 'replay', path], { maxBuffer: 1 << 30 });
  expect(stderr).toBe('');
  const finals = stdout.split('\n').filter((line) => /^s\d+: joining$/.test(line));
  expect(finals).toHaveLength(SESSIONS);
  expect(finals.at(-1)).toBe(`s${SESSIONS - 1}: joining`);
});

test(`the report's replay of ${SESSIONS.toLocaleString('en')} sessions gives a track per session`, () => {
  const tracks = tracksOfLog(log);
  expect(tracks).toHaveLength(SESSIONS);
  expect(tracks.at(-1)!.steps.map((step) => step.to)).toEqual(['idle', 'joining']);
});
