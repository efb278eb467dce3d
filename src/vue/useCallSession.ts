import {
  isRef,
  onScopeDispose,
  shallowReadonly,
  shallowRef,
  toRaw,
  toValue,
  watch,
  type MaybeRefOrGetter,
  type ShallowRef,
} from 'vue';
import type { CallSession } from '../session/callSession.js';
import { checkSession, subscribeToSession, viewOf, type CallSessionView } from '../core/callSessionView.js';
import { reportToConsole } from '../core/sessionCore.js';
import { isServerRendering, requireScope } from './scope.js';

const reportSubscriberError = (error: unknown) => reportToConsole(error, 'a session subscriber');

/**
 * A session from a plain value, a ref or a getter. `toRaw`: a session kept in
 * reactive state (`ref()`, `reactive()`, a Pinia store) comes back as a proxy, on which
 * the session's private fields cannot be read.
 */
function sessionFrom(source: MaybeRefOrGetter<CallSession>): CallSession {
  return checkSession(toRaw(toValue(source)), 'useCallSession');
}

/**
 * The session's state, participants, end reason, deadlines and idle warning, as a
 * readonly shallow ref kept current: its value changes when one of them changes, whether
 * an event from the app or one of the session's own timers (the idle warning, the idle
 * timeout, the reconnect bound) changed it. The value is the same frozen object between
 * changes, and the same object React's `useCallSession` returns for that session; an
 * event that changes nothing triggers nothing.
 *
 * `session` may be a ref or a getter (`() => props.session`): a new session is then
 * followed, and the old one no longer read. Call it in `setup()` or an `effectScope()`:
 * the subscription ends when the scope stops. The session is the caller's:
 * `useCallSession` never disposes it; after `session.dispose()` the value stays the last.
 *
 * @throws TypeError when `session` is not a `CallSession`; Error outside an effect scope.
 *
 * @example
 * ```ts
 * const view = useCallSession(() => props.session);
 * const label = computed(() => (view.value.state === 'reconnecting' ? 'Reconnecting…' : view.value.state));
 * ```
 */
export function useCallSession(session: MaybeRefOrGetter<CallSession>): Readonly<ShallowRef<CallSessionView>> {
  requireScope('useCallSession');
  const first = sessionFrom(session);
  const view = shallowRef(viewOf(first));
  const readonlyView = shallowReadonly(view);
  // On the server the scope never stops: read once, subscribe to nothing.
  if (isServerRendering()) return readonlyView;

  const follow = (followed: CallSession) =>
    subscribeToSession(followed, () => (view.value = viewOf(followed)), reportSubscriberError);
  let unsubscribe = follow(first);
  if (isRef(session) || typeof session === 'function') {
    // A source that turns into a non-session throws in the getter: Vue reports it, and
    // the view goes on following the session it had.
    watch(
      () => sessionFrom(session),
      (next) => {
        unsubscribe();
        view.value = viewOf(next);
        unsubscribe = follow(next);
      },
      { flush: 'sync' },
    );
  }
  onScopeDispose(() => unsubscribe());
  return readonlyView;
}
