// The fleet's API (src/fleet): sessions keyed by id on one chart, read and driven by
// id; what a session in a final state does (kept, or removed with removeOnEnd); dispose.
import { describe, expect, test } from 'vitest';
import { CallSessionFleet, createCallSessionFleet } from 'call-session-machine/fleet';
import { createCallSession } from '../../src/index.js';
import { alice, advance, bob, joinedSession, newFleet, SECOND, settingsOf, statusLogger } from './support.js';

describe('sessions keyed by id', () => {
  test('add, has, size, ids and iteration in the order added; remove', () => {
    const { fleet } = newFleet();
    expect(fleet).toBeInstanceOf(CallSessionFleet);
    expect(fleet.size).toBe(0);
    for (const id of ['b', 'a', 'c']) fleet.add(id);
    expect(fleet.size).toBe(3);
    expect(fleet.has('a')).toBe(true);
    expect(fleet.has('d')).toBe(false);
    expect([...fleet.ids()]).toEqual(['b', 'a', 'c']);
    expect([...fleet]).toEqual(['b', 'a', 'c']);
    expect(fleet.remove('a')).toBe(true);
    expect(fleet.remove('a')).toBe(false);
    expect([...fleet]).toEqual(['b', 'c']);
    // A removed id can be added again: a new session in idle.
    fleet.add('a');
    expect(fleet.state('a')).toBe('idle');
    expect([...fleet]).toEqual(['b', 'c', 'a']);
  });

  test('a new session is idle with nobody, no end reason, no deadline, no warning', () => {
    const { fleet } = newFleet();
    fleet.add('s');
    expect(fleet.state('s')).toBe('idle');
    expect(fleet.participants('s')).toEqual([]);
    expect(Object.isFrozen(fleet.participants('s'))).toBe(true);
    expect(fleet.endReason('s')).toBeNull();
    expect(fleet.deadlines('s')).toEqual({ idle: null, reconnect: null });
    expect(fleet.idleWarningActive('s')).toBe(false);
  });

  test('join, send, leave and extendIdleTimeout drive one session and leave the others alone', () => {
    const { fleet, clock } = newFleet();
    fleet.add('a');
    fleet.add('b');
    fleet.join('a');
    expect(fleet.state('a')).toBe('joining');
    expect(fleet.state('b')).toBe('idle');
    expect(fleet.getPersistedSnapshot('a').sessionId).toBe('a');
    fleet.join('b', 'standup');
    expect(fleet.getPersistedSnapshot('b').sessionId).toBe('standup');
    fleet.send('a', { type: 'session.joined', participants: [alice] });
    expect(fleet.state('a')).toBe('joined.accompanied');
    expect(fleet.participants('a')).toEqual([alice]);
    fleet.send('b', { type: 'session.joined' });
    expect(fleet.deadlines('b')).toEqual({ idle: 10 * SECOND, reconnect: null });
    advance(clock, 4 * SECOND);
    fleet.extendIdleTimeout('b');
    expect(fleet.deadlines('b')).toEqual({ idle: 14 * SECOND, reconnect: null });
    fleet.leave('a');
    expect(fleet.state('a')).toBe('left');
    expect(fleet.endReason('a')).toBe('user');
    expect(fleet.state('b')).toBe('joined.alone');
  });

  test('can(id, event) says whether that session would take the event', () => {
    const { fleet } = newFleet();
    joinedSession(fleet, 'a');
    fleet.add('b');
    expect(fleet.can('a', { type: 'connection.lost' })).toBe(true);
    expect(fleet.can('b', { type: 'connection.lost' })).toBe(false);
    expect(fleet.can('a', { type: 'idle.extend' })).toBe(true);
    expect(fleet.can('b', { type: 'session.join', sessionId: 'x' })).toBe(true);
  });

  test('deadlines are frozen and the same object until one of them changes', () => {
    const { fleet, clock } = newFleet();
    joinedSession(fleet, 's');
    const first = fleet.deadlines('s');
    expect(Object.isFrozen(first)).toBe(true);
    expect(fleet.deadlines('s')).toBe(first);
    // The same values again (a countdown restarted at the same instant): the same object.
    fleet.send('s', { type: 'participant.joined', participant: bob });
    expect(fleet.deadlines('s')).toEqual({ idle: null, reconnect: null });
    fleet.send('s', { type: 'participant.left', participant: bob });
    expect(fleet.deadlines('s')).toEqual(first);
    advance(clock, SECOND);
    fleet.extendIdleTimeout('s');
    expect(fleet.deadlines('s')).toEqual({ idle: 11 * SECOND, reconnect: null });
    expect(fleet.deadlines('s')).toBe(fleet.deadlines('s'));
  });

  test('participants: frozen, the same array until the list changes', () => {
    const { fleet } = newFleet();
    joinedSession(fleet, 's', [alice]);
    const list = fleet.participants('s');
    fleet.send('s', { type: 'connection.lost' });
    expect(fleet.participants('s')).toBe(list);
    fleet.send('s', { type: 'connection.restored', participants: [alice, bob] });
    expect(fleet.participants('s')).not.toBe(list);
    expect(fleet.participants('s')).toEqual([alice, bob]);
  });

  test('the idle warning: idleWarningActive from the warning until the countdown restarts', () => {
    const { fleet, clock } = newFleet({ settings: settingsOf(10, 30, 4) });
    joinedSession(fleet, 's');
    advance(clock, 6 * SECOND);
    expect(fleet.idleWarningActive('s')).toBe(true);
    fleet.extendIdleTimeout('s');
    expect(fleet.idleWarningActive('s')).toBe(false);
  });

  test('each session runs on its own settings, the fleet default when add is given none', () => {
    const { fleet, clock } = newFleet();
    fleet.add('short', { settings: settingsOf(2, 30) });
    fleet.add('default');
    for (const id of ['short', 'default']) {
      fleet.join(id);
      fleet.send(id, { type: 'session.joined' });
    }
    advance(clock, 2 * SECOND);
    expect(fleet.state('short')).toBe('timedOut');
    expect(fleet.state('default')).toBe('joined.alone');
    advance(clock, 8 * SECOND);
    expect(fleet.state('default')).toBe('timedOut');
    expect(fleet.getPersistedSnapshot('short').settings.idleTimeoutPeriod).toBe(2);
  });

  test('the default settings are a session’s: 300 s idle, 60 s reconnect bound', () => {
    const fleet = createCallSessionFleet({ clock: newFleet().clock });
    fleet.add('s');
    expect(fleet.getPersistedSnapshot('s').settings).toEqual(createCallSession().getPersistedSnapshot().settings);
    fleet.dispose();
  });
});

describe('sessions in a final state', () => {
  test('are kept by default, readable, and ignore every event', () => {
    const { fleet, clock } = newFleet();
    const log: string[] = [];
    fleet.addSessionStatusListener(statusLogger('A', log));
    joinedSession(fleet, 's');
    advance(clock, 10 * SECOND);
    expect(fleet.has('s')).toBe(true);
    expect(fleet.state('s')).toBe('timedOut');
    expect(fleet.endReason('s')).toBe('idleTimeout');
    fleet.send('s', { type: 'session.leave' });
    fleet.send('s', { type: 'connection.closed' });
    expect(fleet.can('s', { type: 'session.leave' })).toBe(false);
    expect(fleet.state('s')).toBe('timedOut');
    expect(log).toEqual(['A:onSessionJoined:s', 'A:onSessionTimedOut:s']);
    expect(fleet.remove('s')).toBe(true);
  });

  test('removeOnEnd: removed right after the terminal callbacks, inside which the session is still readable', () => {
    const { fleet, clock } = newFleet({ removeOnEnd: true });
    const seen: string[] = [];
    fleet.addSessionStatusListener({
      onSessionTimedOut: (id) => seen.push(`${id}:${fleet.state(id)}:${String(fleet.has(id))}`),
      onSessionLeft: (id) => seen.push(`${id}:${fleet.endReason(id)}`),
    });
    joinedSession(fleet, 'a');
    joinedSession(fleet, 'b');
    fleet.leave('b');
    expect(fleet.has('b')).toBe(false);
    advance(clock, 10 * SECOND);
    expect(seen).toEqual(['b:user', 'a:timedOut:true']);
    expect(fleet.size).toBe(0);
    expect(clock.pending).toBe(0);
    // Left while joining goes back to idle, which is not final: kept.
    fleet.add('c');
    fleet.join('c');
    fleet.leave('c');
    expect(fleet.state('c')).toBe('idle');
  });
});

describe('dispose', () => {
  test('cancels the timer, drops listeners, keeps sessions readable; send, add and restore are ignored', () => {
    const { fleet, clock } = newFleet();
    const log: string[] = [];
    fleet.addSessionStatusListener(statusLogger('A', log));
    joinedSession(fleet, 's');
    const saved = fleet.persist();
    expect(clock.pending).toBe(1);
    fleet.dispose();
    fleet.dispose();
    expect(clock.pending).toBe(0);
    advance(clock, 60 * SECOND);
    expect(fleet.state('s')).toBe('joined.alone');
    fleet.send('s', { type: 'session.leave' });
    fleet.send('s', 'not an event' as never);
    fleet.send('nobody', { type: 'session.leave' });
    expect(fleet.state('s')).toBe('joined.alone');
    expect(fleet.can('s', { type: 'session.leave' })).toBe(false);
    expect(log).toEqual(['A:onSessionJoined:s']);
    // What it held can be saved after dispose, deadlines and all.
    expect(fleet.persist()).toEqual(saved);
    fleet.add('t');
    expect(fleet.has('t')).toBe(false);
    expect(fleet.restore([['u', saved[0]![1]]])).toBe(0);
    expect(fleet.has('u')).toBe(false);
  });
});
