import { markRaw, onScopeDispose, type Raw } from 'vue';
import { createCallSession, type CallSession, type CallSessionOptions } from '../session/callSession.js';
import { isServerRendering, requireScope } from './scope.js';

/**
 * Creates a call session for the life of the current effect scope (a component's
 * setup, or an `effectScope()`), and disposes it when the scope stops: the component
 * unmounts, or `scope.stop()`. `options` are those of `createCallSession`, read once;
 * for a new session, give the component a new `key`. Options `createCallSession`
 * rejects throw here, in setup, and nothing is made.
 *
 * The session is marked raw (`markRaw`, and typed `Raw<CallSession>`), so that putting
 * it into reactive state (`ref`, `reactive`, a Pinia store) keeps the session itself,
 * not a proxy on which its private fields cannot be read.
 *
 * On a server render no scope ever stops: the session lives until the next microtask
 * (setup and a synchronous render see it live; `join()` in setup shows `joining`), then
 * is disposed, keeping its last state for any later render. Hot module replacement:
 * a template-only edit keeps the session; an edit of the component's script makes Vue
 * remount it, which disposes the session and makes a new one. Keep a session that must
 * survive such edits in a component or store above the one being edited.
 *
 * @throws Error outside an effect scope; TypeError for bad options.
 *
 * @example
 * ```ts
 * const session = useCreateCallSession({ settings });
 * const view = useCallSession(session);
 * onMounted(() => session.join(props.callId));
 * ```
 */
export function useCreateCallSession(options?: CallSessionOptions): Raw<CallSession> {
  requireScope('useCreateCallSession');
  const session = markRaw(createCallSession(options));
  if (isServerRendering()) {
    queueMicrotask(() => session.dispose());
  } else {
    onScopeDispose(() => session.dispose());
  }
  return session;
}
