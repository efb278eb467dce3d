import { useEffect, useState } from 'react';
import { checkDeadline, secondsUntil } from '../core/callSessionView.js';

/** What {@link useCountdown} takes besides the deadline. */
export interface CountdownOptions {
  /**
   * The current time in milliseconds, on the time base of the deadline. Default
   * `Date.now`, which is right for a session on the default clock. A session made with
   * a `clock` that has `now()` (xstate's `SimulatedClock`) keeps its deadlines on that
   * clock: pass `() => clock.now()`. The countdown itself ticks on the global timers.
   */
  now?: () => number;
}

/**
 * The whole seconds left until `deadline` (an absolute time in milliseconds, such as
 * `session.deadlines.idle`), rounded up, and `null` for a `null` deadline. The component
 * re-renders each time the number changes, once a second, until it reaches 0; the
 * timer is cleared on unmount and when the deadline changes (a "Stay" moves it).
 *
 * A deadline that is neither a finite number nor `null` throws during render: a
 * `TypeError` for a non-number (`undefined`), a `RangeError` for `NaN` or an infinity.
 *
 * @example
 * ```tsx
 * const { deadlines, idleWarningActive } = useCallSession(session);
 * const secondsLeft = useCountdown(deadlines.idle);
 * if (idleWarningActive) return <p>The call ends in {secondsLeft} s</p>;
 * ```
 */
export function useCountdown(deadline: number | null, options?: CountdownOptions): number | null {
  checkDeadline(deadline);
  const now = options?.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new TypeError(`useCountdown: options.now must be a function returning milliseconds, got ${typeof now}`);
  }
  const [ticks, setTicks] = useState(0);
  const secondsLeft = deadline === null ? null : secondsUntil(deadline, now());

  useEffect(() => {
    if (deadline === null) return;
    const left = deadline - now();
    if (left <= 0) return;
    // The next whole second of the countdown, not a second from now: a countdown
    // mounted half-way through a second still changes on the second.
    const timer = setTimeout(() => setTicks((count) => count + 1), left % 1000 || 1000);
    return () => clearTimeout(timer);
  }, [deadline, now, ticks]);

  return secondsLeft;
}
