// dispose() (SPEC §3) in every state and from inside every kind of callback: afterwards
// nothing fires (no later listener in the same dispatch, no later callback of that
// dispatch, no event queued by a callback), no timer is left pending on the clock, and
// `state` keeps the value it had when dispose() was called.
import { describe, expect, test } from 'vitest';
import {
  CallSession,
  createCallSession,
  SessionSettingsBuilder,
  type CallSessionEvent,
  type CallSessionState,
  type Participant,
  type ParticipantEventListener,
  type PersistedCallSession,
  type SessionStatusListener,
} from '../src/index.js';
import { CountingClock } from './support/countingClock.js';
import * as logs from './support/listenerLogs.js';
import { restoreCallSession } from '../src/persistence/restore.js';
import { STATUS_CALLBACKS } from './support/status.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const IDLE_S = 10;
const RECONNECT_S = 5;

const alice: Participant = { uid: 'alice' };
const bob: Participant = { pid: 'bob' };
const carol: Participant = { uid: 'carol' };

type StatusCallback = (typeof STATUS_CALLBACKS)[number];
type ParticipantCallback = keyof ParticipantEventListener;
type Callback = StatusCallback | ParticipantCallback;
type Listener = SessionStatusListener & ParticipantEventListener;

/** Events of every type, valid, to poke a disposed session with. */
const EVERY_EVENT: readonly CallSessionEvent[] = [
  { type: 'session.join', sessionId: 's2' },
  { type: 'session.joined' },
  { type: 'session.joined', participants: [carol] },
  { type: 'session.joinFailed' },
  { type: 'session.leave' },
  { type: 'session.removed' },
  { type: 'participant.joined', participant: carol },
  { type: 'participant.left', participant: alice },
  { type: 'connection.lost' },
  { type: 'connection.restored' },
  { type: 'connection.restored', participants: [carol] },
  { type: 'connection.closed' },
];

const idOf = (p: Participant): string => p.pid ?? p.uid ?? '?';

/** A listener recording each callback as `name` or `name:id` / `name:id,id`. */
function recorder(calls: string[]): Listener {
  const listener: Listener = {
    onParticipantJoined: (p) => calls.push(`onParticipantJoined:${idOf(p)}`),
    onParticipantLeft: (p) => calls.push(`onParticipantLeft:${idOf(p)}`),
    onParticipantListChanged: (list) => calls.push(`onParticipantListChanged:${list.map(idOf).join(',')}`),
  };
  for (const name of STATUS_CALLBACKS) listener[name] = () => calls.push(name);
  return listener;
}

interface Harness {
  session: CallSession;
  clock: CountingClock;
}

function newHarness(): Harness {
  const clock = new CountingClock();
  const settings = new SessionSettingsBuilder()
    .setIdleTimeoutPeriod(IDLE_S)
    .setReconnectTimeoutPeriod(RECONNECT_S)
    .build();
  return { session: createCallSession({ settings, clock }), clock };
}

function join(session: CallSession, participants?: Participant[]): void {
  session.join('s1');
  session.send(participants ? { type: 'session.joined', participants } : { type: 'session.joined' });
}

/** Everything a disposed session must satisfy, whatever happens to it afterwards. */
function expectInert(h: Harness, state: CallSessionState, calls: readonly string[][]): void {
  const snapshot = calls.map((c) => [...c]);
  const participants = h.session.participants;
  const endReason = h.session.endReason;
  expect(h.session.state).toBe(state);
  expect(h.clock.pending).toBe(0);
  expect(h.clock.balance).toBe(0);
  for (const event of EVERY_EVENT) {
    expect(h.session.can(event), event.type).toBe(false);
    h.session.send(event);
  }
  h.session.join('again');
  h.session.leave();
  h.clock.increment(0);
  for (let i = 0; i < 4; i++) h.clock.increment(IDLE_S * SECOND);
  h.clock.increment(HOUR);
  expect(h.session.state).toBe(state);
  expect(h.session.participants).toBe(participants);
  expect(h.session.endReason).toBe(endReason);
  expect(calls).toEqual(snapshot);
  expect(h.clock.pending).toBe(0);
  expect(h.clock.balance).toBe(0);
  expect(CallSession.getInstance()).toBeNull();
}

describe('dispose() in every state', () => {
  const STATES: { state: CallSessionState; name: string; reach: (h: Harness) => void; timers: number }[] = [
    { name: 'idle', state: 'idle', reach: () => undefined, timers: 0 },
    { name: 'joining', state: 'joining', reach: ({ session }) => session.join('s1'), timers: 0 },
    {
      name: 'joined.alone (idle countdown running)',
      state: 'joined.alone',
      reach: ({ session, clock }) => {
        join(session);
        clock.increment(IDLE_S * SECOND - 1);
      },
      timers: 1,
    },
    {
      name: 'joined.accompanied',
      state: 'joined.accompanied',
      reach: ({ session }) => join(session, [alice]),
      timers: 0,
    },
    {
      name: 'reconnecting, lost while alone (both countdowns)',
      state: 'reconnecting',
      reach: ({ session }) => {
        join(session);
        session.send({ type: 'connection.lost' });
      },
      timers: 2,
    },
    {
      name: 'reconnecting, lost while accompanied (reconnect bound)',
      state: 'reconnecting',
      reach: ({ session }) => {
        join(session, [alice]);
        session.send({ type: 'connection.lost' });
      },
      timers: 1,
    },
    {
      name: 'joined.alone after a restore without a list (countdown carried over)',
      state: 'joined.alone',
      reach: ({ session, clock }) => {
        join(session);
        session.send({ type: 'connection.lost' });
        clock.increment(SECOND);
        session.send({ type: 'connection.restored' });
      },
      timers: 1,
    },
    {
      name: 'left',
      state: 'left',
      reach: ({ session }) => {
        join(session, [alice]);
        session.leave();
      },
      timers: 0,
    },
    {
      name: 'timedOut',
      state: 'timedOut',
      reach: ({ session, clock }) => {
        join(session);
        clock.increment(IDLE_S * SECOND);
      },
      timers: 0,
    },
    {
      name: 'closed (server)',
      state: 'closed',
      reach: ({ session }) => {
        join(session, [alice]);
        session.send({ type: 'connection.closed' });
      },
      timers: 0,
    },
    {
      name: 'closed (reconnect bound)',
      state: 'closed',
      reach: ({ session, clock }) => {
        join(session, [alice]);
        session.send({ type: 'connection.lost' });
        clock.increment(RECONNECT_S * SECOND);
      },
      timers: 0,
    },
  ];

  test.each(STATES)('$name: state kept, no timer pending, nothing fires afterwards', ({ state, reach, timers }) => {
    const h = newHarness();
    const calls: string[] = [];
    const listener = recorder(calls);
    h.session.addSessionStatusListener(listener);
    h.session.addParticipantEventListener(listener);
    reach(h);
    expect(h.session.state).toBe(state);
    expect(h.clock.pending).toBe(timers);
    h.session.dispose();
    expectInert(h, state, [calls]);
  });

  test.each(STATES)('restored from a snapshot of $name, then disposed: the same', ({ state, reach }) => {
    const original = newHarness();
    reach(original);
    const saved = JSON.parse(JSON.stringify(original.session.getPersistedSnapshot())) as PersistedCallSession;
    original.session.dispose();
    const clock = new CountingClock();
    clock.set(original.clock.now() + SECOND);
    const h = { session: restoreCallSession(saved, { clock }), clock };
    const calls: string[] = [];
    const listener = recorder(calls);
    h.session.addSessionStatusListener(listener);
    h.session.addParticipantEventListener(listener);
    h.session.dispose();
    expectInert(h, state, [calls]);
  });

  test('a restored deadline that passed while stored: dispose() before the next tick, and it never fires', () => {
    const original = newHarness();
    join(original.session);
    original.session.send({ type: 'connection.lost' });
    const saved = original.session.getPersistedSnapshot();
    original.session.dispose();
    const clock = new CountingClock();
    clock.set(HOUR);
    const h = { session: restoreCallSession(saved, { clock }), clock };
    const calls: string[] = [];
    h.session.addSessionStatusListener(recorder(calls));
    expect(h.clock.pending).toBe(1);
    h.session.dispose();
    expectInert(h, 'reconnecting', [calls]);
    expect(calls).toEqual([]);
  });
});

/**
 * One event that fires callback `target`, from a state `setup` reaches. `dispatch` is
 * the whole dispatch SPEC §2 promises for that event (status callback, then participant
 * joined, left, list changed); each entry goes to every listener in the order they were
 * added before the next entry starts.
 */
interface Trigger {
  target: Callback;
  name: string;
  setup: (h: Harness) => void;
  fire: (h: Harness) => void;
  dispatch: readonly string[];
  /** The state the event leads to: the one dispose() is called in. */
  state: CallSessionState;
  /** An event the new state accepts, queued from the callback just before dispose(). */
  queued: CallSessionEvent;
}

const TRIGGERS: Trigger[] = [
  {
    target: 'onSessionJoined',
    name: 'session.joined with two participants',
    setup: ({ session }) => session.join('s1'),
    fire: ({ session }) => session.send({ type: 'session.joined', participants: [alice, bob] }),
    dispatch: [
      'onSessionJoined',
      'onParticipantJoined:alice',
      'onParticipantJoined:bob',
      'onParticipantListChanged:alice,bob',
    ],
    state: 'joined.accompanied',
    queued: { type: 'connection.lost' },
  },
  {
    target: 'onSessionJoined',
    name: 'session.joined alone (idle countdown started)',
    setup: ({ session }) => session.join('s1'),
    fire: ({ session }) => session.send({ type: 'session.joined' }),
    dispatch: ['onSessionJoined'],
    state: 'joined.alone',
    queued: { type: 'session.leave' },
  },
  {
    target: 'onSessionLeft',
    name: 'leave()',
    setup: ({ session }) => join(session, [alice]),
    fire: ({ session }) => session.leave(),
    dispatch: ['onSessionLeft'],
    state: 'left',
    queued: { type: 'session.join', sessionId: 's2' },
  },
  {
    target: 'onSessionLeft',
    name: 'session.removed while reconnecting',
    setup: ({ session }) => {
      join(session);
      session.send({ type: 'connection.lost' });
    },
    fire: ({ session }) => session.send({ type: 'session.removed' }),
    dispatch: ['onSessionLeft'],
    state: 'left',
    queued: { type: 'connection.restored' },
  },
  {
    target: 'onSessionTimedOut',
    name: 'the idle countdown expiring in joined.alone',
    setup: ({ session }) => join(session),
    fire: ({ clock }) => clock.increment(IDLE_S * SECOND),
    dispatch: ['onSessionTimedOut'],
    state: 'timedOut',
    queued: { type: 'session.leave' },
  },
  {
    target: 'onSessionTimedOut',
    name: 'the idle countdown expiring in reconnecting (reconnect bound still pending before)',
    setup: ({ session, clock }) => {
      join(session);
      clock.increment((IDLE_S - RECONNECT_S + 1) * SECOND);
      session.send({ type: 'connection.lost' });
    },
    fire: ({ clock }) => clock.increment((RECONNECT_S - 1) * SECOND),
    dispatch: ['onSessionTimedOut'],
    state: 'timedOut',
    queued: { type: 'connection.restored' },
  },
  {
    target: 'onConnectionLost',
    name: 'connection.lost while alone (both countdowns running)',
    setup: ({ session }) => join(session),
    fire: ({ session }) => session.send({ type: 'connection.lost' }),
    dispatch: ['onConnectionLost'],
    state: 'reconnecting',
    queued: { type: 'connection.restored' },
  },
  {
    target: 'onConnectionRestored',
    name: 'connection.restored with a resync list',
    setup: ({ session }) => {
      join(session, [alice]);
      session.send({ type: 'connection.lost' });
    },
    fire: ({ session }) => session.send({ type: 'connection.restored', participants: [bob] }),
    dispatch: [
      'onConnectionRestored',
      'onParticipantJoined:bob',
      'onParticipantLeft:alice',
      'onParticipantListChanged:bob',
    ],
    state: 'joined.accompanied',
    queued: { type: 'session.leave' },
  },
  {
    target: 'onConnectionRestored',
    name: 'connection.restored to joined.alone (idle countdown carried on)',
    setup: ({ session }) => {
      join(session);
      session.send({ type: 'connection.lost' });
    },
    fire: ({ session }) => session.send({ type: 'connection.restored' }),
    dispatch: ['onConnectionRestored'],
    state: 'joined.alone',
    queued: { type: 'participant.joined', participant: carol },
  },
  {
    target: 'onConnectionClosed',
    name: 'connection.closed',
    setup: ({ session }) => join(session, [alice]),
    fire: ({ session }) => session.send({ type: 'connection.closed' }),
    dispatch: ['onConnectionClosed'],
    state: 'closed',
    queued: { type: 'session.join', sessionId: 's2' },
  },
  {
    target: 'onConnectionClosed',
    name: 'the reconnect bound expiring (idle countdown still pending before)',
    setup: ({ session }) => {
      join(session);
      session.send({ type: 'connection.lost' });
    },
    fire: ({ clock }) => clock.increment(RECONNECT_S * SECOND),
    dispatch: ['onConnectionClosed'],
    state: 'closed',
    queued: { type: 'connection.restored' },
  },
  {
    target: 'onParticipantJoined',
    name: 'the first of two in the initial list',
    setup: ({ session }) => session.join('s1'),
    fire: ({ session }) => session.send({ type: 'session.joined', participants: [alice, bob] }),
    dispatch: [
      'onSessionJoined',
      'onParticipantJoined:alice',
      'onParticipantJoined:bob',
      'onParticipantListChanged:alice,bob',
    ],
    state: 'joined.accompanied',
    queued: { type: 'participant.left', participant: alice },
  },
  {
    target: 'onParticipantJoined',
    name: 'participant.joined while alone (idle countdown stopped)',
    setup: ({ session }) => join(session),
    fire: ({ session }) => session.send({ type: 'participant.joined', participant: carol }),
    dispatch: ['onParticipantJoined:carol', 'onParticipantListChanged:carol'],
    state: 'joined.accompanied',
    queued: { type: 'participant.left', participant: carol },
  },
  {
    target: 'onParticipantLeft',
    name: 'the last one leaving (idle countdown started)',
    setup: ({ session }) => join(session, [alice]),
    fire: ({ session }) => session.send({ type: 'participant.left', participant: alice }),
    dispatch: ['onParticipantLeft:alice', 'onParticipantListChanged:'],
    state: 'joined.alone',
    queued: { type: 'participant.joined', participant: carol },
  },
  {
    target: 'onParticipantLeft',
    name: 'the first of two missing from a resync list',
    setup: ({ session }) => {
      join(session, [alice, bob]);
      session.send({ type: 'connection.lost' });
    },
    fire: ({ session }) => session.send({ type: 'connection.restored', participants: [] }),
    dispatch: ['onConnectionRestored', 'onParticipantLeft:alice', 'onParticipantLeft:bob', 'onParticipantListChanged:'],
    state: 'joined.alone',
    queued: { type: 'session.leave' },
  },
  {
    target: 'onParticipantListChanged',
    name: 'an update of a present participant',
    setup: ({ session }) => join(session, [alice, bob]),
    fire: ({ session }) => session.send({ type: 'participant.joined', participant: { uid: 'alice', name: 'Alice' } }),
    dispatch: ['onParticipantListChanged:alice,bob'],
    state: 'joined.accompanied',
    queued: { type: 'participant.left', participant: bob },
  },
  {
    target: 'onParticipantListChanged',
    name: 'the last one leaving (idle countdown started)',
    setup: ({ session }) => join(session, [alice]),
    fire: ({ session }) => session.send({ type: 'participant.left', participant: alice }),
    dispatch: ['onParticipantLeft:alice', 'onParticipantListChanged:'],
    state: 'joined.alone',
    queued: { type: 'connection.lost' },
  },
];

/** Index in `dispatch` of the entry the disposing listener acts on: the first one of its callback. */
function stopAt(trigger: Trigger): number {
  const index = trigger.dispatch.findIndex((entry) => entry.split(':')[0] === trigger.target);
  if (index < 0) throw new Error(`${trigger.name}: ${trigger.target} is not in its dispatch`);
  return index;
}

test('every callback kind has a trigger', () => {
  const covered = new Set(TRIGGERS.map((t) => t.target));
  expect([...covered].sort()).toEqual(
    [...STATUS_CALLBACKS, 'onParticipantJoined', 'onParticipantLeft', 'onParticipantListChanged'].sort(),
  );
});

describe.each(TRIGGERS)('dispose() from $target ($name)', (trigger) => {
  /**
   * Listeners, added in this order to both registries: `first`, the disposer, `last`.
   * The disposer queues `trigger.queued` and then calls dispose().
   */
  function run(options: { queue: boolean; advanceInside?: boolean }): {
    h: Harness;
    first: string[];
    last: string[];
    disposedIn: CallSessionState[];
  } {
    const h = newHarness();
    trigger.setup(h);
    const first: string[] = [];
    const last: string[] = [];
    const disposedIn: CallSessionState[] = [];
    const firstListener = recorder(first);
    const disposer: Listener = {
      [trigger.target]: () => {
        disposedIn.push(h.session.state);
        if (options.queue) h.session.send(trigger.queued);
        h.session.dispose();
        // After dispose(), from the same callback: ignored too.
        h.session.send(trigger.queued);
        h.session.leave();
        if (options.advanceInside) h.clock.increment(HOUR);
      },
    };
    const lastListener = recorder(last);
    for (const listener of [firstListener, disposer, lastListener]) {
      h.session.addSessionStatusListener(listener);
      h.session.addParticipantEventListener(listener);
    }
    trigger.fire(h);
    return { h, first, last, disposedIn };
  }

  test('the earlier listener gets the dispatch up to that callback, the later one up to just before it; nothing after', () => {
    const { h, first, last, disposedIn } = run({ queue: false });
    const stop = stopAt(trigger);
    expect(disposedIn).toEqual([trigger.state]);
    expect(first).toEqual(trigger.dispatch.slice(0, stop + 1));
    expect(last).toEqual(trigger.dispatch.slice(0, stop));
    expectInert(h, trigger.state, [first, last]);
  });

  test('time moved on from inside the callback, after dispose(), fires no timer', () => {
    const { h, first, last } = run({ queue: true, advanceInside: true });
    const stop = stopAt(trigger);
    expect(first).toEqual(trigger.dispatch.slice(0, stop + 1));
    expect(last).toEqual(trigger.dispatch.slice(0, stop));
    expectInert(h, trigger.state, [first, last]);
  });

  test('an event queued from the callback just before dispose() is never handled', () => {
    const { h, first, last, disposedIn } = run({ queue: true });
    const stop = stopAt(trigger);
    expect(disposedIn).toEqual([trigger.state]);
    expect(h.session.state).toBe(trigger.state);
    expect(first).toEqual(trigger.dispatch.slice(0, stop + 1));
    expect(last).toEqual(trigger.dispatch.slice(0, stop));
    expectInert(h, trigger.state, [first, last]);
  });
});

test('control: without dispose(), the queued events of the triggers are taken', () => {
  for (const trigger of TRIGGERS) {
    const h = newHarness();
    trigger.setup(h);
    trigger.fire(h);
    expect(h.session.state, trigger.name).toBe(trigger.state);
    const final = ['left', 'timedOut', 'closed'].includes(trigger.state);
    expect(h.session.can(trigger.queued), trigger.name).toBe(!final);
    h.session.dispose();
  }
});

test('an event an earlier listener queued in the same dispatch is dropped by a later dispose()', () => {
  const h = newHarness();
  h.session.join('s1');
  const calls: string[] = [];
  h.session.addSessionStatusListener({ onSessionJoined: () => h.session.send({ type: 'connection.lost' }) });
  h.session.addParticipantEventListener({ onParticipantListChanged: () => h.session.dispose() });
  const listener = recorder(calls);
  h.session.addSessionStatusListener(listener);
  h.session.addParticipantEventListener(listener);
  h.session.send({ type: 'session.joined', participants: [alice] });
  expect(calls).toEqual(['onSessionJoined', 'onParticipantJoined:alice']);
  expectInert(h, 'joined.accompanied', [calls]);
});

test('a listener that throws before the disposer does not stop dispose() from taking effect', () => {
  const errors: unknown[] = [];
  const clock = new CountingClock();
  const session = createCallSession({ clock, onListenerError: (error) => errors.push(error) });
  const calls: string[] = [];
  session.addSessionStatusListener({
    onSessionJoined: () => {
      throw new Error('boom');
    },
  });
  session.addSessionStatusListener({ onSessionJoined: () => session.dispose() });
  const listener = recorder(calls);
  session.addSessionStatusListener(listener);
  session.addParticipantEventListener(listener);
  join(session);
  expect(errors).toHaveLength(1);
  expect(calls).toEqual([]);
  expectInert({ session, clock }, 'joined.alone', [calls]);
});

test('dispose() of another session due on the same clock tick, from a callback: its timer does not fire', () => {
  const clock = new CountingClock();
  const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(IDLE_S).build();
  const a = createCallSession({ settings, clock });
  const b = createCallSession({ settings, clock });
  const calls: string[] = [];
  a.addSessionStatusListener({
    onSessionTimedOut: () => {
      calls.push('a:onSessionTimedOut');
      b.dispose();
    },
  });
  b.addSessionStatusListener({ onSessionTimedOut: () => calls.push('b:onSessionTimedOut') });
  join(a);
  join(b);
  expect(clock.pending).toBe(2);
  clock.increment(IDLE_S * SECOND);
  expect(calls).toEqual(['a:onSessionTimedOut']);
  expect(a.state).toBe('timedOut');
  expect(b.state).toBe('joined.alone');
  expect(clock.pending).toBe(0);
  expect(clock.balance).toBe(0);
});

test('dispose() from a callback of a restored session whose deadline passed while stored', () => {
  const original = newHarness();
  join(original.session, [alice]);
  original.session.send({ type: 'connection.lost' });
  const saved = original.session.getPersistedSnapshot();
  original.session.dispose();
  const clock = new CountingClock();
  clock.set(HOUR);
  const session = restoreCallSession(saved, { clock });
  const calls: string[] = [];
  session.addSessionStatusListener({
    onConnectionClosed: () => {
      calls.push('closed');
      session.send({ type: 'session.leave' });
      session.dispose();
    },
  });
  session.addSessionStatusListener(recorder(calls));
  clock.increment(0);
  expect(calls).toEqual(['closed']);
  expectInert({ session, clock }, 'closed', [calls]);
  expect(session.endReason).toBe('reconnectTimeout');
});

describe('dispose() from inside a callback', () => {
  test('dispose() inside a status callback: no more callbacks, timers cancelled, state kept', () => {
    const { session, clock } = logs.newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        log.push('A:onSessionJoined');
        session.dispose();
      },
    });
    session.addSessionStatusListener(logs.statusLogger('B', log));
    session.addParticipantEventListener(logs.participantLogger('P', log));
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual(['A:onSessionJoined']);
    expect(session.state).toBe('joined.alone');
    const scheduled = session.actor.system.getSnapshot()._scheduledEvents;
    expect(Object.keys(scheduled)).toEqual([]);
    clock.increment(10_000);
    clock.increment(1_000_000_000);
    expect(log).toEqual(['A:onSessionJoined']);
    expect(session.state).toBe('joined.alone');
    expect(session.endReason).toBeNull();
    expect(session.can({ type: 'session.leave' })).toBe(false);
    session.leave();
    session.send({ type: 'connection.lost' });
    expect(session.state).toBe('joined.alone');
    expect(log).toEqual(['A:onSessionJoined']);
  });

  test('dispose() inside a participant callback while reconnect and idle timers run', () => {
    const { session, clock } = logs.newSession();
    const log: string[] = [];
    session.addSessionStatusListener(logs.statusLogger('S', log));
    session.addParticipantEventListener({
      onParticipantLeft: () => {
        log.push('A:onParticipantLeft');
        session.dispose();
      },
    });
    session.addParticipantEventListener(logs.participantLogger('B', log));
    session.join('s1');
    session.send({ type: 'session.joined', participants: [logs.alice, logs.bob] });
    session.send({ type: 'connection.lost' });
    clock.increment(5_000);
    // A resync in which logs.alice is gone: alone, the reconnect bound stopped, a fresh idle countdown.
    log.length = 0;
    session.send({ type: 'connection.restored', participants: [] });
    expect(log).toEqual(['S:onConnectionRestored', 'A:onParticipantLeft']);
    expect(session.state).toBe('joined.alone');
    expect(Object.keys(session.actor.system.getSnapshot()._scheduledEvents)).toEqual([]);
    clock.increment(1_000_000);
    expect(log).toEqual(['S:onConnectionRestored', 'A:onParticipantLeft']);
    expect(session.state).toBe('joined.alone');
  });

  test('a send() queued from a callback before dispose() in the same dispatch is dropped', () => {
    const { session } = logs.newSession();
    const log: string[] = [];
    session.addSessionStatusListener({
      onSessionJoined: () => {
        session.leave();
        session.dispose();
      },
      onSessionLeft: () => log.push('onSessionLeft'),
    });
    session.join('s1');
    session.send({ type: 'session.joined' });
    expect(log).toEqual([]);
    expect(session.state).toBe('joined.alone');
  });
});
