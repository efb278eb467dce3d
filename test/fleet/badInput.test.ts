// Bad input to a fleet (SPEC §4, as for a session): a clear, synchronous error, and
// nothing changes: not the session, not the others, not a listener, not a timer.
import { describe, expect, test } from 'vitest';
import { createCallSessionFleet, type CallSessionFleet } from 'call-session-machine/fleet';
import type { CallSessionEvent } from '../../src/index.js';
import { advance, joinedSession, newFleet, SECOND, statusLogger } from './support.js';

function observed(fleet: CallSessionFleet, pending: () => number) {
  return JSON.stringify({
    size: fleet.size,
    ids: [...fleet],
    sessions: fleet.persist(),
    pending: pending(),
  });
}

describe('ids', () => {
  test.each([[''], [undefined], [null], [42], [{}]])('add(%j): TypeError naming the id', (id) => {
    const { fleet } = newFleet();
    expect(() => fleet.add(id as never)).toThrow(TypeError);
    expect(() => fleet.add(id as never)).toThrow(/session id must be a non-empty string/);
    expect(fleet.size).toBe(0);
  });

  test('an id the fleet holds already: RangeError, and the session is as it was', () => {
    const { fleet, clock } = newFleet();
    joinedSession(fleet, 'a');
    const before = observed(fleet, () => clock.pending);
    expect(() => fleet.add('a')).toThrow(RangeError);
    expect(() => fleet.add('a')).toThrow(/already holds a session "a"/);
    expect(observed(fleet, () => clock.pending)).toBe(before);
  });

  test('an unknown id: RangeError from send, join, leave and every reader; can() is false; remove() is false', () => {
    const { fleet } = newFleet();
    fleet.add('a');
    const calls: [string, () => unknown][] = [
      ['send', () => fleet.send('b', { type: 'session.leave' })],
      ['join', () => fleet.join('b')],
      ['leave', () => fleet.leave('b')],
      ['extendIdleTimeout', () => fleet.extendIdleTimeout('b')],
      ['state', () => fleet.state('b')],
      ['participants', () => fleet.participants('b')],
      ['endReason', () => fleet.endReason('b')],
      ['deadlines', () => fleet.deadlines('b')],
      ['idleWarningActive', () => fleet.idleWarningActive('b')],
      ['getPersistedSnapshot', () => fleet.getPersistedSnapshot('b')],
    ];
    for (const [name, call] of calls) expect(call, name).toThrow(/holds no session "b"/);
    for (const [name, call] of calls) expect(call, name).toThrow(RangeError);
    expect(() => fleet.state('' as never)).toThrow(TypeError);
    expect(fleet.can('b', { type: 'session.leave' })).toBe(false);
    expect(fleet.remove('b')).toBe(false);
    expect(fleet.state('a')).toBe('idle');
  });
});

describe('events', () => {
  const BAD_EVENTS: [string, unknown][] = [
    ['not an object', 'session.leave'],
    ['null', null],
    ['an unknown type', { type: 'session.explode' }],
    ['an empty sessionId', { type: 'session.join', sessionId: '' }],
    ['a participant with neither uid nor pid', { type: 'participant.joined', participant: { name: 'x' } }],
    ['participants not an array', { type: 'connection.restored', participants: 'ana' }],
  ];

  test.each(BAD_EVENTS)(
    '%s: TypeError; the session, the others, the listeners and the timers are as before',
    (_, event) => {
      const { fleet, clock } = newFleet();
      const log: string[] = [];
      fleet.addSessionStatusListener(statusLogger('A', log));
      joinedSession(fleet, 'a');
      fleet.send('a', { type: 'connection.lost' });
      joinedSession(fleet, 'b');
      log.length = 0;
      const before = observed(fleet, () => clock.pending);
      expect(() => fleet.send('a', event as CallSessionEvent)).toThrow(TypeError);
      expect(fleet.can('a', event as CallSessionEvent)).toBe(false);
      expect(observed(fleet, () => clock.pending)).toBe(before);
      expect(log).toEqual([]);
      // The timers still run as they did.
      advance(clock, 10 * SECOND);
      expect(log).toEqual(['A:onSessionTimedOut:a', 'A:onSessionTimedOut:b']);
    },
  );

  test('payloads are copied, never kept: changing what was sent changes nothing, and __proto__ reaches no prototype', () => {
    const { fleet } = newFleet();
    fleet.add('s');
    fleet.join('s');
    const participant = JSON.parse('{"uid":"ana","name":"Ana","__proto__":{"polluted":true}}') as { name: string };
    const list = [participant];
    fleet.send('s', { type: 'session.joined', participants: list });
    participant.name = 'Changed';
    list.push({ uid: 'ben' } as never);
    expect(fleet.participants('s')).toEqual([{ uid: 'ana', name: 'Ana' }]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(fleet.participants('s')[0])).toBe(Object.prototype);
  });
});

describe('options', () => {
  test('createCallSessionFleet refuses bad options with a TypeError or RangeError naming them', () => {
    expect(() => createCallSessionFleet(null as never)).toThrow(TypeError);
    expect(() => createCallSessionFleet({ clock: { setTimeout: () => 1 } as never })).toThrow(/clock must have/);
    expect(() => createCallSessionFleet({ onListenerError: 'log' as never })).toThrow(/onListenerError/);
    expect(() => createCallSessionFleet({ removeOnEnd: 1 as never })).toThrow(/removeOnEnd must be a boolean/);
    expect(() => createCallSessionFleet({ timerBatchSize: '9' as never })).toThrow(TypeError);
    expect(() => createCallSessionFleet({ timerBatchSize: 0 })).toThrow(RangeError);
    expect(() => createCallSessionFleet({ timerBatchSize: 1.5 })).toThrow(/timerBatchSize/);
    expect(() => createCallSessionFleet({ settings: { idleTimeoutPeriod: -1 } as never })).toThrow(RangeError);
  });

  test('add refuses bad settings (RangeError/TypeError naming the setting) and a bad snapshot (TypeError), adding nothing', () => {
    const { fleet, clock } = newFleet();
    expect(() => fleet.add('a', 'fast' as never)).toThrow(TypeError);
    expect(() => fleet.add('a', { settings: { idleTimeoutPeriod: 2_147_484 } as never })).toThrow(
      /idleTimeoutPeriod must be an integer from 0 to 2147483/,
    );
    expect(() => fleet.add('a', { settings: { idleTimeoutPeriod: '5' } as never })).toThrow(TypeError);
    expect(() => fleet.add('a', { snapshot: { format: 'other' } as never })).toThrow(/Not a persisted call session/);
    expect(fleet.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('settings objects that are not frozen are checked at every add', () => {
    const { fleet } = newFleet();
    const settings = { idleTimeoutPeriod: 5, reconnectTimeoutPeriod: 5, idleWarningPeriod: 0, type: 'VIDEO' as const };
    fleet.add('a', { settings });
    settings.idleTimeoutPeriod = -1;
    expect(() => fleet.add('b', { settings })).toThrow(RangeError);
    expect(fleet.getPersistedSnapshot('a').settings.idleTimeoutPeriod).toBe(5);
  });
});
