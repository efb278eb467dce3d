// SPEC §3 listener registries, with the AbortSignal option of the brief's addendum:
// `add*Listener(listener, { signal })` removes the listener when the signal aborts, and
// an already aborted signal never adds it. Both registries are driven the same way.
import { getEventListeners } from 'node:events';
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type ListenerOptions,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../src/index.js';

/** Values typed loosely on purpose: the point is to pass what the types forbid. */
const loose = <T>(value: unknown): T => value as T;

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
  vi.restoreAllMocks();
});

function newSession(errors: unknown[] = []): CallSession {
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(10).setReconnectTimeoutPeriod(30).build();
  const session = createCallSession({ settings, clock: new SimulatedClock(), onListenerError: (e) => errors.push(e) });
  sessions.push(session);
  return session;
}

/** How many abort handlers a signal holds. */
const abortHandlers = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

type AnyListener = SessionStatusListener | ParticipantEventListener;

/**
 * One of the two registries, with a probe: `fire` sends one event that calls one
 * callback of each listener `listener` made (status: connection lost / restored in
 * turn; participants: a new participant each time).
 */
interface Registry {
  readonly name: string;
  listener(tag: string, log: string[], during?: () => void): AnyListener;
  add(session: CallSession, listener: AnyListener, options?: ListenerOptions): () => void;
  remove(session: CallSession, listener: AnyListener): void;
  fire(session: CallSession): void;
}

const statusRegistry: Registry = {
  name: 'session status listeners',
  listener: (tag, log, during) => ({
    onConnectionLost: () => {
      log.push(tag);
      during?.();
    },
    onConnectionRestored: () => {
      log.push(tag);
      during?.();
    },
  }),
  add: (session, listener, options) => session.addSessionStatusListener(listener as SessionStatusListener, options),
  remove: (session, listener) => session.removeSessionStatusListener(listener as SessionStatusListener),
  fire: (session) => {
    if (session.state === 'idle') {
      session.join('s1');
      session.send({ type: 'session.joined' });
    }
    session.send({ type: session.state === 'reconnecting' ? 'connection.restored' : 'connection.lost' });
  },
};

let arrivals = 0;
const participantRegistry: Registry = {
  name: 'participant event listeners',
  listener: (tag, log, during) => ({
    onParticipantJoined: () => {
      log.push(tag);
      during?.();
    },
  }),
  add: (session, listener, options) =>
    session.addParticipantEventListener(listener as ParticipantEventListener, options),
  remove: (session, listener) => session.removeParticipantEventListener(listener as ParticipantEventListener),
  fire: (session) => {
    if (session.state === 'idle') {
      session.join('s1');
      session.send({ type: 'session.joined' });
    }
    session.send({ type: 'participant.joined', participant: { uid: `u${++arrivals}` } });
  },
};

describe.each([statusRegistry, participantRegistry])('$name', (registry) => {
  test('aborting the signal removes the listener: no more calls', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    registry.add(session, registry.listener('A', log), { signal: controller.signal });
    registry.add(session, registry.listener('B', log));
    registry.fire(session);
    expect(log).toEqual(['A', 'B']);
    controller.abort();
    registry.fire(session);
    registry.fire(session);
    expect(log).toEqual(['A', 'B', 'B', 'B']);
    expect(abortHandlers(controller.signal)).toBe(0);
  });

  test('a listener removed by abort can be added back, and is then called', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    const a = registry.listener('A', log);
    registry.add(session, a, { signal: controller.signal });
    controller.abort();
    registry.fire(session);
    expect(log).toEqual([]);
    registry.add(session, a);
    registry.fire(session);
    expect(log).toEqual(['A']);
  });

  test('an already aborted signal never adds the listener; its unsubscribe is harmless', () => {
    const session = newSession();
    const log: string[] = [];
    const signal = AbortSignal.abort();
    const unsubscribe = registry.add(session, registry.listener('A', log), { signal });
    registry.add(session, registry.listener('B', log));
    expect(typeof unsubscribe).toBe('function');
    expect(abortHandlers(signal)).toBe(0);
    registry.fire(session);
    expect(log).toEqual(['B']);
    expect(() => unsubscribe()).not.toThrow();
    expect(() => unsubscribe()).not.toThrow();
    registry.fire(session);
    expect(log).toEqual(['B', 'B']);
  });

  test('an already aborted signal leaves an earlier registration of the same listener in place', () => {
    const session = newSession();
    const log: string[] = [];
    const a = registry.listener('A', log);
    registry.add(session, a);
    registry.add(session, a, { signal: AbortSignal.abort() });
    registry.fire(session);
    expect(log).toEqual(['A']);
  });

  test('aborting during a dispatch: a later listener is not called in that dispatch, nor after', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    registry.add(
      session,
      registry.listener('A', log, () => controller.abort()),
    );
    registry.add(session, registry.listener('B', log), { signal: controller.signal });
    registry.add(session, registry.listener('C', log));
    registry.fire(session);
    expect(log).toEqual(['A', 'C']);
    registry.fire(session);
    expect(log).toEqual(['A', 'C', 'A', 'C']);
  });

  test('a listener aborting its own signal is not called again', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    registry.add(
      session,
      registry.listener('A', log, () => controller.abort()),
      { signal: controller.signal },
    );
    registry.add(session, registry.listener('B', log));
    registry.fire(session);
    registry.fire(session);
    expect(log).toEqual(['A', 'B', 'B']);
  });

  test('removed by object first, then aborted: harmless, and no abort handler is left on the signal', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const a = registry.listener('A', log);
    registry.add(session, a, { signal: controller.signal });
    expect(abortHandlers(controller.signal)).toBe(1);
    registry.remove(session, a);
    expect(abortHandlers(controller.signal)).toBe(0);
    // The very handler that was added is the one taken off.
    expect(added).toHaveBeenCalledTimes(1);
    expect(removed).toHaveBeenCalledTimes(1);
    expect(removed.mock.calls[0]?.[0]).toBe('abort');
    expect(removed.mock.calls[0]?.[1]).toBe(added.mock.calls[0]?.[1]);
    expect(() => controller.abort()).not.toThrow();
    registry.fire(session);
    expect(log).toEqual([]);
  });

  test('removed by its unsubscribe first, then aborted: harmless, and no abort handler is left', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    const unsubscribe = registry.add(session, registry.listener('A', log), { signal: controller.signal });
    registry.add(session, registry.listener('B', log));
    unsubscribe();
    expect(abortHandlers(controller.signal)).toBe(0);
    controller.abort();
    unsubscribe();
    registry.fire(session);
    expect(log).toEqual(['B']);
  });

  test('removed, added back without a signal, then the old signal aborts: it stays', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    const a = registry.listener('A', log);
    registry.add(session, a, { signal: controller.signal });
    registry.remove(session, a);
    registry.add(session, a);
    controller.abort();
    registry.fire(session);
    expect(log).toEqual(['A']);
  });

  test('removed, added back with a new signal: only the new signal removes it', () => {
    const session = newSession();
    const log: string[] = [];
    const first = new AbortController();
    const second = new AbortController();
    const a = registry.listener('A', log);
    registry.add(session, a, { signal: first.signal });
    registry.remove(session, a);
    registry.add(session, a, { signal: second.signal });
    expect(abortHandlers(first.signal)).toBe(0);
    expect(abortHandlers(second.signal)).toBe(1);
    first.abort();
    registry.fire(session);
    expect(log).toEqual(['A']);
    second.abort();
    registry.fire(session);
    expect(log).toEqual(['A']);
  });

  test('dispose() detaches every abort handler; aborting afterwards is harmless', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    const other = new AbortController();
    registry.add(session, registry.listener('A', log), { signal: controller.signal });
    registry.add(session, registry.listener('B', log), { signal: controller.signal });
    registry.add(session, registry.listener('C', log), { signal: other.signal });
    expect(abortHandlers(controller.signal)).toBe(2);
    expect(abortHandlers(other.signal)).toBe(1);
    session.dispose();
    expect(abortHandlers(controller.signal)).toBe(0);
    expect(abortHandlers(other.signal)).toBe(0);
    expect(() => controller.abort()).not.toThrow();
    expect(() => other.abort()).not.toThrow();
    registry.fire(session);
    expect(log).toEqual([]);
  });

  test('one signal for several listeners removes all of them, and only them', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    registry.add(session, registry.listener('A', log), { signal: controller.signal });
    registry.add(session, registry.listener('B', log));
    registry.add(session, registry.listener('C', log), { signal: controller.signal });
    expect(abortHandlers(controller.signal)).toBe(2);
    registry.fire(session);
    expect(log).toEqual(['A', 'B', 'C']);
    controller.abort();
    expect(abortHandlers(controller.signal)).toBe(0);
    registry.fire(session);
    expect(log).toEqual(['A', 'B', 'C', 'B']);
  });

  const notSignals: [string, unknown][] = [
    ['an empty object', {}],
    ['a string', 'x'],
    ['a number', 42],
    ['null', null],
    ['true', true],
    ['an AbortController (not its signal)', new AbortController()],
    ['an EventTarget without aborted', new EventTarget()],
    ['an object with aborted only', { aborted: false }],
  ];
  test.each(notSignals)('a signal that is %s is a TypeError and adds nothing', (_label, signal) => {
    const session = newSession();
    const log: string[] = [];
    const a = registry.listener('A', log);
    expect(() => registry.add(session, a, loose<ListenerOptions>({ signal }))).toThrow(TypeError);
    registry.fire(session);
    expect(log).toEqual([]);
  });

  test.each([
    ['a string', 'x'],
    ['a number', 42],
    ['true', true],
    ['null', null],
  ])('options that are %s are a TypeError and add nothing', (_label, options) => {
    const session = newSession();
    const log: string[] = [];
    expect(() => registry.add(session, registry.listener('A', log), loose<ListenerOptions>(options))).toThrow(
      TypeError,
    );
    registry.fire(session);
    expect(log).toEqual([]);
  });

  test('a bad option for a listener already added throws and leaves it registered', () => {
    const session = newSession();
    const log: string[] = [];
    const a = registry.listener('A', log);
    registry.add(session, a);
    expect(() => registry.add(session, a, loose<ListenerOptions>({ signal: {} }))).toThrow(TypeError);
    expect(() => registry.add(session, a, loose<ListenerOptions>('x'))).toThrow(TypeError);
    registry.fire(session);
    expect(log).toEqual(['A']);
  });

  test('a bad listener with a good signal is a TypeError and leaves no abort handler', () => {
    const session = newSession();
    const controller = new AbortController();
    expect(() => registry.add(session, loose<AnyListener>(null), { signal: controller.signal })).toThrow(TypeError);
    expect(() => registry.add(session, loose<AnyListener>('x'), { signal: controller.signal })).toThrow(TypeError);
    expect(abortHandlers(controller.signal)).toBe(0);
  });

  test('{} and { signal: undefined } are no signal: the listener stays until removed', () => {
    const session = newSession();
    const log: string[] = [];
    registry.add(session, registry.listener('A', log), {});
    registry.add(session, registry.listener('B', log), { signal: undefined });
    registry.fire(session);
    expect(log).toEqual(['A', 'B']);
  });
});

describe('across the two registries', () => {
  test('one signal for status and participant listeners: abort removes both', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    session.addSessionStatusListener({ onConnectionLost: () => log.push('status') }, { signal: controller.signal });
    session.addParticipantEventListener(
      { onParticipantJoined: (p) => log.push(`joined:${p.uid}`) },
      { signal: controller.signal },
    );
    session.join('s1');
    session.send({ type: 'session.joined', participants: [{ uid: 'a' }] });
    expect(abortHandlers(controller.signal)).toBe(2);
    controller.abort();
    expect(abortHandlers(controller.signal)).toBe(0);
    session.send({ type: 'participant.joined', participant: { uid: 'b' } });
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['joined:a']);
  });

  test('aborted from a status callback: a participant listener gets nothing for that event', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    session.addSessionStatusListener({ onSessionJoined: () => controller.abort() });
    session.addParticipantEventListener(
      {
        onParticipantJoined: (p) => log.push(`joined:${p.uid}`),
        onParticipantListChanged: () => log.push('changed'),
      },
      { signal: controller.signal },
    );
    session.join('s1');
    session.send({ type: 'session.joined', participants: [{ uid: 'a' }] });
    expect(session.state).toBe('joined.accompanied');
    expect(log).toEqual([]);
  });

  test('aborted in onParticipantJoined: that listener gets no later callback in the same dispatch', () => {
    const session = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    session.addParticipantEventListener(
      {
        onParticipantJoined: (p) => {
          log.push(`joined:${p.uid}`);
          controller.abort();
        },
        onParticipantListChanged: () => log.push('changed'),
      },
      { signal: controller.signal },
    );
    session.join('s1');
    session.send({ type: 'session.joined', participants: [{ uid: 'a' }, { uid: 'b' }] });
    expect(log).toEqual(['joined:a']);
    expect(session.participants.map((p) => p.uid)).toEqual(['a', 'b']);
  });

  test('aborting a signal from inside a callback does not disturb the session', () => {
    const errors: unknown[] = [];
    const session = newSession(errors);
    const controller = new AbortController();
    const log: string[] = [];
    session.addSessionStatusListener(
      {
        onSessionJoined: () => {
          controller.abort();
          log.push('joined');
        },
      },
      { signal: controller.signal },
    );
    session.addSessionStatusListener({
      onSessionJoined: () => log.push('other'),
      onConnectionLost: () => log.push('lost'),
    });
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    expect(log).toEqual(['joined', 'other', 'lost']);
    expect(errors).toEqual([]);
    expect(session.state).toBe('reconnecting');
  });

  test('one signal shared by two sessions removes the listener from both', () => {
    const first = newSession();
    const second = newSession();
    const log: string[] = [];
    const controller = new AbortController();
    first.addSessionStatusListener({ onSessionJoined: () => log.push('first') }, { signal: controller.signal });
    second.addSessionStatusListener({ onSessionJoined: () => log.push('second') }, { signal: controller.signal });
    controller.abort();
    for (const session of [first, second]) {
      session.join('s1');
      session.send({ type: 'session.joined' });
    }
    expect(log).toEqual([]);
    expect(abortHandlers(controller.signal)).toBe(0);
  });
});
