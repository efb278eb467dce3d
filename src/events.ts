import type { CallSessionEvent, Participant } from '../machines/callSession.types.js';

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
} as const satisfies Record<CallSessionEvent['type'], string>;

type EventType = keyof typeof PAYLOAD_OF;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value;
}

function optionalString(participant: Record<string, unknown>, field: string, where: string): void {
  const value = participant[field];
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`${where}.${field} must be a string; got ${describe(value)}`);
  }
}

function checkParticipant(value: unknown, where: string): Participant {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be a participant object; got ${describe(value)}`);
  }
  const participant = value as Record<string, unknown>;
  for (const field of ['uid', 'pid', 'name', 'avatar']) optionalString(participant, field, where);
  if (participant.isLocal !== undefined && typeof participant.isLocal !== 'boolean') {
    throw new TypeError(`${where}.isLocal must be a boolean; got ${describe(participant.isLocal)}`);
  }
  if (!participant.uid && !participant.pid) {
    throw new TypeError(`${where} needs a non-empty uid or pid`);
  }
  return value as Participant;
}

export function checkParticipantList(value: unknown, where: string): readonly Participant[] {
  if (!Array.isArray(value)) throw new TypeError(`${where} must be an array of participants; got ${describe(value)}`);
  for (let i = 0; i < value.length; i++) checkParticipant(value[i], `${where}[${i}]`);
  return value as readonly Participant[];
}

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
    throw new TypeError(`An event must be an object with a type; got ${describe(value)}`);
  }
  const event = value as Record<string, unknown>;
  const type = event.type;
  if (typeof type !== 'string' || !Object.hasOwn(PAYLOAD_OF, type)) {
    throw new TypeError(`Unknown event type ${describe(type)}; expected one of ${Object.keys(PAYLOAD_OF).join(', ')}`);
  }
  const eventType = type as EventType;
  switch (PAYLOAD_OF[eventType]) {
    case 'none':
      return BARE_EVENTS.get(eventType)!;
    case 'sessionId': {
      const sessionId = event.sessionId;
      if (typeof sessionId !== 'string' || sessionId.length === 0) {
        throw new TypeError(`${eventType}.sessionId must be a non-empty string; got ${describe(sessionId)}`);
      }
      return { type: 'session.join', sessionId };
    }
    case 'error':
      return event.error === undefined ? { type: 'session.joinFailed' } : { type: 'session.joinFailed', error: event.error };
    case 'participant':
      return {
        type: eventType as 'participant.joined' | 'participant.left',
        participant: checkParticipant(event.participant, `${eventType}.participant`),
      };
    case 'participantList':
      return event.participants === undefined
        ? { type: eventType as 'session.joined' | 'connection.restored' }
        : {
            type: eventType as 'session.joined' | 'connection.restored',
            participants: checkParticipantList(event.participants, `${eventType}.participants`),
          };
  }
}
