import type { CallSessionEvent, Participant } from '../machines/callSession.types.js';
import { copyParticipant } from '../machines/participants.js';

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

function optionalString(value: unknown, field: string, where: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`${where}.${field} must be a string; got ${describe(value)}`);
  }
  return value;
}

/**
 * Reads each field once into a fresh frozen object and checks that copy, so that a
 * getter or a later change to the caller's object cannot slip anything past the check.
 */
function checkParticipant(value: unknown, where: string): Participant {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be a participant object; got ${describe(value)}`);
  }
  const source = value as Record<string, unknown>;
  const uid = optionalString(source.uid, 'uid', where);
  const pid = optionalString(source.pid, 'pid', where);
  const name = optionalString(source.name, 'name', where);
  const avatar = optionalString(source.avatar, 'avatar', where);
  const isLocal = source.isLocal;
  if (isLocal !== undefined && typeof isLocal !== 'boolean') {
    throw new TypeError(`${where}.isLocal must be a boolean; got ${describe(isLocal)}`);
  }
  if (!uid && !pid) throw new TypeError(`${where} needs a non-empty uid or pid`);
  return copyParticipant({ uid, pid, name, avatar, isLocal });
}

/** A fresh frozen array of checked copies. */
export function checkParticipantList(value: unknown, where: string): readonly Participant[] {
  if (!Array.isArray(value)) throw new TypeError(`${where} must be an array of participants; got ${describe(value)}`);
  const length = value.length;
  const list = new Array<Participant>(length);
  for (let i = 0; i < length; i++) list[i] = checkParticipant(value[i], `${where}[${i}]`);
  return Object.freeze(list);
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
