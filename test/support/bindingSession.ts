import { EventEmitter } from 'node:events';
import { expect } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSession, SessionSettingsBuilder, type CallSession, type Participant } from '../../src/index.js';
import { recordStatus } from './status.js';

/** A session on a simulated clock, with its status callbacks and participant callbacks recorded. */
export interface RecordedSession {
  readonly session: CallSession;
  readonly clock: SimulatedClock;
  /** `name@state` for each status callback (see `recordStatus`). */
  readonly status: string[];
  /** `joined:<key>`, `left:<key>`, `list:<key>,<key>` for each participant callback. */
  readonly people: string[];
  /** Moves the clock `seconds` forward in 1000 ms steps. */
  advance(seconds: number): void;
}

/** The identity the session keys a participant by (SPEC §2): `pid` when present, else `uid`. */
export function keyOf(participant: Participant): string {
  return participant.pid ?? participant.uid ?? '?';
}

export function recordedSession(periods: { idle?: number; reconnect?: number } = {}): RecordedSession {
  const clock = new SimulatedClock();
  const builder = new SessionSettingsBuilder();
  if (periods.idle !== undefined) builder.setIdleTimeoutPeriod(periods.idle);
  if (periods.reconnect !== undefined) builder.setReconnectTimeoutPeriod(periods.reconnect);
  const session = createCallSession({ clock, settings: builder.build() });
  const status = recordStatus(session);
  const people: string[] = [];
  session.addParticipantEventListener({
    onParticipantJoined: (participant) => people.push(`joined:${keyOf(participant)}`),
    onParticipantLeft: (participant) => people.push(`left:${keyOf(participant)}`),
    onParticipantListChanged: (list) => people.push(`list:${list.map(keyOf).join(',')}`),
  });
  return {
    session,
    clock,
    status,
    people,
    advance(seconds) {
      for (let i = 0; i < seconds; i++) clock.increment(1000);
    },
  };
}

/** Listener counts of any EventEmitter-like object, for every event that has any. */
export function listenerCounts(value: unknown): Record<string, number> {
  const emitter = value as Partial<EventEmitter> | null;
  if (!emitter || typeof emitter.eventNames !== 'function') return {};
  const counts: Record<string, number> = {};
  for (const name of emitter.eventNames()) counts[String(name)] = emitter.listenerCount!(name);
  return counts;
}

/** An EventEmitter whose `disconnect` is counted: a binding that kept watching the session would call it. */
export function countedEmitter(extra: Record<string, unknown> = {}) {
  const calls = { disconnect: 0 };
  const emitter = Object.assign(new EventEmitter(), extra, {
    disconnect() {
      calls.disconnect++;
      return Promise.resolve();
    },
  });
  return { emitter, calls };
}

/**
 * Binds `value` to a fresh session, expecting a TypeError that matches `message`; then
 * checks that nothing changed: the session is idle with no callback, the object has the
 * listeners it had, and a whole call on the session afterwards never reaches the object.
 */
export function expectRefused(bind: (value: never, session: never) => unknown, value: unknown, message: RegExp) {
  const { session, status } = recordedSession();
  const before = listenerCounts(value);
  const states: string[] = [];
  session.actor.subscribe(() => states.push(session.state));
  expect(() => bind(value as never, session as never)).toThrow(TypeError);
  expect(() => bind(value as never, session as never)).toThrow(message);
  expect(session.state).toBe('idle');
  expect(states).toEqual([]);
  expect(status).toEqual([]);
  expect(listenerCounts(value)).toEqual(before);
  // Nothing is left watching the session: a join and a leave reach no SDK object.
  session.join('after-the-refusal');
  session.send({ type: 'session.joined' });
  session.leave();
  expect(status).toEqual(['onSessionJoined@joined.alone', 'onSessionLeft@left']);
  expect(listenerCounts(value)).toEqual(before);
}
