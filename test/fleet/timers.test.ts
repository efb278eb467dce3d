// The fleet's timers: every deadline of every session in one heap (src/core/timerHeap.ts)
// behind one real timer, fired in due order, a bounded batch per wake-up.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCallSessionFleet } from 'call-session-machine/fleet';
import { CountingClock } from '../support/countingClock.js';
import { advance, joinedSession, newFleet, SECOND, settingsOf, statusLogger } from './support.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('one real timer for every session', () => {
  test('at most one timer is pending on the clock, however many sessions count down', () => {
    const { fleet, clock } = newFleet();
    for (let i = 0; i < 50; i++) {
      joinedSession(fleet, `s${i}`);
      fleet.send(`s${i}`, { type: 'connection.lost' });
      expect(clock.pending).toBe(1);
    }
    expect(clock.setCount).toBe(1);
    advance(clock, 30 * SECOND);
    expect(clock.pending).toBe(0);
    expect([...fleet].every((id) => fleet.state(id) === 'timedOut')).toBe(true);
  });

  test('timers of different sessions fire in due order, ties in the order they were set', () => {
    const { fleet, clock } = newFleet();
    const log: string[] = [];
    fleet.addSessionStatusListener(statusLogger('A', log));
    // Deadlines 10 s after each join: c at 10 s, a and b (set in that order) at 12 s, d at 11 s.
    joinedSession(fleet, 'c');
    advance(clock, SECOND);
    joinedSession(fleet, 'd');
    advance(clock, SECOND);
    joinedSession(fleet, 'a');
    joinedSession(fleet, 'b');
    log.length = 0;
    // One step past all of them: the one wake-up fires all four, in due order.
    clock.increment(20 * SECOND);
    expect(log).toEqual([
      'A:onSessionTimedOut:c',
      'A:onSessionTimedOut:d',
      'A:onSessionTimedOut:a',
      'A:onSessionTimedOut:b',
    ]);
  });

  test('idle warning, idle timeout and reconnect bound of many sessions interleave by due time', () => {
    const { fleet, clock } = newFleet({ settings: settingsOf(10, 3, 4) });
    const log: string[] = [];
    fleet.addSessionStatusListener(statusLogger('A', log));
    joinedSession(fleet, 'alone'); // warns at 6 s, times out at 10 s
    advance(clock, 2 * SECOND);
    joinedSession(fleet, 'lost', [{ uid: 'bob' }]);
    fleet.send('lost', { type: 'connection.lost' }); // closes at 5 s
    log.length = 0;
    const at: string[] = [];
    fleet.addSessionStatusListener({
      onIdleTimeoutWarning: (id) => at.push(`${id}@${clock.now()}`),
      onConnectionClosed: (id) => at.push(`${id}@${clock.now()}`),
      onSessionTimedOut: (id) => at.push(`${id}@${clock.now()}`),
    });
    advance(clock, 10 * SECOND);
    expect(log).toEqual(['A:onConnectionClosed:lost', 'A:onIdleTimeoutWarning:alone:4', 'A:onSessionTimedOut:alone']);
    expect(at).toEqual(['lost@5000', 'alone@6000', 'alone@10000']);
  });

  test('a timer fires at its due millisecond, not one before', () => {
    const { fleet, clock } = newFleet();
    joinedSession(fleet, 's');
    clock.increment(10 * SECOND - 1);
    expect(fleet.state('s')).toBe('joined.alone');
    clock.increment(1);
    expect(fleet.state('s')).toBe('timedOut');
  });

  test('a wake-up fires at most timerBatchSize timers, then yields; all fire, in order', () => {
    const clock = new CountingClock();
    const fleet = createCallSessionFleet({ clock, settings: settingsOf(10, 30), timerBatchSize: 3 });
    const fired: string[] = [];
    let wakeUps = 0;
    const setTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (callback, ms) => setTimeout(() => (wakeUps++, callback()), ms);
    fleet.addSessionStatusListener({ onSessionTimedOut: (id) => fired.push(id) });
    for (let i = 0; i < 10; i++) joinedSession(fleet, `s${i}`);
    clock.increment(10 * SECOND);
    expect(fired).toEqual(['s0', 's1', 's2']);
    // Each yield is a 0 ms timer on this clock, which a SimulatedClock runs at its next
    // increment (it does not flush again for a timer set by the last one it ran).
    clock.increment(0);
    clock.increment(0);
    clock.increment(0);
    expect(fired).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    // 3 + 3 + 3 + 1: four wake-ups.
    expect(wakeUps).toBe(4);
    expect(clock.pending).toBe(0);
  });

  test('removing sessions cancels their timers; with none left no timer is pending, so a process can exit', () => {
    const { fleet, clock } = newFleet();
    joinedSession(fleet, 'a');
    joinedSession(fleet, 'b');
    fleet.remove('a');
    expect(clock.pending).toBe(1);
    fleet.remove('b');
    expect(clock.pending).toBe(0);
  });

  test('a disabled countdown sets no timer at all (the chart’s NO_TIMER)', () => {
    const { fleet, clock } = newFleet({ settings: settingsOf(0, 0) });
    joinedSession(fleet, 's');
    fleet.send('s', { type: 'connection.lost' });
    expect(clock.setCount).toBe(0);
    advance(clock, 3_600 * SECOND);
    expect(fleet.state('s')).toBe('reconnecting');
  });

  test('the default clock: the global timers and Date.now(), so vitest’s fake timers drive it', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const fleet = createCallSessionFleet({ settings: settingsOf(10, 30), timerBatchSize: 2 });
    const fired: string[] = [];
    fleet.addSessionStatusListener({ onSessionTimedOut: (id) => fired.push(id) });
    for (let i = 0; i < 5; i++) joinedSession(fleet, `s${i}`);
    expect(fleet.deadlines('s0').idle).toBe(Date.parse('2026-12-01T10:00:10Z'));
    vi.advanceTimersByTime(10 * SECOND - 1);
    expect(fired).toEqual([]);
    // The batches after the first yield with setImmediate, which the fake timers run too.
    vi.advanceTimersByTime(1);
    vi.runOnlyPendingTimers();
    vi.runOnlyPendingTimers();
    expect(fired).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a clock stepped backwards or forwards', () => {
  test('Date.now() set back 30 days: every pending timer keeps the time it has left (the step moves none)', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const fleet = createCallSessionFleet({ settings: settingsOf(300, 60) });
    joinedSession(fleet, 'alone');
    vi.advanceTimersByTime(100 * SECOND);
    // Any event reads the clock: 200 s left on 'alone'.
    joinedSession(fleet, 'before');
    vi.setSystemTime(Date.now() - 30 * 24 * 3_600 * SECOND);
    // Read after the step: the heap moves back with it.
    joinedSession(fleet, 'after');
    vi.advanceTimersByTime(200 * SECOND - 1);
    expect(fleet.state('alone')).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(fleet.state('alone')).toBe('timedOut');
    // Not 30 days later, nor at once.
    vi.advanceTimersByTime(100 * SECOND);
    expect(fleet.state('before')).toBe('timedOut');
    expect(fleet.state('after')).toBe('timedOut');
  });

  test('set back with no reading since the last event: no countdown outlasts its period from the step', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const fleet = createCallSessionFleet({ settings: settingsOf(300, 60) });
    joinedSession(fleet, 'alone');
    vi.advanceTimersByTime(100 * SECOND);
    vi.setSystemTime(Date.now() - 30 * 24 * 3_600 * SECOND);
    joinedSession(fleet, 'after');
    // It had 300 s left at the fleet's last reading (the join): at most that from the step.
    vi.advanceTimersByTime(300 * SECOND);
    expect(fleet.state('alone')).toBe('timedOut');
  });

  test('set back before a reconnect: the idle countdown is capped at its period, as a session’s', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const fleet = createCallSessionFleet({ settings: settingsOf(300, 60) });
    joinedSession(fleet, 's');
    vi.advanceTimersByTime(100 * SECOND);
    fleet.send('s', { type: 'connection.lost' });
    vi.advanceTimersByTime(10 * SECOND);
    vi.setSystemTime(Date.now() - 30 * 24 * 3_600 * SECOND);
    fleet.send('s', { type: 'connection.restored' });
    vi.advanceTimersByTime(300 * SECOND - 1);
    expect(fleet.state('s')).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(fleet.state('s')).toBe('timedOut');
  });

  test('a clock that steps forwards makes the deadlines it passes due: they fire at the next wake-up', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const fleet = createCallSessionFleet({ settings: settingsOf(300, 60) });
    joinedSession(fleet, 's');
    vi.setSystemTime(Date.now() + 3_600 * SECOND);
    fleet.send('s', { type: 'connection.lost' });
    vi.advanceTimersByTime(1);
    expect(fleet.state('s')).toBe('timedOut');
  });
});
