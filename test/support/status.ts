import type { CallSession, ParticipantEventListener, SessionStatusListener } from '../../src/index.js';

/** The six status callbacks of SPEC §1, written out here rather than taken from the code under test. */
export const STATUS_CALLBACKS = [
  'onSessionJoined',
  'onSessionLeft',
  'onSessionTimedOut',
  'onConnectionLost',
  'onConnectionRestored',
  'onConnectionClosed',
] as const satisfies readonly (keyof SessionStatusListener)[];

/** Every callback of SPEC §1 and §6, status then participant, written out here too. */
export const ALL_CALLBACKS = [
  ...STATUS_CALLBACKS,
  'onIdleTimeoutWarning',
  'onParticipantJoined',
  'onParticipantLeft',
  'onParticipantListChanged',
] as const satisfies readonly (keyof SessionStatusListener | keyof ParticipantEventListener)[];

/** Records every status callback as `name@state`, the state read inside the callback. */
export function recordStatus(session: CallSession): string[] {
  const calls: string[] = [];
  const listener: SessionStatusListener = {};
  for (const name of STATUS_CALLBACKS) listener[name] = () => calls.push(`${name}@${session.state}`);
  session.addSessionStatusListener(listener);
  return calls;
}

/** Event types of the delayed events the actor system holds: the timers still pending. */
export function pendingTimers(session: CallSession): string[] {
  return Object.values(session.actor.system.getSnapshot()._scheduledEvents).map((scheduled) => scheduled.event.type);
}
