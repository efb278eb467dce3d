import { CallSession, type CallSessionState, type SessionDeadlines } from '../session/callSession.js';
import type { EndReason, Participant } from '../../machines/callSession.types.js';
import { describeValue } from '../../machines/participants.js';

/**
 * The view a UI binding hands out (React's `useCallSession`, Vue's), framework-free so
 * that every framework reads a session the same way and two frameworks on one page share
 * one object per session. Internal: not reached from the main entry.
 */

/**
 * What `useCallSession` returns: the parts of a session a call screen draws.
 * Frozen, and the same object until one of its fields changes, so it can be compared by
 * identity (`React.memo`, effect dependencies, a Vue `watch`).
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

/** The session's current view: the cached object while none of its five fields changed. */
export function viewOf(session: CallSession): CallSessionView {
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
 * a `setTimeout`, which in Node ends the process; `report` gets it instead.
 */
export function subscribeToSession(
  session: CallSession,
  onChange: () => void,
  report: (error: unknown) => void,
): () => void {
  let live = true;
  const notify = () => {
    // An unsubscribed component must not be told anything, even later in one dispatch.
    if (!live) return;
    try {
      onChange();
    } catch (error) {
      try {
        report(error);
      } catch {
        // A reporter that throws too has nowhere left to report to.
      }
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
 * `value` if it is a `CallSession`, else a `TypeError` naming `caller`: a binding that
 * took anything would fail later, far from the mistake (a `Ref` or a promise passed
 * where its value was meant).
 */
export function checkSession(value: unknown, caller: string): CallSession {
  if (value instanceof CallSession) return value;
  throw new TypeError(
    `${caller}: expected a CallSession (from createCallSession, restoreCallSession or useCreateCallSession); got ${describeValue(value)}`,
  );
}

/** Whole seconds from `now` to `deadline`, rounded up as `onIdleTimeoutWarning` counts them; never below 0. */
export function secondsUntil(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/**
 * A countdown's deadline, as both frameworks' `useCountdown` take it: `session.deadlines.idle`
 * or `.reconnect`, a finite number of milliseconds, or null. Anything else (`undefined` from
 * a misspelt field, `NaN` from arithmetic on one, an infinity) would read as NaN or infinite
 * seconds and tick every second forever.
 */
export function checkDeadline(deadline: unknown): number | null {
  if (deadline === null) return null;
  const what = 'useCountdown: deadline must be a finite number of milliseconds or null, got ';
  if (typeof deadline !== 'number') throw new TypeError(what + describeValue(deadline));
  if (!Number.isFinite(deadline)) throw new RangeError(what + String(deadline));
  return deadline;
}
