import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ParticipantEventListener, SessionStatusListener } from '../src/index.js';
import { alice, bob, newSession, participantLogger, statusLogger } from './support/listenerLogs.js';

// Listener registries (SPEC §3 "Listener rules"): registration, order, removal,
// changes during a dispatch, throwing listeners. Re-entrant calls, dispose and
// getInstance have their own files.

afterEach(() => {
  vi.restoreAllMocks();
});

describe('registration', () => {
  test('a status listener added twice is registered once', () => {
    const { session } = newSession();
    const log: string[] = [];
    const listener = statusLogger('A', log);
    session.addSessionStatusListener(listener);
    session.addSessionStatusListener(listener);
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['A:onSessionJoined', 'A:onConnectionLost']);
  });

  test('a participant listener added twice is registered once', () => {
    const { session } = newSession();
    const log: string[] = [];
    const listener = participantLogger('P', log);
    session.addParticipantEventListener(listener);
    session.addParticipantEventListener(listener);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual(['P:onParticipantJoined:alice', 'P:onParticipantListChanged:1']);
  });

  test('added twice, removed once: gone', () => {
    const { session } = newSession();
    const log: string[] = [];
    const listener = statusLogger('A', log);
    session.addSessionStatusListener(listener);
    session.addSessionStatusListener(listener);
    session.removeSessionStatusListener(listener);
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual([]);
  });

  test('listeners are called in the order they were added', () => {
    const { session } = newSession();
    const log: string[] = [];
    for (const name of ['C', 'A', 'B']) session.addSessionStatusListener(statusLogger(name, log));
    for (const name of ['Q', 'P']) session.addParticipantEventListener(participantLogger(name, log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual([
      'C:onSessionJoined',
      'A:onSessionJoined',
      'B:onSessionJoined',
      'Q:onParticipantJoined:alice',
      'P:onParticipantJoined:alice',
      'Q:onParticipantListChanged:1',
      'P:onParticipantListChanged:1',
    ]);
  });

  test('a re-added listener goes to the end of the order', () => {
    const { session } = newSession();
    const log: string[] = [];
    const a = statusLogger('A', log);
    session.addSessionStatusListener(a);
    session.addSessionStatusListener(statusLogger('B', log));
    session.removeSessionStatusListener(a);
    session.addSessionStatusListener(a);
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual(['B:onSessionJoined', 'A:onSessionJoined']);
  });

  test('a listener with only some callbacks is fine', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({ onConnectionLost: () => log.push('lost') });
    session.addParticipantEventListener({ onParticipantLeft: (p) => log.push(`left:${p.uid}`) });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    session.send({ type: 'participant.left', participant: alice });
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['left:alice', 'lost']);
  });
});

describe('removal', () => {
  test('removeSessionStatusListener removes that listener only', () => {
    const { session } = newSession();
    const log: string[] = [];
    const a = statusLogger('A', log);
    session.addSessionStatusListener(a);
    session.addSessionStatusListener(statusLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.removeSessionStatusListener(a);
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['A:onSessionJoined', 'B:onSessionJoined', 'B:onConnectionLost']);
  });

  test('the unsubscribe returned by addSessionStatusListener removes it, and is harmless twice', () => {
    const { session } = newSession();
    const log: string[] = [];
    const unsubscribe = session.addSessionStatusListener(statusLogger('A', log));
    session.addSessionStatusListener(statusLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    unsubscribe();
    unsubscribe();
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['A:onSessionJoined', 'B:onSessionJoined', 'B:onConnectionLost']);
  });

  test('removeParticipantEventListener removes that listener only', () => {
    const { session } = newSession();
    const log: string[] = [];
    const p = participantLogger('P', log);
    session.addParticipantEventListener(p);
    session.addParticipantEventListener(participantLogger('Q', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.removeParticipantEventListener(p);
    session.send({ type: 'participant.joined', participant: alice });
    expect(log).toEqual(['Q:onParticipantJoined:alice', 'Q:onParticipantListChanged:1']);
  });

  test('the unsubscribe returned by addParticipantEventListener removes it', () => {
    const { session } = newSession();
    const log: string[] = [];
    const unsubscribe = session.addParticipantEventListener(participantLogger('P', log));
    session.addParticipantEventListener(participantLogger('Q', log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    unsubscribe();
    session.send({ type: 'participant.left', participant: alice });
    expect(log).toEqual([
      'P:onParticipantJoined:alice',
      'Q:onParticipantJoined:alice',
      'P:onParticipantListChanged:1',
      'Q:onParticipantListChanged:1',
      'Q:onParticipantLeft:alice',
      'Q:onParticipantListChanged:0',
    ]);
  });

  test('removing a listener that was never added does nothing', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener(statusLogger('A', log));
    session.removeSessionStatusListener(statusLogger('stranger', log));
    session.removeParticipantEventListener(participantLogger('stranger', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual(['A:onSessionJoined']);
  });
});

describe('changes during a dispatch', () => {
  test('a status listener removed by an earlier one in the same dispatch is not called', () => {
    const { session } = newSession();
    const log: string[] = [];
    const b = statusLogger('B', log);
    session.addSessionStatusListener({
      onSessionJoined: () => {
        log.push('A:onSessionJoined');
        session.removeSessionStatusListener(b);
      },
    });
    session.addSessionStatusListener(b);
    session.addSessionStatusListener(statusLogger('C', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['A:onSessionJoined', 'C:onSessionJoined', 'C:onConnectionLost']);
  });

  test('a participant listener removed in onParticipantJoined is not called later in that dispatch', () => {
    const { session } = newSession();
    const log: string[] = [];
    const b = participantLogger('B', log);
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        log.push(`A:onParticipantJoined:${p.uid}`);
        session.removeParticipantEventListener(b);
      },
      onParticipantListChanged: (list) => log.push(`A:onParticipantListChanged:${list.length}`),
    });
    session.addParticipantEventListener(b);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice, bob] });
    expect(log).toEqual(['A:onParticipantJoined:alice', 'A:onParticipantJoined:bob', 'A:onParticipantListChanged:2']);
  });

  test('a later participant listener removed via its unsubscribe in the middle of a dispatch', () => {
    const { session } = newSession();
    const log: string[] = [];
    let unsubscribeB = (): void => undefined;
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        log.push(`A:onParticipantJoined:${p.uid}`);
        // B has had alice; it must not get bob nor the list change.
        if (p.uid === 'bob') unsubscribeB();
      },
    });
    unsubscribeB = session.addParticipantEventListener(participantLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice, bob] });
    expect(log).toEqual(['A:onParticipantJoined:alice', 'B:onParticipantJoined:alice', 'A:onParticipantJoined:bob']);
  });

  test('a participant listener removed from a status callback gets no participant callback for that event', () => {
    const { session } = newSession();
    const log: string[] = [];
    const p = participantLogger('P', log);
    session.addSessionStatusListener({ onSessionJoined: () => session.removeParticipantEventListener(p) });
    session.addParticipantEventListener(p);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual([]);
  });

  test('a listener that removes itself is not called again in that dispatch', () => {
    const { session } = newSession();
    const log: string[] = [];
    const self: ParticipantEventListener = {
      onParticipantJoined: (p) => {
        log.push(`self:onParticipantJoined:${p.uid}`);
        session.removeParticipantEventListener(self);
      },
      onParticipantListChanged: () => log.push('self:onParticipantListChanged'),
    };
    session.addParticipantEventListener(self);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice, bob] });
    expect(log).toEqual(['self:onParticipantJoined:alice']);
  });

  test('a listener removed and added back during a dispatch waits for the next event', () => {
    const { session } = newSession();
    const log: string[] = [];
    const b = participantLogger('B', log);
    let toggled = false;
    session.addParticipantEventListener({
      onParticipantJoined: () => {
        if (toggled) return;
        toggled = true;
        session.removeParticipantEventListener(b);
        session.addParticipantEventListener(b);
      },
    });
    session.addParticipantEventListener(b);
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual([]);
    session.send({ type: 'participant.joined', participant: bob });
    expect(log).toEqual(['B:onParticipantJoined:bob', 'B:onParticipantListChanged:2']);
  });

  test('a status listener added during a dispatch is first called for the next event', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        log.push('A:onSessionJoined');
        session.addSessionStatusListener(statusLogger('late', log));
      },
    });
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual(['A:onSessionJoined']);
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['A:onSessionJoined', 'late:onConnectionLost']);
  });

  test('a participant listener added during a dispatch is first called for the next event', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        log.push(`A:onParticipantJoined:${p.uid}`);
        session.addParticipantEventListener(participantLogger('late', log));
      },
    });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual(['A:onParticipantJoined:alice']);
    session.send({ type: 'participant.left', participant: alice });
    expect(log).toEqual([
      'A:onParticipantJoined:alice',
      'late:onParticipantLeft:alice',
      'late:onParticipantListChanged:0',
    ]);
  });

  test('a participant listener added from onSessionJoined gets nothing for the initial list', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => session.addParticipantEventListener(participantLogger('late', log)),
    });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual([]);
    session.send({ type: 'participant.joined', participant: bob });
    expect(log).toEqual(['late:onParticipantJoined:bob', 'late:onParticipantListChanged:2']);
  });
});

describe('a throwing listener is isolated', () => {
  test('the others still run, the exact error goes to onListenerError, and the state moves on', () => {
    const errors: unknown[] = [];
    const { session } = newSession({ onListenerError: (error) => errors.push(error) });
    const log: string[] = [];
    const boom = new Error('boom');
    session.addSessionStatusListener(statusLogger('before', log));
    session.addSessionStatusListener({
      onSessionJoined: () => {
        throw boom;
      },
    });
    session.addSessionStatusListener(statusLogger('after', log));
    session.join('s1');
    expect(() => session.send({ type: 'session.joined' })).not.toThrow();
    expect(session.state).toBe('joined.alone');
    expect(log).toEqual(['before:onSessionJoined', 'after:onSessionJoined']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(boom);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
    expect(log).toEqual([
      'before:onSessionJoined',
      'after:onSessionJoined',
      'before:onConnectionLost',
      'after:onConnectionLost',
    ]);
  });

  test('a callback that is a throwing getter is isolated like a throwing call', () => {
    const errors: unknown[] = [];
    const { session } = newSession({ onListenerError: (error) => errors.push(error) });
    const log: string[] = [];
    const trap = new Error('getter trap');
    session.addSessionStatusListener(statusLogger('before', log));
    session.addSessionStatusListener({
      get onSessionJoined(): () => void {
        throw trap;
      },
    });
    session.addSessionStatusListener(statusLogger('after', log));
    session.join('s1');
    expect(() => session.send({ type: 'session.joined' })).not.toThrow();
    expect(log).toEqual(['before:onSessionJoined', 'after:onSessionJoined']);
    expect(errors).toEqual([trap]);
  });

  test('a Proxy listener whose get trap throws is isolated, for status and participant callbacks', async () => {
    const errors: unknown[] = [];
    const { session } = newSession({ onListenerError: (error) => errors.push(error) });
    const log: string[] = [];
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy trap');
        },
      },
    );
    session.addSessionStatusListener(hostile as SessionStatusListener);
    session.addParticipantEventListener(hostile as ParticipantEventListener);
    session.addSessionStatusListener(statusLogger('status', log));
    session.addParticipantEventListener(participantLogger('people', log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    expect(log).toEqual([
      'status:onSessionJoined',
      'people:onParticipantJoined:alice',
      'people:onParticipantListChanged:1',
    ]);
    expect(errors).toHaveLength(3);
    expect(errors.every((error) => (error as Error).message === 'proxy trap')).toBe(true);
    // Nothing is rethrown on a later tick (which would end a Node process).
    const unhandled: unknown[] = [];
    const onError = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', onError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('uncaughtException', onError);
    expect(unhandled).toEqual([]);
  });

  test('a throwing participant listener: others run, the list change still comes, each error reported', () => {
    const errors: unknown[] = [];
    const { session } = newSession({ onListenerError: (error) => errors.push(error) });
    const log: string[] = [];
    const thrown = { not: 'an Error' };
    session.addParticipantEventListener({
      onParticipantJoined: () => {
        throw thrown;
      },
      onParticipantListChanged: () => {
        throw 'a string';
      },
    });
    session.addParticipantEventListener(participantLogger('P', log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice, bob] });
    expect(session.state).toBe('joined.accompanied');
    expect(session.participants.map((p) => p.uid)).toEqual(['alice', 'bob']);
    expect(log).toEqual(['P:onParticipantJoined:alice', 'P:onParticipantJoined:bob', 'P:onParticipantListChanged:2']);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe(thrown);
    expect(errors[1]).toBe(thrown);
    expect(errors[2]).toBe('a string');
  });

  test('a throw in the terminal callback still ends the session, once', () => {
    const errors: unknown[] = [];
    const { session } = newSession({ onListenerError: (error) => errors.push(error) });
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionLeft: () => {
        throw new Error('left');
      },
    });
    session.addSessionStatusListener(statusLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.leave();
    session.leave();
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
    expect(log).toEqual(['B:onSessionJoined', 'B:onSessionLeft']);
    expect(errors).toHaveLength(1);
  });

  test('by default the error goes to console.error', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { session } = newSession();
    const log: string[] = [];
    const boom = new Error('boom');
    session.addSessionStatusListener({
      onSessionJoined: () => {
        throw boom;
      },
    });
    session.addSessionStatusListener(statusLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual(['B:onSessionJoined']);
    expect(session.state).toBe('joined.alone');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]).toContain(boom);
  });

  test('an onListenerError that throws does not stop the dispatch nor escape send()', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { session } = newSession({
      onListenerError: () => {
        throw new Error('reporter broke');
      },
    });
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        throw new Error('boom');
      },
    });
    session.addSessionStatusListener(statusLogger('B', log));
    session.join('s1');
    expect(() => session.send({ type: 'session.joined' })).not.toThrow();
    expect(log).toEqual(['B:onSessionJoined']);
    expect(session.state).toBe('joined.alone');
  });
});
