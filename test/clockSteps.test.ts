// A clock whose time steps backwards (SPEC §6: "a countdown never outlasts its period
// from any instant"). Deadlines are absolute, so a wall clock set back by NTP or by
// hand would otherwise stretch a countdown by the size of the step, and a step of more
// than 24.8 days would make the delay overflow a timer, which Node runs after 1 ms.
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCallSession, SessionSettingsBuilder, type SessionClock } from '../src/index.js';
import { recordStatus } from './support/status.js';
import { restoreCallSession } from '../src/persistence/restore.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const DAY = 24 * HOUR;

/** A simulated clock whose `now()` can be stepped without moving its timers, as a corrected wall clock. */
class SteppableClock implements SessionClock {
  readonly timers = new SimulatedClock();
  offset = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    return this.timers.setTimeout(callback, ms);
  }
  clearTimeout(id: unknown): void {
    this.timers.clearTimeout(id as number);
  }
  now(): number {
    return this.timers.now() + this.offset;
  }
  advance(ms: number): void {
    for (let left = ms; left > 0; left -= Math.min(left, SECOND)) this.timers.increment(Math.min(left, SECOND));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a clock stepped backwards', () => {
  test('Date.now() set back 30 days while reconnecting: the restored countdown runs its period, not 1 ms', () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    const session = createCallSession({
      settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(300).setReconnectTimeoutPeriod(60).build(),
    });
    const calls = recordStatus(session);
    session.join('s');
    session.send({ type: 'session.joined' });
    vi.advanceTimersByTime(100 * SECOND);
    session.send({ type: 'connection.lost' });
    vi.advanceTimersByTime(10 * SECOND);
    vi.setSystemTime(Date.now() - 30 * DAY);
    session.send({ type: 'connection.restored' });

    vi.advanceTimersByTime(10 * SECOND);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(300 * SECOND - 10 * SECOND - 1);
    expect(session.state).toBe('joined.alone');
    vi.advanceTimersByTime(1);
    expect(session.state).toBe('timedOut');
    expect(calls).toEqual([
      'onSessionJoined@joined.alone',
      'onConnectionLost@reconnecting',
      'onConnectionRestored@joined.alone',
      'onSessionTimedOut@timedOut',
    ]);
  });

  test('a clock set back one hour before a reconnect: the idle countdown is capped at its period, not stretched by an hour', () => {
    const clock = new SteppableClock();
    const session = createCallSession({
      clock,
      settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(300).setReconnectTimeoutPeriod(0).build(),
    });
    session.join('s');
    session.send({ type: 'session.joined' });
    clock.advance(100 * SECOND);
    clock.offset -= HOUR;
    session.send({ type: 'connection.lost' });
    clock.advance(300 * SECOND - 1);
    expect(session.state).toBe('reconnecting');
    clock.advance(1);
    expect(session.state).toBe('timedOut');
  });

  test('the reconnect bound is capped the same way when a history re-entry re-arms it', () => {
    const clock = new SteppableClock();
    const session = createCallSession({
      clock,
      settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(0).setReconnectTimeoutPeriod(60).build(),
    });
    session.join('s');
    session.send({ type: 'session.joined', participants: [{ uid: 'bob' }] });
    session.send({ type: 'connection.lost' });
    clock.advance(20 * SECOND);
    const stored = session.getPersistedSnapshot();
    session.dispose();
    clock.offset -= 2 * HOUR;
    const restored = restoreCallSession(stored, { clock });
    clock.advance(60 * SECOND - 1);
    expect(restored.state).toBe('reconnecting');
    clock.advance(1);
    expect(restored.state).toBe('closed');
    expect(restored.endReason).toBe('reconnectTimeout');
  });

  test('a clock that steps forwards ends a countdown at once, as its deadline passed', () => {
    const clock = new SteppableClock();
    const session = createCallSession({
      clock,
      settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(300).setReconnectTimeoutPeriod(0).build(),
    });
    session.join('s');
    session.send({ type: 'session.joined' });
    clock.offset += HOUR;
    session.send({ type: 'connection.lost' });
    clock.advance(1);
    expect(session.state).toBe('timedOut');
  });
});
