import type { CallSessionEvent } from '../../machines/callSession.types.js';
import { checkParticipant, checkParticipantList, describeValue, expected } from '../../machines/participants.js';

/** The event types of SPEC §2, and the payload each one carries. */
const PAYLOAD_OF = {
  'session.join': 'sessionId',
  'session.joined': 'participantList',
  'session.joinFailed': 'error',
  'session.leave': 'none',
  'session.removed': 'none',
  'participant.joined': 'participant',
  'participant.left': 'participant',
  'connection.lost': 'none',
  'connection.restored': 'participantList',
  'connection.closed': 'none',
  'idle.extend': 'none',
} as const satisfies Record<CallSessionEvent['type'], string>;

type EventType = keyof typeof PAYLOAD_OF;

/** Payload-free events are shared constants: no allocation on the hot path. */
const BARE_EVENTS = new Map<string, CallSessionEvent>(
  (Object.keys(PAYLOAD_OF) as EventType[])
    .filter((type) => PAYLOAD_OF[type] === 'none')
    .map((type) => [type, Object.freeze({ type }) as CallSessionEvent]),
);

/**
 * Checks an event against SPEC §2 and §4 and returns a fresh event holding only the
 * fields the spec names (so no caller object is kept and no `__proto__` key is
 * copied). Throws a `TypeError` naming what is wrong; the chart copies participants
 * again when it keeps them.
 */
export function parseEvent(value: unknown): CallSessionEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(expected(`An event must be an object with a type`, value));
  }
  const event = value as Record<string, unknown>;
  const type = event.type;
  if (typeof type !== 'string' || !Object.hasOwn(PAYLOAD_OF, type)) {
    throw new TypeError(
      `Unknown event type ${describeValue(type)}; expected one of ${Object.keys(PAYLOAD_OF).join(', ')}`,
    );
  }
  const eventType = type as EventType;
  switch (PAYLOAD_OF[eventType]) {
    case 'none':
      return BARE_EVENTS.get(eventType)!;
    case 'sessionId': {
      const sessionId = event.sessionId;
      if (typeof sessionId !== 'string' || sessionId.length === 0) {
        throw new TypeError(expected(`${eventType}.sessionId must be a non-empty string`, sessionId));
      }
      return { type: 'session.join', sessionId };
    }
    case 'error': {
      const error = event.error;
      return error === undefined ? { type: 'session.joinFailed' } : { type: 'session.joinFailed', error };
    }
    case 'participant':
      return {
        type: eventType as 'participant.joined' | 'participant.left',
        participant: checkParticipant(event.participant, `${eventType}.participant`),
      };
    case 'participantList': {
      const participants = event.participants;
      return participants === undefined
        ? { type: eventType as 'session.joined' | 'connection.restored' }
        : {
            type: eventType as 'session.joined' | 'connection.restored',
            participants: checkParticipantList(participants, `${eventType}.participants`),
          };
    }
  }
}
