import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { LogFormatError, parseSessionLog, replaySessionLog } from '../src/log/sessionLog.js';

const run = promisify(execFile);
const demoPath = new URL('../examples/demo.jsonl', import.meta.url);
const tsx = new URL('../node_modules/.bin/tsx', import.meta.url).pathname;
const replayScript = new URL('../scripts/replay.ts', import.meta.url).pathname;

function errorOf(text: string): LogFormatError {
  try {
    parseSessionLog(text);
  } catch (error) {
    if (error instanceof LogFormatError) return error;
    throw error;
  }
  throw new Error('expected a LogFormatError');
}

describe('parsing a session log', () => {
  test('reads optional settings, timed events, time-only lines and session names', () => {
    const log = parseSessionLog(
      [
        '{"settings": {"idleTimeoutPeriod": 10}}',
        '',
        '{"at": 0, "event": {"type": "session.join", "sessionId": "s"}}',
        '{"at": 1.5, "session": "b", "event": {"type": "session.join", "sessionId": "t"}}',
        '{"at": 20}',
      ].join('\n'),
    );
    expect(log.settings).toEqual({ idleTimeoutPeriod: 10, reconnectTimeoutPeriod: 60, type: 'VIDEO' });
    expect(log.entries.map((entry) => [entry.line, entry.at, entry.session, entry.event?.type])).toEqual([
      [3, 0, 'main', 'session.join'],
      [4, 1.5, 'b', 'session.join'],
      [5, 20, 'main', undefined],
    ]);
  });

  test.each([
    ['{"at": 0, "event": {"type": "session.join"', 1, /not valid JSON/],
    ['[1, 2]', 1, /must be a JSON object/],
    ['{"at": 0}\n{"settings": {}}', 2, /only be given on the first line/],
    ['{"settings": {"idleTimeoutPeriod": -1}}', 1, /settings: idleTimeoutPeriod must be an integer/],
    ['{"at": 0}\n{"at": "soon"}', 2, /"at" must be a number/],
    ['{"at": 5}\n{"at": 4}', 2, /goes back in time/],
    ['{"at": 0, "evnt": {"type": "session.leave"}}', 1, /unknown field "evnt"/],
    ['{"at": 0, "session": ""}', 1, /"session" must be a non-empty string/],
    ['{"at": 0}\n\n{"at": 1, "event": {"type": "session.explode"}}', 3, /event: Unknown event type "session.explode"/],
    ['{"at": 1, "event": {"type": "participant.joined", "participant": {"uid": ""}}}', 1, /needs a non-empty uid or pid/],
  ])('%s → an error naming line %i', (text, line, problem) => {
    const error = errorOf(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
    expect(error.message).toMatch(problem);
  });
});

describe('replaying a log', () => {
  test('events reach their session at their time, and timers fire on the simulated clock', () => {
    const logUntil = (seconds: number) =>
      parseSessionLog(
        [
          '{"settings": {"idleTimeoutPeriod": 10, "reconnectTimeoutPeriod": 5}}',
          '{"at": 0, "event": {"type": "session.join", "sessionId": "s"}}',
          '{"at": 2, "event": {"type": "session.joined"}}',
          '{"at": 3, "event": {"type": "connection.lost"}}',
          `{"at": ${seconds}}`,
        ].join('\n'),
      );
    const lines: string[] = [];
    // Lost at 3 s with a 5 s bound: closed at 8 s, before the idle deadline of 2 + 10 s.
    expect(replaySessionLog(logUntil(7.999), (line) => lines.push(line)).get('main')!.state).toBe('reconnecting');
    expect(replaySessionLog(logUntil(8), () => {}).get('main')!.endReason).toBe('reconnectTimeout');
    expect(lines.some((line) => /3\.000s\s+connection\.lost\s+joined\.alone → reconnecting\s+onConnectionLost/.test(line))).toBe(true);
  });

  test('a timer is traced at its own due time, not at the end of a clock step', () => {
    const lines: string[] = [];
    replaySessionLog(
      parseSessionLog(
        [
          '{"settings": {"reconnectTimeoutPeriod": 30}}',
          '{"at": 0, "event": {"type": "session.join", "sessionId": "s"}}',
          '{"at": 0.5, "event": {"type": "session.joined", "participants": [{"uid": "x"}]}}',
          '{"at": 55.5, "event": {"type": "connection.lost"}}',
          '{"at": 60.2}',
          '{"at": 200}',
        ].join('\n'),
      ),
      (line) => lines.push(line),
    );
    // Whole-second steps from 60.2 s would have shown it at 86.200 s.
    expect(lines.some((line) => /^\s*85\.500s\s+after reconnectTimeoutPeriod\s+reconnecting → closed/.test(line))).toBe(true);
  });

  test('a line that only lets time pass creates no session', () => {
    const sessions = replaySessionLog(
      parseSessionLog(
        ['{"at": 0, "session": "a", "event": {"type": "session.join", "sessionId": "a"}}', '{"at": 10}'].join('\n'),
      ),
      () => {},
    );
    expect([...sessions.keys()]).toEqual(['a']);
  });

  test('the bundled demo ends each of its sessions as docs/session-log.md says, firing every status callback', () => {
    const lines: string[] = [];
    const sessions = replaySessionLog(parseSessionLog(readFileSync(demoPath, 'utf8')), (line) => lines.push(line));
    expect([...sessions].map(([name, session]) => [name, session.state, session.endReason])).toEqual([
      ['standup', 'timedOut', 'idleTimeout'],
      ['1:1', 'left', 'user'],
      ['flaky', 'closed', 'reconnectTimeout'],
    ]);
    const text = lines.join('\n');
    for (const callback of [
      'onSessionJoined',
      'onSessionLeft',
      'onSessionTimedOut',
      'onConnectionLost',
      'onConnectionRestored',
      'onConnectionClosed',
    ]) {
      expect(text).toContain(callback);
    }
    expect(text).toMatch(/idle countdown started/);
    expect(text).toMatch(/idle countdown stopped/);
    expect(text).toMatch(/idle countdown restarted/);
    expect(text).toMatch(/idle countdown runs on/);
  });
});

describe('npm start', () => {
  test('replays a log given as an argument and prints its timeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csm-log-'));
    const path = join(dir, 'ok.jsonl');
    writeFileSync(path, '{"at": 0, "event": {"type": "session.join", "sessionId": "x"}}\n{"at": 1, "event": {"type": "session.joined"}}\n');
    const { stdout } = await run(tsx, [replayScript, path]);
    expect(stdout).toMatch(/1\.000s\s+session\.joined\s+joining → joined\.alone\s+onSessionJoined/);
    expect(stdout).toMatch(/main: joined\.alone/);
  });

  test('a malformed line: an error naming its line number, and exit status 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csm-log-'));
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '{"at": 0, "event": {"type": "session.join", "sessionId": "x"}}\n\n{"at": 1, "event": {"type": "nope"}}\n');
    const failure = await run(tsx, [replayScript, path]).then(
      () => null,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure).not.toBeNull();
    expect(failure!.code).toBe(1);
    expect(failure!.stderr).toContain('line 3: event: Unknown event type "nope"');
    expect(failure!.stdout).not.toContain('session.join');
  });
});
