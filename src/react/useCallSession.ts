import { useCallback, useSyncExternalStore } from 'react';
import type { CallSession, CallSessionState, EndReason, Participant, SessionDeadlines } from '../index.js';
import { reportToConsole } from '../core/sessionCore.js';

/**
 * What {@link useCallSession} returns: the parts of a session a call screen draws.
 * Frozen, and the same object until one of its fields changes, so it can be compared by
 * identity (`React.memo`, effect dependencies).
 */
export interface CallSessionView {
  /** `session.state`: `idle`, `joining`, `joined.alone`, … */
  readonly state: CallSessionState;
  /** `session.participants`: the remote participants, the same array until the list changes. */
  readonly participants: readonly Participant[];
  /** `session.endReason`: why the session ended, `null` until it has. */
  readonly endReason: EndReason | null;
  /** `session.deadlines`: when each running countdown ends, on the session's clock. */
  readonly deadlines: SessionDeadlines;
  /** `session.idleWarningActive`: whether the idle warning is up. */
  readonly idleWarningActive: boolean;
}

/**
 * The last view handed out for each session, shared by every component that reads the
 * session, so that two components see the same object and a session nobody reads any
 * more is not kept alive by it.
 */
const views = new WeakMap<CallSession, CallSessionView>();

function viewOf(session: CallSession): CallSessionView {
  const { state, participants, endReason, deadlines, idleWarningActive } = session;
  const cached = views.get(session);
  // participants and deadlines are identity-stable in the core: a new object only on a change.
  if (
    cached !== undefined &&
    cached.state === state &&
    cached.participants === participants &&
    cached.endReason === endReason &&
    cached.deadlines === deadlines &&
    cached.idleWarningActive === idleWarningActive
  ) {
    return cached;
  }
  const view: CallSessionView = Object.freeze({ state, participants, endReason, deadlines, idleWarningActive });
  views.set(session, view);
  return view;
}

/**
 * Subscribes to every snapshot of the session's actor, the timer-driven ones included
 * (a warning or a timeout with no event from the app). The session's own subscription
 * was made first, in its constructor, so its getters already read the new snapshot when
 * `onChange` runs. `onChange` is isolated: XState would rethrow a subscriber's error from
 * a `setTimeout`, which in Node ends the process.
 */
function subscribeTo(session: CallSession, onChange: () => void): () => void {
  let live = true;
  const notify = () => {
    // An unsubscribed component must not be told anything, even later in one dispatch.
    if (!live) return;
    try {
      onChange();
    } catch (error) {
      reportToConsole(error, 'a session subscriber');
    }
  };
  // `complete` comes when the session ends or is disposed: the view keeps its last value.
  const subscription = session.actor.subscribe({ next: notify, error: notify, complete: notify });
  return () => {
    live = false;
    subscription.unsubscribe();
  };
}

/**
 * The session's state, participants, end reason, deadlines and idle warning, kept
 * current: the component re-renders when one of them changes, whether an event from the
 * app or one of the session's own timers changed it. The same object is returned
 * between changes; an event that changes nothing re-renders nothing. Built on
 * `useSyncExternalStore`.
 *
 * The session is the caller's: `useCallSession` never disposes it. After
 * `session.dispose()` the view keeps its last value.
 *
 * @example
 * ```tsx
 * const { state, participants } = useCallSession(session);
 * return <p>{state === 'reconnecting' ? 'Reconnecting…' : `${participants.length} other(s) here`}</p>;
 * ```
 */
export function useCallSession(session: CallSession): CallSessionView {
  const subscribe = useCallback((onChange: () => void) => subscribeTo(session, onChange), [session]);
  const getSnapshot = useCallback(() => viewOf(session), [session]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
