// Fleet persistence: getPersistedSnapshot(id) is a session's format; persist()/restore()
// move a whole fleet through JSON, re-arming every deadline with the time it has left.
import { describe, expect, test } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCallSessionFleet, type PersistedCallSessionFleet } from 'call-session-machine/fleet';
import { createCallSession, type PersistedCallSession } from '../../src/index.js';
import { restoreCallSession } from '../../src/persistence/restore.js';
import { CountingClock } from '../support/countingClock.js';
import { alice, advance, bob, joinedSession, newFleet, SECOND, settingsOf, statusLogger } from './support.js';

const T0 = 1_000_000;

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('the format', () => {
  test('getPersistedSnapshot(id) equals a CallSession’s after the same events at the same times', () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const fleet = createCallSessionFleet({ clock, settings: settingsOf(60, 30, 10) });
    const session = createCallSession({ clock, settings: settingsOf(60, 30, 10) });
    fleet.add('s');
    const events = [
      { type: 'session.join', sessionId: 'standup' },
      { type: 'session.joined', participants: [alice] },
      { type: 'participant.left', participant: alice },
      { type: 'connection.lost' },
    ] as const;
    for (const event of events) {
      fleet.send('s', event);
      session.send(event);
      clock.increment(7 * SECOND);
      expect(fleet.getPersistedSnapshot('s')).toEqual(session.getPersistedSnapshot());
    }
    for (let i = 0; i < 30; i++) clock.increment(SECOND);
    expect(fleet.getPersistedSnapshot('s')).toEqual(session.getPersistedSnapshot());
    expect(fleet.getPersistedSnapshot('s').state).toBe('closed');
  });

  test('persist() lists [id, session] in the order added; new Map(persisted) works', () => {
    const { fleet } = newFleet();
    joinedSession(fleet, 'b');
    fleet.add('a');
    const persisted = fleet.persist();
    expect(persisted.map(([id]) => id)).toEqual(['b', 'a']);
    expect(new Map(persisted).get('a')).toEqual(fleet.getPersistedSnapshot('a'));
    expect(roundTrip(persisted)).toEqual(persisted);
  });
});

describe('restore', () => {
  test('a whole fleet through JSON: states, participants and every countdown resume with the time left', () => {
    const saving = new CountingClock();
    saving.set(T0);
    const source = createCallSessionFleet({ clock: saving, settings: settingsOf(60, 30, 10) });
    joinedSession(source, 'alone');
    joinedSession(source, 'crowd', [alice, bob]);
    joinedSession(source, 'lost');
    source.send('lost', { type: 'connection.lost' });
    source.add('idle');
    advance(saving, 20 * SECOND);
    const stored = JSON.stringify(source.persist());
    source.dispose();

    const clock = new CountingClock();
    clock.set(T0 + 20 * SECOND);
    const fleet = createCallSessionFleet({ clock });
    const log: string[] = [];
    expect(fleet.restore(JSON.parse(stored) as PersistedCallSessionFleet)).toBe(4);
    fleet.addSessionStatusListener(statusLogger('L', log));
    expect([...fleet]).toEqual(['alone', 'crowd', 'lost', 'idle']);
    expect(fleet.state('crowd')).toBe('joined.accompanied');
    expect(fleet.participants('crowd')).toEqual([alice, bob]);
    expect(fleet.state('lost')).toBe('reconnecting');
    expect(fleet.deadlines('lost')).toEqual({ idle: T0 + 60 * SECOND, reconnect: T0 + 30 * SECOND });
    expect(clock.pending).toBe(1);
    advance(clock, 10 * SECOND - 1);
    expect(log).toEqual([]);
    advance(clock, 1);
    expect(log).toEqual(['L:onConnectionClosed:lost']);
    advance(clock, 20 * SECOND);
    expect(log).toEqual(['L:onConnectionClosed:lost', 'L:onIdleTimeoutWarning:alone:10']);
    advance(clock, 10 * SECOND);
    expect(log.at(-1)).toBe('L:onSessionTimedOut:alone');
    expect(fleet.state('idle')).toBe('idle');
  });

  test('a deadline that passed while stored fires on the next tick, once, after listeners added synchronously', () => {
    const { fleet: source, clock: saving } = newFleet();
    joinedSession(source, 's');
    const stored = source.persist();
    const { fleet, clock } = newFleet();
    clock.set(saving.now() + 60 * SECOND);
    fleet.restore(stored);
    expect(fleet.state('s')).toBe('joined.alone');
    const log: string[] = [];
    fleet.addSessionStatusListener(statusLogger('L', log));
    clock.increment(0);
    clock.increment(0);
    expect(log).toEqual(['L:onSessionTimedOut:s']);
  });

  test('a CallSession’s snapshot restores into a fleet, and a fleet session’s into a CallSession', () => {
    const clock = new SimulatedClock();
    const session = createCallSession({ clock, settings: settingsOf(10, 30) });
    session.join('x');
    session.send({ type: 'session.joined' });
    clock.increment(4 * SECOND);
    const fleet = createCallSessionFleet({ clock });
    fleet.add('x', { snapshot: roundTrip(session.getPersistedSnapshot()) });
    session.dispose();
    const back = restoreCallSession(roundTrip(fleet.getPersistedSnapshot('x')), { clock });
    for (let i = 0; i < 6; i++) clock.increment(SECOND);
    expect(fleet.state('x')).toBe('timedOut');
    expect(back.state).toBe('timedOut');
  });

  test('settings given with a snapshot apply to countdowns started afterwards', () => {
    const { fleet: source } = newFleet();
    joinedSession(source, 's', [alice]);
    const { fleet, clock } = newFleet();
    fleet.add('s', { snapshot: source.getPersistedSnapshot('s'), settings: settingsOf(2, 30) });
    fleet.send('s', { type: 'participant.left', participant: alice });
    advance(clock, 2 * SECOND);
    expect(fleet.state('s')).toBe('timedOut');
    const { fleet: other, clock: otherClock } = newFleet();
    other.restore(source.persist(), { settings: settingsOf(3, 30) });
    other.send('s', { type: 'participant.left', participant: alice });
    advance(otherClock, 3 * SECOND);
    expect(other.state('s')).toBe('timedOut');
  });

  test('restore checks every entry first: one bad entry, a repeated id or an id already held adds nothing', () => {
    const { fleet: source } = newFleet();
    joinedSession(source, 'a');
    joinedSession(source, 'b');
    const [a, b] = source.persist() as [[string, PersistedCallSession], [string, PersistedCallSession]];
    const { fleet, clock } = newFleet();
    fleet.add('held');
    const bad: [unknown, RegExp, ErrorConstructor][] = [
      [
        [a, ['b', { ...b[1], state: 'flying' }]],
        /entry 1 \("b"\): Not a persisted call session: unknown state/,
        TypeError,
      ],
      [[a, a], /entry 1: the session id "a" is already taken/, RangeError],
      [[a, ['held', b[1]]], /the session id "held" is already taken/, RangeError],
      [[a, ['', b[1]]], /entry 1: A fleet session id must be a non-empty string/, TypeError],
      [[a, 'b'], /entry 1 must be an \[id, session\] pair/, TypeError],
      [42, /iterable of \[id, session\] pairs/, TypeError],
    ];
    for (const [entries, message, type] of bad) {
      expect(() => fleet.restore(entries as never)).toThrow(message);
      expect(() => fleet.restore(entries as never)).toThrow(type);
    }
    expect([...fleet]).toEqual(['held']);
    expect(clock.pending).toBe(0);
    expect(fleet.restore(new Map([a, b]))).toBe(2);
    expect([...fleet]).toEqual(['held', 'a', 'b']);
  });

  test('a restored session whose warning had fired does not warn again; one whose warning time passed warns at once', () => {
    const { fleet: source, clock: saving } = newFleet({ settings: settingsOf(10, 30, 4) });
    joinedSession(source, 'warned');
    advance(saving, 7 * SECOND);
    joinedSession(source, 'late');
    expect(source.idleWarningActive('warned')).toBe(true);
    const stored = source.persist();
    const { fleet, clock } = newFleet();
    clock.set(saving.now() + 7 * SECOND);
    fleet.restore(stored);
    const log: string[] = [];
    fleet.addSessionStatusListener(statusLogger('L', log));
    expect(fleet.idleWarningActive('warned')).toBe(true);
    clock.increment(0);
    clock.increment(0);
    expect(log).toEqual(['L:onSessionTimedOut:warned', 'L:onIdleTimeoutWarning:late:3']);
  });
});
