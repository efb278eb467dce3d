import { useEffect, useRef } from 'react';
import type { CallSession } from '../index.js';
import { checkSession } from '../core/callSessionView.js';

/**
 * What {@link useCallBinding} calls to bind an SDK to the session: make (or take) the
 * SDK object, bind it (`bindLiveKitRoom`, `bindTwilioRoom`, `bindDailyCall`), start the
 * connection, and return the binder's `unbind`.
 */
export type CallBinder = (session: CallSession) => () => void;

interface Held {
  readonly session: CallSession;
  readonly unbind: () => void;
  /** A teardown waiting for the microtask; a set-up for the same session before then keeps the binding. */
  teardownPending: boolean;
}

function teardown(held: Held): void {
  held.teardownPending = false;
  try {
    // The user left the screen: through the binding, this ends the SDK's call (joined:
    // onSessionLeft and a disconnect; still joining: the attempt is disconnected).
    held.session.leave();
  } finally {
    held.unbind();
  }
}

/**
 * Binds an SDK's call to `session` for as long as the component shows it, and ends that
 * call when the component really goes away. `bind` runs once per session: under
 * `<StrictMode>` (whose simulated unmount and re-mount come in one synchronous run) and
 * across Fast Refresh (which re-runs an edited component's effects the same way) the
 * binding, the SDK object and the call are kept, and `bind` is not called again. A real
 * unmount, or a new `session`, ends the call: `session.leave()` (the binding disconnects
 * the SDK once) and then `unbind()`, by the next microtask.
 *
 * `bind` is read when the binding is made: values it closes over are those of that
 * render. For another call, give the screen a new `key` (a new session, a new binding).
 * The pattern, and why an unmount leaves rather than only disposing: docs/react.md,
 * "A call screen bound to an SDK".
 *
 * @example
 * ```tsx
 * function Call({ url, token }: { url: string; token: string }) {
 *   const session = useCreateCallSession();
 *   useCallBinding(session, (session) => {
 *     const room = new Room();
 *     const unbind = bindLiveKitRoom(room, session);
 *     room.connect(url, token).catch(() => {}); // a failure reaches the session as joinFailed
 *     return unbind;
 *   });
 *   return <CallScreen session={session} />;
 * }
 * ```
 */
export function useCallBinding(session: CallSession, bind: CallBinder): void {
  checkSession(session, 'useCallBinding');
  if (typeof bind !== 'function') {
    throw new TypeError(`useCallBinding: bind must be a function (session) => unbind, got ${typeof bind}`);
  }
  const heldRef = useRef<Held | null>(null);

  useEffect(() => {
    const previous = heldRef.current;
    if (previous?.teardownPending && previous.session === session) {
      // StrictMode's re-mount or Fast Refresh: the same screen, the same call.
      previous.teardownPending = false;
    } else {
      if (previous?.teardownPending) teardown(previous);
      const unbind = bind(session);
      if (typeof unbind !== 'function') {
        throw new TypeError(
          `useCallBinding: bind must return the unbind function of its binding, got ${typeof unbind}`,
        );
      }
      heldRef.current = { session, unbind, teardownPending: false };
    }
    const held = heldRef.current!;
    return () => {
      held.teardownPending = true;
      queueMicrotask(() => {
        if (!held.teardownPending) return;
        if (heldRef.current === held) heldRef.current = null;
        teardown(held);
      });
    };
    // `bind` is deliberately not a dependency: a new closure each render must not rebind.
  }, [session]);
}
