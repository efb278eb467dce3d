/**
 * A call session's lifecycle as one XState v5 statechart ({@link callSessionMachine}),
 * with the session status and participant callbacks of CometChat Calls v5 on top
 * ({@link createCallSession}). The semantics, with the reason for each rule, are in
 * docs/semantics.md.
 *
 * @example
 * ```ts
 * import { createCallSession, SessionSettingsBuilder } from 'call-session-machine';
 *
 * const session = createCallSession({
 *   settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(120).build(),
 * });
 * session.addSessionStatusListener({ onSessionTimedOut: () => console.log('nobody came') });
 * session.join('standup');
 * session.send({ type: 'session.joined' }); // alone: the 120 s idle countdown starts
 * ```
 *
 * @module call-session-machine
 */
export { callSessionMachine } from '../machines/callSession.machine.js';
export type {
  CallSessionContext,
  CallSessionEvent,
  CallSessionEventType,
  CallSessionInput,
  CallSessionOutput,
  EndReason,
  Participant,
  SessionSettings,
  SessionTypeValue,
} from '../machines/callSession.types.js';
export type { ParticipantRoster } from '../machines/participantRoster.js';
export {
  CallSession,
  createCallSession,
  type CallSessionActor,
  type CallSessionOptions,
  type CallSessionState,
  type SessionClock,
  type SessionDeadlines,
} from './session/callSession.js';
export type { ListenerOptions, ParticipantEventListener, SessionStatusListener } from './core/listeners.js';
export { PERSISTED_FORMAT, PERSISTED_VERSION, type PersistedCallSession } from './core/persistedFormat.js';
export { MAX_PERIOD_SECONDS, SessionSettingsBuilder, SessionType } from '../machines/settings.js';
export { createTraceInspector } from './devtools/trace.js';
