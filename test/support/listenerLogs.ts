import { SimulatedClock } from 'xstate';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionOptions,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../../src/index.js';

// Sessions and logging listeners shared by the listener, re-entrancy, dispose and
// getInstance tests.

export function newSession(options: Omit<CallSessionOptions, 'clock' | 'settings'> = {}): {
  session: CallSession;
  clock: SimulatedClock;
} {
  const clock = new SimulatedClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).setReconnectTimeoutPeriod(30).build();
  return { session: createCallSession({ ...options, settings, clock }), clock };
}

export const alice = { uid: 'alice' };
export const bob = { uid: 'bob' };

/** A status listener logging each of the six callbacks as `name:callback`. */
export function statusLogger(name: string, log: string[]): SessionStatusListener {
  return {
    onSessionJoined: () => log.push(`${name}:onSessionJoined`),
    onSessionLeft: () => log.push(`${name}:onSessionLeft`),
    onSessionTimedOut: () => log.push(`${name}:onSessionTimedOut`),
    onConnectionLost: () => log.push(`${name}:onConnectionLost`),
    onConnectionRestored: () => log.push(`${name}:onConnectionRestored`),
    onConnectionClosed: () => log.push(`${name}:onConnectionClosed`),
  };
}

/** A participant listener logging each callback as `name:callback`. */
export function participantLogger(name: string, log: string[]): ParticipantEventListener {
  return {
    onParticipantJoined: (p) => log.push(`${name}:onParticipantJoined:${p.uid ?? p.pid}`),
    onParticipantLeft: (p) => log.push(`${name}:onParticipantLeft:${p.uid ?? p.pid}`),
    onParticipantListChanged: (list) => log.push(`${name}:onParticipantListChanged:${list.length}`),
  };
}
