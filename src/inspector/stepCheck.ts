/**
 * The one check of an {@link InspectorStep}: every field of the type, its own type. The
 * live server runs it on every message an app sends (anything local may connect, so
 * anything may arrive) and the page runs it again on what it reads. It walks a fixed
 * depth and never recurses into what it was given, so no nesting can overflow it, and
 * what it returns is a fresh object holding only the step's own fields.
 */
import type { SessionSettings } from '../../machines/callSession.types.js';
import {
  PROTOCOL_VERSION,
  STEP_MESSAGE_TYPE,
  type InspectorStep,
  type StepCountdown,
  type StepParticipant,
} from './protocol.js';

/** Why a message is not a step: the first field found wrong. */
export class StepError extends Error {
  override name = 'StepError';
}

type Fields = Record<string, unknown>;

function fail(field: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new StepError(`${field} must be ${expected}; got ${got}`);
}

function object(value: unknown, field: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'an object', value);
  return value as Fields;
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, 'a string', value);
  return value;
}

function stringOrNull(value: unknown, field: string): string | null {
  return value === null ? null : string(value, field);
}

function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : string(value, field);
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'a finite number', value);
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    fail(field, 'a whole number, 0 or more', value);
  return value;
}

function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') fail(field, 'a boolean', value);
  return value;
}

function array(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(field, 'an array', value);
  return value;
}

function strings(value: unknown, field: string): string[] {
  return array(value, field).map((entry, index) => string(entry, `${field}[${index}]`));
}

function participant(value: unknown, field: string): StepParticipant {
  const fields = object(value, field);
  const uid = optionalString(fields.uid, `${field}.uid`);
  const pid = optionalString(fields.pid, `${field}.pid`);
  const name = optionalString(fields.name, `${field}.name`);
  return {
    ...(uid !== undefined && { uid }),
    ...(pid !== undefined && { pid }),
    ...(name !== undefined && { name }),
  };
}

function countdown(value: unknown, field: string): StepCountdown {
  const fields = object(value, field);
  return {
    key: string(fields.key, `${field}.key`),
    label: string(fields.label, `${field}.label`),
    deadline: fields.deadline === null ? null : finite(fields.deadline, `${field}.deadline`),
    period: finite(fields.period, `${field}.period`),
  };
}

function settings(value: unknown): SessionSettings {
  const fields = object(value, 'settings');
  const type = string(fields.type, 'settings.type');
  if (type !== 'VIDEO' && type !== 'AUDIO') fail('settings.type', '"VIDEO" or "AUDIO"', type);
  return {
    idleTimeoutPeriod: finite(fields.idleTimeoutPeriod, 'settings.idleTimeoutPeriod'),
    reconnectTimeoutPeriod: finite(fields.reconnectTimeoutPeriod, 'settings.reconnectTimeoutPeriod'),
    idleWarningPeriod: finite(fields.idleWarningPeriod, 'settings.idleWarningPeriod'),
    type,
  };
}

/**
 * `value` as an {@link InspectorStep}, every field checked: a new object with only the
 * step's fields.
 *
 * @throws StepError naming the first field that does not fit.
 */
export function checkStep(value: unknown): InspectorStep {
  const fields = object(value, 'the message');
  if (fields.type !== STEP_MESSAGE_TYPE) fail('type', JSON.stringify(STEP_MESSAGE_TYPE), fields.type);
  if (fields.version !== PROTOCOL_VERSION) throw new StepError(`version must be ${PROTOCOL_VERSION}`);
  const clock = string(fields.clock, 'clock');
  if (clock !== 'simulated' && clock !== 'real') fail('clock', '"simulated" or "real"', clock);
  const event = object(fields.event, 'event');
  const participants = array(fields.participants, 'participants').map((entry, index) =>
    participant(entry, `participants[${index}]`),
  );
  const participantCount = count(fields.participantCount, 'participantCount');
  if (participantCount < participants.length)
    throw new StepError('participantCount must be at least the participants listed');
  return {
    type: STEP_MESSAGE_TYPE,
    version: PROTOCOL_VERSION,
    actor: string(fields.actor, 'actor'),
    sessionId: stringOrNull(fields.sessionId, 'sessionId'),
    seq: count(fields.seq, 'seq'),
    at: finite(fields.at, 'at'),
    clock,
    event: { type: string(event.type, 'event.type'), label: string(event.label, 'event.label') },
    from: stringOrNull(fields.from, 'from'),
    to: string(fields.to, 'to'),
    ignored: boolean(fields.ignored, 'ignored'),
    transitions: strings(fields.transitions, 'transitions'),
    callbacks: strings(fields.callbacks, 'callbacks'),
    participants,
    participantCount,
    countdowns: array(fields.countdowns, 'countdowns').map((entry, index) => countdown(entry, `countdowns[${index}]`)),
    settings: settings(fields.settings),
    endReason: stringOrNull(fields.endReason, 'endReason'),
    status: string(fields.status, 'status'),
  };
}

/**
 * Whether `value` nests no deeper than `limit` objects and arrays. A loop over an explicit
 * stack: a message nested 200,000 levels deep must not overflow the stack that checks it.
 */
export function nestsWithin(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return false;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return true;
}
