// The fleet's reading of a clock that steps (issue 17, fault 3), next to a CallSession on
// the same clock: a countdown never outlasts its period from any instant, and a step of
// the clock does not make a quiet fleet's countdowns twice as long (back), nor end a
// countdown no event touched (forward).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSessionFleet, type CallSessionFleet } from 'call-session-machine/fleet';
import { createCallSession, SessionSettingsBuilder, type CallSession, type SessionClock } from 'call-session-machine';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const T0 = Date.parse('2026-12-01T10:00:00Z');

const settingsOf = (idleSeconds: number) =>
  new SessionSettingsBuilder().setIdleTimeoutPeriod(idleSeconds).setReconnectTimeoutPeriod(60).build();

/** A SimulatedClock's timers, and a `now()` that can be stepped without moving them, as a wall clock set by NTP. */
class SteppedSimulatedClock implements SessionClock {
  readonly timers = new SimulatedClock();
  offset = 0;
  constructor() {
    this.timers.set(T0);
  }
  setTimeout(callback: () => void, ms: number): unknown {
    return this.timers.setTimeout(callback, ms);
  }
  clearTimeout(id: unknown): void {
    this.timers.clearTimeout(id as number);
  }
  now(): number {
    return this.timers.now() + this.offset;
  }
}

/** Time that passes (the timers' clock) and a wall clock that can be stepped. */
interface Time {
  readonly clock: SessionClock | undefined;
  /** Milliseconds that really passed since T0 (what the timers measure). */
  elapsed(): number;
  advance(ms: number): void;
  step(ms: number): void;
}

const CLOCKS: Record<string, () => Time> = {
  'SimulatedClock, now() stepped': () => {
    const clock = new SteppedSimulatedClock();
    return {
      clock,
      elapsed: () => clock.timers.now() - T0,
      advance: (ms) => {
        for (let left = ms; left > 0; left -= 100) clock.timers.increment(Math.min(100, left));
      },
      step: (ms) => (clock.offset += ms),
    };
  },
  'real timers, Date.now() stepped (fake timers, vi.setSystemTime)': () => {
    vi.useFakeTimers({ now: T0 });
    const start = performance.now();
    return {
      clock: undefined,
      elapsed: () => performance.now() - start,
      advance: (ms) => vi.advanceTimersByTime(ms),
      step: (ms) => vi.setSystemTime(Date.now() + ms),
    };
  },
};

/** A fleet session and a CallSession joined alone at the same instant, each logging when it timed out (ms elapsed). */
function sideBySide(time: Time, idleSeconds: number) {
  const timedOut: Record<string, number> = {};
  const fleet: CallSessionFleet = createCallSessionFleet({ clock: time.clock, settings: settingsOf(idleSeconds) });
  fleet.addSessionStatusListener({ onSessionTimedOut: (id) => (timedOut[`fleet:${id}`] = time.elapsed()) });
  fleet.add('s');
  fleet.join('s');
  fleet.send('s', { type: 'session.joined' });
  const session: CallSession = createCallSession({ clock: time.clock, settings: settingsOf(idleSeconds) });
  session.addSessionStatusListener({ onSessionTimedOut: () => (timedOut.session = time.elapsed()) });
  session.join('s');
  session.send({ type: 'session.joined' });
  return { fleet, session, timedOut };
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(Object.keys(CLOCKS))('on %s', (clockName) => {
  const newTime = CLOCKS[clockName]!;

  test.each([3, 10])(
    'set back 1 h 0.5 s after the join, a quiet fleet times out after its period (%i s), with the session',
    (idleSeconds) => {
      const time = newTime();
      const { timedOut } = sideBySide(time, idleSeconds);
      time.advance(SECOND / 2);
      time.step(-HOUR);
      time.advance(idleSeconds * SECOND - SECOND / 2 - 1);
      expect(timedOut).toEqual({});
      time.advance(1);
      expect(timedOut).toEqual({ 'fleet:s': idleSeconds * SECOND, session: idleSeconds * SECOND });
    },
  );

  test('set back, then an event to another session: no countdown outlasts its period from any instant', () => {
    const time = newTime();
    const { fleet, timedOut } = sideBySide(time, 3);
    time.advance(SECOND / 2);
    time.step(-HOUR);
    time.advance(SECOND / 2);
    fleet.add('other');
    fleet.join('other');
    time.advance(3 * SECOND);
    expect(timedOut.session).toBe(3 * SECOND);
    // At most 3 s from the join (and from every later instant).
    expect(timedOut['fleet:s']).toBeLessThanOrEqual(3 * SECOND);
    expect(timedOut['fleet:s']).toBeGreaterThan(SECOND);
  });
});

describe('on real timers (default clock)', () => {
  test('stepped forwards 1 h, then an event to another session: the countdown no event touched ends at 3 s, as the session’s', () => {
    const time = CLOCKS['real timers, Date.now() stepped (fake timers, vi.setSystemTime)']!();
    const { fleet, timedOut } = sideBySide(time, 3);
    time.advance(SECOND / 2);
    time.step(HOUR);
    time.advance(SECOND / 2);
    fleet.add('other');
    fleet.join('other');
    time.advance(2 * SECOND - 1);
    expect(timedOut).toEqual({});
    time.advance(1);
    expect(timedOut).toEqual({ 'fleet:s': 3 * SECOND, session: 3 * SECOND });
  });

  test('stepped forwards, then an event that re-enters the countdown’s state: its deadline passed, it ends at once in both', () => {
    const time = CLOCKS['real timers, Date.now() stepped (fake timers, vi.setSystemTime)']!();
    const { fleet, session, timedOut } = sideBySide(time, 3);
    time.advance(SECOND / 2);
    time.step(HOUR);
    fleet.send('s', { type: 'connection.lost' });
    session.send({ type: 'connection.lost' });
    time.advance(1);
    expect(Object.keys(timedOut).sort()).toEqual(['fleet:s', 'session']);
    expect(timedOut['fleet:s']).toBeLessThanOrEqual(SECOND / 2 + 1);
    expect(timedOut.session).toBeLessThanOrEqual(SECOND / 2 + 1);
  });
});
