import {
  isRef,
  onScopeDispose,
  shallowReadonly,
  shallowRef,
  toValue,
  watch,
  type MaybeRefOrGetter,
  type ShallowRef,
} from 'vue';
import { isServerRendering, requireScope } from './scope.js';

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

/** Whole seconds from `now` to `deadline`, rounded up as `onIdleTimeoutWarning` counts them; never below 0. */
function secondsUntil(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/**
 * A deadline is `session.deadlines.idle` or `.reconnect`: a finite number of milliseconds,
 * or null. Anything else (`undefined` from a misspelt field, `NaN` from arithmetic on one,
 * an infinity) would read as NaN or infinite seconds and tick every second forever. The
 * same rule and words as React's useCountdown.
 */
function checkDeadline(deadline: unknown): number | null {
  if (deadline === null) return null;
  const got = typeof deadline === 'string' ? JSON.stringify(deadline) : String(deadline);
  if (typeof deadline !== 'number') {
    throw new TypeError(
      `useCountdown: deadline must be a finite number of milliseconds or null, got ${typeof deadline} ${got}`,
    );
  }
  if (!Number.isFinite(deadline)) {
    throw new RangeError(`useCountdown: deadline must be a finite number of milliseconds or null, got ${got}`);
  }
  return deadline;
}

/**
 * The whole seconds left until `deadline` (an absolute time in milliseconds, such as
 * `session.deadlines.idle`), rounded up, and `null` for a `null` deadline, as a readonly
 * shallow ref that changes once a second until it reaches 0. Pass a getter or a ref
 * (`() => view.value.deadlines.idle`) so that a moved deadline (a "Stay") restarts it;
 * a plain number is read once. The timer is cleared when the deadline changes and when
 * the scope stops; on a server render none is started.
 *
 * @throws TypeError when the deadline is not a number or null, or `now` not a function;
 * RangeError for `NaN` or an infinity; Error outside an effect scope.
 *
 * @example
 * ```ts
 * const view = useCallSession(session);
 * const secondsLeft = useCountdown(() => view.value.deadlines.idle);
 * ```
 */
export function useCountdown(
  deadline: MaybeRefOrGetter<number | null>,
  options?: CountdownOptions,
): Readonly<ShallowRef<number | null>> {
  requireScope('useCountdown');
  const now = options?.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new TypeError(`useCountdown: options.now must be a function returning milliseconds, got ${typeof now}`);
  }
  const ticking = !isServerRendering();
  const secondsLeft = shallowRef<number | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const count = (target: number | null) => {
    stop();
    if (target === null) {
      secondsLeft.value = null;
      return;
    }
    const at = now();
    const left = target - at;
    secondsLeft.value = secondsUntil(target, at);
    if (left <= 0 || !ticking) return;
    // The next whole second of the countdown, not a second from now: a countdown
    // started half-way through a second still changes on the second.
    timer = setTimeout(() => count(target), left % 1000 || 1000);
  };
  // Checked here, not only in the watcher: Vue rethrows a watcher's error in development
  // only, and a bad deadline must fail the call in production too.
  count(checkDeadline(toValue(deadline)));
  if (isRef(deadline) || typeof deadline === 'function') {
    watch(() => checkDeadline(toValue(deadline)), count, { flush: 'sync' });
  }
  onScopeDispose(stop);
  return shallowReadonly(secondsLeft);
}
