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
} from './callSession.js';
export type { ParticipantEventListener, SessionStatusListener } from './listeners.js';
export { MAX_PERIOD_SECONDS, SessionSettingsBuilder, SessionType } from './settings.js';
