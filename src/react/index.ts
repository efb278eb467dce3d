/**
 * React bindings for call-session-machine (SPEC §9): {@link useCallSession} renders a
 * session's state, {@link useCreateCallSession} makes one for a component's life,
 * {@link useCallBinding} binds an SDK's call to it and ends that call on a real unmount,
 * and {@link useCountdown} counts down to one of its deadlines. React 18 or 19 is an
 * optional peer dependency; the main entry never imports it. The contracts, and how
 * `useCreateCallSession` survives `<StrictMode>`, are in docs/react.md.
 *
 * @example
 * ```tsx
 * import { useCallSession, useCountdown, useCreateCallSession } from 'call-session-machine/react';
 *
 * function CallScreen() {
 *   const session = useCreateCallSession();
 *   const { state, deadlines, idleWarningActive } = useCallSession(session);
 *   const secondsLeft = useCountdown(deadlines.idle);
 *   return idleWarningActive ? <p>The call ends in {secondsLeft} s</p> : <p>{state}</p>;
 * }
 * ```
 *
 * @module call-session-machine/react
 */
export { useCallBinding, type CallBinder } from './useCallBinding.js';
export { useCallSession, type CallSessionView } from './useCallSession.js';
export { useCountdown, type CountdownOptions } from './useCountdown.js';
export { useCreateCallSession } from './useCreateCallSession.js';
