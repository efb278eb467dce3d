import { afterEach, expect, test, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSession, createTraceInspector } from '../src/index.js';

afterEach(() => {
  vi.useRealTimers();
});

test('on a SimulatedClock the trace shows the clock time, the move, the callbacks and the timers', () => {
  const lines: string[] = [];
  const clock = new SimulatedClock();
  clock.set(5_000);
  const session = createCallSession({ clock, inspect: createTraceInspector((line) => lines.push(line)) });
  session.join('s');
  clock.increment(250);
  session.send({ type: 'session.joined', participants: [{ uid: 'ana', name: 'Ana' }] });
  session.send({ type: 'connection.restored' });
  expect(lines[0]).toMatch(/^\s*5\.000s\s+\(created\)\s+idle$/);
  expect(lines[2]).toMatch(
    /^\s*5\.250s\s+session\.joined\[Ana\]\s+joining → joined\.accompanied\s+onSessionJoined onParticipantJoined\(Ana\) onParticipantListChanged\[1\]$/,
  );
  expect(lines[3]).toMatch(/connection\.restored\s+joined\.accompanied \(ignored\)$/);
});

test('on the real clock the trace counts from its first line, not from 1970', () => {
  vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z') });
  const lines: string[] = [];
  const session = createCallSession({ inspect: createTraceInspector((line) => lines.push(line)) });
  session.join('s');
  vi.advanceTimersByTime(1_500);
  session.send({ type: 'session.joined' });
  expect(lines[0]).toMatch(/^\s*0\.000s\s+\(created\)/);
  expect(lines[2]).toMatch(
    /^\s*1\.500s\s+session\.joined\s+joining → joined\.alone\s+onSessionJoined\s+⏱ idle countdown started \(300 s\), ends at 301\.500s$/,
  );
  session.dispose();
});

test('dispose() shows as (stopped), not as a move', () => {
  const lines: string[] = [];
  const session = createCallSession({
    clock: new SimulatedClock(),
    inspect: createTraceInspector((line) => lines.push(line)),
  });
  session.join('s');
  session.dispose();
  expect(lines.at(-1)).toMatch(/^\s*0\.000s\s+\(stopped\)\s+joining$/);
});
