// SPEC §3 "Listener rules", from inside every kind of callback: send(), leave() and
// dispose() called in a callback, listeners removing themselves or others, adding new
// ones, chains of nested sends, and an invalid event sent from a callback.
import { SimulatedClock } from 'xstate';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createCallSession,
  SessionSettingsBuilder,
  type CallSession,
  type CallSessionEvent,
  type ParticipantEventListener,
  type SessionStatusListener,
} from '../src/index.js';
import * as logs from './support/listenerLogs.js';

const IDLE_MS = 10_000;
const RECONNECT_MS = 30_000;

/** Values typed loosely on purpose: the point is to pass what the types forbid. */
const loose = <T>(value: unknown): T => value as T;

const sessions: CallSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

interface Harness {
  session: CallSession;
  clock: SimulatedClock;
  errors: unknown[];
}

function newSession(): Harness {
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(IDLE_MS / 1000)
    .setReconnectTimeoutPeriod(RECONNECT_MS / 1000)
    .build();
  const session = createCallSession({ settings, clock, onListenerError: (error) => errors.push(error) });
  sessions.push(session);
  return { session, clock, errors };
}

const STATUS_CALLBACKS = [
  'onSessionJoined',
  'onSessionLeft',
  'onSessionTimedOut',
  'onConnectionLost',
  'onConnectionRestored',
  'onConnectionClosed',
] as const;
type StatusCallback = (typeof STATUS_CALLBACKS)[number];
type ParticipantCallback = 'onParticipantJoined' | 'onParticipantLeft' | 'onParticipantListChanged';
type Callback = StatusCallback | ParticipantCallback;

type Both = SessionStatusListener & ParticipantEventListener;

/** A listener for both registries logging every callback as `prefix + name[:uid|:length]`. */
function logger(log: string[], prefix = ''): Both {
  const listener: Both = {
    onParticipantJoined: (p) => log.push(`${prefix}onParticipantJoined:${p.uid}`),
    onParticipantLeft: (p) => log.push(`${prefix}onParticipantLeft:${p.uid}`),
    onParticipantListChanged: (list) => log.push(`${prefix}onParticipantListChanged:${list.length}`),
  };
  for (const name of STATUS_CALLBACKS) listener[name] = () => log.push(`${prefix}${name}`);
  return listener;
}

function addToBoth(session: CallSession, listener: Both): void {
  session.addSessionStatusListener(listener);
  session.addParticipantEventListener(listener);
}

/** Like `logger`, but `name` runs `action` right after logging. */
function acting(log: string[], prefix: string, name: Callback, action: () => void): Both {
  const listener = logger(log, prefix);
  const original = listener[name] as (arg?: unknown) => void;
  (listener as Record<string, unknown>)[name] = (arg?: unknown) => {
    original(arg);
    action();
  };
  return listener;
}

const alice = { uid: 'alice' };
const bob = { uid: 'bob' };

/**
 * A way to make callback `name` fire once: from a fresh session, `setup` then `trigger`.
 * `fires` is everything the trigger fires, in SPEC §2 order; `entry` is the log line of
 * `name` itself. For non-final states, `followUp` is an accepted next event with what it fires.
 */
interface Kind {
  name: Callback;
  label: string;
  setup(h: Harness): void;
  trigger(h: Harness): void;
  during: string;
  fires: string[];
  entry: string;
  followUp?: { event: CallSessionEvent; fires: string[]; state: string };
}

const joinAlone = ({ session }: Harness): void => {
  session.join('s1');
  session.send({ type: 'session.joined' });
};
const joinWithAlice = ({ session }: Harness): void => {
  session.join('s1');
  session.send({ type: 'session.joined', participants: [alice] });
};

const KINDS: Kind[] = [
  {
    name: 'onSessionJoined',
    label: 'onSessionJoined',
    setup: ({ session }) => session.join('s1'),
    trigger: ({ session }) => session.send({ type: 'session.joined' }),
    during: 'joined.alone',
    fires: ['onSessionJoined'],
    entry: 'onSessionJoined',
    followUp: { event: { type: 'connection.lost' }, fires: ['onConnectionLost'], state: 'reconnecting' },
  },
  {
    name: 'onConnectionLost',
    label: 'onConnectionLost',
    setup: joinAlone,
    trigger: ({ session }) => session.send({ type: 'connection.lost' }),
    during: 'reconnecting',
    fires: ['onConnectionLost'],
    entry: 'onConnectionLost',
    followUp: { event: { type: 'connection.restored' }, fires: ['onConnectionRestored'], state: 'joined.alone' },
  },
  {
    name: 'onConnectionRestored',
    label: 'onConnectionRestored',
    setup: (h) => {
      joinAlone(h);
      h.session.send({ type: 'connection.lost' });
    },
    trigger: ({ session }) => session.send({ type: 'connection.restored' }),
    during: 'joined.alone',
    fires: ['onConnectionRestored'],
    entry: 'onConnectionRestored',
    followUp: { event: { type: 'connection.lost' }, fires: ['onConnectionLost'], state: 'reconnecting' },
  },
  {
    name: 'onSessionLeft',
    label: 'onSessionLeft',
    setup: joinWithAlice,
    trigger: ({ session }) => session.leave(),
    during: 'left',
    fires: ['onSessionLeft'],
    entry: 'onSessionLeft',
  },
  {
    name: 'onSessionTimedOut',
    label: 'onSessionTimedOut (clock)',
    setup: joinAlone,
    trigger: ({ clock }) => clock.increment(IDLE_MS),
    during: 'timedOut',
    fires: ['onSessionTimedOut'],
    entry: 'onSessionTimedOut',
  },
  {
    name: 'onConnectionClosed',
    label: 'onConnectionClosed (connection.closed)',
    setup: joinAlone,
    trigger: ({ session }) => session.send({ type: 'connection.closed' }),
    during: 'closed',
    fires: ['onConnectionClosed'],
    entry: 'onConnectionClosed',
  },
  {
    name: 'onConnectionClosed',
    label: 'onConnectionClosed (reconnect bound, clock)',
    setup: (h) => {
      joinWithAlice(h);
      h.session.send({ type: 'connection.lost' });
    },
    trigger: ({ clock }) => clock.increment(RECONNECT_MS),
    during: 'closed',
    fires: ['onConnectionClosed'],
    entry: 'onConnectionClosed',
  },
  {
    name: 'onParticipantJoined',
    label: 'onParticipantJoined',
    setup: joinAlone,
    trigger: ({ session }) => session.send({ type: 'participant.joined', participant: alice }),
    during: 'joined.accompanied',
    fires: ['onParticipantJoined:alice', 'onParticipantListChanged:1'],
    entry: 'onParticipantJoined:alice',
    followUp: {
      event: { type: 'participant.left', participant: alice },
      fires: ['onParticipantLeft:alice', 'onParticipantListChanged:0'],
      state: 'joined.alone',
    },
  },
  {
    name: 'onParticipantLeft',
    label: 'onParticipantLeft',
    setup: joinWithAlice,
    trigger: ({ session }) => session.send({ type: 'participant.left', participant: alice }),
    during: 'joined.alone',
    fires: ['onParticipantLeft:alice', 'onParticipantListChanged:0'],
    entry: 'onParticipantLeft:alice',
    followUp: {
      event: { type: 'participant.joined', participant: bob },
      fires: ['onParticipantJoined:bob', 'onParticipantListChanged:1'],
      state: 'joined.accompanied',
    },
  },
  {
    name: 'onParticipantListChanged',
    label: 'onParticipantListChanged',
    setup: joinAlone,
    trigger: ({ session }) => session.send({ type: 'participant.joined', participant: alice }),
    during: 'joined.accompanied',
    fires: ['onParticipantJoined:alice', 'onParticipantListChanged:1'],
    entry: 'onParticipantListChanged:1',
    followUp: { event: { type: 'connection.lost' }, fires: ['onConnectionLost'], state: 'reconnecting' },
  },
  {
    name: 'onParticipantJoined',
    label: 'onParticipantJoined (resync after onConnectionRestored)',
    setup: (h) => {
      joinAlone(h);
      h.session.send({ type: 'connection.lost' });
    },
    trigger: ({ session }) => session.send({ type: 'connection.restored', participants: [alice] }),
    during: 'joined.accompanied',
    fires: ['onConnectionRestored', 'onParticipantJoined:alice', 'onParticipantListChanged:1'],
    entry: 'onParticipantJoined:alice',
    followUp: {
      event: { type: 'participant.left', participant: alice },
      fires: ['onParticipantLeft:alice', 'onParticipantListChanged:0'],
      state: 'joined.alone',
    },
  },
];

/** A fresh session in the state before `kind`'s trigger; A (from `makeA`) is the first listener of both registries. */
function arrange(kind: Kind, makeA: (h: Harness) => Both): Harness {
  const h = newSession();
  kind.setup(h);
  addToBoth(h.session, makeA(h));
  return h;
}

/** What `kind`'s trigger fires before and including `entry`. */
const upTo = (kind: Kind): string[] => kind.fires.slice(0, kind.fires.indexOf(kind.entry) + 1);
const before = (kind: Kind): string[] => kind.fires.slice(0, kind.fires.indexOf(kind.entry));

test('the kinds table is consistent', () => {
  for (const kind of KINDS) expect(kind.fires).toContain(kind.entry);
});

describe.each(KINDS)('from inside $label', (kind) => {
  test('send(): handled after the whole dispatch; inside, state is still the new one', () => {
    const log: string[] = [];
    const inside: string[] = [];
    const followUp = kind.followUp ?? {
      event: { type: 'connection.lost' } as CallSessionEvent,
      fires: [],
      state: kind.during,
    };
    const h = arrange(kind, (own) =>
      acting([], 'A:', kind.name, () => {
        own.session.send(followUp.event);
        inside.push(own.session.state);
      }),
    );
    addToBoth(h.session, logger(log));
    kind.trigger(h);
    expect(inside).toEqual([kind.during]);
    expect(log).toEqual([...kind.fires, ...followUp.fires]);
    expect(h.session.state).toBe(followUp.state);
    expect(h.errors).toEqual([]);
  });

  test('leave(): handled after the dispatch (ignored in a final state)', () => {
    const log: string[] = [];
    const inside: string[] = [];
    const h = arrange(kind, (own) =>
      acting([], 'A:', kind.name, () => {
        own.session.leave();
        inside.push(own.session.state);
      }),
    );
    addToBoth(h.session, logger(log));
    kind.trigger(h);
    expect(inside).toEqual([kind.during]);
    const final = ['left', 'timedOut', 'closed'].includes(kind.during);
    expect(log).toEqual([...kind.fires, ...(final ? [] : ['onSessionLeft'])]);
    expect(h.session.state).toBe(final ? kind.during : 'left');
    if (!final) expect(h.session.endReason).toBe('user');
    expect(h.errors).toEqual([]);
  });

  test('dispose(): nothing more is called, state kept, the clock fires nothing', () => {
    const log: string[] = [];
    const h = arrange(kind, (own) => acting([], 'A:', kind.name, () => own.session.dispose()));
    addToBoth(h.session, logger(log));
    kind.trigger(h);
    expect(log).toEqual(before(kind));
    expect(h.session.state).toBe(kind.during);
    h.clock.increment(RECONNECT_MS + IDLE_MS);
    expect(log).toEqual(before(kind));
    expect(h.session.state).toBe(kind.during);
    expect(h.errors).toEqual([]);
  });

  test('a listener removing itself is not called again, in that dispatch or later', () => {
    const aLog: string[] = [];
    const log: string[] = [];
    const h = arrange(kind, (own) => {
      const a: Both = acting(aLog, '', kind.name, () => {
        own.session.removeSessionStatusListener(a);
        own.session.removeParticipantEventListener(a);
      });
      return a;
    });
    addToBoth(h.session, logger(log));
    kind.trigger(h);
    expect(aLog).toEqual(upTo(kind));
    expect(log).toEqual(kind.fires);
    if (kind.followUp) h.session.send(kind.followUp.event);
    expect(aLog).toEqual(upTo(kind));
    expect(log).toEqual([...kind.fires, ...(kind.followUp?.fires ?? [])]);
  });

  test('removing an earlier listener: it gets nothing more; removing a later one: not called from then on', () => {
    const earlierLog: string[] = [];
    const laterLog: string[] = [];
    const log: string[] = [];
    const h = newSession();
    kind.setup(h);
    const earlier = logger(earlierLog);
    const later = logger(laterLog);
    addToBoth(h.session, earlier);
    addToBoth(
      h.session,
      acting([], 'A:', kind.name, () => {
        for (const listener of [earlier, later]) {
          h.session.removeSessionStatusListener(listener);
          h.session.removeParticipantEventListener(listener);
        }
      }),
    );
    addToBoth(h.session, later);
    addToBoth(h.session, logger(log));
    kind.trigger(h);
    expect(earlierLog).toEqual(upTo(kind));
    expect(laterLog).toEqual(before(kind));
    expect(log).toEqual(kind.fires);
    if (kind.followUp) h.session.send(kind.followUp.event);
    expect(earlierLog).toEqual(upTo(kind));
    expect(laterLog).toEqual(before(kind));
  });

  test('removing a later listener via its unsubscribe works the same', () => {
    const laterLog: string[] = [];
    const h = newSession();
    kind.setup(h);
    const unsubscribes: (() => void)[] = [];
    addToBoth(
      h.session,
      acting([], 'A:', kind.name, () => unsubscribes.forEach((unsubscribe) => unsubscribe())),
    );
    const later = logger(laterLog);
    unsubscribes.push(h.session.addSessionStatusListener(later), h.session.addParticipantEventListener(later));
    kind.trigger(h);
    expect(laterLog).toEqual(before(kind));
  });

  test('a listener added in the callback is first called for the next event', () => {
    const newLog: string[] = [];
    let added = false;
    const h = arrange(kind, (own) =>
      acting([], 'A:', kind.name, () => {
        if (added) return;
        added = true;
        addToBoth(own.session, logger(newLog));
      }),
    );
    kind.trigger(h);
    expect(added).toBe(true);
    expect(newLog).toEqual([]);
    if (kind.followUp) {
      h.session.send(kind.followUp.event);
      expect(newLog).toEqual(kind.followUp.fires);
    }
  });

  test('an invalid event sent in the callback throws a TypeError there; the session goes on', () => {
    const log: string[] = [];
    const caught: unknown[] = [];
    const h = arrange(kind, (own) =>
      acting([], 'A:', kind.name, () => {
        try {
          own.session.send(loose<CallSessionEvent>({ type: 'participant.joined', participant: { name: 'no id' } }));
        } catch (error) {
          caught.push(error);
        }
        // Not caught: the listener throws it, and it is reported to onListenerError.
        own.session.send(loose<CallSessionEvent>({ type: 'no.such.event' }));
      }),
    );
    addToBoth(h.session, logger(log));
    const participants = h.session.participants;
    kind.trigger(h);
    expect(caught).toHaveLength(1);
    expect(caught[0]).toBeInstanceOf(TypeError);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(TypeError);
    expect(log).toEqual(kind.fires);
    expect(h.session.state).toBe(kind.during);
    if (kind.followUp) {
      h.session.send(kind.followUp.event);
      expect(log).toEqual([...kind.fires, ...kind.followUp.fires]);
      expect(h.session.state).toBe(kind.followUp.state);
    } else {
      expect(h.session.participants).toBe(participants);
    }
  });
});

describe('nested sends', () => {
  test('a chain of three: each nested event is handled after the dispatch that sent it', () => {
    const { session, errors } = newSession();
    const log: string[] = [];
    const seen: string[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        seen.push(`${p.uid} in ${session.state} with ${session.participants.length}`);
        if (p.uid === 'a') session.send({ type: 'participant.joined', participant: { uid: 'b' } });
        if (p.uid === 'b') session.send({ type: 'participant.joined', participant: { uid: 'c' } });
        if (p.uid === 'c') session.send({ type: 'connection.lost' });
      },
    });
    addToBoth(session, logger(log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'participant.joined', participant: { uid: 'a' } });
    expect(seen).toEqual([
      'a in joined.accompanied with 1',
      'b in joined.accompanied with 2',
      'c in joined.accompanied with 3',
    ]);
    expect(log).toEqual([
      'onSessionJoined',
      'onParticipantJoined:a',
      'onParticipantListChanged:1',
      'onParticipantJoined:b',
      'onParticipantListChanged:2',
      'onParticipantJoined:c',
      'onParticipantListChanged:3',
      'onConnectionLost',
    ]);
    expect(session.state).toBe('reconnecting');
    expect(errors).toEqual([]);
  });

  test('a chain through both registries: status → participant → status', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => session.send({ type: 'participant.joined', participant: alice }),
      onConnectionLost: () => session.send({ type: 'connection.restored', participants: [bob] }),
    });
    session.addParticipantEventListener({
      onParticipantListChanged: (list) => {
        if (list.length === 1 && list[0]?.uid === 'alice') session.send({ type: 'connection.lost' });
      },
    });
    addToBoth(session, logger(log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual([
      'onSessionJoined',
      'onParticipantJoined:alice',
      'onParticipantListChanged:1',
      'onConnectionLost',
      'onConnectionRestored',
      'onParticipantJoined:bob',
      'onParticipantLeft:alice',
      'onParticipantListChanged:1',
    ]);
    expect(session.participants.map((p) => p.uid)).toEqual(['bob']);
  });

  test('several sends from one callback are handled in the order sent, before what they send in turn', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        session.send({ type: 'participant.joined', participant: { uid: 'a' } });
        session.send({ type: 'participant.joined', participant: { uid: 'b' } });
      },
    });
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        if (p.uid === 'a') session.send({ type: 'participant.joined', participant: { uid: 'c' } });
      },
    });
    session.addParticipantEventListener({ onParticipantJoined: (p) => log.push(p.uid ?? '?') });
    session.join('s1');
    session.send({ type: 'session.joined' });
    // Sent in this order: a and b during onSessionJoined, c during a's dispatch.
    expect(log).toEqual(['a', 'b', 'c']);
    expect(session.participants.map((p) => p.uid)).toEqual(['a', 'b', 'c']);
  });

  test('a queued event is judged by the state at its turn, not when it was sent', () => {
    const { session } = newSession();
    const log: string[] = [];
    const can: boolean[] = [];
    session.addSessionStatusListener({
      onConnectionLost: () => {
        can.push(session.can({ type: 'connection.restored' }));
        session.send({ type: 'connection.restored' });
        can.push(session.can({ type: 'connection.restored' }));
        session.send({ type: 'connection.restored' });
      },
    });
    addToBoth(session, logger(log));
    joinAlone({ session, clock: new SimulatedClock(), errors: [] });
    session.send({ type: 'connection.lost' });
    expect(can).toEqual([true, true]);
    expect(log).toEqual(['onSessionJoined', 'onConnectionLost', 'onConnectionRestored']);
    expect(session.state).toBe('joined.alone');
  });

  test('leave() then send() from one callback: the session ends, the rest is ignored', () => {
    const { session } = newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        session.leave();
        session.send({ type: 'connection.lost' });
        session.send({ type: 'connection.closed' });
      },
    });
    addToBoth(session, logger(log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual(['onSessionJoined', 'onSessionLeft']);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
  });

  test('a queued event that became invalid for the state is ignored, not thrown', () => {
    const { session, errors } = newSession();
    const log: string[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: () => {
        // Alice is not there yet when this is sent... but she is when it is handled.
        session.send({ type: 'participant.left', participant: bob });
      },
    });
    addToBoth(session, logger(log));
    joinAlone({ session, clock: new SimulatedClock(), errors: [] });
    session.send({ type: 'participant.joined', participant: alice });
    expect(log).toEqual(['onSessionJoined', 'onParticipantJoined:alice', 'onParticipantListChanged:1']);
    expect(errors).toEqual([]);
  });

  test('an invalid event from a nested callback is reported, and the chain before it completes', () => {
    const { session, errors } = newSession();
    const log: string[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        if (p.uid === 'a') session.send({ type: 'participant.joined', participant: { uid: 'b' } });
        if (p.uid === 'b')
          session.send(loose<CallSessionEvent>({ type: 'participant.joined', participant: { uid: '' } }));
      },
    });
    addToBoth(session, logger(log));
    joinAlone({ session, clock: new SimulatedClock(), errors: [] });
    session.send({ type: 'participant.joined', participant: { uid: 'a' } });
    expect(log).toEqual([
      'onSessionJoined',
      'onParticipantJoined:a',
      'onParticipantListChanged:1',
      'onParticipantJoined:b',
      'onParticipantListChanged:2',
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('reconnecting');
  });
});

describe('reading the session from inside a callback', () => {
  test('can() reflects the new state', () => {
    const { session } = newSession();
    const answers: boolean[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        answers.push(session.can({ type: 'session.joined' }));
        answers.push(session.can({ type: 'connection.lost' }));
        answers.push(session.can(loose<CallSessionEvent>({ type: 'nope' })));
      },
      onConnectionLost: () => {
        answers.push(session.can({ type: 'connection.lost' }));
        answers.push(session.can({ type: 'connection.restored' }));
      },
    });
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'connection.lost' });
    expect(answers).toEqual([false, true, false, false, true]);
  });

  test('participants and endReason are the new ones', () => {
    const { session } = newSession();
    const seen: unknown[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => seen.push(session.participants.includes(p)),
      onParticipantLeft: (p) => seen.push(session.participants.some((q) => q.uid === p.uid)),
      onParticipantListChanged: (list) => seen.push(list === session.participants),
    });
    session.addSessionStatusListener({ onSessionLeft: () => seen.push(session.endReason) });
    session.join('s1');
    session.send({ type: 'session.joined', participants: [alice] });
    session.send({ type: 'participant.left', participant: alice });
    session.send({ type: 'session.removed' });
    expect(seen).toEqual([true, true, false, true, 'removed']);
  });
});

describe('calls from inside a callback', () => {
  test('leave() inside onSessionJoined is handled after the whole dispatch', () => {
    const { session } = logs.newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        log.push(`A:onSessionJoined in ${session.state}`);
        session.leave();
        log.push(`A:after leave() in ${session.state}`);
      },
      onSessionLeft: () => log.push(`A:onSessionLeft in ${session.state}`),
    });
    session.addSessionStatusListener(logs.statusLogger('B', log));
    session.addParticipantEventListener(logs.participantLogger('P', log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [logs.alice] });
    expect(log).toEqual([
      'A:onSessionJoined in joined.accompanied',
      'A:after leave() in joined.accompanied',
      'B:onSessionJoined',
      'P:onParticipantJoined:alice',
      'P:onParticipantListChanged:1',
      'A:onSessionLeft in left',
      'B:onSessionLeft',
    ]);
    expect(session.state).toBe('left');
    expect(session.endReason).toBe('user');
  });

  test('send() inside a participant callback is handled after the dispatch', () => {
    const { session } = logs.newSession();
    const log: string[] = [];
    session.addParticipantEventListener({
      onParticipantJoined: (p) => {
        log.push(`A:onParticipantJoined:${p.uid} in ${session.state}`);
        if (p.uid === 'alice') session.send({ type: 'participant.left', participant: logs.alice });
      },
      onParticipantLeft: (p) => log.push(`A:onParticipantLeft:${p.uid} in ${session.state}`),
      onParticipantListChanged: (list) => log.push(`A:onParticipantListChanged:${list.map((p) => p.uid).join(',')}`),
    });
    session.addParticipantEventListener(logs.participantLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'participant.joined', participant: logs.alice });
    expect(log).toEqual([
      'A:onParticipantJoined:alice in joined.accompanied',
      'B:onParticipantJoined:alice',
      'A:onParticipantListChanged:alice',
      'B:onParticipantListChanged:1',
      'A:onParticipantLeft:alice in joined.alone',
      'B:onParticipantLeft:alice',
      'A:onParticipantListChanged:',
      'B:onParticipantListChanged:0',
    ]);
    expect(session.state).toBe('joined.alone');
  });

  test('send() of a status event inside onParticipantListChanged waits for the dispatch', () => {
    const { session } = logs.newSession();
    const log: string[] = [];
    session.addParticipantEventListener({
      onParticipantListChanged: () => {
        session.send({ type: 'connection.lost' });
        log.push(`A:onParticipantListChanged in ${session.state}`);
      },
    });
    session.addParticipantEventListener(logs.participantLogger('B', log));
    session.addSessionStatusListener(logs.statusLogger('S', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    session.send({ type: 'participant.joined', participant: logs.alice });
    expect(log).toEqual([
      'S:onSessionJoined',
      'B:onParticipantJoined:alice',
      'A:onParticipantListChanged in joined.accompanied',
      'B:onParticipantListChanged:1',
      'S:onConnectionLost',
    ]);
    expect(session.state).toBe('reconnecting');
  });
});
