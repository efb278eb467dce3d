import { useEffect, useLayoutEffect, useReducer, useRef } from 'react';
import { createCallSession } from '../session/callSession.js';
import type { CallSession, CallSessionOptions } from '../index.js';

// Why this hook looks the way it does: docs/react.md, "StrictMode, Fast Refresh, and where
// hand-rolled hooks go wrong". In short: a session is made during the first render, so the
// component has one from the start; a commit claims it; an unmount disposes it in the
// microtask, unless the effect is set up again before then. StrictMode's simulated
// unmount and re-mount, and Fast Refresh's re-run of an edited component's effects, both
// set it up again in the same synchronous run as the cleanup; a real unmount does not.
// The disposal waits one microtask more than useCallBinding's teardown, so that a bound
// call ends by the user's leave (onSessionLeft) before the session is disposed.

interface Slot {
  session: CallSession;
  /** The options the first session was made with, for one made again after a hide. */
  readonly options: CallSessionOptions | undefined;
  /** A disposal waiting for the microtask; a set-up before then cancels it. */
  disposalPending: boolean;
}

/**
 * Sessions a render made that no commit has claimed yet. A render can be thrown away
 * before it commits: React 18's StrictMode renders a mounting component twice with fresh
 * hooks and keeps the second, and in any version a mount can suspend or be interrupted.
 * Such a session is idle (no timer runs in `idle`) and has no listener; the next commit
 * of this hook disposes it, so that no live session is left behind. Weak references,
 * since on a server nothing ever commits.
 */
const unclaimed = new Set<WeakRef<CallSession>>();
const UNCLAIMED_PRUNE_AT = 64;

function register(session: CallSession): void {
  if (unclaimed.size >= UNCLAIMED_PRUNE_AT) {
    for (const ref of unclaimed) if (ref.deref() === undefined) unclaimed.delete(ref);
  }
  unclaimed.add(new WeakRef(session));
}

function claim(session: CallSession): void {
  for (const ref of unclaimed) if (ref.deref() === session) unclaimed.delete(ref);
}

/**
 * Called after a commit's layout effects, when every session that commit holds has
 * been claimed: what is left was made by a render that will never commit. (A render
 * still waiting to commit would find its session disposed and make a new one; see
 * `isDisposed`.)
 */
function disposeUnclaimed(): void {
  for (const ref of unclaimed) {
    unclaimed.delete(ref);
    ref.deref()?.dispose();
  }
}

/** A disposed session's actor is stopped; a final one's is `done`, and it is kept. */
function isDisposed(session: CallSession): boolean {
  return session.actor.getSnapshot().status === 'stopped';
}

function dispose(slot: Slot): void {
  slot.disposalPending = false;
  slot.session.dispose();
}

/**
 * Creates a call session for the component's life, and disposes it when the component
 * unmounts. `options` are those of `createCallSession`, read when the session is made:
 * later changes do not reach it (give the component a new `key` for a new session).
 *
 * The component holds a session from its first render, and never a disposed one, under
 * `<StrictMode>` too: StrictMode's simulated unmount and re-mount keep the same session,
 * and so does Fast Refresh re-running the effects of an edited component (a call in
 * progress survives an edit). A real unmount disposes the session in a microtask, before
 * any timer or I/O callback can run (after a `useCallBinding` teardown of that commit). Should the component's effects come back
 * after a real disposal (a hidden `<Activity>` shown again), it re-renders with a new
 * session.
 *
 * @example
 * ```tsx
 * function Call({ callId }: { callId: string }) {
 *   const session = useCreateCallSession({ settings });
 *   const { state } = useCallSession(session);
 *   useEffect(() => session.join(callId), [session, callId]);
 *   return <p>{state}</p>;
 * }
 * ```
 */
export function useCreateCallSession(options?: CallSessionOptions): CallSession {
  const slotRef = useRef<Slot | null>(null);
  if (slotRef.current === null) {
    // Made during render, not in an effect: the component has a session from its first
    // render on, and `CallSession.getInstance()` names it before the effects run.
    const session = createCallSession(options);
    register(session);
    slotRef.current = { session, options, disposalPending: false };
  }
  const slot = slotRef.current;
  const [, rerender] = useReducer((count: number) => count + 1, 0);

  // Claimed in a layout effect: every layout effect of a commit runs before any of its
  // passive effects, where `disposeUnclaimed` runs.
  useLayoutEffect(() => {
    claim(slot.session);
  }, [slot]);

  useEffect(() => {
    slot.disposalPending = false;
    if (isDisposed(slot.session)) {
      // The effects came back after a real disposal (or the session's render waited so
      // long to commit that another commit swept it): hold a live session again.
      slot.session = createCallSession(slot.options);
      rerender();
    }
    disposeUnclaimed();
    return () => {
      // Not at once: StrictMode and Fast Refresh run this cleanup and then the set-up
      // above in one synchronous run, keeping the component (and its call) alive. A real
      // unmount has no set-up after it, so the session is disposed in a microtask,
      // before any timer or I/O callback can run.
      // Two microtasks: a useCallBinding teardown queued by the same commit (its leave()
      // ends the call with onSessionLeft) runs first, whichever hook was declared first.
      slot.disposalPending = true;
      queueMicrotask(() =>
        queueMicrotask(() => {
          if (slot.disposalPending) dispose(slot);
        }),
      );
    };
  }, [slot]);

  return slot.session;
}
