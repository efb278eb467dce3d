// The two kinds of clock a runtime meets, for tests that must hold on both: a
// SimulatedClock given to the runtime, or vitest's fake timers behind the default clock
// (Date.now() and real timer functions, stepped by vitest).
import { vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { SessionClock } from 'call-session-machine';

export const SECOND = 1_000;
/** Where both clocks start. */
export const T0 = Date.parse('2026-12-01T10:00:00Z');

/** Time on either kind of clock. */
export interface Time {
  /** What to give the runtime: the SimulatedClock, or `undefined` for the default clock. */
  readonly clock: SessionClock | undefined;
  now(): number;
  /** Moves on by `ms`, a second at a time (one large SimulatedClock step fires only timers already due). */
  advance(ms: number): void;
}

/** Each kind of clock by name, started at {@link T0}; the fake timers one is undone by `vi.useRealTimers()`. */
export const CLOCKS: Record<string, () => Time> = {
  SimulatedClock: () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    return {
      clock,
      now: () => clock.now(),
      advance: (ms) => {
        for (let left = ms; left > 0; left -= SECOND) clock.increment(Math.min(SECOND, left));
      },
    };
  },
  'real timers, Date.now() (fake timers)': () => {
    vi.useFakeTimers({ now: T0 });
    return { clock: undefined, now: () => Date.now(), advance: (ms) => vi.advanceTimersByTime(ms) };
  },
};
