import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { LogFormatError, parseSessionLog, ReplayClock, replaySessionLog } from '../src/devtools/sessionLog.js';

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
  test('a UTF-8 byte-order mark before the first line is no content', () => {
    const log = parseSessionLog(
      '\uFEFF{"settings": {"idleTimeoutPeriod": 10}}\n{"at": 1, "event": {"type": "session.join", "sessionId": "s"}}\n',
    );
    expect(log.settings?.idleTimeoutPeriod).toBe(10);
    expect(log.entries).toHaveLength(1);
  });

  test.each([
    ['1e308', /line 1: "at" must be a number of seconds from 0 to 9007199254740; got 1e\+308/],
    ['-1', /line 1: "at" must be a number of seconds from 0 to 9007199254740; got -1/],
    ['"3"', /line 1: "at" must be a number of seconds from 0 to 9007199254740; got "3"/],
  ])('"at": %s is refused with the allowed range', (at, message) => {
    expect(errorOf(`{"at": ${at}}`).message).toMatch(message);
  });

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
    expect(log.settings).toEqual({
      idleTimeoutPeriod: 10,
      reconnectTimeoutPeriod: 60,
      idleWarningPeriod: 0,
      type: 'VIDEO',
    });
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
    [
      '{"at": 1, "event": {"type": "participant.joined", "participant": {"uid": ""}}}',
      1,
      /needs a non-empty uid or pid/,
    ],
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
    expect(
      lines.some((line) => /3\.000s\s+connection\.lost\s+joined\.alone → reconnecting\s+onConnectionLost/.test(line)),
    ).toBe(true);
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
    expect(lines.some((line) => /^\s*85\.500s\s+after reconnectTimeoutPeriod\s+reconnecting → closed/.test(line))).toBe(
      true,
    );
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
    // The warning, a stay, and the warning of the countdown the stay started.
    const standup = lines.filter((line) => line.startsWith('standup'));
    expect(
      standup
        .filter((line) => /after idleWarningPeriod .*onIdleTimeoutWarning\(30\)/.test(line))
        .map((line) => line.split(/\s+/)[1]),
    ).toEqual(['220.000s', '315.000s']);
    expect(
      standup.some((line) =>
        /225\.000s\s+idle\.extend\s+joined\.alone → joined\.alone\s+⏱ idle countdown restarted \(120 s\), ends at 345\.000s, warns at 315\.000s/.test(
          line,
        ),
      ),
    ).toBe(true);
    expect(standup.at(-1)).toMatch(
      /345\.000s\s+after idleTimeoutPeriod\s+joined\.alone → timedOut\s+onSessionTimedOut/,
    );
  });
});

describe('npm start', () => {
  test('replays a log given as an argument and prints its timeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csm-log-'));
    const path = join(dir, 'ok.jsonl');
    writeFileSync(
      path,
      '{"at": 0, "event": {"type": "session.join", "sessionId": "x"}}\n{"at": 1, "event": {"type": "session.joined"}}\n',
    );
    const { stdout } = await run(tsx, [replayScript, path]);
    expect(stdout).toMatch(/1\.000s\s+session\.joined\s+joining → joined\.alone\s+onSessionJoined/);
    expect(stdout).toMatch(/main: joined\.alone/);
  });

  test('a malformed line: an error naming its line number, and exit status 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csm-log-'));
    const path = join(dir, 'bad.jsonl');
    writeFileSync(
      path,
      '{"at": 0, "event": {"type": "session.join", "sessionId": "x"}}\n\n{"at": 1, "event": {"type": "nope"}}\n',
    );
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

describe('the replay clock', () => {
  test('fires timers in due order, ties in the order they were set, each at its own time; cleared ones never', () => {
    const clock = new ReplayClock();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimeout(at('c'), 30);
    clock.setTimeout(at('a1'), 10);
    const cleared = clock.setTimeout(at('never'), 10);
    clock.setTimeout(at('a2'), 10);
    clock.setTimeout(at('b'), 20);
    clock.clearTimeout(cleared);
    clock.advanceTo(25);
    expect(fired).toEqual(['a1@10', 'a2@10', 'b@20']);
    expect(clock.now()).toBe(25);
    // A timer set while firing, due before the target, fires in the same advance.
    clock.setTimeout(() => {
      fired.push(`d@${clock.now()}`);
      clock.setTimeout(at('e'), 1);
    }, 2);
    clock.advanceTo(100);
    expect(fired).toEqual(['a1@10', 'a2@10', 'b@20', 'd@27', 'e@28', 'c@30']);
    expect(clock.now()).toBe(100);
  });

  test('agrees with a sorted reference on 2,000 random timers and clears', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const clock = new ReplayClock();
    const reference: { due: number; order: number; live: boolean }[] = [];
    const fired: number[] = [];
    const ids: unknown[] = [];
    for (let order = 0; order < 2000; order++) {
      const due = Math.floor(random() * 500);
      ids.push(clock.setTimeout(() => fired.push(order), due));
      reference.push({ due, order, live: true });
      if (random() < 0.3) {
        const victim = Math.floor(random() * ids.length);
        clock.clearTimeout(ids[victim]);
        reference[victim]!.live = false;
      }
    }
    clock.advanceTo(1000);
    const expected = reference
      .filter((timer) => timer.live)
      .sort((a, b) => a.due - b.due || a.order - b.order)
      .map((timer) => timer.order);
    expect(fired).toEqual(expected);
  });
});
