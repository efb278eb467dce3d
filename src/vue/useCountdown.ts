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
import { checkDeadline, secondsUntil } from '../core/callSessionView.js';
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
