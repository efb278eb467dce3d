import type { AnyEventObject } from 'xstate';
import type { Participant } from '../../machines/callSession.types.js';
import { ParticipantRoster } from '../../machines/participantRoster.js';
import { callbacksBetween, type CallSessionSnapshot, type SessionCallback } from '../core/sessionView.js';

/**
 * How the developer tools (the trace inspector, the inspector page and its recorder)
 * write a session's events and callbacks, so that all of them read alike.
 */

/** A participant by the name a person would recognise. */
export function nameOf(participant: Participant): string {
  return participant.name ?? participant.uid ?? participant.pid ?? '?';
}

/** An event as a line of a timeline: `session.join(standup)`, `after idleTimeoutPeriod`, `(created)`. */
export function describeEvent(event: AnyEventObject): string {
  if (event.type.startsWith('xstate.after.')) return `after ${event.type.split('.')[2]}`;
  if (event.type === 'xstate.init') return '(created)';
  if (event.type === 'xstate.stop') return '(stopped)';
  if (typeof event.sessionId === 'string') return `${event.type}(${event.sessionId})`;
  if (typeof event.participant === 'object' && event.participant) {
    return `${event.type}(${nameOf(event.participant as Participant)})`;
  }
  if (Array.isArray(event.participants)) {
    return `${event.type}[${(event.participants as Participant[]).map(nameOf).join(', ')}]`;
  }
  return event.type;
}

/** One callback with its argument: `onIdleTimeoutWarning(30)`, `onParticipantJoined(Ana)`, `onParticipantListChanged[2]`. */
export function describeCallback({ name, argument }: SessionCallback): string {
  if (argument === undefined) return name;
  if (typeof argument === 'number') return `${name}(${argument})`;
  if (argument instanceof ParticipantRoster) return `${name}[${argument.size}]`;
  return `${name}(${nameOf(argument)})`;
}

/** The callbacks a move between two snapshots fires, described, in dispatch order. */
export function describeCallbacks(previous: CallSessionSnapshot, next: CallSessionSnapshot): string[] {
  return callbacksBetween(previous, next).map(describeCallback);
}
