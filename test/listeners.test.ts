import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ParticipantEventListener, SessionStatusListener } from '../src/index.js';
import { alice, bob, newSession, participantLogger, statusLogger } from './support/listenerLogs.js';

// What a CallSession adds to the listener rules, which test/core/listenerRules.test.ts
// tests once against the core both runtimes share: its four public methods reach that
// core, a dispatch runs on the snapshots XState hands out, and what a listener throws
// never reaches XState (whose mailbox would not recover). Re-entrant calls, dispose and
// getInstance have their own files.

afterEach(() => {
  vi.restoreAllMocks();
});

test('the four listener methods: add (once), the unsubscribe it returns, and remove, for both kinds', () => {
  const { session } = newSession();
  const log: string[] = [];
  const status = statusLogger('A', log);
  const people = participantLogger('P', log);
  session.addSessionStatusListener(status);
  session.addSessionStatusListener(status);
  const off = session.addParticipantEventListener(people);
  session.join('s1');
  session.send({ type: 'session.joined', participants: [alice] });
  expect(log).toEqual(['A:onSessionJoined', 'P:onParticipantJoined:alice', 'P:onParticipantListChanged:1']);
  off();
  session.removeSessionStatusListener(status);
  session.send({ type: 'connection.lost' });
  expect(log).toHaveLength(3);
  const again = participantLogger('Q', log);
  session.addParticipantEventListener(again);
  session.removeParticipantEventListener(again);
  session.send({ type: 'connection.restored', participants: [alice, bob] });
  expect(log).toHaveLength(3);
});

describe('changes during a dispatch', () => {
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
