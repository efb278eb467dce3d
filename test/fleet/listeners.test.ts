// What a fleet adds to the listener rules (tested once against the core both runtimes
// share, test/core/listenerRules.test.ts): the session id first, the same callbacks in
// the same order as a CallSession, a throw that leaves the session going on, and events
// sent from inside a callback queued until the dispatch ends.
import { describe, expect, test } from 'vitest';
import type { FleetStatusListener } from 'call-session-machine/fleet';
import { createCallSession } from '../../src/index.js';
import {
  alice,
  advance,
  bob,
  joinedSession,
  newFleet,
  participantLogger,
  SECOND,
  settingsOf,
  statusLogger,
} from './support.js';
import {
  participantLogger as sessionParticipantLogger,
  statusLogger as sessionStatusLogger,
} from '../support/listenerLogs.js';

describe('callbacks', () => {
  test('the same callbacks in the same order as a CallSession, with the session id first', () => {
    const { fleet, clock } = newFleet();
    const session = createCallSession({ settings: settingsOf(10, 30), clock: clock.inner });
    const fleetLog: string[] = [];
    const sessionLog: string[] = [];
    fleet.addSessionStatusListener(statusLogger('S', fleetLog));
    fleet.addParticipantEventListener(participantLogger('P', fleetLog));
    session.addSessionStatusListener(sessionStatusLogger('S', sessionLog));
    session.addParticipantEventListener(sessionParticipantLogger('P', sessionLog));
    fleet.add('room');
    const events = [
      { type: 'session.join', sessionId: 'room' },
      { type: 'session.joined', participants: [alice, bob, { uid: 'me', isLocal: true }] },
      { type: 'participant.left', participant: alice },
      { type: 'connection.lost' },
      { type: 'connection.restored', participants: [alice] },
      { type: 'participant.joined', participant: { uid: 'alice', name: 'Alice B.' } },
      { type: 'participant.left', participant: alice },
    ] as const;
    for (const event of events) {
      fleet.send('room', event);
      session.send(event);
    }
    advance(clock, 10 * SECOND);
    expect(fleet.state('room')).toBe(session.state);
    // The fleet's entries are the session's with ':room' after the callback name.
    const withoutId = fleetLog.map((entry) => entry.replace(/:room(:|$)/, '$1'));
    expect(withoutId).toEqual(sessionLog);
    expect(fleetLog).toContain('P:onParticipantJoined:room:alice');
    expect(fleetLog.at(-1)).toBe('S:onSessionTimedOut:room');
  });

  test('onIdleTimeoutWarning(id, secondsLeft); inside every callback the fleet already reads the new state', () => {
    const { fleet, clock } = newFleet({ settings: settingsOf(10, 30, 3) });
    const seen: string[] = [];
    fleet.addSessionStatusListener({
      onSessionJoined: (id) => seen.push(`joined ${id} ${fleet.state(id)}`),
      onIdleTimeoutWarning: (id, secondsLeft) =>
        seen.push(`warning ${id} ${secondsLeft} ${fleet.idleWarningActive(id)}`),
      onSessionTimedOut: (id) => seen.push(`timedOut ${id} ${fleet.state(id)} ${fleet.endReason(id)}`),
    });
    fleet.addParticipantEventListener({
      onParticipantListChanged: (id, list) => seen.push(`list ${id} ${list === fleet.participants(id)}`),
    });
    joinedSession(fleet, 'r');
    fleet.send('r', { type: 'participant.joined', participant: alice });
    fleet.send('r', { type: 'participant.left', participant: alice });
    advance(clock, 10 * SECOND);
    expect(seen).toEqual([
      'joined r joined.alone',
      'list r true',
      'list r true',
      'warning r 3 true',
      'timedOut r timedOut idleTimeout',
    ]);
  });

  test('the local participant never counts; an update fires only the list change', () => {
    const { fleet } = newFleet();
    const log: string[] = [];
    fleet.addParticipantEventListener(participantLogger('P', log));
    joinedSession(fleet, 'r', [{ uid: 'me', isLocal: true } as never]);
    expect(fleet.state('r')).toBe('joined.alone');
    fleet.send('r', { type: 'participant.joined', participant: alice });
    fleet.send('r', { type: 'participant.joined', participant: { ...alice, name: 'A' } as never });
    expect(log).toEqual([
      'P:onParticipantJoined:r:alice',
      'P:onParticipantListChanged:r:1',
      'P:onParticipantListChanged:r:1',
    ]);
  });
});

describe('registration and dispatch', () => {
  test('one that throws is reported to onListenerError; the others still run and the session goes on', () => {
    const errors: unknown[] = [];
    const { fleet } = newFleet({ onListenerError: (error) => errors.push(error) });
    const log: string[] = [];
    const boom = new Error('boom');
    fleet.addSessionStatusListener({
      onSessionJoined: () => {
        throw boom;
      },
    });
    fleet.addSessionStatusListener({
      get onConnectionLost(): () => void {
        throw new Error('getter');
      },
    });
    fleet.addSessionStatusListener(statusLogger('B', log));
    joinedSession(fleet, 's');
    fleet.send('s', { type: 'connection.lost' });
    expect(log).toEqual(['B:onSessionJoined:s', 'B:onConnectionLost:s']);
    expect(errors).toEqual([boom, new Error('getter')]);
    expect(fleet.state('s')).toBe('reconnecting');
  });
});

describe('calls from inside a callback', () => {
  test('a send is handled after the dispatch ends, for the same session or another, in the order sent', () => {
    const { fleet } = newFleet();
    const log: string[] = [];
    fleet.addSessionStatusListener({
      onSessionJoined: (id) => {
        if (id === 'a') {
          fleet.leave('a');
          fleet.send('b', { type: 'connection.lost' });
          log.push(`inside: a ${fleet.state('a')}, b ${fleet.state('b')}`);
        }
      },
    });
    fleet.addSessionStatusListener(statusLogger('L', log));
    joinedSession(fleet, 'b');
    joinedSession(fleet, 'a');
    expect(log).toEqual([
      'L:onSessionJoined:b',
      'inside: a joined.alone, b joined.alone',
      'L:onSessionJoined:a',
      'L:onSessionLeft:a',
      'L:onConnectionLost:b',
    ]);
  });

  test('bad input from inside a callback throws there, at once, and queues nothing', () => {
    const { fleet } = newFleet();
    const thrown: unknown[] = [];
    fleet.addSessionStatusListener({
      onSessionJoined: () => {
        for (const call of [
          () => fleet.send('nobody', { type: 'session.leave' }),
          () => fleet.send('s', {} as never),
        ]) {
          try {
            call();
          } catch (error) {
            thrown.push(error);
          }
        }
      },
    });
    joinedSession(fleet, 's');
    expect(thrown.map((error) => (error as Error).name)).toEqual(['RangeError', 'TypeError']);
    expect(fleet.state('s')).toBe('joined.alone');
  });

  test('remove(id) stops that session’s dispatch and drops its queued events; others go on', () => {
    const { fleet } = newFleet();
    const log: string[] = [];
    fleet.addSessionStatusListener({
      onConnectionLost: (id) => {
        fleet.send(id, { type: 'connection.restored' });
        fleet.remove(id);
      },
    });
    fleet.addSessionStatusListener(statusLogger('L', log));
    joinedSession(fleet, 'a');
    joinedSession(fleet, 'b');
    log.length = 0;
    fleet.send('a', { type: 'connection.lost' });
    expect(log).toEqual([]);
    expect(fleet.has('a')).toBe(false);
    // The id added again is a new session: the queued restore was not for it.
    fleet.add('a');
    expect(fleet.state('a')).toBe('idle');
    fleet.send('b', { type: 'session.leave' });
    expect(log).toEqual(['L:onSessionLeft:b']);
  });

  test('dispose() from a callback: no further callback, not even the rest of the dispatch', () => {
    const { fleet, clock } = newFleet();
    const log: string[] = [];
    const listener: FleetStatusListener = {
      onSessionJoined: () => {
        fleet.send('s', { type: 'session.leave' });
        fleet.dispose();
      },
    };
    fleet.addSessionStatusListener(listener);
    fleet.addSessionStatusListener(statusLogger('L', log));
    joinedSession(fleet, 's');
    advance(clock, 20 * SECOND);
    expect(log).toEqual([]);
    expect(fleet.state('s')).toBe('joined.alone');
    expect(clock.pending).toBe(0);
  });

  test('a clock moved from inside a callback: the timers that came due fire once the dispatch ends', () => {
    const { fleet, clock } = newFleet();
    const log: string[] = [];
    joinedSession(fleet, 'a');
    fleet.add('b');
    fleet.join('b');
    fleet.addSessionStatusListener({ onSessionJoined: () => clock.increment(10 * SECOND) });
    fleet.addSessionStatusListener(statusLogger('L', log));
    fleet.send('b', { type: 'session.joined' });
    // Both countdowns started at 0: both are due at 10 s, a's set first.
    expect(log).toEqual(['L:onSessionJoined:b', 'L:onSessionTimedOut:a', 'L:onSessionTimedOut:b']);
  });
});
