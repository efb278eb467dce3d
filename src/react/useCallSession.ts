import { useCallback, useSyncExternalStore } from 'react';
import type { CallSession } from '../index.js';
import { checkSession, subscribeToSession, viewOf, type CallSessionView } from '../core/callSessionView.js';
import { reportToConsole } from '../core/sessionCore.js';

const reportSubscriberError = (error: unknown) => reportToConsole(error, 'a session subscriber');

export type { CallSessionView };

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
  checkSession(session, 'useCallSession');
  const subscribe = useCallback(
    (onChange: () => void) => subscribeToSession(session, onChange, reportSubscriberError),
    [session],
  );
  const getSnapshot = useCallback(() => viewOf(session), [session]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
